import { createPrng } from '@polytoy/core';
import { describe, expect, it } from 'vitest';
import { enumerateHalfSplitSupport, halfSplitBatch, halfSplitSupportSize } from './half-split.js';

function rows(x: Float32Array, n: number): number[][] {
  return Array.from({ length: x.length / n }, (_, r) => Array.from(x.subarray(r * n, (r + 1) * n)));
}

describe('halfSplitBatch', () => {
  it.each([4, 8, 16, 32, 64])('n=%i: every sample has exactly n/4 ones, all in one half, values 0/1', (n) => {
    const x = halfSplitBatch(createPrng(n), n, 500);
    let sawA = false,
      sawB = false;
    for (const r of rows(x, n)) {
      expect(r.every((v) => v === 0 || v === 1)).toBe(true);
      const onA = r.slice(0, n / 2).reduce((a, b) => a + b, 0);
      const onB = r.slice(n / 2).reduce((a, b) => a + b, 0);
      expect(onA + onB).toBe(n / 4);
      expect(onA === 0 || onB === 0).toBe(true);
      if (onA) sawA = true;
      else sawB = true;
    }
    expect(sawA && sawB).toBe(true);
  });

  it('same seed → same batches; different seed → different batches', () => {
    const a = halfSplitBatch(createPrng(1), 16, 64);
    expect(halfSplitBatch(createPrng(1), 16, 64)).toEqual(a);
    expect(halfSplitBatch(createPrng(2), 16, 64)).not.toEqual(a);
  });

  it('picks halves and coordinates uniformly (chi-square-ish check)', () => {
    const n = 8,
      N = 24000;
    const x = halfSplitBatch(createPrng(3), n, N);
    const perFeature = new Array(n).fill(0);
    for (let i = 0; i < x.length; i++) perFeature[i % n] += x[i]!;
    // Each feature is on with probability 1/2 * (n/4)/(n/2) = 1/4.
    for (const c of perFeature) expect(Math.abs(c / N - 0.25)).toBeLessThan(0.012);
  });

  it('rejects n that is not a positive multiple of 4', () => {
    expect(() => halfSplitBatch(createPrng(0), 6, 1)).toThrow(/n: expected a positive multiple of 4, received 6/);
  });
});

describe('enumerateHalfSplitSupport', () => {
  it.each([
    [4, 4],
    [8, 12],
    [16, 140],
    [24, 1848],
    [32, 25740],
  ])('n=%i has %i distinct points, each a valid sample', (n, size) => {
    expect(halfSplitSupportSize(n)).toBe(size);
    const s = enumerateHalfSplitSupport(n);
    expect(s.count).toBe(size);
    const keys = new Set<string>();
    for (let r = 0; r < s.count; r++) {
      const row = s.x.subarray(r * n, (r + 1) * n);
      const onA = row.subarray(0, n / 2).reduce((a, b) => a + b, 0);
      const onB = row.subarray(n / 2).reduce((a, b) => a + b, 0);
      expect(onA + onB).toBe(n / 4);
      expect(onA === 0 || onB === 0).toBe(true);
      keys.add(row.join(''));
    }
    expect(keys.size).toBe(size);
  });

  it('contains every sampled point (sampling and enumeration agree)', () => {
    const n = 8;
    const support = new Set(rows(enumerateHalfSplitSupport(n).x, n).map((r) => r.join('')));
    for (const r of rows(halfSplitBatch(createPrng(9), n, 200), n)) expect(support.has(r.join(''))).toBe(true);
  });

  it('refuses n > 32 with a clear error', () => {
    expect(() => enumerateHalfSplitSupport(36)).toThrow(/at most 32/);
  });
});
