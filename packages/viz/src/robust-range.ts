/**
 * The half-width of a heat map's colour scale, robust to outliers: one weight at ±18 among
 * weights of size 1 must not wash every other cell out to near-white. Values beyond the range
 * are drawn in the end colour and marked as clipped.
 */

/** A symmetric colour range `[−vmax, vmax]` and what it leaves out. */
export interface ColourRange {
  /** Half-width of the scale (> 0). */
  vmax: number;
  /** Largest finite |value| (0 when there is none). */
  max: number;
  /** Finite values with |value| > vmax (drawn in the end colour, marked). */
  clipped: number;
  /** Non-finite values (NaN, ±Infinity). */
  nonFinite: number;
}

/** Options of {@link robustRange}. */
export interface RobustRangeOptions {
  /** Quantile of |value| the range may stop at (default 0.99). */
  quantile?: number;
  /** Keep the full range (clip nothing) while max <= tolerance × that quantile (default 1.25). */
  tolerance?: number;
  /** Smallest vmax (default 1e-6: an all-zero matrix still has a scale). */
  floor?: number;
}

/**
 * The colour range of a set of weights. Let q be the `quantile` of the finite |values| (lower
 * nearest rank: the ⌊quantile·(N−1)⌋-th smallest, so with fewer than 100 values the single
 * largest is never the quantile). When the largest |value| is within `tolerance` × q, the range
 * is the largest |value| and nothing is clipped; otherwise the range is q and the values above it
 * are clipped (an outlier: it would compress every other colour).
 *
 * @example
 * robustRange([1, -1, 0.5, 0]).vmax;             // 1 (nothing far out: the full range)
 * robustRange([...Array(63).fill(1), 18]).vmax;  // 1, with clipped = 1 (the 18)
 */
export function robustRange(values: ArrayLike<number>, opts: RobustRangeOptions = {}): ColourRange {
  const quantile = opts.quantile ?? 0.99;
  const tolerance = opts.tolerance ?? 1.25;
  const floor = opts.floor ?? 1e-6;
  const abs: number[] = [];
  let nonFinite = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (Number.isFinite(v)) abs.push(Math.abs(v));
    else nonFinite++;
  }
  if (abs.length === 0) return { vmax: floor, max: 0, clipped: 0, nonFinite };
  abs.sort((a, b) => a - b);
  const max = abs[abs.length - 1]!;
  const q = abs[Math.floor(quantile * (abs.length - 1))]!;
  if (max <= tolerance * q || q <= floor) return { vmax: Math.max(max, floor), max, clipped: 0, nonFinite };
  let clipped = 0;
  for (const a of abs) if (a > q) clipped++;
  return { vmax: q, max, clipped, nonFinite };
}

/**
 * Whether a value lies outside the range (drawn in the end colour and marked): |value| > vmax,
 * or not finite.
 *
 * @example
 * isClipped(18, { vmax: 1 }); // true
 */
export function isClipped(value: number, range: Pick<ColourRange, 'vmax'>): boolean {
  return !Number.isFinite(value) || Math.abs(value) > range.vmax;
}
