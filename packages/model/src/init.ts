/**
 * Parameter initialisation for one instance, in plain TypeScript from a seeded {@link Prng}, so
 * the same seed gives the same parameters in Node and in the browser on every backend.
 */
import type { ModelConfig, ModelParams, Prng } from '@polytoy/core';
import { checkParamsShape, cloneParams, ConfigError } from '@polytoy/core';
import { projectDecoderColumns } from './constraints.js';

/**
 * Draws one instance's initial parameters.
 *
 * - `normal`: every weight ~ normal(0, std), std defaulting to `1/sqrt(m)` (Lecomte et al.).
 * - `xavier`: every weight ~ uniform[-a, a), `a = sqrt(6 / (n + m))`.
 * - `given`: a copy of `init.params`, plus normal(0, perturbation) noise on every trainable
 *   parameter when `perturbation > 0` (weights, then `b` if `outputBias`).
 *
 * Order of draws (fixed, so a seed pins the result): tied: `W` row-major; untied: all of `E`
 * ([m, n] row-major), then all of `D` ([n, m] row-major); `given` with perturbation: the same
 * weight order, then `b`. Biases of `normal`/`xavier` start at 0 and consume no draws.
 * Untied with `decoderNorm: 'unit-columns'`: `D`'s columns are then scaled to unit norm
 * (see {@link applyConstraints}). A tied `given` into an untied model starts from `E = W`,
 * `D = Wᵀ`; an untied `given` into a tied model is a {@link ConfigError}.
 *
 * @param model - the resolved model config (`resolveTrainConfig(...).model`).
 * @param rng - the instance's stream (advanced by this call).
 * @returns fresh parameters; nothing is shared with `model.init.params`.
 * @throws ConfigError when given parameters do not fit the model (shape, kind, or a non-zero
 *   bias with `outputBias: false`).
 * @example
 * const model = resolveTrainConfig({ data: { n: 8 } }).model;
 * const p = initParams(model, createPrng(0)); // p.kind === 'tied', p.W.length === 5 * 8
 */
export function initParams(model: ModelConfig, rng: Prng): ModelParams {
  const { n, m } = model;
  const untied = model.weights.kind === 'untied';
  let p: ModelParams;
  const init = model.init;
  if (init.kind === 'given') {
    p = fromGiven(model, init.params);
    if (init.perturbation > 0) {
      const s = init.perturbation;
      const weights = p.kind === 'tied' ? [p.W] : [p.E, p.D];
      for (const w of weights) for (let k = 0; k < w.length; k++) w[k] = w[k]! + s * rng.normal();
      if (model.outputBias) for (let k = 0; k < n; k++) p.b[k] = p.b[k]! + s * rng.normal();
    }
  } else {
    const draw =
      init.kind === 'normal'
        ? (
            (std: number) => () =>
              std * rng.normal()
          )(init.std ?? 1 / Math.sqrt(m))
        : (
            (a: number) => () =>
              (2 * rng.nextFloat() - 1) * a
          )(Math.sqrt(6 / (n + m)));
    const fill = (len: number): Float32Array => {
      const out = new Float32Array(len);
      for (let k = 0; k < len; k++) out[k] = draw();
      return out;
    };
    if (untied) {
      const E = fill(m * n);
      const D = fill(n * m);
      p = { kind: 'untied', n, m, E, D, b: new Float32Array(n) };
    } else {
      p = { kind: 'tied', n, m, W: fill(m * n), b: new Float32Array(n) };
    }
  }
  if (p.kind === 'untied' && model.weights.kind === 'untied' && model.weights.decoderNorm === 'unit-columns') {
    projectDecoderColumns(p.D, n, m);
  }
  return p;
}

function fromGiven(model: ModelConfig, given: ModelParams): ModelParams {
  const { n, m } = model;
  checkParamsShape(given, model, 'model.init.params');
  if (!model.outputBias && given.b.some((v) => v !== 0)) {
    throw new ConfigError('model.init.params.b', 'all zeros (outputBias is false)', Array.from(given.b));
  }
  const copy = cloneParams(given);
  if (model.weights.kind === 'tied') {
    if (copy.kind !== 'tied') throw new ConfigError('model.init.params.kind', '"tied" (the model is tied)', copy.kind);
    return copy;
  }
  if (copy.kind === 'untied') return copy;
  const D = new Float32Array(n * m);
  for (let j = 0; j < m; j++) for (let i = 0; i < n; i++) D[i * m + j] = copy.W[j * n + i]!;
  return { kind: 'untied', n, m, E: copy.W, D, b: copy.b };
}
