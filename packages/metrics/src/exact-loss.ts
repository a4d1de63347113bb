/**
 * The exact population loss of a trained model (half-split data, n <= 32), delegated to
 * `@polytoy/analytic`, with the settings taken from the model config.
 */
import type { AnyParams, LossModelConfig } from '@polytoy/analytic';
import { exactPopulationLoss, modelOptionsOf } from '@polytoy/analytic';

/** The parts of a model config the loss depends on (hidden noise is not: the loss is noise-free). */
export type ExactLossModel = LossModelConfig;

export interface ExactLoss {
  /** Mean over the support of ||x − y||². */
  reconstruction: number;
  /** Mean ||h||₁ (activation target) or Σ|weights| (weight target), without lambda. */
  l1: number;
  /** reconstruction + lambda · l1. */
  loss: number;
  /** Number of support points, 2·C(n/2, n/4). */
  supportSize: number;
  lambda: number;
  l1Target: 'activations' | 'weights';
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
  };
}
