/**
 * Defaults for every config field, in one place. Chosen so `polytoy train` with no flags trains
 * the seed's model (n = 16, m = n/2 + 1) to near-zero loss in seconds on one core (20k steps:
 * by then the L1 term has pulled the solution well below the same-sign construction's cost).
 */
export const DEFAULTS = {
  data: { kind: 'half-split', n: 16 },
  model: { hiddenActivation: 'none', outputActivation: 'relu', lambda: 1e-3 },
  optimizer: { kind: 'adam', lr: 3e-3 },
  train: { seed: 0, steps: 20000, batchSize: 256, logEvery: 200 },
  /**
   * When training stops before `steps` (then the cap). `off` for `train()` and `polytoy train`:
   * a call trains exactly the steps it asks for. Experiments use {@link DEFAULTS.experiments}.
   */
  convergence: { kind: 'off' },
  /**
   * The plateau criterion's parameters (`convergence: { kind: 'plateau' }`), measured on the
   * seed's model (n = 16, m = 9, lambda 1e-3 and 1e-2, Adam and SGD): see the trainer README,
   * "Convergence". A run converges at the end of window k when the window means of the
   * regularised loss and of L1 both changed by at most `tolerance × max(|mean|, floor)` since
   * the window that ended at half the elapsed steps.
   */
  plateau: { window: 1000, tolerance: 1e-2, floor: 1e-3 },
  /**
   * An instance diverges when a minibatch loss is NaN/Inf or exceeds `blowUp` times its
   * reference (the larger of its first loss and the loss of predicting 0 on its first batch).
   */
  divergence: { blowUp: 100 },
  /** Experiments train until converged; the grid's `steps` is the cap. */
  experiments: { convergence: { kind: 'plateau' } },
} as const;
