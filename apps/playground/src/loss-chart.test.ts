import { describe, expect, it } from 'vitest';
import { logRange, niceCeil } from './loss-chart.js';

describe('logRange', () => {
  it('covers the values with whole decades', () => {
    expect(logRange([0.02, 3])).toEqual({ lo: -2, hi: 1 });
    expect(logRange([1e-3, 1])).toEqual({ lo: -3, hi: 0 });
  });

  it('ignores zero, negative and non-finite values, and never collapses to one line', () => {
    expect(logRange([0, -1, Number.NaN, Infinity, 0.5])).toEqual({ lo: -1, hi: 0 });
    expect(logRange([10])).toEqual({ lo: 1, hi: 2 });
    expect(logRange([])).toEqual({ lo: -3, hi: 0 });
  });
});

describe('niceCeil', () => {
  it('rounds up to 1, 2 or 5 times a power of ten', () => {
    expect([1, 2, 3, 7, 10, 11, 340, 500, 501, 50_000].map(niceCeil)).toEqual([1, 2, 5, 10, 10, 20, 500, 500, 1000, 50_000]);
    expect(niceCeil(0.3)).toBe(0.5);
    expect(niceCeil(0)).toBe(1);
    expect(niceCeil(Number.NaN)).toBe(1);
  });
});
