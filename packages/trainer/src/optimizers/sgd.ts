/**
 * SGD with momentum as `torch.optim.SGD` (dampening 0, no Nesterov): `buf ← μ·buf + g` (the first
 * step gives `buf = g`), `p ← p − lr·buf`; μ = 0 keeps no state.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { OptimizerConfig } from '@polytoy/core';
import type { OptimizerDefinition, TfjsUpdateOutput } from './definition.js';

/** The SGD config. */
export type SgdConfig = Extract<OptimizerConfig, { kind: 'sgd' }>;

/**
 * The SGD row of the optimizer table.
 *
 * @example
 * sgd.slotNames({ kind: 'sgd', lr: 0.1, momentum: 0.9 }); // ['momentum']
 */
export const sgd: OptimizerDefinition<SgdConfig> = {
  kind: 'sgd',
  slotNames: (config) => (config.momentum > 0 ? ['momentum'] : []),
  tfjsUpdate({ config, param, grad, slots, perInstance }): TfjsUpdateOutput {
    const lr = perInstance('lr', (l) => l);
    if (config.momentum === 0) return { param: tf.sub(param, tf.mul(grad, lr)), slots: {} };
    const direction = tf.add(tf.mul(slots.momentum!, tf.scalar(config.momentum)), grad);
    return { param: tf.sub(param, tf.mul(direction, lr)), slots: { momentum: direction } };
  },
  inPlaceUpdate({ config, kernels, param, grad, slots, len, lr }) {
    const mu = config.momentum;
    // Kernel: vel = fl(fl(mu·vel) + g), p = fl(fl(p·1) − fl(lr·vel)); without velocity p − lr·g.
    kernels.sgd(param, grad, mu > 0 ? slots.momentum! : 0, len, lr, mu, 1, mu > 0 ? 1 : 0);
  },
};
