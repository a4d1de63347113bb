import type { ExperimentDefinition, OptimizerChoice } from '../definition.js';
import { SEED_MODEL_DEFAULTS } from './seed-model.js';

const adam: OptimizerChoice = { kind: 'adam' };
const sgd: OptimizerChoice = { kind: 'sgd' };
const momentum: OptimizerChoice = { kind: 'sgd', momentum: 0.9 };

/**
 * SPEC §3 questions 1 and 3 as a phase diagram: from random init, the rate of each solution
 * family (the metrics taxonomy) per cell — n, m from n/2 up, λ, optimizer, learning rate,
 * tied/untied, hidden activation — with 64 seeds per cell so that every rate has a usable 95%
 * Wilson interval. Nothing is pooled: λ and the optimizer are cell coordinates.
 *
 * `small` is the slice committed in docs/results, sized for a 2-core machine (66 cells, 4224
 * runs): a base product (tied; n = 8 at m = n/2, n/2 + 1 with linear and ReLU hidden, n = 16 at
 * m = n/2 … n/2 + 2 with linear hidden; λ ∈ {1e-3, 1e-2}; Adam and SGD with momentum at lr 1e-2)
 * and, one factor at a time around it (`also`): λ ∈ {0, 1e-4, 3e-3, 3e-2}; n = 24, 32 and 64
 * (Monte Carlo loss); plain SGD (lr 0.1) and Adam at a second learning rate (3e-3); a ReLU hidden
 * layer at n = 16 with the two-neuron construction's m = n/2 + 2 and n/2 + 4; and wide hidden
 * layers (m = n/2 + 4, 2n). `full` is the factorial of the issue (n up to 32 by exact
 * enumeration and n = 64, m from n/2 to n/2 + 4 and 2n, six λ, three optimizers, two learning
 * rates, tied and untied, linear and ReLU hidden): 276 480 runs, meant for `--shard i/N` job
 * arrays or the queue (`polytoy sweep submit`).
 */
export const phaseDiagram: ExperimentDefinition = {
  name: 'phase-diagram',
  // 2: the small slice grew (`also`) and is retrained with analysis v3+ (the distributed family).
  version: 2,
  description:
    'Random init, seed data, activation L1, 64 seeds per cell: rate of each solution family per (n, m, λ, optimizer, lr, weights, hidden activation), trained until converged.',
  question:
    'SPEC §3.1 and §3.3: how often does training find the disambiguation solution, opposite-sign pairs, a mixture or something else, as a function of n, m, λ, optimizer, learning rate, tied/untied and hidden activation?',
  defaults: SEED_MODEL_DEFAULTS,
  sizes: {
    small: {
      n: [8, 16],
      m: [{ perHalf: 0 }, { perHalf: 1 }, { perHalf: 2 }],
      exclude: [
        { n: 8, m: { perHalf: 2 } },
        { n: 16, hiddenActivation: 'relu' },
      ],
      lambda: [1e-3, 1e-2],
      lr: [1e-2],
      optimizer: [adam, momentum],
      weights: ['tied'],
      hiddenActivation: ['none', 'relu'],
      start: [{ kind: 'random' }],
      seeds: 64,
      // The cap; runs stop when converged (plateau criterion) and a run at the cap is `capped`.
      steps: 30_000,
      batchSize: 256,
      params: 'first-seed',
      // One factor at a time around the base (Adam, lr 1e-2, linear hidden unless named).
      also: [
        // λ: the rest of the six values.
        {
          n: [8],
          m: [{ perHalf: 0 }, { perHalf: 1 }],
          lambda: [0, 1e-4, 3e-3, 3e-2],
          optimizer: [adam],
          hiddenActivation: ['none'],
        },
        { n: [16], m: [{ perHalf: 1 }], lambda: [0, 1e-4, 3e-3, 3e-2], optimizer: [adam], hiddenActivation: ['none'] },
        // n: 24 and 32 by exact enumeration, 64 by Monte Carlo.
        { n: [24, 32], m: [{ perHalf: 0 }, { perHalf: 1 }], optimizer: [adam], hiddenActivation: ['none'] },
        { n: [64], m: [{ perHalf: 1 }], optimizer: [adam], hiddenActivation: ['none'] },
        // Optimizer and learning rate at the seed's m = n/2 + 1: plain SGD (lr 0.1: momentum 0.9
        // at lr 1e-2 has the same long-run step), Adam at a second learning rate.
        { n: [8, 16], m: [{ perHalf: 1 }], optimizer: [sgd], lr: [0.1], hiddenActivation: ['none'] },
        { n: [8, 16], m: [{ perHalf: 1 }], optimizer: [adam], lr: [3e-3], hiddenActivation: ['none'] },
        // ReLU hidden at n = 16: the two-neuron construction needs m = n/2 + 2.
        { n: [16], m: [{ perHalf: 2 }, { perHalf: 4 }], optimizer: [adam], hiddenActivation: ['relu'] },
        // Wide hidden layers.
        { n: [8, 16], m: [{ perHalf: 4 }, { ratio: 2 }], lambda: [1e-2], optimizer: [adam], hiddenActivation: ['none'] },
      ],
    },
    full: {
      n: [8, 16, 24, 32, 64],
      m: [{ perHalf: 0 }, { perHalf: 1 }, { perHalf: 2 }, { perHalf: 3 }, { perHalf: 4 }, { ratio: 2 }],
      lambda: [0, 1e-4, 1e-3, 3e-3, 1e-2, 3e-2],
      lr: [3e-3, 1e-2],
      optimizer: [sgd, momentum, adam],
      weights: ['tied', 'untied'],
      hiddenActivation: ['none', 'relu'],
      start: [{ kind: 'random' }],
      seeds: 64,
      steps: 100_000,
      batchSize: 256,
      params: 'first-seed',
    },
  },
};
