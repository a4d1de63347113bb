/**
 * AdamW: first the decoupled decay `p ← p·(1 − lr·weightDecay)`, then the Adam step. The decay
 * applies to weights only (W, E, D), never to the output bias b (shrinking b towards 0 would
 * fight the bias the seed's construction needs).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { OptimizerConfig } from '@polytoy/core';
import { ADAM_SLOTS, adamInPlaceUpdate, adamTfjsUpdate } from './adam.js';
import type { OptimizerDefinition } from './definition.js';

/** The AdamW config. */
export type AdamwConfig = Extract<OptimizerConfig, { kind: 'adamw' }>;

/**
 * The AdamW row of the optimizer table.
 *
 * @example
 * adamw.slotNames({ kind: 'adamw', lr: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0.01 }); // ['m', 'v']
 */
export const adamw: OptimizerDefinition<AdamwConfig> = {
  kind: 'adamw',
  slotNames: () => ADAM_SLOTS,
  tfjsUpdate(input) {
    const wd = input.config.weightDecay;
    const param =
      input.decayed && wd > 0
        ? tf.mul(
            input.param,
            input.perInstance('decay', (lr) => 1 - lr * wd),
          )
        : input.param;
    return adamTfjsUpdate(input, param);
  },
  inPlaceUpdate: (input) => adamInPlaceUpdate(input, input.decayed ? 1 - input.lr * input.config.weightDecay : 1),
};
