/**
 * Loss and hand-written gradients in tfjs (no autodiff: tfjs-core's Node entry registers no
 * gradients, and explicit products are what the FLOP count in SPEC §5 assumes).
 *
 * Per instance: `loss = reconstruction + lambda · l1`, with
 * `reconstruction = (1/B) Σ_b Σ_i importance_i (x_bi − y_bi)²` and
 * `l1 = (1/B) Σ_b ||h_b||₁` (target 'activations', on the clean h) or the sum of |weights|
 * (target 'weights': tied Σ|W|, untied Σ|E| + Σ|D|; biases never).
 * ReLU derivatives at 0 are 0 and d|u|/du at 0 is 0 (`sign(0) = 0`).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { ModelConfig } from '@polytoy/core';
import { ConfigError } from '@polytoy/core';
import { forward } from './forward.js';
import type { HiddenNoiseSample } from './noise.js';
import { bmm } from './products.js';
import type { ParamTensors } from './tensors.js';

/** Per-instance loss components ([I] each) and gradients shaped like the parameters. */
export interface LossAndGradients {
  loss: tf.Tensor1D;
  reconstruction: tf.Tensor1D;
  l1: tf.Tensor1D;
  grads: ParamTensors;
}

/** Options of {@link lossAndGradients}. */
export interface LossOptions {
  /** [I] L1 coefficient per instance. */
  lambda: tf.Tensor1D;
  /** Feature importance: [n] shared by all instances, or [I, n] per instance; null/omitted → all 1. */
  importance?: Float32Array | null;
  /** Hidden noise for this step, from {@link sampleHiddenNoise}. */
  noise?: HiddenNoiseSample | null;
}

/**
 * Computes the loss and its gradient for every instance with explicit backward products.
 *
 * Tied, linear hidden, activation L1 — 2 forward and 3 backward products, with
 * `dz = ∂L/∂outputPre` [I, B, n]: `dW = hᵀ dz + (dz Wᵀ + lambda·sign(h)/B)ᵀ x`.
 * Untied: `dD = dzᵀ h̃`, `dE = (dz D ⊙ noise' + lambda·sign(h)/B ⊙ act_h')ᵀ x`.
 *
 * @param model - resolved model config.
 * @param params - stacked parameters of I instances.
 * @param x - [I, B, n] batch.
 * @param opts - per-instance lambda, optional importance and hidden noise.
 * @returns new tensors the caller disposes (`grads` with {@link disposeParams}).
 * @example
 * const out = lossAndGradients(model, params, x, { lambda: tf.tensor1d([1e-3]) });
 * out.loss.dataSync(); // [I] losses
 */
export function lossAndGradients(model: ModelConfig, params: ParamTensors, x: tf.Tensor3D, opts: LossOptions): LossAndGradients {
  const I = x.shape[0];
  const B = x.shape[1];
  const n = model.n;
  if (opts.lambda.rank !== 1 || opts.lambda.shape[0] !== I) {
    throw new ConfigError('lambda', `a tensor of shape [${I}]`, opts.lambda.shape);
  }
  const importance = opts.importance ?? null;
  if (importance && importance.length !== n && importance.length !== I * n) {
    const lengths = I === 1 ? `${n}` : `${n} (shared) or ${I * n} (I × n)`;
    throw new ConfigError('importance', `a Float32Array of length ${lengths}`, `length ${importance.length}`);
  }
  const noise = opts.noise ?? null;
  return tf.tidy(() => {
    const t = forward(model, params, x, noise);
    const lambda3 = tf.reshape(opts.lambda, [I, 1, 1]);
    const invB = 1 / B;

    // Reconstruction: (1/B) Σ_b Σ_i imp_i (y − x)²; d/dy = (2/B) imp (y − x).
    const diff = tf.sub(t.output, x);
    const imp = importance ? tf.tensor3d(importance, [importance.length === n ? 1 : I, 1, n]) : null;
    const weighted = imp ? tf.mul(diff, imp) : diff;
    const reconstruction = tf.mul(tf.sum(tf.mul(weighted, diff), [1, 2]), invB) as tf.Tensor1D;
    let dz = tf.mul(weighted, 2 * invB) as tf.Tensor3D;
    if (model.outputActivation === 'relu') dz = tf.mul(dz, tf.step(t.outputPre)); // step(0) = 0

    const db = model.outputBias ? (tf.sum(dz, 1) as tf.Tensor2D) : tf.zerosLike(params.b);

    // Back through the decoder to the (noisy) hidden layer, and the decoder's own gradient.
    const dec = params.kind === 'tied' ? params.W : params.D;
    // tied: [I, B, n] x [I, m, n]ᵀ → [I, B, m]; untied: [I, B, n] x [I, n, m] → [I, B, m]
    let dh = params.kind === 'tied' ? bmm(dz, dec, false, true) : bmm(dz, dec);
    // tied: hᵀ dz: [I, B, m]ᵀ x [I, B, n] → [I, m, n]; untied: dzᵀ h: [I, n, m]
    const dDec = params.kind === 'tied' ? bmm(t.hiddenNoisy, dz, true, false) : bmm(dz, t.hiddenNoisy, true, false);
    if (noise && noise.kind === 'bernoulli') {
      dh = tf.mul(dh, tf.tensor3d(noise.values, [I, B, model.m]));
    }

    let l1: tf.Tensor1D;
    const weightsL1 = model.l1.target === 'weights';
    if (!weightsL1) {
      // L1 on the clean hidden activation: (1/B) Σ_b Σ_j |h_bj|.
      l1 = tf.mul(tf.sum(tf.abs(t.hidden), [1, 2]), invB) as tf.Tensor1D;
      dh = tf.add(dh, tf.mul(tf.sign(t.hidden), tf.mul(lambda3, invB)));
    } else if (params.kind === 'tied') {
      l1 = tf.sum(tf.abs(params.W), [1, 2]) as tf.Tensor1D;
    } else {
      l1 = tf.add(tf.sum(tf.abs(params.E), [1, 2]), tf.sum(tf.abs(params.D), [1, 2])) as tf.Tensor1D;
    }
    if (model.hiddenActivation === 'relu') dh = tf.mul(dh, tf.step(t.hiddenPre));
    // Encoder: dhᵀ x: [I, B, m]ᵀ x [I, B, n] → [I, m, n]
    let dEnc = bmm(dh, x, true, false) as tf.Tensor3D;

    const loss = tf.add(reconstruction, tf.mul(opts.lambda, l1)) as tf.Tensor1D;
    let grads: ParamTensors;
    if (params.kind === 'tied') {
      let dW = tf.add(dDec, dEnc) as tf.Tensor3D;
      if (weightsL1) dW = tf.add(dW, tf.mul(tf.sign(params.W), lambda3));
      grads = { kind: 'tied', W: dW, b: db };
    } else {
      let dD = dDec as tf.Tensor3D;
      if (weightsL1) {
        dEnc = tf.add(dEnc, tf.mul(tf.sign(params.E), lambda3));
        dD = tf.add(dD, tf.mul(tf.sign(params.D), lambda3));
      }
      grads = { kind: 'untied', E: dEnc, D: dD, b: db };
    }
    return { loss, reconstruction, l1, grads };
  });
}
