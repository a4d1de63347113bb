/**
 * The optimizer driver for parameters stacked over instances: every tensor has a leading
 * instance dimension I, and each instance has its own learning rate. The update formulas live
 * in the optimizer table (`optimizers/`: SGD with momentum, Adam, AdamW, following PyTorch's
 * `torch.optim`); this module creates, steps and flushes state for any row of it.
 *
 * Scalars that depend on the step (`lr_i / (1−β1ᵗ)`, `√(1−β2ᵗ)`, `1 − lr_i·wd`) are computed in
 * float64 on the CPU and only then rounded to float32, so instance i's arithmetic does not
 * depend on which other instances share the batch.
 */
import * as tf from '@tensorflow/tfjs-core';
import { ConfigError } from '@polytoy/core';
import type { OptimizerSettings } from './optimizers/definition.js';
import { optimizerDefinition } from './optimizers/registry.js';

/** Named tensors, each with leading instance dimension I. */
export type TensorMap = Record<string, tf.Tensor>;

/** Optimizer state: moment ("slot") tensors shaped like the parameters, plus the step count. */
export interface OptimizerState {
  /** The optimizer's kind (a row of the optimizer table). */
  kind: string;
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
export function optimizerSlotNames(config: OptimizerSettings): string[] {
  return [...optimizerDefinition(config.kind).slotNames(config)];
}

/**
 * Fresh (all-zero) state for `params`.
 *
 * @example
 * const state = createOptimizerState(cfg, { W: tf.zeros([2, 3, 4]) });
 */
export function createOptimizerState(config: OptimizerSettings, params: TensorMap): OptimizerState {
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
  /** Parameter names that decoupled weight decay (AdamW) applies to (weights, not biases). Default: none. */
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
  config: OptimizerSettings,
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
  const def = optimizerDefinition(config.kind);
  const slotNames = def.slotNames(config);
  return tf.tidy(() => {
    const newParams: TensorMap = {};
    const slots: Record<string, TensorMap> = Object.fromEntries(slotNames.map((s) => [s, {}]));
    // Cache the per-instance factor tensors by key and rank (W/E/D are rank 3, b rank 2).
    const cache = new Map<string, tf.Tensor>();
    for (const name of names) {
      const param = params[name]!;
      const perInstanceFactor = (key: string, f: (lr: number) => number): tf.Tensor => {
        const k = `${key}:${param.rank}`;
        let v = cache.get(k);
        if (!v) {
          v = perInstance(
            lr.map((l) => f(l)),
            param.rank,
          );
          cache.set(k, v);
        }
        return v;
      };
      const current = Object.fromEntries(slotNames.map((s) => [s, state.slots[s]![name]!]));
      const out = def.tfjsUpdate({
        config,
        param,
        grad: grads[name]!,
        slots: current,
        t,
        decayed: opts.decay?.has(name) ?? false,
        perInstance: perInstanceFactor,
      });
      newParams[name] = out.param;
      for (const s of slotNames) slots[s]![name] = out.slots[s]!;
    }
    return { params: newParams, state: { kind: config.kind, step: t, slots } };
  });
}
