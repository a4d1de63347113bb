import { describe, expect, it } from 'vitest';
import { constructionLayout, oppositeSignConstructionF64, sameSignConstructionF64 } from './construction.js';
import { gradientFlow } from './gradient-flow.js';
import { flattenParams } from './params64.js';
import type { ModelOptions } from './population-loss.js';
import { symmetricFamilyParams, symmetricOptimum } from './reduced.js';
import { describeStructure, neuronShape } from './structure.js';

describe('gradientFlow from the same-sign construction (tied, activation L1)', () => {
  it('n=8 lambda=0.01: the fast phase ends at the relaxed point of the symmetric family', () => {
    const n = 8,
      lambda = 0.01;
    const o: ModelOptions = { hiddenActivation: 'none', lambda };
    const r = gradientFlow(sameSignConstructionF64({ n }), o, { time: 150, dt: 0.05 });
    const rel = flattenParams(symmetricFamilyParams(n, symmetricOptimum(n, lambda)));
    const end = flattenParams(r.params);
    let dist = 0;
    for (let t = 0; t < end.length; t++) dist = Math.max(dist, Math.abs(end[t]! - rel[t]!));
    expect(dist).toBeLessThan(1e-4);
    expect(r.trace[0]!.loss).toBeCloseTo(0.03, 12);
    expect(r.final.loss).toBeLessThan(0.03);
    const s = describeStructure(r.params, constructionLayout('same-sign', { n }));
    expect(s.structureSurvives).toBe(true);
    expect(s.c).toBeLessThan(0.5);
    // The bias ends a little above -c: the inactive outputs of the chosen half sit just above their kink.
    expect(s.bias.mean).toBeGreaterThan(-s.c);
    expect(s.bias.mean).toBeLessThan(-s.c + 0.01);
  });

  it('n=8 lambda=0.1: the flow leaves the relaxed saddle for the rotated n/2-neuron solution', () => {
    const n = 8,
      lambda = 0.1;
    const o: ModelOptions = { hiddenActivation: 'none', lambda };
    const relaxed = symmetricOptimum(n, lambda);
    const r = gradientFlow(sameSignConstructionF64({ n }), o, { time: 1500, dt: 0.1, perturbation: 1e-6, seed: 0 });
    expect(r.final.loss).toBeLessThan(relaxed.loss - 0.09);
    const s = describeStructure(r.params, constructionLayout('same-sign', { n }));
    expect(s.structureSurvives).toBe(false);
    expect(s.towardOppositeSign).toBe(false);
    // One neuron dies, the disambiguation neuron survives, three become dense ±w rows.
    expect(s.census).toMatchObject({ dead: 1, 'half-detector': 1, dense: 3, 'opposite-sign-pair': 0 });
    expect(s.disambiguationIntact).toBe(true);
    // Every live entry has about the same magnitude (the Hadamard rows of rotatedConstruction).
    const W = (r.params as { W: Float64Array }).W;
    const live = Array.from(W)
      .filter((v) => Math.abs(v) > 0.1)
      .map(Math.abs);
    expect(live.length).toBe(4 * n);
    expect(Math.max(...live) - Math.min(...live)).toBeLessThan(0.01);
    expect(r.final.l1).toBeGreaterThan(1.9);
    expect(r.final.l1).toBeLessThan(2);
  });

  it('opposite-sign pairs stay put (pairs intact, no dead neurons)', () => {
    const n = 8;
    const r = gradientFlow(
      oppositeSignConstructionF64({ n }),
      { hiddenActivation: 'none', lambda: 0.1 },
      { time: 300, dt: 0.1, perturbation: 1e-6 },
    );
    const s = describeStructure(r.params, constructionLayout('opposite-sign', { n }));
    expect(s.oppositeSignPairs).toBe(n / 2);
    expect(s.census['opposite-sign-pair']).toBe(n / 2);
    expect(s.offStructureMax).toBeLessThan(1e-3);
  });

  it('rejects a bad step', () => {
    expect(() => gradientFlow(sameSignConstructionF64({ n: 8 }), { hiddenActivation: 'none' }, { dt: 0 })).toThrow(/dt/);
  });
});

describe('neuronShape', () => {
  it('classifies rows', () => {
    expect(neuronShape([0, 0, 0, 0], 4)).toBe('dead');
    expect(neuronShape([1, 0.1, 0, 0], 4)).toBe('monosemantic');
    expect(neuronShape([1, 0, -0.9, 0], 4)).toBe('opposite-sign-pair');
    expect(neuronShape([0.3, 0.3, -0.3, -0.3], 4)).toBe('half-detector');
    expect(neuronShape([0.5, -0.5, 0.5, -0.5], 4)).toBe('dense');
  });
});
