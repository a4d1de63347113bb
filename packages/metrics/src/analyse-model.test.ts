import { oppositeSignConstruction, reluTwoNeuronConstruction, sameSignConstruction } from '@polytoy/analytic';
import { resolveTrainConfig } from '@polytoy/core';
import { describe, expect, it } from 'vitest';
import { ANALYSIS_VERSION, analyseModel, summariseAnalysis } from './analyse-model.js';
import { MONTE_CARLO_SAMPLES } from './exact-loss.js';
import { identityModel, perturbed } from './test-utils/constructions.js';

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

  it('beyond n = 32: the population loss by seeded Monte Carlo with its standard error, taxonomy still', () => {
    const cfg = resolveTrainConfig({ data: { n: 36 } });
    const a = analyseModel(oppositeSignConstruction({ n: 36 }), cfg);
    expect(a.exactLoss!.method).toBe('monte-carlo');
    expect(a.taxonomy!.label).toBe('opposite-sign');
    // n = 64, m = 34 (a phase-diagram cell), perturbed: a positive SE far below the 1e-3 tolerance at this loss.
    const n64 = resolveTrainConfig({ data: { n: 64 }, model: { m: 34, l1: { lambda: 1e-3 } } });
    const p = perturbed(sameSignConstruction({ n: 64, c: 0.5 }), 2, 1e-3);
    const b = analyseModel(p, n64);
    const e = b.exactLoss!;
    expect(e.method).toBe('monte-carlo');
    expect(e.samples).toBe(MONTE_CARLO_SAMPLES);
    expect(e.standardError.reconstruction).toBeGreaterThan(0);
    expect(e.standardError.reconstruction).toBeLessThan(0.01 * Math.max(e.reconstruction, 1e-3));
    expect(analyseModel(p, n64)).toEqual(b); // deterministic
    const s = summariseAnalysis(b);
    expect(JSON.parse(JSON.stringify(s.exactLoss))).toEqual(e);
    // Forced at n <= 32, off on request.
    const cfg16 = resolveTrainConfig({ data: { n: 16 } });
    const forced = analyseModel(sameSignConstruction({ n: 16 }), cfg16, { populationLoss: { method: 'monte-carlo' } });
    expect(forced.exactLoss!.method).toBe('monte-carlo');
    expect(analyseModel(sameSignConstruction({ n: 16 }), cfg16).exactLoss!.method).toBe('exact');
    expect(analyseModel(p, n64, { exactLoss: false }).exactLoss).toBeNull();
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
