/**
 * Real (small) experiment results for report tests: tiny versions of the four built-in
 * experiments, trained with the real trainer and analysed with the real metrics (~10 s).
 */
import type { ExperimentDefinition, ExperimentGrid, ResultLine } from '@polytoy/experiments';
import { EXPERIMENTS, memoryStore, runExperiment } from '@polytoy/experiments';

function tiny(name: string, small: Partial<ExperimentGrid>): ExperimentDefinition {
  const def = EXPERIMENTS[name]!;
  return { ...def, sizes: { ...def.sizes, small: { ...def.sizes.small, ...small } } };
}

/** The tiny definitions (same names and versions as the built-ins, so sections get their texts). */
export const TINY_DEFINITIONS: readonly ExperimentDefinition[] = [
  tiny('finds-solution', { n: [8], m: [{ perHalf: 0 }, { perHalf: 1 }], seeds: 2, steps: 200, batchSize: 64 }),
  tiny('stability', {
    n: [8],
    m: [{ perHalf: 1 }],
    hiddenActivation: ['none'],
    exclude: [],
    lambda: [1e-2],
    start: [
      { kind: 'construction', c: 0.5, perturbation: 0 },
      { kind: 'construction', c: 1, perturbation: 0.02 },
    ],
    seeds: 2,
    steps: 100,
    batchSize: 64,
  }),
  tiny('untied-choice', {
    n: [8],
    m: [{ perHalf: 2 }],
    hiddenActivation: ['none'],
    lambda: [1e-2],
    seeds: 2,
    steps: 100,
    batchSize: 64,
  }),
  tiny('collisions', { n: [8], m: [{ ratio: 1 }, { ratio: 2 }], seeds: 4, steps: 300 }),
];

/** Trains the tiny experiments and returns their result lines. */
export async function realResults(): Promise<ResultLine[]> {
  const store = memoryStore();
  for (const def of TINY_DEFINITIONS) await runExperiment(def, { store });
  return store.lines;
}
