import type { UntiedParams } from '@polytoy/core';
import { describe, expect, it } from 'vitest';
import { balancedViews, effectiveWeights, halfOf } from './views.js';

// n = 2, m = 2. Neuron 0: E = (2, -4), D col = (0.5, -0.25): gains 1, 1. Neuron 1: E = (1, 3), D col = (-1, 0).
const u: UntiedParams = {
  kind: 'untied',
  n: 2,
  m: 2,
  E: Float32Array.of(2, -4, 1, 3),
  D: Float32Array.of(0.5, -1, -0.25, 0), // [n, m]: D[i * m + j]
  b: Float32Array.of(0, 0),
};

describe('views', () => {
  it('effective weights are sign(E) sqrt(E D), zero where encoder and decoder disagree', () => {
    expect(Array.from(effectiveWeights(u))).toEqual([1, -1, 0, 0]);
  });

  it('balanced views give each neuron equal encoder and decoder norms with the same products', () => {
    const [enc, dec] = balancedViews(u) as [Float64Array, Float64Array];
    // Neuron 0: ||E|| = sqrt(20), ||D|| = sqrt(0.3125); scale s = (0.3125 / 20)^(1/4).
    const s = (0.3125 / 20) ** 0.25;
    expect(enc[0]).toBeCloseTo(2 * s, 12);
    expect(dec[1]).toBeCloseTo(-0.25 / s, 12);
    expect(Math.hypot(enc[0]!, enc[1]!)).toBeCloseTo(Math.hypot(dec[0]!, dec[1]!), 12);
    expect(enc[0]! * dec[0]!).toBeCloseTo(1, 12);
    // Neuron 1 has a zero decoder weight on feature 1 only: it still scales.
    expect(Math.hypot(enc[2]!, enc[3]!)).toBeCloseTo(Math.hypot(dec[2]!, dec[3]!), 12);
  });

  it('splits halves at n/2 (odd n: B gets the extra feature)', () => {
    expect([0, 1, 2, 3].map((i) => halfOf(i, 4))).toEqual(['A', 'A', 'B', 'B']);
    expect([0, 1, 2].map((i) => halfOf(i, 3))).toEqual(['A', 'B', 'B']);
  });
});
