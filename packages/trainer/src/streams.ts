/**
 * Per-instance random streams. Instance i's randomness depends only on its own seed, never on
 * how many instances run together, which is what makes "I instances in one batch" equal to
 * "each instance alone".
 */
import { createPrng } from '@polytoy/core';
import type { Prng } from '@polytoy/core';

/**
 * Fork ids of the streams derived from `createPrng(instance.seed)`. Fixed forever: changing one
 * changes every run's numbers.
 */
export const STREAM_IDS = {
  /** Parameter initialisation (`initParams`). */
  init: 1,
  /** Training batches (`createDataSource(...).next`). */
  data: 2,
  /** Hidden noise (`sampleHiddenNoise`). */
  noise: 3,
  /**
   * Evaluation after the last update: forked from the data/noise streams' current state with
   * this id, so evaluating never advances the training streams.
   */
  evaluation: 1000,
} as const;

/** The three training streams of one instance. */
export interface InstanceStreams {
  init: Prng;
  data: Prng;
  noise: Prng;
}

/**
 * Derives an instance's streams from its seed: `createPrng(seed).fork(STREAM_IDS.x)`.
 *
 * @example
 * const { data } = instanceStreams(7);
 * createDataSource({ kind: 'half-split', n: 16 }, data).next(128);
 */
export function instanceStreams(seed: number): InstanceStreams {
  const root = createPrng(seed);
  return { init: root.fork(STREAM_IDS.init), data: root.fork(STREAM_IDS.data), noise: root.fork(STREAM_IDS.noise) };
}
