/**
 * Divergence detection, per instance and for every optimizer: a minibatch loss that is NaN/Inf,
 * or a finite loss above `divergence.blowUp` × the instance's reference loss. The reference is
 * the larger of the instance's first minibatch loss and the loss of predicting 0 on that batch
 * (`Σ imp·x²` per sample), so it is positive even for a start at an exact zero-loss
 * construction, and a function of the instance's own seed and config only.
 *
 * A healthy run lowers its loss; noise and early transients do not push a minibatch loss far
 * above the start (measured: see the trainer README, "Divergence"), while a learning rate that
 * is too large sends it up by orders of magnitude within a few steps before it overflows.
 */
import type { DivergenceReason } from '@polytoy/core';

/**
 * The reference loss of one instance: `max(loss, mean over rows of Σ_i imp_i · x_i²)` for its
 * first batch `x` ([B, n] row-major).
 *
 * @example
 * referenceLoss(0, x, null, 256, 16); // 4 for half-split n = 16 (every sample has n/4 ones)
 */
export function referenceLoss(loss: number, x: Float32Array, importance: Float32Array | null, B: number, n: number): number {
  let sum = 0;
  for (let r = 0; r < B; r++) {
    for (let i = 0; i < n; i++) {
      const v = x[r * n + i]!;
      sum += (importance ? importance[i]! : 1) * v * v;
    }
  }
  return Math.max(loss, sum / B);
}

/**
 * Why a step's loss means divergence, or null. Without a reference (not known yet) only NaN/Inf
 * counts.
 *
 * @example
 * lossDivergence(5e6, 4, 100); // 'blow-up'
 * lossDivergence(Number.NaN, 4, 100); // 'non-finite-loss'
 * lossDivergence(3.9, 4, 100); // null
 */
export function lossDivergence(loss: number, reference: number | null, blowUp: number): DivergenceReason | null {
  if (!Number.isFinite(loss)) return 'non-finite-loss';
  if (reference !== null && loss > blowUp * reference) return 'blow-up';
  return null;
}

/** Every value finite? */
export function allFinite(...arrays: Float32Array[]): boolean {
  for (const a of arrays) for (let e = 0; e < a.length; e++) if (!Number.isFinite(a[e]!)) return false;
  return true;
}
