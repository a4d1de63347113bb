/**
 * Metrics of every instance of a saved run (`polytoy.run/1`, what `polytoy train --out` writes).
 */
import type { DataKind, LossRecord } from '@polytoy/core';
import { checkLambda, ConfigError, DEFAULTS, parseRunRecord } from '@polytoy/core';
import type { AnalyseModelOptions, ModelAnalysis } from './analyse-model.js';
import { analyseModel } from './analyse-model.js';

/** The settings of the run that the metrics depend on, read from its config. */
export interface RunSettings {
  dataKind: DataKind;
  n: number;
  weights: 'tied' | 'untied';
  hiddenActivation: 'none' | 'relu';
  outputActivation: 'relu' | 'none';
  l1Target: 'activations' | 'weights';
  /** The config's lambda (each instance may override it). */
  lambda: number;
}

export interface InstanceMetrics {
  instance: number;
  seed: number;
  lambda: number;
  lr: number;
  /** The last logged loss of training (a batch estimate). */
  finalLoss: LossRecord;
  /** The pipeline's analysis (`analyseModel`), with the instance's lambda. */
  analysis: ModelAnalysis;
}

export interface RunMetrics {
  createdAt: string;
  settings: RunSettings;
  instances: InstanceMetrics[];
}

export type ReadRunOptions = AnalyseModelOptions;

function field(obj: unknown, key: string): unknown {
  return obj && typeof obj === 'object' ? (obj as Record<string, unknown>)[key] : undefined;
}

function oneOf<T extends string>(value: unknown, options: readonly T[], fallback: T, path: string): T {
  if (value === undefined) return fallback;
  if (typeof value === 'string' && (options as readonly string[]).includes(value)) return value as T;
  throw new ConfigError(path, options.map((o) => `"${o}"`).join(' | '), value);
}

/** Reads the metric-relevant settings from a run record's (normalised) config, defensively (records come from files). */
function runSettings(config: unknown, n: number): RunSettings {
  const data = field(config, 'data');
  const model = field(config, 'model');
  const l1 = field(model, 'l1');
  const lambda = checkLambda(field(l1, 'lambda') ?? DEFAULTS.model.lambda, 'config.model.l1.lambda');
  const dataKind = oneOf(field(data, 'kind'), ['half-split', 'basis', 'sparse-uniform'], DEFAULTS.data.kind, 'config.data.kind');
  return {
    dataKind,
    n,
    weights: oneOf(field(field(model, 'weights'), 'kind'), ['tied', 'untied'], 'tied', 'config.model.weights.kind'),
    hiddenActivation: oneOf(
      field(model, 'hiddenActivation'),
      ['none', 'relu'],
      DEFAULTS.model.hiddenActivation,
      'config.model.hiddenActivation',
    ),
    outputActivation: oneOf(
      field(model, 'outputActivation'),
      ['relu', 'none'],
      DEFAULTS.model.outputActivation,
      'config.model.outputActivation',
    ),
    l1Target: oneOf(field(l1, 'target'), ['activations', 'weights'], 'activations', 'config.model.l1.target'),
    lambda,
  };
}

/**
 * Parses a run record and analyses every instance with the pipeline (`analyseModel`): taxonomy,
 * neuron-level reading, paper count and (half-split, n <= 32) the exact population loss, each
 * with the instance's own lambda.
 *
 * @param json - the parsed JSON of a `polytoy.run/1` record, or its text.
 * @param options - thresholds, paper band, distances and exact loss on/off.
 * @throws PolytoyError if it is not a run record; ConfigError for invalid parameters or settings.
 * @example
 * const run = readRunMetrics(fs.readFileSync('run.json', 'utf8'));
 * run.instances.map((r) => r.analysis.taxonomy?.label);
 */
export function readRunMetrics(json: unknown, options: ReadRunOptions = {}): RunMetrics {
  const { record, params } = parseRunRecord(typeof json === 'string' ? (JSON.parse(json) as unknown) : json);
  // n from the parameters, or the config when every instance diverged (no parameters).
  const configN = field(field(record.config, 'data'), 'n');
  const settings = runSettings(record.config, params[0]?.n ?? (typeof configN === 'number' ? configN : 0));
  const model = {
    hiddenActivation: settings.hiddenActivation,
    outputActivation: settings.outputActivation,
    l1: { target: settings.l1Target, lambda: settings.lambda },
  };
  const data = { kind: settings.dataKind as DataKind, n: settings.n };
  const instances = record.instances.map((inst, k): InstanceMetrics => {
    const lambda = typeof inst.lambda === 'number' ? inst.lambda : settings.lambda;
    return {
      instance: inst.instance,
      seed: inst.seed,
      lambda,
      lr: inst.lr,
      finalLoss: inst.finalLoss,
      analysis: analyseModel(params[k]!, { data, model, lambda }, options),
    };
  });
  return { createdAt: record.createdAt, settings, instances };
}
