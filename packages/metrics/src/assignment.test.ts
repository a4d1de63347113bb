import { describe, expect, it } from 'vitest';
import { featureAssignment } from './assignment.js';

describe('featureAssignment', () => {
  // Rows are neurons: m = 3, n = 4 (A = 0, 1; B = 2, 3).
  const w = Float64Array.of(1, 0.4, 0, -0.9, 0.6, 0, 0.04, 0, 0, -0.5, 0.03, 0.2);

  it("writes feature i on neuron j iff |w| >= max(minWeight, 0.5 * the feature's largest |w|)", () => {
    const a = featureAssignment(w, 3, 4);
    expect(a.features.map((f) => f.neurons.map((x) => x.neuron))).toEqual([[0, 1], [2, 0], [], [0]]);
    expect(a.features[1]!.neurons).toEqual([
      { neuron: 2, weight: -0.5 },
      { neuron: 0, weight: 0.4 },
    ]);
    expect(a.neurons.map((x) => x.features.map((f) => f.feature))).toEqual([[0, 3, 1], [0], [1]]);
    expect(a.features.map((f) => f.half)).toEqual(['A', 'A', 'B', 'B']);
  });

  it('reports the dominant neuron, its weight and sign, even below minWeight', () => {
    const a = featureAssignment(w, 3, 4);
    expect(a.features[1]!.dominant).toEqual({ neuron: 2, weight: -0.5, sign: -1 });
    expect(a.features[3]!.dominant).toEqual({ neuron: 0, weight: -0.9, sign: -1 });
    expect(a.features[2]!.dominant).toEqual({ neuron: 1, weight: 0.04, sign: 1 });
    expect(a.features[2]!.maxAbs).toBeCloseTo(0.04, 15);
  });

  it('includes the threshold edge and handles all-zero columns', () => {
    const a = featureAssignment(Float64Array.of(1, 0, 0.5, 0), 2, 2);
    expect(a.features[0]!.neurons.map((x) => x.neuron)).toEqual([0, 1]);
    expect(a.features[1]!.neurons).toEqual([]);
    expect(a.features[1]!.dominant).toBeNull();
  });

  it('takes the relative threshold and floor as parameters', () => {
    const a = featureAssignment(w, 3, 4, 0.2, 0.01);
    expect(a.features[3]!.neurons.map((x) => x.neuron)).toEqual([0, 2]);
    expect(a.features[2]!.neurons.map((x) => x.neuron)).toEqual([1, 2]);
  });
});
