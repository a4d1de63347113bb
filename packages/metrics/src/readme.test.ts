// The README's example, run as written.
import { sameSignConstruction } from '@polytoy/analytic';
import { resolveTrainConfig } from '@polytoy/core';
import { describe, expect, it } from 'vitest';
import { analyseModel, summariseAnalysis } from './index.js';

describe('README example', () => {
  it('prints what the README says', () => {
    const config = resolveTrainConfig({ data: { n: 16 }, model: { m: 9 } });
    const a = analyseModel(sameSignConstruction({ n: 16, c: 0.5 }), config);
    const t = a.taxonomy!;
    expect(t.label).toBe('same-sign');
    expect(t.distance).toBeCloseTo(0, 6);
    expect(t.alignment).toBe('aligned');
    expect(t.form?.allOnesRemoved).toBeCloseTo(0, 6);
    expect(t.codes).toBe('ssssssssssssssss');
    expect(t.eps.neurons.map((e) => [e.neuron, e.role])).toEqual([[0, 'disambiguates']]);
    expect(t.eps.neurons[0]!.c).toBeCloseTo(0.5, 6);
    expect(t.eps.neurons[0]!.biasPlusC).toBeCloseTo(0, 6);
    expect(a.exactLoss!.reconstruction).toBeCloseTo(0, 12);
    expect(a.exactLoss!.method).toBe('exact');
    expect(a.paper.polysemantic).toBe(8);
    const s = summariseAnalysis(a);
    expect(s.taxonomy!.name).toBe('same-sign');
    expect(s.taxonomy!.outputs.counts['same-sign']).toBe(16);
  });
});
