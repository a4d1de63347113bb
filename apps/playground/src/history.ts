/**
 * A loss history of bounded size, so that drawing it costs the same at step 100 and at step
 * 100 000 (the old chart redrew every record and halved the page's throughput as it grew). It
 * keeps every `stride`-th record; when full, it drops every other kept record and doubles the
 * stride. The first record and the latest one are always kept.
 */
import type { LossRecord } from '@polytoy/core';

/** A decimated history of one instance. */
export class DecimatedHistory {
  private kept: LossRecord[] = [];
  private stride = 1;
  private seen = 0;
  private latest: LossRecord | null = null;

  /** @param capacity - most records kept (even, ≥ 4). */
  constructor(readonly capacity = 512) {
    if (!(Number.isInteger(capacity) && capacity >= 4 && capacity % 2 === 0)) {
      throw new RangeError(`DecimatedHistory: expected an even capacity >= 4, received ${capacity}`);
    }
  }

  /** Adds the next record (records arrive in step order). Amortised O(1). */
  push(record: LossRecord): void {
    this.latest = record;
    if (this.seen++ % this.stride !== 0) return;
    this.kept.push(record);
    if (this.kept.length >= this.capacity) {
      this.kept = this.kept.filter((_, i) => i % 2 === 0);
      this.stride *= 2;
    }
  }

  /**
   * The records to draw: at most `capacity + 1` (the kept ones and the latest).
   *
   * @example
   * const h = new DecimatedHistory(4);
   * for (let s = 0; s < 100; s++) h.push({ step: s, instance: 0, loss: 1, reconstruction: 1, l1: 0 });
   * h.points().length; // ≤ 5, first step 0, last step 99
   */
  points(): LossRecord[] {
    const last = this.kept[this.kept.length - 1];
    return this.latest && this.latest !== last ? [...this.kept, this.latest] : this.kept.slice();
  }

  /** Records pushed so far. */
  get count(): number {
    return this.seen;
  }
}
