import { oppositeSignConstruction, reluTwoNeuronConstruction, sameSignConstruction } from '@polytoy/analytic';
import { resolveTrainConfig } from '@polytoy/core';
import { describe, expect, it } from 'vitest';
import { exactLossOf, MONTE_CARLO_SAMPLES, MONTE_CARLO_SEED, populationLossOf } from './exact-loss.js';
import { perturbed } from './test-utils/constructions.js';

// Reference values: tools/conformance/fixtures/reference/constructions.json (numpy float64, full enumeration).
const modelOf = (input: object) => resolveTrainConfig({ data: { n: 8 }, model: input }).model;

describe('exactLossOf', () => {
  it('agrees with the reference to 1e-9 where float32 storage is exact (n = 8, eps = 1/2)', () => {
    const lin = modelOf({ l1: { lambda: 1e-3 } });
    const same = exactLossOf(sameSignConstruction({ n: 8, c: 0.5 }), lin);
    expect(same.reconstruction).toBeCloseTo(0, 12);
    expect(same.l1).toBeCloseTo(3.0, 9);
    expect(same.loss).toBeCloseTo(3e-3, 12);
    expect(same.supportSize).toBe(12);
    expect(exactLossOf(oppositeSignConstruction({ n: 8 }), lin).l1).toBeCloseTo(2.0, 9);
    const relu = exactLossOf(reluTwoNeuronConstruction({ n: 8, c: 0.5 }), modelOf({ hiddenActivation: 'relu' }));
    expect(relu.reconstruction).toBeCloseTo(0, 12);
    expect(relu.l1).toBeCloseTo(3.0, 9);
  });

  it('agrees with the reference to float32 precision elsewhere', () => {
    const lin = modelOf({});
    expect(exactLossOf(sameSignConstruction({ n: 8, c: 0.4 }), lin).reconstruction).toBeCloseTo(0.08, 6);
    const n16 = exactLossOf(sameSignConstruction({ n: 16, c: 0.5 }), resolveTrainConfig({ data: { n: 16 } }).model);
    expect(n16.l1).toBeCloseTo(5.414213562373, 6);
    expect(n16.supportSize).toBe(140);
  });

  it('uses the lambda override and the weight L1 target', () => {
    const p = sameSignConstruction({ n: 8, c: 0.5 });
    const w = exactLossOf(p, modelOf({ l1: { target: 'weights', lambda: 0.1 } }), 0.01);
    // Σ|W|: 8 pair weights of 1 and 8 disambiguation weights of 1/2.
    expect(w.l1).toBeCloseTo(12, 9);
    expect(w.loss).toBeCloseTo(0.12, 9);
    expect(w.lambda).toBe(0.01);
    expect(w.l1Target).toBe('weights');
  });

  it('refuses n > 32', () => {
    const p = sameSignConstruction({ n: 36 });
    expect(() => exactLossOf(p, modelOf({}))).toThrow(/n/);
  });
});

describe('populationLossOf (exact for n <= 32, Monte Carlo above)', () => {
  const model32 = resolveTrainConfig({ data: { n: 32 }, model: { l1: { lambda: 0.01 } } }).model;

  it('n = 32, forced Monte Carlo: agrees with the exact value within 4 standard errors (a random model)', () => {
    for (const hiddenActivation of ['none', 'relu'] as const) {
      const model = { ...model32, hiddenActivation };
      const p = perturbed(sameSignConstruction({ n: 32, c: 0.4 }), 5, 0.15);
      const exact = populationLossOf(p, model);
      const mc = populationLossOf(p, model, undefined, { method: 'monte-carlo' });
      expect(exact.method).toBe('exact');
      expect(exact.standardError).toEqual({ loss: 0, reconstruction: 0 });
      expect(exact.samples).toBe(exact.supportSize);
      expect(mc.method).toBe('monte-carlo');
      expect(mc.samples).toBe(MONTE_CARLO_SAMPLES);
      expect(mc.supportSize).toBe(exact.supportSize); // 2·C(16, 8) = 25,740
      expect(mc.standardError.reconstruction).toBeGreaterThan(0);
      expect(Math.abs(mc.reconstruction - exact.reconstruction)).toBeLessThan(4 * mc.standardError.reconstruction);
      expect(Math.abs(mc.loss - exact.loss)).toBeLessThan(4 * mc.standardError.loss);
      // Not absurdly wide either: the estimate resolves the loss to a few per cent.
      expect(mc.standardError.reconstruction).toBeLessThan(0.03 * exact.reconstruction);
    }
  });

  it('n = 64: an exact zero-loss construction estimates to reconstruction 0 with SE 0, L1 = n/4 + sqrt(c n)/2', () => {
    const n = 64;
    const model = resolveTrainConfig({ data: { n }, model: { l1: { lambda: 0.01 } } }).model;
    const est = populationLossOf(sameSignConstruction({ n, c: 0.5 }), model);
    expect(est.method).toBe('monte-carlo');
    expect(est.reconstruction).toBeLessThan(1e-12);
    expect(est.standardError.reconstruction).toBeLessThan(1e-12);
    // Every sample has n/4 active pair neurons of 1 and the ±eps neuron at n/4 · eps = sqrt(c n)/2:
    // the per-sample L1 is constant, so its SE is 0 and the estimate is the closed form (float32 weights).
    const closed = n / 4 + Math.sqrt(0.5 * n) / 2;
    expect(Math.abs(est.l1 - closed)).toBeLessThan(4 * (est.standardError.loss / 0.01) + 1e-5);
    expect(est.standardError.loss).toBeLessThan(1e-9);
    expect(est.loss).toBeCloseTo(0.01 * closed, 6);
    expect(est.supportSize).toBe(1_202_160_780); // 2·C(32, 16)
    const relu = resolveTrainConfig({ data: { n }, model: { hiddenActivation: 'relu', m: 34 } }).model;
    const two = populationLossOf(reluTwoNeuronConstruction({ n, c: 0.5 }), relu);
    expect(two.reconstruction).toBeLessThan(1e-12);
    expect(two.standardError.reconstruction).toBeLessThan(1e-12);
  });

  it('is deterministic: the same value twice, another seed another value', () => {
    const model = resolveTrainConfig({ data: { n: 64 } }).model;
    const p = perturbed(sameSignConstruction({ n: 64, c: 0.4 }), 9, 0.05);
    const a = populationLossOf(p, model);
    expect(populationLossOf(p, model)).toEqual(a);
    expect(populationLossOf(p, model, undefined, { seed: MONTE_CARLO_SEED + 1 }).reconstruction).not.toBe(a.reconstruction);
    expect(a.standardError.reconstruction).toBeGreaterThan(0);
  });

  it('refuses an unknown method and a bad sample count', () => {
    const model = modelOf({});
    const p = sameSignConstruction({ n: 8 });
    expect(() => populationLossOf(p, model, undefined, { method: 'bogus' as 'auto' })).toThrow(/method/);
    expect(() => populationLossOf(p, model, undefined, { method: 'monte-carlo', samples: 1 })).toThrow(/samples/);
  });
});
