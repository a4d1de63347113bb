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
} as const;
