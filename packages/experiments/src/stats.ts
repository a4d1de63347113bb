/**
 * Uncertainty of rates: the Wilson score interval for a binomial proportion (how often a family
 * is found among a cell's seeds). Unlike the normal approximation it stays inside [0, 1] and is
 * not degenerate at 0 or n successes.
 */
import { ConfigError } from '@polytoy/core';

/** z of a two-sided 95% interval (the 0.975 quantile of the standard normal). */
export const Z_95 = 1.959963984540054;

/** A rate with its interval. */
export interface WilsonInterval {
  successes: number;
  trials: number;
  /** successes / trials. */
  estimate: number;
  lower: number;
  upper: number;
}

/**
 * The Wilson score interval: with p = k/n,
 * `(p + z²/2n ± z·sqrt(p(1−p)/n + z²/4n²)) / (1 + z²/n)`.
 *
 * @param successes - k, an integer in [0, trials].
 * @param trials - n, a positive integer.
 * @param z - the normal quantile (default `Z_95` ≈ 1.96: a 95% interval).
 * @throws ConfigError naming the argument for a non-integer or out-of-range count or a z ≤ 0.
 * @example
 * wilsonInterval(5, 10, 1.96); // { estimate: 0.5, lower: 0.2366, upper: 0.7634, … }
 * wilsonInterval(0, 10, 1.96).upper; // 0.2775 (= z² / (n + z²))
 */
export function wilsonInterval(successes: number, trials: number, z: number = Z_95): WilsonInterval {
  if (!Number.isSafeInteger(trials) || trials < 1) throw new ConfigError('trials', 'a positive integer', trials);
  if (!Number.isSafeInteger(successes) || successes < 0 || successes > trials) {
    throw new ConfigError('successes', `an integer in [0, ${trials}]`, successes);
  }
  if (!(z > 0) || !Number.isFinite(z)) throw new ConfigError('z', 'a positive finite normal quantile', z);
  const n = trials;
  const p = successes / n;
  const z2 = z * z;
  const denom = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denom;
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / denom;
  // At k = 0 and k = n one bound is exactly 0 or 1; rounding must not move it off.
  const lower = successes === 0 ? 0 : Math.max(0, centre - half);
  const upper = successes === n ? 1 : Math.min(1, centre + half);
  return { successes, trials, estimate: p, lower, upper };
}

/**
 * The 0.975 quantile of Student's t with `df` degrees of freedom: exact for df = 1, 2, else the
 * Cornish–Fisher expansion in 1/df (Abramowitz & Stegun 26.7.5; relative error 1.2e-3 at df = 3,
 * 1e-4 at df = 5, < 1e-7 from df = 30).
 *
 * @example
 * tQuantile975(10); // 2.2281
 */
export function tQuantile975(df: number): number {
  if (!Number.isSafeInteger(df) || df < 1) throw new ConfigError('df', 'a positive integer', df);
  if (df === 1) return Math.tan(Math.PI * 0.475);
  if (df === 2) return 0.95 / Math.sqrt(2 * 0.975 * 0.025);
  const z = Z_95;
  const g1 = (z ** 3 + z) / 4;
  const g2 = (5 * z ** 5 + 16 * z ** 3 + 3 * z) / 96;
  const g3 = (3 * z ** 7 + 19 * z ** 5 + 17 * z ** 3 - 15 * z) / 384;
  const g4 = (79 * z ** 9 + 776 * z ** 7 + 1482 * z ** 5 - 1920 * z ** 3 - 945 * z) / 92160;
  return z + g1 / df + g2 / df ** 2 + g3 / df ** 3 + g4 / df ** 4;
}

/** A mean of per-run shares with its interval. */
export interface ShareInterval {
  /** Mean over runs of the per-run share. */
  mean: number;
  lower: number;
  upper: number;
  /** Runs averaged over. */
  runs: number;
}

/**
 * 95% interval of the mean of per-run shares in [0, 1] (e.g. the fraction of a run's outputs
 * with one mechanism). The outputs of one run are not independent, so the run is the unit: a
 * Student-t interval over runs, `mean ± t(R−1) · sd / √R` (sd with R − 1), clipped to [0, 1].
 * When every run has the same share (sd = 0, e.g. no run has the mechanism) the t interval
 * would be a point; then the bounds are at least as wide as the Wilson interval of "every run
 * at that share" treated as R trials (0 of R runs: 0 … z²/(R + z²)), so 0/64 never reads as
 * "exactly 0".
 *
 * @param shares - one value in [0, 1] per run (at least one).
 * @throws ConfigError for no values or a value outside [0, 1].
 * @example
 * shareInterval([0.5, 0.25, 0.75, 0.5]); // { mean: 0.5, lower: 0.1756, upper: 0.8244, runs: 4 }
 */
export function shareInterval(shares: readonly number[]): ShareInterval {
  const r = shares.length;
  if (r === 0) throw new ConfigError('shares', 'at least one per-run share', shares);
  for (const s of shares) if (!(s >= 0 && s <= 1)) throw new ConfigError('shares', 'values in [0, 1]', s);
  const mean = shares.reduce((a, b) => a + b, 0) / r;
  const sd = r > 1 ? Math.sqrt(shares.reduce((a, b) => a + (b - mean) ** 2, 0) / (r - 1)) : Number.NaN;
  const half = r > 1 ? (tQuantile975(r - 1) * sd) / Math.sqrt(r) : Number.POSITIVE_INFINITY;
  let lower = Math.max(0, mean - half);
  let upper = Math.min(1, mean + half);
  if (!(sd > 0)) {
    // Degenerate spread: fall back to the run-level Wilson bounds at this share.
    const w = wilsonInterval(Math.round(mean * r), r);
    lower = Math.min(lower, w.lower);
    upper = Math.max(upper, w.upper);
  }
  return { mean, lower, upper, runs: r };
}
