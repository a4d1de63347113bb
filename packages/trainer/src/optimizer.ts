/**
 * Optimizers for parameters stacked over instances: every tensor has a leading instance
 * dimension I, and each instance has its own learning rate. The update formulas follow
 * PyTorch's `torch.optim` (single-tensor implementations, default flags):
 *
 * - SGD with momentum (dampening 0, no Nesterov): `buf ← μ·buf + g` (the first step gives
 *   `buf = g`, as torch's initialisation with `g`), `p ← p − lr·buf`; μ = 0 keeps no state.
 * - Adam: `m ← β1·m + (1−β1)·g`, `v ← β2·v + (1−β2)·g²`, then with `t` the 1-based step,
 *   `p ← p − (lr / (1−β1ᵗ)) · m / (√v / √(1−β2ᵗ) + ε)` — ε is added after bias-correcting √v,
 *   exactly where torch adds it.
 * - AdamW: first the decoupled decay `p ← p·(1 − lr·weightDecay)`, then the Adam step. The
 *   decay applies to weights only (W, E, D), never to the output bias b (the usual convention:
 *   shrinking b towards 0 would fight the bias the seed's construction needs).
 *
 * Scalars that depend on the step (`lr_i / (1−β1ᵗ)`, `√(1−β2ᵗ)`, `1 − lr_i·wd`) are computed in
 * float64 on the CPU and only then rounded to float32, so instance i's arithmetic does not
 * depend on which other instances share the batch.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { OptimizerConfig } from '@polytoy/core';
import { ConfigError } from '@polytoy/core';

/** Named tensors, each with leading instance dimension I. */
export type TensorMap = Record<string, tf.Tensor>;

/** Optimizer state: moment ("slot") tensors shaped like the parameters, plus the step count. */
export interface OptimizerState {
  kind: OptimizerConfig['kind'];
  /** Updates applied so far (the next update is bias-corrected with `t = step + 1`). */
  step: number;
  /** slot name (`momentum`, `m`, `v`) → parameter name → tensor shaped like the parameter. */
  slots: Record<string, TensorMap>;
}

/**
 * The slot names an optimizer keeps per parameter.
 *
 * @example
 * optimizerSlotNames({ kind: 'adam', lr: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 }); // ['m', 'v']
 */
export function optimizerSlotNames(config: OptimizerConfig): string[] {
  if (config.kind === 'sgd') return config.momentum > 0 ? ['momentum'] : [];
  return ['m', 'v'];
}

/**
 * Fresh (all-zero) state for `params`.
 *
 * @example
 * const state = createOptimizerState(cfg, { W: tf.zeros([2, 3, 4]) });
 */
export function createOptimizerState(config: OptimizerConfig, params: TensorMap): OptimizerState {
  const slots: Record<string, TensorMap> = {};
  for (const slot of optimizerSlotNames(config)) {
    slots[slot] = Object.fromEntries(Object.entries(params).map(([name, p]) => [name, tf.zerosLike(p)]));
  }
  return { kind: config.kind, step: 0, slots };
}

/** Disposes every slot tensor. */
export function disposeOptimizerState(state: OptimizerState): void {
  for (const slot of Object.values(state.slots)) tf.dispose(Object.values(slot));
}

/**
 * Moments below this magnitude are flushed to 0 by {@link flushTinyMoments}: far above the
 * float32 denormal range (< 1.18e-38), yet so small that they cannot move a parameter (an Adam
 * step with m < 1e-30 is below 1e-22·lr, and v < 1e-30 is invisible next to ε = 1e-8).
 */
export const FLUSH_THRESHOLD = 1e-30;

/**
 * Sets every moment with `|x| <= threshold` to 0 (NaN stays NaN). Why: moments of parameters
 * whose gradient is exactly 0 (dead ReLU units, unused features) decay geometrically — Adam's m
 * by β1 = 0.9 per step, v by β2 = 0.999 — and pass through the float32 denormal range, where
 * WebAssembly on x86 has no flush-to-zero mode and every operation takes a slow path. Measured
 * on tfjs-backend-wasm (SIMD): an Adam step over denormal moments ran about 8× slower than over
 * normal ones. v would stay denormal for ~16 000 steps; flushing every 100 steps bounds that.
 *
 * @returns a new state (new tensors); the caller disposes the old one.
 * @example
 * const flushed = flushTinyMoments(state);
 * disposeOptimizerState(state);
 */
export function flushTinyMoments(state: OptimizerState, threshold = FLUSH_THRESHOLD): OptimizerState {
  return tf.tidy(() => {
    const t = tf.scalar(threshold);
    const slots: Record<string, TensorMap> = {};
    for (const [slot, byParam] of Object.entries(state.slots)) {
      // step(|x| − t) is 0 for |x| <= t, 1 above, NaN for NaN: one fused-free pass of 4 cheap ops.
      slots[slot] = Object.fromEntries(
        Object.entries(byParam).map(([name, x]) => [name, tf.mul(tf.step(tf.sub(tf.abs(x), t)), x)]),
      );
    }
    return { kind: state.kind, step: state.step, slots };
  });
}

/** A float32 tensor of shape [I, 1, …, 1] (rank `rank`) holding one value per instance. */
function perInstance(values: ArrayLike<number>, rank: number): tf.Tensor {
  const shape = [values.length, ...Array.from({ length: rank - 1 }, () => 1)];
  return tf.tensor(Float32Array.from(values), shape, 'float32');
}

/** Options of {@link optimizerStep}. */
export interface OptimizerStepOptions {
  /** Per-instance learning rates for this update (already scheduled), length I. */
  lr: ArrayLike<number>;
  /** Parameter names that AdamW decays (weights, not biases). Default: none. */
  decay?: ReadonlySet<string>;
}

/**
 * One optimizer update for I instances at once.
 *
 * @param config - the optimizer (its `lr` is ignored: pass per-instance rates in `opts.lr`).
 * @param params - current parameters [I, …].
 * @param grads - gradients with the same names and shapes.
 * @param state - state from {@link createOptimizerState} or a previous step.
 * @returns new parameter and state tensors; the inputs are left alone (the caller disposes them).
 * @throws ConfigError if `opts.lr` does not have one entry per instance.
 * @example
 * const { params: next, state: s1 } = optimizerStep(cfg, { W }, { W: gW }, s0, { lr: [1e-3, 1e-2] });
 */
export function optimizerStep(
  config: OptimizerConfig,
  params: TensorMap,
  grads: TensorMap,
  state: OptimizerState,
  opts: OptimizerStepOptions,
): { params: TensorMap; state: OptimizerState } {
  const lr = Array.from(opts.lr);
  const names = Object.keys(params);
  for (const name of names) {
    const p = params[name]!;
    if (p.shape[0] !== lr.length) {
      throw new ConfigError('lr', `one learning rate per instance (${p.shape[0]})`, `${lr.length} values`);
    }
    if (!grads[name]) throw new ConfigError(`grads.${name}`, 'a gradient for every parameter', 'none');
  }
  const t = state.step + 1;
  return tf.tidy(() => {
    const newParams: TensorMap = {};
    const slots: Record<string, TensorMap> = Object.fromEntries(optimizerSlotNames(config).map((s) => [s, {}]));
    // Cache the per-instance factor tensors by rank (W/E/D are rank 3, b rank 2).
    const cache = new Map<string, tf.Tensor>();
    const factor = (key: string, values: () => number[], rank: number): tf.Tensor => {
      const k = `${key}:${rank}`;
      let v = cache.get(k);
      if (!v) {
        v = perInstance(values(), rank);
        cache.set(k, v);
      }
      return v;
    };
    for (const name of names) {
      let p = params[name]!;
      const g = grads[name]!;
      if (config.kind === 'sgd') {
        let direction = g;
        if (config.momentum > 0) {
          direction = tf.add(tf.mul(state.slots.momentum![name]!, tf.scalar(config.momentum)), g);
          slots.momentum![name] = direction;
        }
        newParams[name] = tf.sub(
          p,
          tf.mul(
            direction,
            factor('lr', () => lr, p.rank),
          ),
        );
        continue;
      }
      const { beta1, beta2, epsilon } = config;
      if (config.kind === 'adamw' && opts.decay?.has(name) && config.weightDecay > 0) {
        const wd = config.weightDecay;
        p = tf.mul(
          p,
          factor('decay', () => lr.map((l) => 1 - l * wd), p.rank),
        );
      }
      const m = tf.add(tf.mul(state.slots.m![name]!, tf.scalar(beta1)), tf.mul(g, tf.scalar(1 - beta1)));
      const v = tf.add(tf.mul(state.slots.v![name]!, tf.scalar(beta2)), tf.mul(tf.square(g), tf.scalar(1 - beta2)));
      const denom = tf.add(tf.div(tf.sqrt(v), tf.scalar(Math.sqrt(1 - beta2 ** t))), tf.scalar(epsilon));
      const stepSize = factor('step', () => lr.map((l) => l / (1 - beta1 ** t)), p.rank);
      newParams[name] = tf.sub(p, tf.mul(tf.div(m, denom), stepSize));
      slots.m![name] = m;
      slots.v![name] = v;
    }
    return { params: newParams, state: { kind: config.kind, step: t, slots } };
  });
}
