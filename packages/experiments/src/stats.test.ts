import { ConfigError } from '@polytoy/core';
import { describe, expect, it } from 'vitest';
import { wilsonInterval, Z_95 } from './stats.js';

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
