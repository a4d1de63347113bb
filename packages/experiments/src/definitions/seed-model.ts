import type { TrainConfigInput } from '@polytoy/core';

/**
 * The seed's model on its data (SPEC §1), as the random-init experiments train it: half-split
 * data, output ReLU with a bias, L1 on the activations, Gaussian init, a constant learning rate,
 * the loss logged every 100 steps. One place, so the phase diagram, finds-solution and the
 * untied question cannot drift apart.
 */
export const SEED_MODEL_DEFAULTS: TrainConfigInput = {
  data: { kind: 'half-split' },
  model: { outputActivation: 'relu', outputBias: true, l1: { target: 'activations' }, init: { kind: 'normal' } },
  schedule: { kind: 'constant' },
  logEvery: 100,
};
