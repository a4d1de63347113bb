import { sameSignConstruction, untiedCounterpart } from '@polytoy/analytic';
import { createPrng } from '@polytoy/core';
import { describe, expect, it } from 'vitest';
import { analyzeModel } from './analyze.js';
import { rescaledUntied } from './test-utils/constructions.js';

describe('analyzeModel', () => {
  it('collects classification, assignment, paper count and distances of a tied model', () => {
    const p = sameSignConstruction({ n: 8, c: 0.5 });
    const r = analyzeModel(p);
    expect(r.classification.label).toBe('same-sign+disambiguation');
    expect(r.distances!.nearest).toBe('same-sign');
    expect(r.encoder).toBe(r.decoder);
    // eps = 0.5 = half of the pair weight: the relative rule writes every feature on neuron 0 too.
    expect(r.encoder.assignment.features[0]!.neurons.map((x) => x.neuron)).toEqual([1, 0]);
    expect(r.encoder.assignment.features[0]!.dominant).toEqual({ neuron: 1, weight: 1, sign: 1 });
    expect(r.paper.polysemantic).toBe(4); // the four pair neurons
    expect(analyzeModel(p, { distances: false }).distances).toBeNull();
    expect(r.functional!.label).toBe('same-sign+disambiguation');
    expect(analyzeModel(p, { hiddenActivation: 'relu' }).functional).toBeNull();
  });

  it('reports the encoder and decoder of an untied model separately', () => {
    const u = rescaledUntied(sameSignConstruction({ n: 16, c: 0.5 }), createPrng(2));
    const r = analyzeModel(u);
    expect(r.encoder).not.toBe(r.decoder);
    // The raw views see the same structure (the assignment is relative per feature) but their
    // eps differ by the neuron's scale; the effective c is the model's.
    expect(r.encoder.disambiguation.neurons.map((s) => s.neuron)).toEqual([0]);
    expect(r.decoder.disambiguation.neurons.map((s) => s.neuron)).toEqual([0]);
    const eE = r.encoder.disambiguation.neurons[0]!.eps;
    const eD = r.decoder.disambiguation.neurons[0]!.eps;
    expect(eE * eD).toBeCloseTo(0.25 * 0.5, 6); // eps^2 = 4c/n = 1/8
    expect(r.classification.evidence.c).toBeCloseTo(0.5, 5);
  });

  it('gives the plain untied counterpart the tied assignment in both views', () => {
    const p = sameSignConstruction({ n: 16, c: 0.5 });
    const tied = analyzeModel(p, { distances: false });
    const r = analyzeModel(untiedCounterpart(p), { distances: false });
    expect(r.encoder.assignment.features).toEqual(tied.encoder.assignment.features);
    expect(r.decoder.assignment.neurons).toEqual(tied.encoder.assignment.neurons);
  });
});
