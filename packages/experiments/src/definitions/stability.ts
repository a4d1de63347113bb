import type { ExperimentDefinition } from '../definition.js';

/**
 * c = 1/2 (the seed's instance) and c = 1, exact and perturbed; the perturbation magnitudes
 * (Gaussian std on every parameter) are the control for "unperturbed starts drift further".
 */
const starts = [0.5, 1].flatMap((c) =>
  [0, 0.002, 0.02].map((perturbation) => ({ kind: 'construction' as const, c, perturbation })),
);

/**
 * SPEC §3 question 2: start at the seed's construction (c = 1/2 and larger, with and without
 * small perturbations), train with activation L1, and see where c, the loss and the structure
 * go. The analytic package predicts the direction (gradient and Hessian at the construction).
 */
export const stability: ExperimentDefinition = {
  name: 'stability',
  // 2: trains until converged (plateau criterion), `steps` is the cap. 3: SGD beside Adam,
  // lambda = 0 as the control (the construction is a zero-loss point), a perturbation sweep.
  version: 3,
  description:
    'Start at the same-sign construction (linear hidden) or the two-neuron construction (ReLU hidden), train with L1: drift of c, loss, survival of the structure.',
  question: 'SPEC §3.2: is the construction stable under L1 pressure, and where does training started at it go?',
  defaults: {
    data: { kind: 'half-split' },
    model: { outputActivation: 'relu', outputBias: true, l1: { target: 'activations' } },
    schedule: { kind: 'constant' },
    logEvery: 50,
  },
  sizes: {
    small: {
      n: [8, 16],
      m: [{ perHalf: 1 }],
      lambda: [0, 1e-3, 1e-2],
      lr: [1e-3],
      optimizer: [{ kind: 'adam' }, { kind: 'sgd', momentum: 0.9 }],
      weights: ['tied'],
      // The seed's linear model; the ReLU two-neuron construction is in the full grid.
      hiddenActivation: ['none'],
      start: starts,
      seeds: 4,
      // The cap: runs stop when converged (plateau criterion).
      steps: 30_000,
      batchSize: 256,
      params: 'all',
    },
    full: {
      n: [8, 16, 32],
      m: [{ perHalf: 1 }, { perHalf: 2 }],
      lambda: [1e-4, 1e-3, 1e-2, 3e-2],
      lr: [1e-4, 1e-3],
      optimizer: [{ kind: 'adam' }, { kind: 'sgd', momentum: 0.9 }],
      weights: ['tied'],
      hiddenActivation: ['none', 'relu'],
      start: [0.5, 0.6, 0.75, 1, 1.5].flatMap((c) =>
        [0, 0.01, 0.05].map((perturbation) => ({ kind: 'construction' as const, c, perturbation })),
      ),
      seeds: 8,
      steps: 100_000,
      batchSize: 256,
      params: 'first-seed',
      exclude: [{ hiddenActivation: 'relu', m: { perHalf: 1 } }],
    },
  },
};
