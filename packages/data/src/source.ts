/**
 * A data source: one config + one seeded stream → reproducible batches. The trainer holds one per
 * instance; its PRNG state is part of a checkpoint.
 */
import type { DataConfig, Prng } from '@polytoy/core';
import { basisBatch } from './basis.js';
import { halfSplitBatch } from './half-split.js';
import { importanceWeights, sparseUniformBatch } from './sparse-uniform.js';

export interface DataSource {
  readonly config: DataConfig;
  readonly n: number;
  /** Per-feature loss weights, or null when all features weigh 1. */
  readonly importance: Float32Array | null;
  /**
   * Fills (or allocates) the next [batchSize, n] batch. Basis data ignores the stream and
   * always returns the n basis vectors (batchSize must equal n).
   */
  next(batchSize: number, out?: Float32Array): Float32Array;
}

/**
 * Creates the data source for a config.
 *
 * @param rng - the stream the source draws from (the caller owns and may checkpoint it).
 * @example
 * const src = createDataSource({ kind: 'half-split', n: 16 }, createPrng(1));
 * const x = src.next(256); // [256, 16]
 */
export function createDataSource(config: DataConfig, rng: Prng): DataSource {
  const n = config.n;
  switch (config.kind) {
    case 'half-split':
      return { config, n, importance: null, next: (b, out) => halfSplitBatch(rng, n, b, out) };
    case 'basis': {
      const eye = basisBatch(n);
      return {
        config,
        n,
        importance: null,
        next: (b, out) => {
          if (b !== n) throw new RangeError(`basis data: batch size must be n = ${n}, received ${b}`);
          if (out) {
            out.set(eye);
            return out;
          }
          return eye.slice();
        },
      };
    }
    case 'sparse-uniform':
      return {
        config,
        n,
        importance: config.importanceDecay === 1 ? null : importanceWeights(n, config.importanceDecay),
        next: (b, out) => sparseUniformBatch(rng, n, config.density, b, out),
      };
  }
}
