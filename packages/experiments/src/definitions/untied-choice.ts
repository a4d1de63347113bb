import type { ExperimentDefinition } from '../definition.js';

/**
 * SPEC §3 question 4: with untied weights (unit-norm decoder columns), does each output read
 * the disambiguation neuron? From random init (does it appear at all?) and from the
 * construction (do outputs keep using it?).
 */
export const untiedChoice: ExperimentDefinition = {
  name: 'untied-choice',
  // 2: trains until converged (plateau criterion), `steps` is the cap.
  version: 2,
  description: 'Untied weights: per output, does the decoder use the disambiguation neuron(s)?',
  question: 'SPEC §3.4: with untied weights, does each output individually choose to use the disambiguation neuron?',
  defaults: {
    data: { kind: 'half-split' },
    model: { outputActivation: 'relu', outputBias: true, l1: { target: 'activations' }, init: { kind: 'normal' } },
    schedule: { kind: 'constant' },
    logEvery: 100,
  },
  sizes: {
    small: {
      n: [8, 16],
      m: [{ perHalf: 1 }, { perHalf: 2 }],
      lambda: [1e-3, 1e-2],
      lr: [3e-3],
      optimizer: [{ kind: 'adam' }],
      weights: ['untied'],
      hiddenActivation: ['none', 'relu'],
      start: [{ kind: 'random' }, { kind: 'construction', c: 0.5, perturbation: 0.01 }],
      seeds: 8,
      // The cap: runs stop when converged (Adam lr 1e-2 on n = 16 converges in ~20 000 steps
      // at lambda 1e-3; see the trainer README, "Convergence").
      steps: 50_000,
      batchSize: 256,
      // Seed 0 of each cell keeps its weights (heat maps); all of them would be ~1 MB.
      params: 'first-seed',
      exclude: [{ hiddenActivation: 'relu', m: { perHalf: 1 }, startKind: 'construction' }],
    },
    full: {
      n: [8, 16, 32],
      m: [{ perHalf: 1 }, { perHalf: 2 }, { perHalf: 4 }],
      lambda: [1e-4, 1e-3, 1e-2],
      lr: [1e-3, 3e-3],
      optimizer: [{ kind: 'adam' }],
      weights: ['untied'],
      hiddenActivation: ['none', 'relu'],
      start: [
        { kind: 'random' },
        { kind: 'construction', c: 0.5, perturbation: 0.01 },
        { kind: 'construction', c: 1, perturbation: 0.01 },
      ],
      seeds: 16,
      steps: 100_000,
      batchSize: 256,
      params: 'first-seed',
      exclude: [{ hiddenActivation: 'relu', m: { perHalf: 1 }, startKind: 'construction' }],
    },
  },
};
