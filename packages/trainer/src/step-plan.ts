/**
 * The step plan: which form of the two products that read the input x (the encoder `h = x Eᵀ`
 * and its gradient `dE = dhᵀ x`) the fused step uses, chosen once from the data kind.
 *
 * | data            | x                         | path                                                        |
 * | --------------- | ------------------------- | ----------------------------------------------------------- |
 * | `half-split`    | exactly k = n/4 ones/row  | tied, n ≥ {@link K_HOT_MIN_N}: `k-hot`: h = sum of k rows of Eᵀ (gather), dEᵀ += dh rows (scatter); smaller n or untied: `dense` |
 * | `basis`         | the identity (B = n)      | tied, linear hidden, no noise: `identity-gram` (below); otherwise `identity`: `k-hot` with k = 1 and x's row s = e_s: h = Eᵀ, dE = dhᵀ (copies) |
 * | `sparse-uniform`| dense values in [0, 1]    | `dense`: the GEMMs                                          |
 *
 * The gather/scatter forms are the same sums of the same exact products (x is 0/1, so every
 * product W·x is exact) in index order, valid for every model option (tied or untied, any
 * activation, noise, L1): only the two products that touch x change. The Gram trick for tied
 * linear models (z = (WᵀW) x + b) is taken only for the identity (`identity-gram`, see
 * `FusedStep`'s gram step): with x = I, z = WᵀW and dW = W (dz + dzᵀ), two GEMMs instead of
 * three; it needs tied weights (one W on both sides), a linear hidden layer (no mask between
 * the products) and no hidden noise (h̃ = h = Wᵀ).
 * A batch that is not k-hot after all (a hand-made batch) falls back to the dense path for
 * that step (`FusedStep.setBatch` checks every row).
 *
 * Measured (benchmarks/step-paths.ts, one thread, a heavily shared 2-core machine, so ±20%):
 * basis data n=256, m=1024: identity 1.3–1.4× faster than dense; half-split tied n=64 and 256:
 * 0.9–1.3× (the GEMM it replaces is already fast at these sizes, and the tied dense path fuses
 * both weight-gradient products into one GEMM); half-split untied n=64: 0.6–0.8×, so untied
 * half-split stays dense (the k-hot form is still implemented and tested for it). paper-256
 * (basis n=256, m=1024, tied, weight L1, Adam): identity-gram with the full WᵀW 8.2 ms vs
 * identity 14.2 ms vs dense 26 ms per step (1.7× over identity); with the symmetric WᵀW
 * (3/4 of the product) 2.2× over identity, interleaved, on a machine at load 8.
 */
import type { TrainConfig } from '@polytoy/core';

/**
 * The smallest n at which tied half-split data takes the k-hot path. Measured
 * (benchmarks/step-paths.ts, one thread, shared 2-core machine, ±20%): k-hot vs dense
 * 0.97× at seed-64 (n = 64: slower; the per-step `kHotIndices` scan of the dense batch is ~11%
 * and the batch copy ~4% of the step) and 1.08× at seed-256 (n = 256), so below 256 the
 * dense GEMMs are kept.
 */
export const K_HOT_MIN_N = 256;

/** How the fused step multiplies by x. */
export type InputPath = { kind: 'dense' } | { kind: 'k-hot'; k: number } | { kind: 'identity' } | { kind: 'identity-gram' };

/**
 * The input path for a config's data.
 *
 * @example
 * inputPath(resolveTrainConfig({ data: { n: 256 } })); // { kind: 'k-hot', k: 64 }
 * inputPath(resolveTrainConfig({ data: { n: 64 } })); // { kind: 'dense' } (n < K_HOT_MIN_N)
 * inputPath(resolveTrainConfig({ data: { kind: 'basis', n: 8 }, batchSize: 8 })); // { kind: 'identity-gram' }
 * inputPath(resolveTrainConfig({ data: { kind: 'basis', n: 8 }, batchSize: 8, model: { hiddenActivation: 'relu' } })); // { kind: 'identity' }
 */
export function inputPath(config: Pick<TrainConfig, 'data' | 'batchSize' | 'model'>): InputPath {
  const { data } = config;
  if (data.kind === 'half-split' && config.model.weights.kind === 'tied' && data.n >= K_HOT_MIN_N)
    return { kind: 'k-hot', k: data.n / 4 };
  if (data.kind === 'basis' && config.batchSize === data.n)
    return gramApplies(config.model) ? { kind: 'identity-gram' } : { kind: 'identity' };
  return { kind: 'dense' };
}

/**
 * Whether the Gram form of the identity path is valid for a model: tied weights, linear hidden
 * layer, no hidden noise (any output activation, bias, L1 target and importance).
 *
 * @example
 * gramApplies(resolveTrainConfig({}).model); // true
 */
export function gramApplies(model: TrainConfig['model']): boolean {
  return model.weights.kind === 'tied' && model.hiddenActivation === 'none' && model.hiddenNoise.kind === 'none';
}
