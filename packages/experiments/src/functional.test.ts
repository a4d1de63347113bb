import {
  mixedConstruction,
  oppositeSignConstruction,
  reluTwoNeuronConstruction,
  rotatedConstruction,
  sameSignConstruction,
  untiedCounterpart,
} from '@polytoy/analytic';
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
  it.each([8, 16])('n=%i: opposite-sign pairs, plain, rotated and untied, are cross-half inhibition (partner effect −1)', (n) => {
    const p = oppositeSignConstruction({ n });
    for (const q of [p, rotate(p, n), untiedCounterpart(rotate(p, n + 1))]) {
      const f = functionalClass(q, 'none');
      expect(f.label).toBe('cross-half-inhibition');
      expect(f.inhibited).toBe(n);
      expect(f.gain.min).toBeCloseTo(1, 5);
      // Partner on: z = −1 vs. partner off: z = 0 → effect −1; a non-partner k being on makes
      // the partner less likely to be on: effect +1/(n/2 − 1)·… (small and positive).
      expect(f.excitation.max).toBeLessThan(0.5);
      expect(f.excitation.max).toBeGreaterThan(0);
    }
  });

  it('spread-out inhibition (no pairs: every other-half feature −1/2) is cross-half inhibition', () => {
    // M = I − (1/2)(u vᵀ + v uᵀ) with u = 1_A, v = 1_B (n = 4): eigenvalues 2 on u − v, 1 on
    // (1,−1,0,0) and (0,0,1,−1), 0 on u + v, so three neurons W = √λ·eigenvector rows give it.
    const r = Math.SQRT1_2;
    const W = Float32Array.from([r, r, -r, -r, r, -r, 0, 0, 0, 0, r, -r]);
    const p = { kind: 'tied' as const, n: 4, m: 3, W, b: new Float32Array(4) };
    const M = effectiveMap(p);
    expect([M[2], M[3], M[0], M[1]].map((v) => Number(v!.toFixed(6)))).toEqual([-0.5, -0.5, 1, 0]);
    // n = 4: one feature on per half, so the other half's features are on exactly alternately:
    // effect = −1/2 − (−1/2)... of feature 2 on output 0: z = −1/2 either way → 0.
    const f = functionalClass(p, 'none');
    expect(f.label).toBe('cross-half-inhibition');
    expect(f.excitation.max).toBeCloseTo(0, 6);
  });

  it.each([8, 16])(
    'n=%i: the same-sign construction (c = 1/2, 3/4), plain and rotated, is disambiguation (partner effect +1)',
    (n) => {
      for (const c of [0.5, 0.75]) {
        const p = sameSignConstruction({ n, c });
        for (const q of [p, rotate(p, 3)]) {
          const f = functionalClass(q, 'none');
          expect(f.label).toBe('disambiguation');
          expect(f.excitation.min).toBeCloseTo(1, 5);
          expect(f.gain.min).toBeCloseTo(1, 5);
        }
      }
    },
  );

  it('the rotated m = n/2 construction and the ReLU two-neuron construction are disambiguation', () => {
    expect(functionalClass(rotatedConstruction({ n: 16 }), 'none').label).toBe('disambiguation');
    expect(functionalClass(reluTwoNeuronConstruction({ n: 8 }), 'relu').label).toBe('disambiguation');
    expect(functionalClass(untiedCounterpart(reluTwoNeuronConstruction({ n: 16 })), 'relu').label).toBe('disambiguation');
  });

  it('a mixture of both mechanisms is a mixture, per output; a lost feature is dead', () => {
    const p = mixedConstruction({ n: 16, oppositePairs: 3 });
    const f = functionalClass(p, 'none');
    expect(f.label).toBe('mixture');
    expect(f.inhibited).toBe(6);
    expect(f.disambiguated).toBe(10);
    // The layout puts opposite pairs on A features 0..2 and their B partners.
    expect(f.outputs.slice(0, 3)).toBe('iii');
    expect(f.outputs).toHaveLength(16);
    const lost = functionalClass({ ...p, W: p.W.map((w, k) => (k % 16 === 5 ? 0 : w)) }, 'none');
    expect(lost.label).toBe('dead-features');
    expect(lost.outputs[5]).toBe('0');
  });

  it('for n > 32 reads the mechanism on a fixed sample', () => {
    const f = functionalClass(oppositeSignConstruction({ n: 36 }), 'none');
    expect(f.samples).toBe(8192);
    expect(f.label).toBe('cross-half-inhibition');
    expect(functionalClass(oppositeSignConstruction({ n: 36 }), 'none')).toEqual(f);
  });
});
