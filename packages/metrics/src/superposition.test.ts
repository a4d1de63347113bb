import { untiedCounterpart } from '@polytoy/analytic';
import { describe, expect, it } from 'vitest';
import { superpositionView } from './superposition.js';
import { identityModel, tiedFromRows } from './test-utils/constructions.js';

describe('superpositionView (Elhage et al. 2022)', () => {
  it('a dedicated dimension per feature: D_i = 1, ‖W_i‖ = 1, WᵀW = I', () => {
    const v = superpositionView(identityModel(4, 6));
    expect(v.featureNorms).toEqual([1, 1, 1, 1]);
    expect(v.dimensionality).toEqual([1, 1, 1, 1]);
    expect(v.dimensionsPerFeature).toBe(1.5);
    expect(v.represented).toBe(4);
    expect(Array.from(v.gram)).toEqual([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]);
  });

  it('an antipodal pair shares one dimension: D = 1/2 each; an unrepresented feature has D = 0', () => {
    // Features 0 and 1 antipodal on neuron 0; feature 2 alone on neuron 1; feature 3 absent.
    const v = superpositionView(
      tiedFromRows([
        [1, -1, 0, 0],
        [0, 0, 2, 0],
      ]),
    );
    expect(v.dimensionality).toEqual([0.5, 0.5, 1, 0]);
    expect(v.featureNorms).toEqual([1, 1, 2, 0]);
    expect(v.represented).toBe(3);
    expect(v.dimensionsPerFeature).toBeCloseTo(2 / 6, 12);
  });

  it('three features in two dimensions at 120° (a triangle): D = 2/3 each', () => {
    const s = Math.sqrt(3) / 2;
    const v = superpositionView(
      tiedFromRows([
        [1, -0.5, -0.5],
        [0, s, -s],
      ]),
    );
    for (const d of v.dimensionality) expect(d).toBeCloseTo(2 / 3, 6);
  });

  it('untied models: encoder columns, Gram D·E', () => {
    const p = tiedFromRows([
      [1, 2],
      [3, 4],
    ]);
    const v = superpositionView(untiedCounterpart(p));
    expect(v.featureNorms[0]).toBeCloseTo(Math.sqrt(10), 6);
    expect(Array.from(v.gram)).toEqual(Array.from(superpositionView(p).gram));
  });
});
