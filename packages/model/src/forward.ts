/**
 * The forward pass in tfjs, batched over instances: every tensor has a leading instance
 * dimension I and all products are batched `tf.matMul`s, so each instance's arithmetic is what
 * it would be alone.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { ModelConfig } from '@polytoy/core';
import { checkParamsShape, ConfigError } from '@polytoy/core';
import type { HiddenNoiseSample } from './noise.js';
import { bmm } from './products.js';
import type { ParamTensors } from './tensors.js';

/**
 * Every intermediate of the forward pass under a stable name (metrics and reports refer to
 * these). All [I, B, ·]. With an identity activation `hidden` is the same tensor as
 * `hiddenPre` (and `output` as `outputPre`); disposing a tensor twice is harmless in tfjs.
 */
export interface ForwardTrace {
  /** `W x` (untied: `E x`), [I, B, m]. */
  hiddenPre: tf.Tensor3D;
  /** `act_h(hiddenPre)`, the clean hidden activation (the L1 term reads this), [I, B, m]. */
  hidden: tf.Tensor3D;
  /**
   * What the decoder reads: `hidden` with the noise applied (`hidden + noise` or
   * `hidden · mask`); the very same tensor as `hidden` when there is no noise. [I, B, m].
   */
  hiddenNoisy: tf.Tensor3D;
  /** `Wᵀ hiddenNoisy + b` (untied: `D hiddenNoisy + b`), [I, B, n]. */
  outputPre: tf.Tensor3D;
  /** `act_o(outputPre)`, the reconstruction y, [I, B, n]. */
  output: tf.Tensor3D;
}

/** Checks x and noise against the parameters; returns [I, B, n, m]. */
export function checkShapes(
  params: ParamTensors,
  x: tf.Tensor3D,
  noise: HiddenNoiseSample | null | undefined,
  model: ModelConfig,
): [number, number, number, number] {
  if (params.kind !== model.weights.kind) {
    throw new ConfigError('params.kind', `"${model.weights.kind}" (model.weights.kind)`, params.kind);
  }
  const enc = params.kind === 'tied' ? params.W : params.E;
  const [I, m, n] = enc.shape;
  if (x.rank !== 3 || x.shape[0] !== I || x.shape[2] !== n) {
    throw new ConfigError('x', `a tensor of shape [${I}, B, ${n}]`, x.shape);
  }
  checkParamsShape({ n, m }, model, 'params');
  const B = x.shape[1];
  if (noise) {
    if (noise.kind !== model.hiddenNoise.kind) {
      throw new ConfigError('noise.kind', `"${model.hiddenNoise.kind}" (model.hiddenNoise)`, noise.kind);
    }
    if (noise.values.length !== I * B * m) {
      throw new ConfigError('noise.values', `length I*B*m = ${I * B * m}`, noise.values.length);
    }
  }
  return [I, B, n, m];
}

/**
 * Runs the model on a batch for every instance (no gradients).
 *
 * Tied: `h = act_h(W x)`, `y = act_o(Wᵀ h̃ + b)`; untied: `h = act_h(E x)`, `y = act_o(D h̃ + b)`,
 * where `h̃` is `h` with the hidden noise applied. With `outputBias: false` the bias is not
 * added at all.
 *
 * @param model - resolved model config.
 * @param params - stacked parameters of I instances.
 * @param x - [I, B, n] inputs (instance i sees x[i]).
 * @param noise - optional hidden noise from {@link sampleHiddenNoise}; omit for evaluation.
 * @returns new tensors the caller disposes (`hiddenNoisy` may be the same tensor as `hidden`).
 * @example
 * const trace = forward(model, params, tf.tensor3d(x, [1, B, n]));
 * const y = trace.output.dataSync();
 */
export function forward(
  model: ModelConfig,
  params: ParamTensors,
  x: tf.Tensor3D,
  noise?: HiddenNoiseSample | null,
): ForwardTrace {
  const [I, B, , m] = checkShapes(params, x, noise, model);
  const trace = tf.tidy(() => {
    // [I, B, n] x [I, m, n]ᵀ → [I, B, m]
    const hiddenPre = bmm(x, params.kind === 'tied' ? params.W : params.E, false, true);
    const hidden = model.hiddenActivation === 'relu' ? tf.relu(hiddenPre) : hiddenPre;
    let hiddenNoisy = hidden;
    if (noise) {
      const z = tf.tensor3d(noise.values, [I, B, m]);
      hiddenNoisy = noise.kind === 'gaussian' ? tf.add(hidden, z) : tf.mul(hidden, z);
    }
    // tied: [I, B, m] x [I, m, n] → [I, B, n]; untied: [I, B, m] x [I, n, m]ᵀ → [I, B, n]
    let outputPre = params.kind === 'tied' ? bmm(hiddenNoisy, params.W) : bmm(hiddenNoisy, params.D, false, true);
    if (model.outputBias) outputPre = tf.add(outputPre, tf.expandDims(params.b, 1));
    const output = model.outputActivation === 'relu' ? tf.relu(outputPre) : outputPre;
    return { hiddenPre, hidden, hiddenNoisy, outputPre, output };
  });
  return trace as ForwardTrace;
}
