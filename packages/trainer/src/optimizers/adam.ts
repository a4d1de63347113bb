/**
 * Adam as `torch.optim.Adam` (default flags): `m ← β1·m + (1−β1)·g`, `v ← β2·v + (1−β2)·g²`,
 * then with `t` the 1-based step `p ← p − (lr / (1−β1ᵗ)) · m / (√v / √(1−β2ᵗ) + ε)` — ε is added
 * after bias-correcting √v, exactly where torch adds it. AdamW (`adamw.ts`) reuses these updates
 * with a decay factor.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { OptimizerConfig } from '@polytoy/core';
import type { InPlaceUpdateInput, OptimizerDefinition, TfjsUpdateInput, TfjsUpdateOutput } from './definition.js';

/** The Adam config. */
export type AdamConfig = Extract<OptimizerConfig, { kind: 'adam' }>;

/** The moments' fields shared by Adam and AdamW. */
type Moments = Pick<AdamConfig, 'beta1' | 'beta2' | 'epsilon' | 'lr'> & { readonly kind: string };

/** Adam's and AdamW's slots: first and second moments. */
export const ADAM_SLOTS: readonly string[] = ['m', 'v'];

/** Adam's tfjs update of `param` (already decayed by the caller for AdamW). */
export function adamTfjsUpdate<C extends Moments>(input: TfjsUpdateInput<C>, param: tf.Tensor): TfjsUpdateOutput {
  const { config, grad, slots, t, perInstance } = input;
  const { beta1, beta2, epsilon } = config;
  const m = tf.add(tf.mul(slots.m!, tf.scalar(beta1)), tf.mul(grad, tf.scalar(1 - beta1)));
  const v = tf.add(tf.mul(slots.v!, tf.scalar(beta2)), tf.mul(tf.square(grad), tf.scalar(1 - beta2)));
  const denom = tf.add(tf.div(tf.sqrt(v), tf.scalar(Math.sqrt(1 - beta2 ** t))), tf.scalar(epsilon));
  const stepSize = perInstance('step', (lr) => lr / (1 - beta1 ** t));
  return { param: tf.sub(param, tf.mul(tf.div(m, denom), stepSize)), slots: { m, v } };
}

/**
 * Adam's in-place update with the decay factor `decay` (1 for Adam): per element in float32
 * `m = fl(β1·m + (1−β1)·g)`, `v = fl(β2·v + (1−β2)·g²)`, `p = fl(p·decay − lr·fl(c1·m / (√(c2·v) + ε)))`.
 */
export function adamInPlaceUpdate<C extends Moments>(input: InPlaceUpdateInput<C>, decay: number): void {
  const { config, kernels, param, grad, slots, len, lr, t } = input;
  const { beta1, beta2, epsilon } = config;
  const c1 = 1 / (1 - beta1 ** t);
  const c2 = 1 / (1 - beta2 ** t);
  kernels.adam(param, grad, slots.m!, slots.v!, len, lr, beta1, 1 - beta1, beta2, 1 - beta2, epsilon, c1, c2, decay);
}

/**
 * The Adam row of the optimizer table.
 *
 * @example
 * adam.slotNames({ kind: 'adam', lr: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 }); // ['m', 'v']
 */
export const adam: OptimizerDefinition<AdamConfig> = {
  kind: 'adam',
  slotNames: () => ADAM_SLOTS,
  tfjsUpdate: (input) => adamTfjsUpdate(input, input.param),
  inPlaceUpdate: (input) => adamInPlaceUpdate(input, 1),
};
