import { ConfigError } from '@polytoy/core';
import { describe, expect, it } from 'vitest';
import { shareInterval, tQuantile975, wilsonInterval, Z_95 } from './stats.js';

describe('wilsonInterval', () => {
  it('matches hand-computed intervals (z = 1.96)', () => {
    // k = 5, n = 10: p = 1/2, denominator 1 + 3.8416/10 = 1.38416, centre (0.5 + 0.19208)/1.38416 = 1/2,
    // half-width 1.96·sqrt(0.025 + 0.009604)/1.38416 = 0.2634110.
    const half = (1.96 * Math.sqrt(0.025 + 0.009604)) / 1.38416;
    const r = wilsonInterval(5, 10, 1.96);
    expect(r.estimate).toBe(0.5);
    expect(r.lower).toBeCloseTo(0.5 - half, 14);
    expect(r.upper).toBeCloseTo(0.5 + half, 14);
    expect(r.lower).toBeCloseTo(0.23659, 6);
    expect(r.upper).toBeCloseTo(0.76341, 6);
    // k = 8, n = 10: centre (0.8 + 0.19208)/1.38416 = 0.716738, half 1.96·sqrt(0.016 + 0.009604)/1.38416 = 0.226581.
    const e = wilsonInterval(8, 10, 1.96);
    expect(e.lower).toBeCloseTo(0.490157, 6);
    expect(e.upper).toBeCloseTo(0.943319, 6);
  });

  it('at 0 and n successes one bound is exact and the other is z²/(n+z²) away', () => {
    const z2 = 1.96 ** 2;
    expect(wilsonInterval(0, 10, 1.96)).toEqual({ successes: 0, trials: 10, estimate: 0, lower: 0, upper: expect.any(Number) });
    expect(wilsonInterval(0, 10, 1.96).upper).toBeCloseTo(z2 / (10 + z2), 14);
    const all = wilsonInterval(32, 32, 1.96);
    expect(all.upper).toBe(1);
    expect(all.lower).toBeCloseTo(32 / (32 + z2), 14);
  });

  it('is symmetric under k ↔ n − k, narrows with more trials, and defaults to 95%', () => {
    const a = wilsonInterval(3, 20);
    const b = wilsonInterval(17, 20);
    expect(a.lower).toBeCloseTo(1 - b.upper, 14);
    expect(a.upper).toBeCloseTo(1 - b.lower, 14);
    const wide = wilsonInterval(16, 32);
    const narrow = wilsonInterval(128, 256);
    expect(narrow.upper - narrow.lower).toBeLessThan(wide.upper - wide.lower);
    expect(Z_95).toBeCloseTo(1.96, 2);
  });

  it('rejects bad counts with a one-line error naming the argument', () => {
    expect(() => wilsonInterval(1, 0)).toThrow(ConfigError);
    expect(() => wilsonInterval(11, 10)).toThrow(/successes: expected an integer in \[0, 10\], received 11/);
    expect(() => wilsonInterval(1.5, 10)).toThrow(/successes/);
    expect(() => wilsonInterval(1, 10, 0)).toThrow(/z: expected/);
  });
});

describe('tQuantile975', () => {
  it('matches the t table (exact at df = 1, 2; the expansion within its stated error beyond)', () => {
    // Table values of t_{0.975, df}.
    const table: [number, number, number][] = [
      [1, 12.7062047, 1e-7],
      [2, 4.30265273, 1e-7],
      [3, 3.18244631, 1.3e-3],
      [5, 2.57058184, 1.1e-4],
      [10, 2.22813885, 1e-5],
      [30, 2.04227246, 1e-7],
      [63, 1.99834054, 1e-7],
    ];
    for (const [df, t, rel] of table) expect(Math.abs(tQuantile975(df) - t) / t).toBeLessThan(rel);
    expect(tQuantile975(1e6)).toBeCloseTo(Z_95, 5);
    expect(() => tQuantile975(0)).toThrow(ConfigError);
    expect(() => tQuantile975(2.5)).toThrow(ConfigError);
  });
});

describe('shareInterval', () => {
  it('is the t interval over runs, by hand', () => {
    // mean 1/2, sd (R − 1) = sqrt(0.125 / 3), t(3) · sd / 2.
    const s = shareInterval([0.5, 0.25, 0.75, 0.5]);
    const half = (tQuantile975(3) * Math.sqrt(0.125 / 3)) / 2;
    expect(s.mean).toBe(0.5);
    expect(s.lower).toBeCloseTo(0.5 - half, 12);
    expect(s.upper).toBeCloseTo(0.5 + half, 12);
    expect(s.runs).toBe(4);
  });

  it('clips to [0, 1] and never collapses to a point when every run has the same share', () => {
    const low = shareInterval([0, 0.02, 0, 0.01]);
    expect(low.lower).toBe(0);
    const zero = shareInterval(new Array(64).fill(0));
    expect(zero.lower).toBe(0);
    expect(zero.upper).toBeCloseTo(wilsonInterval(0, 64).upper, 12);
    const one = shareInterval(new Array(10).fill(1));
    expect([one.lower, one.upper]).toEqual([wilsonInterval(10, 10).lower, 1]);
    expect(shareInterval([0.3])).toEqual({ mean: 0.3, lower: 0, upper: 1, runs: 1 });
  });

  it('rejects no values and values outside [0, 1]', () => {
    expect(() => shareInterval([])).toThrow(ConfigError);
    expect(() => shareInterval([0.5, 1.5])).toThrow(/shares: expected values in \[0, 1\]/);
    expect(() => shareInterval([Number.NaN])).toThrow(ConfigError);
  });
});
