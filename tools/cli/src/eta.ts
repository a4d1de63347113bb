/**
 * Remaining-time estimate of a progress bar: the work rate over a sliding, exponentially weighted
 * time window, so the estimate follows real changes of speed but not the jitter of when progress
 * callbacks happen to fire or how much work each one reports.
 */

/** Options of {@link createEtaEstimator}. */
export interface EtaOptions {
  /** Time constant of the rate's window, in seconds (default 20). */
  timeConstant?: number;
  /** No estimate before this many seconds of observed work (default 1). */
  warmup?: number;
}

/** Feeds (time, done) observations; answers the remaining seconds. */
export interface EtaEstimator {
  /** Records that `done` units are done at time `t` (seconds, any origin, non-decreasing). */
  observe(done: number, t: number): void;
  /** Seconds until `total`, or NaN while there is no estimate yet. */
  remaining(total: number): number;
}

/**
 * Creates an ETA estimator. The first observation is the baseline: work done before it (a resumed
 * run's steps, an experiment's stored runs) earns no rate, so a resumed run's ETA is not
 * optimistic. After that the rate is `S_done / S_time`, both sums decayed by `exp(-Δt/τ)` per
 * observation: a ratio estimator whose weights depend on elapsed time only, so many small or few
 * large updates of the same steady work give the same rate.
 *
 * @example
 * const eta = createEtaEstimator();
 * eta.observe(0, 0);
 * eta.observe(500, 5);
 * eta.remaining(1000); // 5 (seconds: 500 units left at 100 units/s)
 */
export function createEtaEstimator(opts: EtaOptions = {}): EtaEstimator {
  const tau = opts.timeConstant ?? 20;
  const warmup = opts.warmup ?? 1;
  let t0 = Number.NaN;
  let lastT = Number.NaN;
  let lastDone = 0;
  let sumDone = 0;
  let sumTime = 0;
  return {
    observe(done, t) {
      if (Number.isNaN(lastT)) {
        t0 = lastT = t;
        lastDone = done;
        return;
      }
      const dt = Math.max(0, t - lastT);
      const dd = Math.max(0, done - lastDone);
      const w = Math.exp(-dt / tau);
      sumDone = sumDone * w + dd;
      sumTime = sumTime * w + dt;
      lastT = t;
      lastDone = Math.max(lastDone, done);
    },
    remaining(total) {
      if (Number.isNaN(lastT) || lastT - t0 < warmup || sumDone <= 0 || sumTime <= 0) return Number.NaN;
      const left = Math.max(0, total - lastDone);
      return left / (sumDone / sumTime);
    },
  };
}
