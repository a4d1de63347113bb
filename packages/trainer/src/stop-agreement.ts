/**
 * How the instance slices of an aborted parallel run agree on one step to stop at, so that the
 * joined checkpoint is consistent: every slice still training pauses and reports its step,
 * every finished slice counts with its last step, and the run stops at the furthest.
 *
 * Pure bookkeeping (no threads), so every order in which the messages can arrive is testable.
 */
export class StopAgreement {
  private readonly answers: (number | null)[];
  private requested = false;
  /** The agreed step, once every slice has answered. */
  stopAt: number | null = null;

  constructor(slices: number) {
    this.answers = Array.from({ length: slices }, () => null);
  }

  /** Has the run been asked to stop? */
  get stopping(): boolean {
    return this.requested;
  }

  /**
   * The abort. `finished[k]` is the last step of slice k if its result is in, else null (the
   * caller pauses those). Returns the agreed step if this decides it.
   */
  request(finished: readonly (number | null)[]): number | null {
    this.requested = true;
    finished.forEach((step, k) => {
      if (step !== null) this.record(k, step);
    });
    return this.decide();
  }

  /** Slice k paused at `step`. Returns the agreed step if this decides it. */
  paused(k: number, step: number): number | null {
    this.record(k, step);
    return this.decide();
  }

  /**
   * Slice k finished with its last checkpoint at `step`. During a stop it answers with that step
   * (it may have finished before the pause reached it, and then never pauses). Returns the agreed
   * step if this decides it.
   */
  finished(k: number, step: number): number | null {
    if (!this.requested) return null;
    this.record(k, step);
    return this.decide();
  }

  private record(k: number, step: number): void {
    if (this.stopAt === null && this.answers[k] === null) this.answers[k] = step;
  }

  private decide(): number | null {
    if (!this.requested || this.stopAt !== null || this.answers.some((a) => a === null)) return null;
    this.stopAt = Math.max(...(this.answers as number[]));
    return this.stopAt;
  }
}
