/**
 * Defaults for every config field, in one place. Chosen so `polytoy train` with no flags trains
 * the seed's model (n = 16, m = n/2 + 1) to near-zero loss in seconds on one core (20k steps:
 * by then the L1 term has pulled the solution well below the same-sign construction's cost).
 */
export const DEFAULTS = {
  /** Sparse-uniform data: each feature present with probability `density`, importance `importanceDecay^i`. */
  data: { kind: 'half-split', n: 16, density: 0.1, importanceDecay: 1 },
  model: {
    hiddenActivation: 'none',
    outputActivation: 'relu',
    outputBias: true,
    weights: 'tied',
    /** Untied weights: the decoder constraint (untied + activation L1 is degenerate without one, SPEC §1). */
    decoderNorm: 'unit-columns',
    l1Target: 'activations',
    lambda: 1e-3,
    init: 'normal',
    /** `init: { kind: 'given' }`: the std of the Gaussian added to the given parameters. */
    perturbation: 0,
  },
  optimizer: { kind: 'adam', lr: 3e-3 },
  train: { seed: 0, steps: 20000, batchSize: 256, logEvery: 200, instances: 1 },
  schedule: { kind: 'constant', warmupSteps: 0, minFactor: 0 },
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
  /**
   * The axes a grid file (`polytoy experiment --grid`) may leave out. Its `lr` is 1e-3, below
   * `optimizer.lr`: grids sweep many cells and the smaller step diverges less often.
   */
  grid: {
    m: [{ perHalf: 1 }],
    lambda: [1e-3],
    lr: [1e-3],
    optimizer: [{ kind: 'adam' }],
    weights: ['tied'],
    hiddenActivation: ['none'],
    start: [{ kind: 'random' }],
    seeds: 1,
    batchSize: 256,
    params: 'first-seed',
    /** Construction starts: the std of the Gaussian perturbation. */
    perturbation: 0,
  },
  /**
   * `polytoy train --init-from construction`: the same-sign construction (SPEC §2) at the
   * construction's own c = 1/2.
   */
  construction: { c: 0.5 },
  /**
   * The playground's own choices where they differ from a `train()` call: lambda 1e-2 (the ±eps
   * neuron forms within seconds), SGD momentum 0.9 and AdamW decay 0.01 preset for when the
   * optimizer is switched, a log point every 20 steps for a smooth chart, 1 000 steps per second.
   */
  playground: { lambda: 1e-2, noiseLevel: 0.1, momentum: 0.9, weightDecay: 0.01, logEvery: 20, pace: 1000 },
} as const;

/**
 * The default number of hidden neurons for `n` features: n/2 + 1, the size of the seed's
 * same-sign construction (n/2 neurons for the halves plus one ±eps neuron).
 *
 * @param n - features (a positive integer).
 * @example
 * defaultHiddenSize(16); // 9
 */
export function defaultHiddenSize(n: number): number {
  return Math.floor(n / 2) + 1;
}
