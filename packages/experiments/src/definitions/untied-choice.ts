import type { ExperimentDefinition } from '../definition.js';
import { SEED_MODEL_DEFAULTS } from './seed-model.js';

/**
 * SPEC §3 question 4: with untied weights, does each output use the disambiguation mechanism
 * (basis-free, per output), and do the dead-feature failures of the unit-norm decoder survive
 * another optimizer (SGD with momentum) or a weight penalty in place of the constraint?
 */
export const untiedChoice: ExperimentDefinition = {
  name: 'untied-choice',
  // 2: trains until converged (plateau criterion), `steps` is the cap. 3: other optimizers and
  // a weight penalty in place of the unit-norm constraint (`untied-free` with AdamW).
  version: 3,
  description: 'Untied weights: per output, does the decoder use the disambiguation neuron(s)?',
  question: 'SPEC §3.4: with untied weights, does each output individually choose to use the disambiguation neuron?',
  defaults: SEED_MODEL_DEFAULTS,
  sizes: {
    // Converged runs only count (capped runs are reported apart). Two optimizers with the
    // unit-norm decoder constraint, and the constraint replaced by a weight penalty (AdamW's
    // decoupled weight decay on E and D, `untied-free`): do dead features survive either change?
    small: {
      // n = 8 only: untied training does not use the fused kernels yet (slower per step).
      n: [8],
      m: [{ perHalf: 1 }],
      lambda: [1e-3, 1e-2],
      lr: [3e-3],
      optimizer: [{ kind: 'adam' }, { kind: 'sgd', momentum: 0.9 }, { kind: 'adamw', weightDecay: 0.1 }],
      weights: ['untied', 'untied-free'],
      hiddenActivation: ['none'],
      start: [{ kind: 'random' }],
      seeds: 32,
      // The cap: runs stop when converged (plateau criterion).
      steps: 30_000,
      batchSize: 256,
      // Seed 0 of each cell keeps its weights (heat maps).
      params: 'first-seed',
      exclude: [
        // Without the constraint only the weight penalty keeps activation L1 meaningful.
        { weights: 'untied-free', optimizerKind: 'adam' },
        { weights: 'untied-free', optimizerKind: 'sgd' },
      ],
    },
    full: {
      n: [8, 16, 32],
      m: [{ perHalf: 1 }, { perHalf: 2 }, { perHalf: 4 }],
      lambda: [1e-4, 1e-3, 1e-2],
      lr: [1e-3, 3e-3],
      optimizer: [{ kind: 'adam' }, { kind: 'sgd', momentum: 0.9 }, { kind: 'adamw', weightDecay: 0.1 }],
      weights: ['untied', 'untied-free'],
      hiddenActivation: ['none', 'relu'],
      start: [
        { kind: 'random' },
        { kind: 'construction', c: 0.5, perturbation: 0.01 },
        { kind: 'construction', c: 1, perturbation: 0.01 },
      ],
      seeds: 64,
      steps: 100_000,
      batchSize: 256,
      params: 'first-seed',
      exclude: [
        { hiddenActivation: 'relu', m: { perHalf: 1 }, startKind: 'construction' },
        { weights: 'untied-free', optimizerKind: 'adam' },
        { weights: 'untied-free', optimizerKind: 'sgd' },
      ],
    },
  },
};
