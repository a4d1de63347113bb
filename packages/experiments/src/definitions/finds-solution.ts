import type { ExperimentDefinition } from '../definition.js';
import { SEED_MODEL_DEFAULTS } from './seed-model.js';

/**
 * SPEC §3 questions 1 and 3: from random init, which zero-loss solution does training find
 * (same-sign pairs + disambiguation neuron, opposite-sign pairs, a mixture, something else),
 * how often, and at what loss — as a function of n, m, lambda, lr, tied/untied, hidden
 * activation.
 */
export const findsSolution: ExperimentDefinition = {
  name: 'finds-solution',
  // 2: trains until converged (plateau criterion), `steps` is the cap.
  version: 2,
  description:
    'Random init, seed data, activation L1: how often training finds each kind of solution (SPEC §2-2c), and with what loss.',
  question:
    'SPEC §3.1 and §3.3: does training find the disambiguation solution, opposite-sign pairs, a mixture, or something else?',
  defaults: SEED_MODEL_DEFAULTS,
  sizes: {
    small: {
      n: [8, 16],
      m: [{ perHalf: 0 }, { perHalf: 1 }, { perHalf: 2 }],
      lambda: [1e-3, 1e-2],
      lr: [1e-2],
      optimizer: [{ kind: 'adam' }],
      weights: ['tied', 'untied'],
      hiddenActivation: ['none', 'relu'],
      start: [{ kind: 'random' }],
      seeds: 16,
      // The cap: runs stop when converged (Adam lr 1e-2 on n = 16 converges in ~20 000 steps
      // at lambda 1e-3; see the trainer README, "Convergence").
      steps: 50_000,
      batchSize: 256,
      // The first seed of each cell keeps its weights (heat maps); all 768 would be ~3 MB.
      params: 'first-seed',
    },
    full: {
      n: [8, 16, 32, 64],
      m: [{ perHalf: 0 }, { perHalf: 1 }, { perHalf: 2 }, { ratio: 0.75 }, { ratio: 1 }],
      lambda: [1e-4, 1e-3, 1e-2],
      lr: [1e-3, 1e-2],
      optimizer: [{ kind: 'adam' }, { kind: 'sgd', momentum: 0.9 }],
      weights: ['tied', 'untied'],
      hiddenActivation: ['none', 'relu'],
      start: [{ kind: 'random' }],
      seeds: 16,
      steps: 100_000,
      batchSize: 256,
      params: 'first-seed',
    },
  },
};
