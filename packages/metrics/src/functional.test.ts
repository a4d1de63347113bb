import { mixedConstruction, oppositeSignConstruction, sameSignConstruction, untiedCounterpart } from '@polytoy/analytic';
import { createPrng, resolveTrainConfig } from '@polytoy/core';
import { describe, expect, it } from 'vitest';
import { classifySolution } from './classify.js';
import { exactLossOf } from './exact-loss.js';
import { classifyFunction, functionalMatrix } from './functional.js';
import {
  identityModel,
  randomOrthogonal,
  reflectionSolution,
  rescaledUntied,
  rotated,
  withNoise,
} from './test-utils/constructions.js';

const cases = [
  { label: 'same-sign+disambiguation', c: 0.5, make: (n: number) => sameSignConstruction({ n, c: 0.5 }) },
  { label: 'same-sign+disambiguation', c: 0.8, make: (n: number) => sameSignConstruction({ n, c: 0.8 }) },
  { label: 'opposite-sign', c: 0, make: (n: number) => oppositeSignConstruction({ n }) },
  { label: 'mixture', c: 0.6, make: (n: number) => mixedConstruction({ n, c: 0.6, oppositePairs: n / 4 }) },
] as const;

describe('functionalMatrix', () => {
  it('is WᵀW for tied and D E for untied weights', () => {
    expect(Array.from(functionalMatrix(oppositeSignConstruction({ n: 4 })))).toEqual([
      1, 0, -1, 0, 0, 1, 0, -1, -1, 0, 1, 0, 0, -1, 0, 1,
    ]);
    const u = rescaledUntied(sameSignConstruction({ n: 8 }), createPrng(1));
    const t = functionalMatrix(sameSignConstruction({ n: 8 }));
    functionalMatrix(u).forEach((x, k) => expect(x).toBeCloseTo(t[k]!, 6));
  });
});

describe('classifyFunction', () => {
  it('labels the constructions and fits c, at distance 0', () => {
    for (const cs of cases) {
      for (const n of [4, 8, 16, 32]) {
        const r = classifyFunction(cs.make(n));
        expect(r.label, `${cs.label} n=${n}`).toBe(cs.label);
        expect(r.nearest.distance).toBeLessThan(1e-6);
        expect(r.nearest.c).toBeCloseTo(cs.c, 6);
      }
    }
    expect(classifyFunction(identityModel(8, 12)).label).toBe('monosemantic');
  });

  it('sees through rotations of the hidden space that the per-neuron classifier cannot', () => {
    const rng = createPrng(3);
    for (const cs of cases) {
      const p = cs.make(16);
      const q = rotated(p, randomOrthogonal(p.m, rng));
      expect(classifySolution(q).label).toBe('other');
      const r = classifyFunction(q);
      expect(r.label).toBe(cs.label);
      expect(r.nearest.distance).toBeLessThan(1e-5);
      expect(classifyFunction(untiedCounterpart(q)).label).toBe(cs.label);
    }
  });

  it('keeps the label under ±0.02 weight noise and recovers the pairing', () => {
    const rng = createPrng(6);
    for (const cs of cases) {
      for (let t = 0; t < 3; t++) {
        const pairing = rng.permutation(8);
        const base = cs.label === 'opposite-sign' ? oppositeSignConstruction({ n: 16, pairing }) : cs.make(16);
        const r = classifyFunction(withNoise(base, rng, 0.02));
        expect(r.label, r.reason).toBe(cs.label);
        if (cs.label === 'opposite-sign') expect(r.nearest.pairing).toEqual(pairing);
      }
    }
  });

  it('reports dead features by self-gain', () => {
    const p = oppositeSignConstruction({ n: 8 });
    p.W.fill(0, 0, 8);
    const r = classifyFunction(p);
    expect(r.label).toBe('dead-features');
    expect(r.deadFeatures).toEqual([0, 4]);
  });

  it('says other for the reflection solution, a zero-loss solution outside SPEC §2–2c with the opposite-sign L1', () => {
    for (const n of [8, 16]) {
      const p = reflectionSolution(n);
      const loss = exactLossOf(p, resolveTrainConfig({ data: { n } }).model);
      expect(loss.reconstruction).toBeCloseTo(0, 10);
      expect(loss.l1).toBeCloseTo(n / 4, 6); // = the opposite-sign construction's activation L1
      const r = classifyFunction(p);
      expect(r.label).toBe('other');
      expect(r.nearest.distance).toBeGreaterThan(0.3);
    }
  });
});
