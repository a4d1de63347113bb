/**
 * Defaults for every config field, in one place. Chosen so `polytoy train` with no flags trains
 * the seed's model (n = 16, m = n/2 + 1) to near-zero loss in about a minute on one core.
 */
export const DEFAULTS = {
  data: { kind: 'half-split', n: 16 },
  model: { hiddenActivation: 'none', outputActivation: 'relu', lambda: 1e-3 },
  optimizer: { kind: 'adam', lr: 3e-3 },
  train: { seed: 0, steps: 3000, batchSize: 256, logEvery: 100 },
} as const;
