/**
 * The one mapping from a model config (`@polytoy/core`) to the options of the analytic loss:
 * every caller that scores trained parameters exactly (the metrics pipeline, the experiments'
 * start analysis, the CLI) goes through it, so a new model option is mapped in one place.
 */
import type { ModelConfig } from '@polytoy/core';
import type { ModelOptions } from './population-loss.js';

/** The parts of a model config the population loss depends on (hidden noise is not: the loss is noise-free). */
export type LossModelConfig = Pick<ModelConfig, 'hiddenActivation' | 'outputActivation' | 'l1'>;

/**
 * The analytic options for a model config, with the lambda of one instance.
 *
 * @param model - `hiddenActivation`, `outputActivation` and `l1 {target, lambda}` of the config.
 * @param lambda - the instance's lambda (default `model.l1.lambda`; a run's instances may differ).
 * @example
 * modelOptionsOf(resolveTrainConfig({}).model, 1e-2); // { hiddenActivation: 'none', outputActivation: 'relu', lambda: 0.01, l1Target: 'activations' }
 */
export function modelOptionsOf(model: LossModelConfig, lambda: number = model.l1.lambda): Required<ModelOptions> {
  return {
    hiddenActivation: model.hiddenActivation,
    outputActivation: model.outputActivation,
    lambda,
    l1Target: model.l1.target,
  };
}
