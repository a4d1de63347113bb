/**
 * The untied decoder constraint. Without it, untied weights with activation L1 are degenerate:
 * `E → s·E`, `D → D/s` leaves every output unchanged (the hidden activation is positively
 * homogeneous) while the L1 term scales by `s`, so training can shrink L1 towards 0 for free
 * (SPEC §1). Fixing each neuron's write vector `D[:, j]` to unit norm removes that freedom, as in
 * sparse autoencoders.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { ModelConfig } from '@polytoy/core';
import type { ParamTensors } from './tensors.js';

/** Columns whose norm is below this are left unchanged (all-zero columns stay zero). */
const MIN_NORM = 1e-12;

/**
 * Scales every column of a row-major [n, m] decoder to unit Euclidean norm, in place
 * (float64 arithmetic, rounded once to float32).
 *
 * @example
 * const D = Float32Array.from([3, 0, 4, 2]); // n = 2, m = 2: columns (3, 4) and (0, 2)
 * projectDecoderColumns(D, 2, 2); // D = [0.6, 0, 0.8, 1]
 */
export function projectDecoderColumns(D: Float32Array, n: number, m: number): Float32Array {
  for (let j = 0; j < m; j++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += D[i * m + j]! ** 2;
    const norm = Math.sqrt(s);
    if (norm < MIN_NORM) continue;
    for (let i = 0; i < n; i++) D[i * m + j] = D[i * m + j]! / norm;
  }
  return D;
}

/**
 * True when the model has a constraint that {@link applyConstraints} enforces.
 *
 * @example
 * hasConstraints(resolveTrainConfig({ model: { weights: { kind: 'untied' } } }).model); // true
 */
export function hasConstraints(model: ModelConfig): boolean {
  return model.weights.kind === 'untied' && model.weights.decoderNorm === 'unit-columns';
}

/**
 * Enforces the model's parameter constraints after an optimizer step: for untied weights with
 * `decoderNorm: 'unit-columns'`, every decoder column `D[i, :, j]` is divided by its norm.
 *
 * @returns the same object when the model has no constraint; otherwise a new
 *   {@link ParamTensors} whose tensors are all new (`E` and `b` are clones), so the caller
 *   disposes the old object as a whole.
 * @example
 * const next = applyConstraints(model, params);
 * if (next !== params) { disposeParams(params); params = next; }
 */
export function applyConstraints(model: ModelConfig, params: ParamTensors): ParamTensors {
  if (!hasConstraints(model) || params.kind !== 'untied') return params;
  return tf.tidy(() => {
    const norm = tf.sqrt(tf.sum(tf.square(params.D), 1, true)); // [I, 1, m]
    // Columns with norm < MIN_NORM (all-zero) are left as they are, like projectDecoderColumns.
    const scale = tf.where(tf.less(norm, MIN_NORM), tf.onesLike(norm), norm);
    const D = tf.div(params.D, scale) as tf.Tensor3D;
    return { kind: 'untied' as const, E: tf.clone(params.E), D, b: tf.clone(params.b) };
  });
}
