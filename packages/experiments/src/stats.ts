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
