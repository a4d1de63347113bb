/**
 * Sparse-uniform features (Elhage et al., Toy Models of Superposition): each feature is present
 * independently with probability `density` (= 1 - sparsity), with value U[0, 1) when present.
 */
import type { Prng } from '@polytoy/core';

/**
 * Draws a [batchSize, n] batch of sparse-uniform features.
 *
 * @example
 * sparseUniformBatch(createPrng(0), 20, 0.05, 1024);
 */
export function sparseUniformBatch(rng: Prng, n: number, density: number, batchSize: number, out?: Float32Array): Float32Array {
  const x = out ?? new Float32Array(batchSize * n);
  for (let i = 0; i < batchSize * n; i++) {
    // Two draws per coordinate always, so the stream position never depends on the values.
    const present = rng.nextFloat() < density;
    const value = rng.nextFloat();
    x[i] = present ? value : 0;
  }
  return x;
}

/**
 * Per-feature importance `decay^i` that weights the reconstruction loss (all ones when decay = 1).
 */
export function importanceWeights(n: number, decay: number): Float32Array {
  const w = new Float32Array(n);
  for (let i = 0; i < n; i++) w[i] = decay ** i;
  return w;
}
