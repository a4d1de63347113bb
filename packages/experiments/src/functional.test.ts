import { mixedConstruction, oppositeSignConstruction, rotatedConstruction, sameSignConstruction, untiedCounterpart } from '@polytoy/analytic';
import type { TiedParams } from '@polytoy/core';
import { createPrng } from '@polytoy/core';
import { describe, expect, it } from 'vitest';
import { effectiveMap, functionalClass } from './functional.js';

/** Q·W for a random orthogonal Q (Gram–Schmidt on a seeded Gaussian matrix). */
function rotate(p: TiedParams, seed: number): TiedParams {
  const { n, m } = p;
  const rng = createPrng(seed);
  const Q: number[][] = [];
  for (let r = 0; r < m; r++) {
    let v = Array.from({ length: m }, () => rng.normal());
    for (const q of Q) {
      const dot = v.reduce((a, x, k) => a + x * q[k]!, 0);
      v = v.map((x, k) => x - dot * q[k]!);
    }
    const norm = Math.sqrt(v.reduce((a, x) => a + x * x, 0));
    Q.push(v.map((x) => x / norm));
  }
  const W = new Float32Array(m * n);
  for (let r = 0; r < m; r++) for (let i = 0; i < n; i++) W[r * n + i] = Q[r]!.reduce((a, q, j) => a + q * p.W[j * n + i]!, 0);
  return { ...p, W };
}

describe('functionalClass', () => {
  it.each([8, 16])('n=%i: opposite-sign pairs, plain and randomly rotated, are cross-half inhibition', (n) => {
    const p = oppositeSignConstruction({ n });
    for (const q of [p, rotate(p, n), untiedCounterpart(rotate(p, n + 1))]) {
      const f = functionalClass(q);
      expect(f.label).toBe('cross-half-inhibition');
      expect(f.inhibited).toBe(n);
      // Every other-half entry is 0 except the partner's −1: the largest is 0.
      expect(Math.abs(f.excitation.max)).toBeLessThan(1e-5);
      expect(Math.abs(f.halfShift.max)).toBeLessThan(1e-5);
      expect(f.gain.min).toBeCloseTo(1, 5);
    }
  });

  it('spread-out inhibition (no pairs: every other-half feature −1/2) is still cross-half inhibition', () => {
    // M = I − (1/2)(u vᵀ + v uᵀ) with u = 1_A, v = 1_B (n = 4): eigenvalues 2 on u − v, 1 on
    // (1,−1,0,0) and (0,0,1,−1), 0 on u + v, so three neurons W = √λ·eigenvector rows give it.
    const r = Math.SQRT1_2;
    const W = Float32Array.from([r, r, -r, -r, r, -r, 0, 0, 0, 0, r, -r]);
    const p = { kind: 'tied' as const, n: 4, m: 3, W, b: new Float32Array(4) };
    const M = effectiveMap(p);
    expect(M[0 * 4 + 2]).toBeCloseTo(-0.5, 6);
    expect(M[0 * 4 + 3]).toBeCloseTo(-0.5, 6);
    expect(M[0 * 4 + 0]).toBeCloseTo(1, 6);
    expect(M[0 * 4 + 1]).toBeCloseTo(0, 6);
    const f = functionalClass(p);
    expect(f.label).toBe('cross-half-inhibition');
    expect(f.excitation.max).toBeCloseTo(-0.5, 6);
  });

  it.each([8, 16])('n=%i: the same-sign construction (c = 1/2, 3/4), plain and rotated, is disambiguation with shift c', (n) => {
    for (const c of [0.5, 0.75]) {
      const p = sameSignConstruction({ n, c });
      for (const q of [p, rotate(p, 3)]) {
        const f = functionalClass(q);
        expect(f.label).toBe('disambiguation');
        expect(f.excitation.mean).toBeCloseTo(1 - (4 * c) / n, 5);
        expect(f.halfShift.min).toBeCloseTo(c, 5);
        expect(f.halfShift.max).toBeCloseTo(c, 5);
        expect(f.biasMean).toBeCloseTo(-c, 6);
      }
    }
  });

  it('the rotated construction with m = n/2 (analytic) is the disambiguation mechanism in disguise', () => {
    const f = functionalClass(rotatedConstruction({ n: 16 }));
    expect(f.label).toBe('disambiguation');
  });

  it('a mixture of both mechanisms is a mixture; M is WᵀW', () => {
    const p = mixedConstruction({ n: 16, oppositePairs: 3 });
    const f = functionalClass(p);
    expect(f.label).toBe('mixture');
    expect(f.inhibited).toBe(6);
    expect(f.disambiguated).toBe(10);
    expect(functionalClass({ ...p, W: p.W.map((w, k) => (k % 16 === 5 ? 0 : w)) }).label).toBe('dead-features');
    const M = effectiveMap(p);
    let g = 0;
    for (let j = 0; j < p.m; j++) g += p.W[j * 16 + 2]! * p.W[j * 16 + 9]!;
    expect(M[2 * 16 + 9]).toBeCloseTo(g, 12);
  });
});
