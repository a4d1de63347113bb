/**
 * The step plan: which form of the two products that read the input x (the encoder `h = x Eᵀ`
 * and its gradient `dE = dhᵀ x`) the fused step uses, chosen once from the data kind.
 *
 * | data            | x                         | path                                                        |
 * | --------------- | ------------------------- | ----------------------------------------------------------- |
 * | `half-split`    | exactly k = n/4 ones/row  | `k-hot`: h = sum of k rows of Eᵀ (gather), dEᵀ += dh rows (scatter) |
 * | `basis`         | the identity (B = n)      | `k-hot` with k = 1 and x's row s = e_s: h = Eᵀ, dE = dhᵀ (copies) |
 * | `sparse-uniform`| dense values in [0, 1]    | `dense`: the GEMMs                                          |
 *
 * The gather/scatter forms are the same sums of the same exact products (x is 0/1, so every
 * product W·x is exact) in index order, valid for every model option (tied or untied, any
 * activation, noise, L1): only the two products that touch x change. The Gram trick for tied
 * linear models (z = (WᵀW) x + b) is not taken: it changes the decoder products as well.
 * A batch that is not k-hot after all (a hand-made batch) falls back to the dense path for
 * that step (`FusedStep.setBatch` checks every row).
 */
import type { TrainConfig } from '@polytoy/core';

/** How the fused step multiplies by x. */
export type InputPath = { kind: 'dense' } | { kind: 'k-hot'; k: number } | { kind: 'identity' };

/**
 * The input path for a config's data.
 *
 * @example
 * inputPath(resolveTrainConfig({ data: { n: 64 } })); // { kind: 'k-hot', k: 16 }
 * inputPath(resolveTrainConfig({ data: { kind: 'basis', n: 8 }, batchSize: 8 })); // { kind: 'identity' }
 */
export function inputPath(config: Pick<TrainConfig, 'data' | 'batchSize'>): InputPath {
  const { data } = config;
  if (data.kind === 'half-split') return { kind: 'k-hot', k: data.n / 4 };
  if (data.kind === 'basis' && config.batchSize === data.n) return { kind: 'identity' };
  return { kind: 'dense' };
}
