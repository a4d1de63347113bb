/**
 * The population loss of a trained model on half-split data, delegated to `@polytoy/analytic`,
 * with the settings taken from the model config: exact (enumerating the support) for n <= 32,
 * a seeded Monte-Carlo estimate with its standard errors above (the support of n = 64 has
 * 2·C(32, 16) ≈ 1.2e9 points).
 */
import type { AnyParams, LossModelConfig } from '@polytoy/analytic';
import { exactPopulationLoss, MAX_EXACT_N, modelOptionsOf, monteCarloPopulationLoss } from '@polytoy/analytic';
import { ConfigError } from '@polytoy/core';

/** The parts of a model config the loss depends on (hidden noise is not: the loss is noise-free). */
export type ExactLossModel = LossModelConfig;

/** How a population loss was computed: enumerating the support, or a seeded Monte-Carlo estimate. */
export type PopulationLossMethod = 'exact' | 'monte-carlo';

/**
 * Monte-Carlo samples per model. Measured at n = 64: on four trained runs (m = 33, tied, linear
 * hidden layer, λ = 1e-3, 20,000 Adam steps, reconstruction 3.7e-4 … 2.2e-3) the standard error
 * of the reconstruction is 0.9e-5 … 2.0e-5 (1–2.4% of the value; the estimates at 4096, 8192
 * and 32768 samples agree within it), so for a near-zero-loss run at the success tolerance 1e-3
 * it is ≈ 1.2e-5, about 80× below the tolerance; on perturbed constructions (m = 34, Gaussian
 * noise 1e-3 … 1e-2) it is 0.3–0.4% of the value, and an exact construction gives 0 ± 0. One
 * estimate takes 30–70 ms on the shared 2-core machine (8192 samples: 50–140 ms), so the
 * analysis stays well under 100 ms per run for the loss.
 */
export const MONTE_CARLO_SAMPLES = 4096;

/**
 * The Monte-Carlo stream's seed: a constant, so an analysis is reproducible and every model is
 * evaluated on the same samples (differences between runs are then not sampling noise).
 */
export const MONTE_CARLO_SEED = 64;

/** A population loss with how it was computed. */
export interface ExactLoss {
  /** Mean over the support (exact) or the samples (Monte Carlo) of ||x − y||². */
  reconstruction: number;
  /** Mean ||h||₁ (activation target) or Σ|weights| (weight target), without lambda. */
  l1: number;
  /** reconstruction + lambda · l1. */
  loss: number;
  /** Number of support points, 2·C(n/2, n/4). */
  supportSize: number;
  lambda: number;
  l1Target: 'activations' | 'weights';
  /** `exact` (enumerated support) or `monte-carlo` (seeded estimate; see `standardError`). */
  method: PopulationLossMethod;
  /** Standard errors of `loss` and `reconstruction`: 0 for exact values. */
  standardError: { loss: number; reconstruction: number };
  /** Points averaged: the support size (exact) or the Monte-Carlo sample count. */
  samples: number;
}

/** Options of {@link populationLossOf}. */
export interface PopulationLossOptions {
  /** `auto` (default): exact for n <= 32, Monte Carlo above; `monte-carlo` forces the estimate. */
  method?: 'auto' | 'monte-carlo';
  /** Monte-Carlo samples (default {@link MONTE_CARLO_SAMPLES}). */
  samples?: number;
  /** Monte-Carlo seed (default {@link MONTE_CARLO_SEED}). */
  seed?: number;
}

/** 2·C(n/2, n/4): the half-split support's size (a float beyond 2^53, never enumerated there). */
function supportSizeOf(n: number): number {
  const h = n / 2,
    k = n / 4;
  let c = 1;
  for (let t = 1; t <= k; t++) c = (c * (h - k + t)) / t;
  return 2 * Math.round(c);
}

/**
 * Exact population loss of parameters under a model config, by enumerating the half-split
 * support (no hidden noise).
 *
 * @param params - trained or constructed parameters, n <= 32 and a multiple of 4.
 * @param model - `hiddenActivation`, `outputActivation`, `l1 {target, lambda}` of the config.
 * @param lambda - overrides `model.l1.lambda` (a run's instances may each have their own).
 * @throws ConfigError for n > 32 or n not a multiple of 4.
 * @example
 * const cfg = resolveTrainConfig({ data: { n: 16 } });
 * exactLossOf(result.instances[0]!.params, cfg.model).reconstruction;
 */
export function exactLossOf(params: AnyParams, model: ExactLossModel, lambda: number = model.l1.lambda): ExactLoss {
  const r = exactPopulationLoss(params, modelOptionsOf(model, lambda));
  return {
    reconstruction: r.reconstruction,
    l1: r.l1,
    loss: r.loss,
    supportSize: r.supportSize,
    lambda,
    l1Target: model.l1.target,
    method: 'exact',
    standardError: { loss: 0, reconstruction: 0 },
    samples: r.supportSize,
  };
}

/**
 * The population loss: exact for n <= 32 ({@link exactLossOf}), else (or when forced) a seeded
 * Monte-Carlo estimate over {@link MONTE_CARLO_SAMPLES} samples of the half-split distribution
 * with seed {@link MONTE_CARLO_SEED}, with its standard errors.
 *
 * @param params - parameters, n a multiple of 4.
 * @throws ConfigError for n not a multiple of 4 or an invalid sample count.
 * @example
 * const cfg = resolveTrainConfig({ data: { n: 64 } });
 * const p = populationLossOf(sameSignConstruction({ n: 64 }), cfg.model);
 * p.method;                        // 'monte-carlo'
 * p.reconstruction;                // 0
 * p.standardError.reconstruction;  // 0
 */
export function populationLossOf(
  params: AnyParams,
  model: ExactLossModel,
  lambda: number = model.l1.lambda,
  options: PopulationLossOptions = {},
): ExactLoss {
  const method = options.method ?? 'auto';
  if (method !== 'auto' && method !== 'monte-carlo') throw new ConfigError('method', '"auto" | "monte-carlo"', method);
  if (method === 'auto' && params.n <= MAX_EXACT_N) return exactLossOf(params, model, lambda);
  const samples = options.samples ?? MONTE_CARLO_SAMPLES;
  const r = monteCarloPopulationLoss(params, modelOptionsOf(model, lambda), samples, options.seed ?? MONTE_CARLO_SEED);
  return {
    reconstruction: r.reconstruction,
    l1: r.l1,
    loss: r.loss,
    supportSize: supportSizeOf(params.n),
    lambda,
    l1Target: model.l1.target,
    method: 'monte-carlo',
    standardError: { loss: r.standardError, reconstruction: r.reconstructionStandardError },
    samples,
  };
}
