import { createPrng } from '@polytoy/core';
import { describe, expect, it } from 'vitest';
import { symmetricEigen } from './jacobi.js';

/** Q diag(values) Qᵀ for a random orthogonal Q (product of Householder reflections). */
function withSpectrum(values: number[], seed: number): Float64Array {
  const d = values.length;
  const rng = createPrng(seed);
  let Q: number[][] = Array.from({ length: d }, (_, r) => Array.from({ length: d }, (_, c) => (r === c ? 1 : 0)));
  for (let t = 0; t < 3; t++) {
    const v = Array.from({ length: d }, () => rng.normal());
    const nv = Math.hypot(...v);
    const u = v.map((x) => x / nv);
    Q = Q.map((row) => {
      const dot = row.reduce((acc, x, i) => acc + x * u[i]!, 0);
      return row.map((x, i) => x - 2 * dot * u[i]!);
    });
  }
  const A = new Float64Array(d * d);
  for (let r = 0; r < d; r++)
    for (let c = 0; c < d; c++) for (let k = 0; k < d; k++) A[r * d + c] = A[r * d + c]! + Q[r]![k]! * values[k]! * Q[c]![k]!;
  return A;
}

describe('symmetricEigen', () => {
  it('2×2 and diagonal matrices by hand', () => {
    expect(Array.from(symmetricEigen([2, 1, 1, 2], 2).values)).toEqual([1, 3].map((v) => expect.closeTo(v, 14)));
    expect(Array.from(symmetricEigen([5, 0, 0, 0, -1, 0, 0, 0, 2], 3).values)).toEqual([-1, 2, 5]);
    expect(symmetricEigen([], 0).values.length).toBe(0);
    expect(Array.from(symmetricEigen([7], 1).values)).toEqual([7]);
  });

  it('recovers a known spectrum (with repeated and negative eigenvalues) and orthonormal eigenvectors', () => {
    const spectrum = [-3, -1e-3, 0, 0.5, 0.5, 2, 10, 1e3];
    const d = spectrum.length;
    const A = withSpectrum(spectrum, 1);
    const { values, vectors } = symmetricEigen(A, d);
    values.forEach((v, i) => expect(v).toBeCloseTo(spectrum[i]!, 10));
    for (let c = 0; c < d; c++) {
      // A v = lambda v
      for (let r = 0; r < d; r++) {
        let s = 0;
        for (let k = 0; k < d; k++) s += A[r * d + k]! * vectors[k * d + c]!;
        expect(s).toBeCloseTo(values[c]! * vectors[r * d + c]!, 9);
      }
      for (let c2 = 0; c2 < d; c2++) {
        let dot = 0;
        for (let r = 0; r < d; r++) dot += vectors[r * d + c]! * vectors[r * d + c2]!;
        expect(dot).toBeCloseTo(c === c2 ? 1 : 0, 12);
      }
    }
  });

  it('a 60×60 random symmetric matrix: trace and Frobenius norm are preserved', () => {
    const d = 60;
    const rng = createPrng(2);
    const A = new Float64Array(d * d);
    for (let r = 0; r < d; r++) for (let c = r; c < d; c++) A[r * d + c] = A[c * d + r] = rng.normal();
    const { values } = symmetricEigen(A, d);
    let trace = 0,
      fro = 0;
    for (let r = 0; r < d; r++) trace += A[r * d + r]!;
    for (const v of A) fro += v * v;
    expect(values.reduce((a, b) => a + b, 0)).toBeCloseTo(trace, 9);
    expect(values.reduce((a, b) => a + b * b, 0)).toBeCloseTo(fro, 8);
    for (let i = 1; i < d; i++) expect(values[i]!).toBeGreaterThanOrEqual(values[i - 1]!);
  });

  it('rejects bad input', () => {
    expect(() => symmetricEigen([1, 2, 3], 2)).toThrow(/2×2/);
    expect(() => symmetricEigen([1, Number.NaN, Number.NaN, 1], 2)).toThrow(/finite/);
  });
});
