/**
 * Config types: `*Input` is what a user writes (every field optional), the plain names are the
 * normalised configs with all defaults filled in. {@link resolveTrainConfig} turns one into the
 * other and throws a one-line {@link ConfigError} for bad input.
 */
import type { z } from 'zod';
import { defaultHiddenSize } from './defaults.js';
import { ConfigError } from './errors.js';
import type { ModelParams } from './params.js';
import {
  convergenceConfigSchema,
  dataConfigSchema,
  type divergenceConfigSchema,
  lambdaSchema,
  type modelConfigSchema,
  optimizerConfigSchema,
  scheduleConfigSchema,
  trainConfigSchema,
} from './config-schema.js';

export type DataConfig = z.output<typeof dataConfigSchema>;
export type DataKind = DataConfig['kind'];
export type OptimizerConfig = z.output<typeof optimizerConfigSchema>;
export type ScheduleConfig = z.output<typeof scheduleConfigSchema>;
/** When training stops: `{ kind: 'off' }` (exactly `steps`) or `{ kind: 'plateau', window, tolerance, floor }`. */
export type ConvergenceConfig = z.output<typeof convergenceConfigSchema>;
/** The plateau criterion's parameters. */
export type PlateauConfig = Extract<ConvergenceConfig, { kind: 'plateau' }>;
/** Divergence detection: `{ blowUp }` (NaN/Inf is always divergence). */
export type DivergenceConfig = z.output<typeof divergenceConfigSchema>;
/** The model config as the schema outputs it (before `n`, `m` and `init` are normalised). */
export type ModelConfigParsed = z.output<typeof modelConfigSchema>;

export type WeightsConfig = ModelConfigParsed['weights'];
export type HiddenActivation = ModelConfigParsed['hiddenActivation'];
export type OutputActivation = ModelConfigParsed['outputActivation'];
export type HiddenNoiseConfig = ModelConfigParsed['hiddenNoise'];
export type L1Config = ModelConfigParsed['l1'];
export type InitConfig =
  | { kind: 'normal'; std?: number | undefined }
  | { kind: 'xavier' }
  | { kind: 'given'; params: ModelParams; perturbation: number };

/** The model's architecture and regulariser, normalised: `n` and `m` are always present. */
export interface ModelConfig extends Omit<ModelConfigParsed, 'm' | 'init'> {
  /** Features (input = output size); equals `data.n`. */
  n: number;
  /** Hidden neurons. */
  m: number;
  init: InitConfig;
}

/** One independent instance of a multi-instance run. */
export interface InstanceSpec {
  seed: number;
  lambda: number;
  lr: number;
  /** Sparse-uniform data: this instance's density (absent: `data.density`). */
  density?: number;
  /** Sparse-uniform data: this instance's importance decay (absent: `data.importanceDecay`). */
  importanceDecay?: number;
}

/** A complete, validated training config. */
export interface TrainConfig {
  seed: number;
  steps: number;
  batchSize: number;
  logEvery: number;
  /** Always an explicit list after normalisation; instance i defaults to seed + i. */
  instances: InstanceSpec[];
  data: DataConfig;
  model: ModelConfig;
  optimizer: OptimizerConfig;
  schedule: ScheduleConfig;
  /** When to stop before `steps` (then the cap); see {@link ConvergenceConfig}. */
  convergence: ConvergenceConfig;
  divergence: DivergenceConfig;
}

/** What a user may write: every field optional, defaults from `defaults.ts`. */
export type TrainConfigInput = z.input<typeof trainConfigSchema>;

/** Converts the first zod issue to a {@link ConfigError}. */
function toConfigError(error: z.ZodError, root: string): ConfigError {
  const issue = error.issues[0]!;
  const path = [root, ...issue.path.map(String)].filter(Boolean).join('.');
  const expected = issue.message.replace(/^[\w.]+: expected /, '');
  let received = 'input' in issue ? issue.input : undefined;
  // Discriminator errors report the whole object as input; show the offending field instead.
  const last = issue.path[issue.path.length - 1];
  if (received && typeof received === 'object' && typeof last === 'string' && last in received) {
    received = (received as Record<string, unknown>)[last];
  }
  if (issue.code === 'unrecognized_keys') {
    return new ConfigError(path, `no unknown fields`, issue.keys.join(', '));
  }
  return new ConfigError(path, expected, received);
}

/**
 * Validates a user config and fills every default. A config this function returned is returned
 * as it is (see {@link isResolvedTrainConfig}).
 *
 * @param input - a partial config (e.g. parsed from JSON or CLI flags).
 * @returns the normalised {@link TrainConfig}.
 * @throws ConfigError naming the first bad field, e.g. `data.n: expected a positive multiple of 4…, received 10`.
 * @example
 * const cfg = resolveTrainConfig({ data: { n: 8 }, steps: 500 });
 * cfg.model.m; // 5 (= n/2 + 1)
 */
export function resolveTrainConfig(input: unknown = {}): TrainConfig {
  // Resolved once: a config this function returned passes through (the CLI resolves, train() and
  // its workers take the result as it is).
  if (isResolvedTrainConfig(input)) return input;
  const parsed = trainConfigSchema.safeParse(input ?? {}, { reportInput: true });
  if (!parsed.success) throw toConfigError(parsed.error, '');
  const p = parsed.data;
  const n = p.data.n;
  const m = p.model.m ?? defaultHiddenSize(n);
  const base: InstanceSpec = { seed: p.seed, lambda: p.model.l1.lambda, lr: p.optimizer.lr };
  const instances: InstanceSpec[] =
    typeof p.instances === 'number'
      ? Array.from({ length: p.instances }, (_, i) => ({ ...base, seed: p.seed + i }))
      : p.instances.map((o, i) => ({
          seed: o.seed ?? p.seed + i,
          lambda: o.lambda ?? base.lambda,
          lr: o.lr ?? base.lr,
          ...instanceDataOverrides(o, p.data.kind, i),
        }));
  if (p.data.kind === 'basis' && p.batchSize !== n) {
    // The paper trains on all n basis vectors at once: the batch is the whole dataset.
    throw new ConfigError('batchSize', `n = ${n} for basis data (the batch is all n basis vectors)`, p.batchSize);
  }
  if (p.model.n !== undefined && p.model.n !== n) throw new ConfigError('model.n', `data.n = ${n}`, p.model.n);
  const model: ModelConfig = { ...p.model, n, m, init: p.model.init as InitConfig };
  if (model.init.kind === 'given') checkParamsShape(model.init.params, { n, m }, 'model.init.params');
  const config: TrainConfig = { ...p, instances, model };
  resolved.add(config);
  return config;
}

/** Configs this module returned: resolving one again returns it as it is. */
const resolved = new WeakSet<object>();

/**
 * Whether `config` is a {@link TrainConfig} returned by {@link resolveTrainConfig} (so code below
 * the boundary can take it as it is instead of resolving it again). Treat resolved configs as
 * immutable: spread a copy (`{ ...config, steps: 10 }`) to change one, and resolve the copy.
 *
 * @example
 * isResolvedTrainConfig(resolveTrainConfig({})); // true
 * isResolvedTrainConfig({ data: { n: 8 } }); // false
 */
export function isResolvedTrainConfig(config: unknown): config is TrainConfig {
  return typeof config === 'object' && config !== null && resolved.has(config);
}

/**
 * The one lambda rule (the schema's: a finite number >= 0), for functions that take a bare lambda.
 *
 * @param lambda - the value to check.
 * @param path - the argument's name in the error.
 * @returns `lambda`, typed as a number.
 * @throws ConfigError `lambda: expected a finite lambda >= 0, received -1`.
 * @example
 * checkLambda(1e-3); // 0.001
 */
export function checkLambda(lambda: unknown, path = 'lambda'): number {
  const parsed = lambdaSchema.safeParse(lambda, { reportInput: true });
  if (!parsed.success) throw toConfigError(parsed.error, path);
  return parsed.data;
}

/**
 * The one parameter-shape rule: parameters fit a model when their `n` and `m` are the model's.
 *
 * @param params - parameters (or anything with their `n`, `m`).
 * @param model - the model's `n` and `m`.
 * @param path - the argument's name in the error.
 * @throws ConfigError `model.init.params: expected parameters of shape n=16, m=9, received "n=8, m=5"`.
 * @example
 * checkParamsShape({ n: 16, m: 9 }, { n: 16, m: 9 }, 'params'); // passes
 */
export function checkParamsShape(
  params: { readonly n: number; readonly m: number },
  model: { readonly n: number; readonly m: number },
  path: string,
): void {
  if (params.n !== model.n || params.m !== model.m) {
    throw new ConfigError(path, `parameters of shape n=${model.n}, m=${model.m}`, `n=${params.n}, m=${params.m}`);
  }
}

/** Per-instance data fields (present only when given, so other configs keep their exact shape). */
function instanceDataOverrides(
  o: { density?: number | undefined; importanceDecay?: number | undefined },
  kind: string,
  i: number,
): Pick<InstanceSpec, 'density' | 'importanceDecay'> {
  for (const key of ['density', 'importanceDecay'] as const) {
    if (o[key] !== undefined && kind !== 'sparse-uniform') {
      throw new ConfigError(`instances.${i}.${key}`, 'no per-instance data fields unless data.kind is "sparse-uniform"', o[key]);
    }
  }
  return {
    ...(o.density !== undefined ? { density: o.density } : {}),
    ...(o.importanceDecay !== undefined ? { importanceDecay: o.importanceDecay } : {}),
  };
}

/**
 * Validates only a data config (for generators used on their own).
 *
 * @example
 * resolveDataConfig({ kind: 'half-split', n: 16 });
 */
export function resolveDataConfig(input: unknown): DataConfig {
  const parsed = dataConfigSchema.safeParse(input ?? {}, { reportInput: true });
  if (!parsed.success) throw toConfigError(parsed.error, 'data');
  return parsed.data;
}

/** Validates an optimizer config on its own. */
export function resolveOptimizerConfig(input: unknown): OptimizerConfig {
  const parsed = optimizerConfigSchema.safeParse(input ?? {}, { reportInput: true });
  if (!parsed.success) throw toConfigError(parsed.error, 'optimizer');
  return parsed.data;
}

/**
 * Validates a convergence config on its own.
 *
 * @example
 * resolveConvergenceConfig({ kind: 'plateau' }); // { kind: 'plateau', window: 1000, tolerance: 0.01, floor: 0.001 }
 */
export function resolveConvergenceConfig(input: unknown): ConvergenceConfig {
  const parsed = convergenceConfigSchema.safeParse(input ?? {}, { reportInput: true });
  if (!parsed.success) throw toConfigError(parsed.error, 'convergence');
  return parsed.data;
}

/** Validates a schedule config on its own. */
export function resolveScheduleConfig(input: unknown): ScheduleConfig {
  const parsed = scheduleConfigSchema.safeParse(input ?? {}, { reportInput: true });
  if (!parsed.success) throw toConfigError(parsed.error, 'schedule');
  return parsed.data;
}
