/** Test-only helpers: random parameters/inputs from a seeded Prng, config builders, comparisons. */
import { expect } from 'vitest';
import type { ModelConfig, ModelParams, Prng } from '@polytoy/core';
import { resolveTrainConfig } from '@polytoy/core';

/** Uniform [lo, hi) Float32Array. */
export function uniformArray(rng: Prng, length: number, lo = 0, hi = 1): Float32Array {
  const out = new Float32Array(length);
  for (let k = 0; k < length; k++) out[k] = lo + (hi - lo) * rng.nextFloat();
  return out;
}

/** Random parameters of either kind (weights ~ U[-1, 1), bias ~ U[-0.5, 0.5) or 0). */
export function randomParams(rng: Prng, model: ModelConfig): ModelParams {
  const { n, m } = model;
  const b = model.outputBias ? uniformArray(rng, n, -0.5, 0.5) : new Float32Array(n);
  if (model.weights.kind === 'tied') return { kind: 'tied', n, m, W: uniformArray(rng, m * n, -1, 1), b };
  return { kind: 'untied', n, m, E: uniformArray(rng, m * n, -1, 1), D: uniformArray(rng, n * m, -1, 1), b };
}

export interface ModelOptions {
  weights: 'tied' | 'untied';
  hiddenActivation: 'none' | 'relu';
  outputActivation: 'relu' | 'none';
  outputBias: boolean;
}

/** Every architecture combination (2 × 2 × 2 × 2 = 16). */
export const ALL_OPTIONS: ModelOptions[] = (['tied', 'untied'] as const).flatMap((weights) =>
  (['none', 'relu'] as const).flatMap((hiddenActivation) =>
    (['relu', 'none'] as const).flatMap((outputActivation) =>
      [true, false].map((outputBias) => ({ weights, hiddenActivation, outputActivation, outputBias })),
    ),
  ),
);

export function describeOptions(o: ModelOptions): string {
  return `${o.weights} hidden=${o.hiddenActivation} output=${o.outputActivation} bias=${o.outputBias}`;
}

/** A resolved ModelConfig (n must be a multiple of 4 for the default half-split data). */
export function modelConfig(
  n: number,
  m: number,
  o: Partial<ModelOptions> & {
    l1?: 'activations' | 'weights';
    noise?: object;
    decoderNorm?: 'unit-columns' | 'none';
    init?: object;
  } = {},
): ModelConfig {
  const weights = o.weights === 'untied' ? { kind: 'untied', decoderNorm: o.decoderNorm ?? 'none' } : { kind: 'tied' };
  return resolveTrainConfig({
    data: { n },
    model: {
      m,
      weights,
      hiddenActivation: o.hiddenActivation ?? 'none',
      outputActivation: o.outputActivation ?? 'relu',
      outputBias: o.outputBias ?? true,
      l1: { target: o.l1 ?? 'activations' },
      hiddenNoise: o.noise ?? { kind: 'none' },
      init: o.init ?? { kind: 'normal' },
    },
  }).model;
}

/** max |a − b| / max(1, max |b|) ≤ tol, with a message naming the worst index. */
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number, label = ''): void {
  expect(actual.length, `${label} length`).toBe(expected.length);
  let scale = 1;
  for (let k = 0; k < expected.length; k++) scale = Math.max(scale, Math.abs(expected[k]!));
  let worst = 0,
    at = -1;
  for (let k = 0; k < expected.length; k++) {
    const e = Math.abs(actual[k]! - expected[k]!);
    if (!(e <= worst)) {
      worst = e;
      at = k;
    }
  }
  expect(worst / scale, `${label}: worst at ${at}: ${actual[at]} vs ${expected[at]}`).toBeLessThanOrEqual(tol);
}
