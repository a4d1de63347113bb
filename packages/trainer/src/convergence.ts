/**
 * The plateau convergence criterion (`convergence: { kind: 'plateau', window, tolerance, floor }`).
 *
 * Training steps are cut into windows of `window` updates, aligned at step 0 (window k holds the
 * minibatch losses of steps `k·window … (k+1)·window − 1`), and each window's mean regularised
 * loss and mean L1 term are kept. At the end of window k ≥ 1 the run has converged when, for both
 * quantities q,
 *
 *     |q̄_k − q̄_j| <= tolerance · max(|q̄_j|, floor),   j = ⌊(k+1)/2⌋ − 1,
 *
 * i.e. compared with the window that ended at half the elapsed steps. Why these choices:
 * - window means, because a single minibatch loss is noisy; the mean of `window` of them is not;
 * - half the elapsed steps, because it makes the test scale-free in time: it asks "did the last
 *   half of training still change the loss or L1?", which for a decaying curve bounds what the
 *   next 2–4× steps can change (a comparison with the previous window does not: a slow drift
 *   passes any per-window tolerance once the window is short enough);
 * - the L1 term as well as the loss, because L1 keeps falling long after the loss looks flat
 *   (the L1 pressure slowly reshapes the solution);
 * - the floor, because a loss that goes to 0 (lambda = 0) has no meaningful relative change:
 *   below `floor` a change counts against `tolerance · floor`.
 *
 * Everything is float64 arithmetic on the float32 losses, in step order, so the decision is a
 * function of the instance's own losses only (not of which instances share its training call),
 * and its state ({@link PlateauState}) goes into checkpoints so a resumed run decides identically.
 */
import type { PlateauConfig } from '@polytoy/core';

/** The criterion's state: the open window's sums and every closed window's means. */
export interface PlateauState {
  /** Losses added to the open window so far. */
  count: number;
  /** Sum of the open window's losses. */
  loss: number;
  /** Sum of the open window's L1 terms. */
  l1: number;
  /** Means of the closed windows, in order: `[loss, l1]`. */
  means: [number, number][];
}

/**
 * A fresh state (no window closed yet).
 *
 * @example
 * const state = emptyPlateauState();
 */
export function emptyPlateauState(): PlateauState {
  return { count: 0, loss: 0, l1: 0, means: [] };
}

/** Whether `latest` is within `tolerance · max(|earlier|, floor)` of `earlier`. */
function flat(latest: number, earlier: number, c: Pick<PlateauConfig, 'tolerance' | 'floor'>): boolean {
  return Math.abs(latest - earlier) <= c.tolerance * Math.max(Math.abs(earlier), c.floor);
}

/**
 * Whether the closed windows `means` (oldest first) meet the criterion at the last one.
 *
 * @example
 * plateauReached({ tolerance: 0.01, floor: 1e-3 }, [[2, 5], [1.001, 4.99]]); // true
 */
export function plateauReached(
  c: Pick<PlateauConfig, 'tolerance' | 'floor'>,
  means: readonly (readonly [number, number])[],
): boolean {
  const k = means.length - 1;
  if (k < 1) return false;
  const j = Math.floor((k + 1) / 2) - 1;
  const [lossK, l1K] = means[k]!;
  const [lossJ, l1J] = means[j]!;
  return flat(lossK, lossJ, c) && flat(l1K, l1J, c);
}

/**
 * Adds one step's minibatch loss and L1 term (in step order, starting at a window boundary);
 * returns true when this step closed a window at which the criterion is met.
 *
 * @param c - the plateau config.
 * @param state - updated in place.
 * @example
 * const state = emptyPlateauState();
 * const converged = losses.findIndex(([loss, l1]) => addPlateauStep(config, state, loss, l1)) + 1; // 0: not converged
 */
export function addPlateauStep(c: PlateauConfig, state: PlateauState, loss: number, l1: number): boolean {
  state.loss += loss;
  state.l1 += l1;
  state.count += 1;
  if (state.count < c.window) return false;
  state.means.push([state.loss / state.count, state.l1 / state.count]);
  state.count = 0;
  state.loss = 0;
  state.l1 = 0;
  return plateauReached(c, state.means);
}
