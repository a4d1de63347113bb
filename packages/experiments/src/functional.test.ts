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
  it.each([8, 16])('n=%i: opposite-sign pairs, plain and randomly rotated, are opposite-sign', (n) => {
    const p = oppositeSignConstruction({ n });
    for (const q of [p, rotate(p, n), untiedCounterpart(rotate(p, n + 1))]) {
      const f = functionalClass(q);
      expect(f.label).toBe('opposite-sign');
      expect(f.partnerInterference.max).toBeCloseTo(-1, 5);
      expect(Math.abs(f.halfShift.max)).toBeLessThan(1e-5);
    }
  });

  it.each([8, 16])('n=%i: the same-sign construction (c = 1/2, 3/4), plain and rotated, is same-sign+disambiguation with shift c', (n) => {
    for (const c of [0.5, 0.75]) {
      const p = sameSignConstruction({ n, c });
      for (const q of [p, rotate(p, 3)]) {
        const f = functionalClass(q);
        expect(f.label).toBe('same-sign+disambiguation');
        expect(f.partnerInterference.mean).toBeCloseTo(1 - (4 * c) / n, 5);
        expect(f.halfShift.min).toBeCloseTo(c, 5);
        expect(f.halfShift.max).toBeCloseTo(c, 5);
        expect(f.biasMean).toBeCloseTo(-c, 6);
      }
    }
  });

  it('the rotated construction with m = n/2 (analytic) is the disambiguation mechanism in disguise', () => {
    const f = functionalClass(rotatedConstruction({ n: 16 }));
    expect(f.label).toBe('same-sign+disambiguation');
  });

  it('a mixture of both mechanisms is a mixture; M is WᵀW', () => {
    const p = mixedConstruction({ n: 16, oppositePairs: 3 });
    const f = functionalClass(p);
    expect(f.label).toBe('mixture');
    expect(f.opposite).toBe(6);
    expect(f.disambiguated).toBe(10);
    const M = effectiveMap(p);
    let g = 0;
    for (let j = 0; j < p.m; j++) g += p.W[j * 16 + 2]! * p.W[j * 16 + 9]!;
    expect(M[2 * 16 + 9]).toBeCloseTo(g, 12);
  });
});
