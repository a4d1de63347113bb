/**
 * Start parameters of construction runs (the seed's construction, or the two-neuron one for a
 * ReLU hidden layer, untied when the model is).
 */
import type { ModelParams } from '@polytoy/core';
import { reluTwoNeuronConstruction, sameSignConstruction } from '@polytoy/analytic';
import type { RunSpec } from './definition.js';

/**
 * Parameters of a construction start: the same-sign construction (linear hidden layer) or the
 * two-neuron construction (ReLU hidden layer) with the start's c; for untied models the
 * equivalent untied parameters with unit-norm decoder columns (`E_j = |W_j| W_j`,
 * `D_:j = W_j / |W_j|`), so the unit-column constraint does not change the function.
 */
export function startParams(spec: Pick<RunSpec, 'start' | 'config'>): ModelParams | null {
  const start = spec.start;
  if (start.kind === 'random') return null;
  const { n, m } = spec.config.model;
  const opts = { n, m, c: start.c };
  const tied = spec.config.model.hiddenActivation === 'relu' ? reluTwoNeuronConstruction(opts) : sameSignConstruction(opts);
  if (spec.config.model.weights.kind === 'tied') return tied;
  const E = new Float32Array(m * n);
  const D = new Float32Array(n * m);
  for (let j = 0; j < m; j++) {
    let ss = 0;
    for (let i = 0; i < n; i++) ss += tied.W[j * n + i]! ** 2;
    const norm = Math.sqrt(ss);
    for (let i = 0; i < n; i++) {
      const w = tied.W[j * n + i]!;
      E[j * n + i] = w * norm;
      D[i * m + j] = norm > 0 ? w / norm : 0;
    }
  }
  return { kind: 'untied', n, m, E, D, b: tied.b.slice() };
}
