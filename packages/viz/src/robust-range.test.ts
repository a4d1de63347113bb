import { describe, expect, it } from 'vitest';
import { isClipped, robustRange } from './robust-range.js';

describe('robustRange', () => {
  it('uses the largest |value| when nothing is far out', () => {
    expect(robustRange([1, -1, 0.5, 0])).toEqual({ vmax: 1, max: 1, clipped: 0, nonFinite: 0 });
    // max 1.2 is within 1.25 × the quantile (1): keep it.
    expect(robustRange([...Array(63).fill(1), -1.2]).vmax).toBe(1.2);
  });

  it('clips a single outlier among < 100 values (lower nearest-rank quantile)', () => {
    const values = [...Array(63).fill(0.5), 1, -18];
    // 65 values: rank floor(0.99 * 64) = 63 (0-based) of the sorted |values| is 1, the 18 is above it.
    expect(robustRange(values)).toEqual({ vmax: 1, max: 18, clipped: 1, nonFinite: 0 });
  });

  it('clips the top 1% of a large matrix when they are far out', () => {
    const values = Array.from({ length: 1000 }, (_, i) => (i < 5 ? 40 : (i % 7) / 7));
    const r = robustRange(values);
    // Sorted |values|: 995 values in {0, 1/7, …, 6/7} then five 40s; rank floor(0.99 * 999) = 989 is 6/7.
    expect(r.vmax).toBeCloseTo(6 / 7, 12);
    expect(r.clipped).toBe(5);
  });

  it('counts non-finite values apart and keeps a positive floor', () => {
    expect(robustRange([Number.NaN, Number.POSITIVE_INFINITY, 2])).toEqual({ vmax: 2, max: 2, clipped: 0, nonFinite: 2 });
    expect(robustRange([0, 0]).vmax).toBe(1e-6);
    expect(robustRange([]).vmax).toBe(1e-6);
    // Almost all zeros: the quantile is 0, so the scale is the largest value (nothing clipped).
    expect(robustRange([...Array(200).fill(0), 0.3])).toMatchObject({ vmax: 0.3, clipped: 0 });
  });

  it('isClipped: beyond vmax or not finite', () => {
    expect(isClipped(18, { vmax: 1 })).toBe(true);
    expect(isClipped(-1, { vmax: 1 })).toBe(false);
    expect(isClipped(Number.NaN, { vmax: 1 })).toBe(true);
  });
});
