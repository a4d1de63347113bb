import type { ExperimentDefinition } from '../definition.js';

const starts = [0.5, 1].flatMap((c) => [0, 0.02].map((perturbation) => ({ kind: 'construction' as const, c, perturbation })));

/**
 * SPEC §3 question 2: start at the seed's construction (c = 1/2 and larger, with and without
 * small perturbations), train with activation L1, and see where c, the loss and the structure
 * go. The analytic package predicts the direction (gradient and Hessian at the construction).
 */
export const stability: ExperimentDefinition = {
  name: 'stability',
  // 2: trains until converged (plateau criterion), `steps` is the cap.
  version: 2,
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
      m: [{ perHalf: 1 }, { perHalf: 2 }],
      lambda: [1e-3, 1e-2],
      lr: [1e-3],
      optimizer: [{ kind: 'adam' }],
      weights: ['tied'],
      hiddenActivation: ['none', 'relu'],
      start: starts,
      seeds: 4,
      // The cap: runs stop when converged (Adam lr 1e-2 on n = 16 converges in ~20 000 steps
      // at lambda 1e-3; see the trainer README, "Convergence").
      steps: 50_000,
      batchSize: 256,
      params: 'all',
      // Linear hidden: the same-sign construction needs n/2 + 1 neurons; ReLU hidden: the
      // two-neuron construction needs n/2 + 2.
      exclude: [
        { hiddenActivation: 'none', m: { perHalf: 2 } },
        { hiddenActivation: 'relu', m: { perHalf: 1 } },
      ],
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
