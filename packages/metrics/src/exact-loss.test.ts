import { oppositeSignConstruction, reluTwoNeuronConstruction, sameSignConstruction } from '@polytoy/analytic';
import { resolveTrainConfig } from '@polytoy/core';
import { describe, expect, it } from 'vitest';
import { exactLossOf } from './exact-loss.js';

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
