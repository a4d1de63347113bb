import { oppositeSignConstruction, reluTwoNeuronConstruction, sameSignConstruction } from '@polytoy/analytic';
import { resolveTrainConfig } from '@polytoy/core';
import { describe, expect, it } from 'vitest';
import { ANALYSIS_VERSION, analyseModel, summariseAnalysis } from './analyse-model.js';
import { identityModel } from './test-utils/constructions.js';

describe('analyseModel (the run-analysis pipeline)', () => {
  it('half-split data: exact loss with the instance lambda, taxonomy, neuron-level reading', () => {
    const cfg = resolveTrainConfig({ data: { n: 8 }, model: { l1: { lambda: 1e-3 } } });
    const a = analyseModel(sameSignConstruction({ n: 8 }), cfg, {});
    expect(a.exactLoss!.l1).toBeCloseTo(3.0, 9); // constructions.json: same-sign c=0.5, n = 8
    expect(a.exactLoss!.loss).toBeCloseTo(3e-3, 9);
    expect(analyseModel(sameSignConstruction({ n: 8 }), { ...cfg, lambda: 0.1 }).exactLoss!.loss).toBeCloseTo(0.3, 9);
    expect(a.taxonomy!.label).toBe('same-sign');
    expect(a.neurons!.label).toBe('same-sign+disambiguation');
    expect(a.superposition).toBeNull();
    expect(a.expectedPolysemanticCount).toBeNull();
    const relu = resolveTrainConfig({ data: { n: 8 }, model: { hiddenActivation: 'relu', m: 6 } });
    expect(analyseModel(reluTwoNeuronConstruction({ n: 8 }), relu).taxonomy!.label).toBe('relu-two-neuron');
  });

  it('no exact loss beyond n = 32, taxonomy still', () => {
    const cfg = resolveTrainConfig({ data: { n: 36 } });
    const a = analyseModel(oppositeSignConstruction({ n: 36 }), cfg);
    expect(a.exactLoss).toBeNull();
    expect(a.taxonomy!.label).toBe('opposite-sign');
  });

  it('basis data: the paper count against n²/(4m); sparse-uniform: the superposition view', () => {
    const basis = analyseModel(
      identityModel(8, 16),
      resolveTrainConfig({ data: { kind: 'basis', n: 8 }, batchSize: 8, model: { m: 16 } }),
    );
    expect(basis.taxonomy).toBeNull();
    expect(basis.exactLoss).toBeNull();
    expect(basis.expectedPolysemanticCount).toBe(1);
    const tms = analyseModel(
      identityModel(8, 16),
      resolveTrainConfig({ data: { kind: 'sparse-uniform', n: 8, density: 0.1 }, model: { m: 16 } }),
    );
    expect(tms.superposition!.dimensionality).toEqual(new Array<number>(8).fill(1));
    expect(tms.taxonomy).toBeNull();
  });

  it('summariseAnalysis is JSON-safe and keeps the per-output mechanisms and the ±eps report', () => {
    const a = analyseModel(sameSignConstruction({ n: 16 }), resolveTrainConfig({ data: { n: 16 } }));
    const s = summariseAnalysis(a);
    const back = JSON.parse(JSON.stringify(s)) as typeof s;
    expect(back).toEqual(s);
    expect(s.version).toBe(ANALYSIS_VERSION);
    expect(s.taxonomy!.outputs.codes).toBe('s'.repeat(16));
    expect(s.taxonomy!.outputs.shift).toHaveLength(16);
    expect(s.taxonomy!.eps.neurons[0]!.role).toBe('disambiguates');
    expect(s.taxonomy!.distances['same-sign']).toBeLessThan(1e-6);
    expect(s.neurons!.disambiguationNeurons).toEqual([0]);
  });
});
