/**
 * The playground's controls as data: every model and training option the trainer has, their
 * defaults, parsing from a URL query (shareable links, and how the browser tests set up a run),
 * conversion to a trainer config, and back from a loaded run's config.
 */
import type { ModelParams, OptimizerKind, TiedParams, TrainConfigInput } from '@polytoy/core';
import { ConfigError, DEFAULTS, defaultHiddenSize, OPTIMIZER_KINDS } from '@polytoy/core';
import { sameSignConstruction } from '@polytoy/analytic';

/** Everything the controls set. */
export interface Settings {
  /** Data: the seed's half-split data, the n basis vectors (the paper), or sparse-uniform features (TMS). */
  data: 'half-split' | 'basis' | 'sparse-uniform';
  /** Features (a multiple of 4 for half-split data). */
  n: number;
  /** Sparse-uniform: probability that a feature is present. */
  density: number;
  /** Sparse-uniform: feature i has importance decay^i. */
  importanceDecay: number;
  /** Hidden neurons. */
  m: number;
  weights: 'tied' | 'untied';
  /** Untied: unit-norm decoder columns (without it the activation L1 is degenerate, SPEC §1). */
  decoderNorm: 'unit-columns' | 'none';
  hidden: 'none' | 'relu';
  output: 'relu' | 'none';
  outputBias: 'on' | 'off';
  /** L1 on the hidden activations (the seed) or on the weights (the paper). */
  l1Target: 'activations' | 'weights';
  /** L1 weight λ. */
  lambda: number;
  noise: 'none' | 'gaussian' | 'bernoulli';
  /** Gaussian: std; Bernoulli: drop probability. */
  noiseLevel: number;
  /** `construction`: start from the same-sign zero-loss construction (SPEC §2, c = 1/2). */
  init: 'random' | 'xavier' | 'construction';
  optimizer: OptimizerKind;
  lr: number;
  /** SGD momentum. */
  momentum: number;
  /** AdamW weight decay. */
  weightDecay: number;
  schedule: 'constant' | 'cosine';
  warmupSteps: number;
  steps: number;
  batchSize: number;
  logEvery: number;
  /** Instances trained side by side (seeds seed, seed + 1, …). */
  instances: number;
  seed: number;
  /** Updates per second to pace the run at (so that it can be watched), or 0 for as fast as possible. */
  pace: number;
}

/**
 * Worth watching: the seed's model (n = 16, m = n/2 + 1) at λ = 1e-2, 20 000 Adam steps paced at
 * 1 000 per second — the ±eps (disambiguation) neuron forms a few seconds in.
 */
export const DEFAULT_SETTINGS: Readonly<Settings> = Object.freeze({
  data: DEFAULTS.data.kind,
  n: DEFAULTS.data.n,
  density: DEFAULTS.data.density,
  importanceDecay: DEFAULTS.data.importanceDecay,
  m: defaultHiddenSize(DEFAULTS.data.n),
  weights: DEFAULTS.model.weights,
  decoderNorm: DEFAULTS.model.decoderNorm,
  hidden: DEFAULTS.model.hiddenActivation,
  output: DEFAULTS.model.outputActivation,
  outputBias: DEFAULTS.model.outputBias ? 'on' : 'off',
  l1Target: DEFAULTS.model.l1Target,
  lambda: DEFAULTS.playground.lambda,
  noise: 'none',
  noiseLevel: DEFAULTS.playground.noiseLevel,
  init: 'random',
  optimizer: DEFAULTS.optimizer.kind,
  lr: DEFAULTS.optimizer.lr,
  momentum: DEFAULTS.playground.momentum,
  weightDecay: DEFAULTS.playground.weightDecay,
  schedule: DEFAULTS.schedule.kind,
  warmupSteps: DEFAULTS.schedule.warmupSteps,
  steps: DEFAULTS.train.steps,
  batchSize: DEFAULTS.train.batchSize,
  logEvery: DEFAULTS.playground.logEvery,
  instances: DEFAULTS.train.instances,
  seed: DEFAULTS.train.seed,
  pace: DEFAULTS.playground.pace,
});

/** Query-string key of each setting (`?n=32&m=17&weights=untied`). */
export const QUERY_KEYS: Readonly<Record<keyof Settings, string>> = Object.freeze({
  data: 'data',
  n: 'n',
  density: 'density',
  importanceDecay: 'importance',
  m: 'm',
  weights: 'weights',
  decoderNorm: 'decoderNorm',
  hidden: 'hidden',
  output: 'output',
  outputBias: 'bias',
  l1Target: 'l1',
  lambda: 'lambda',
  noise: 'noise',
  noiseLevel: 'noiseLevel',
  init: 'init',
  optimizer: 'optimizer',
  lr: 'lr',
  momentum: 'momentum',
  weightDecay: 'weightDecay',
  schedule: 'schedule',
  warmupSteps: 'warmup',
  steps: 'steps',
  batchSize: 'batch',
  logEvery: 'logEvery',
  instances: 'instances',
  seed: 'seed',
  pace: 'pace',
});

/** The choices of the enumerated settings. */
export const CHOICES = {
  data: ['half-split', 'basis', 'sparse-uniform'],
  weights: ['tied', 'untied'],
  decoderNorm: ['unit-columns', 'none'],
  hidden: ['none', 'relu'],
  output: ['relu', 'none'],
  outputBias: ['on', 'off'],
  l1Target: ['activations', 'weights'],
  noise: ['none', 'gaussian', 'bernoulli'],
  init: ['random', 'xavier', 'construction'],
  optimizer: OPTIMIZER_KINDS,
  schedule: ['constant', 'cosine'],
} as const satisfies Partial<Record<keyof Settings, readonly string[]>>;

type ChoiceKey = keyof typeof CHOICES;
const isChoice = (key: keyof Settings): key is ChoiceKey => key in CHOICES;

/** Most instances side by side (the page draws one card each). */
export const MAX_INSTANCES = 8;

/**
 * Parses one setting from text (a form field or query value).
 *
 * @throws ConfigError naming the setting when the text is not a finite number or not one of the choices.
 * @example
 * parseSetting('lambda', '1e-3'); // 0.001
 */
export function parseSetting<K extends keyof Settings>(key: K, text: string): Settings[K] {
  if (isChoice(key)) {
    const allowed: readonly string[] = CHOICES[key];
    if (!allowed.includes(text)) throw new ConfigError(key, allowed.map((c) => `"${c}"`).join(' | '), text);
    return text as Settings[K];
  }
  const trimmed = text.trim();
  // Decimal only: Number('0x10') is 16, which nobody means in a form.
  const value = /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(trimmed) ? Number(trimmed) : Number.NaN;
  if (!Number.isFinite(value)) throw new ConfigError(key, 'a finite decimal number', text);
  if (key === 'instances' && !(Number.isInteger(value) && value >= 1 && value <= MAX_INSTANCES)) {
    throw new ConfigError(key, `an integer from 1 to ${MAX_INSTANCES}`, text);
  }
  if (key === 'pace' && value < 0) throw new ConfigError(key, 'updates per second >= 0 (0: as fast as possible)', text);
  return value as Settings[K];
}

/**
 * Reads settings from a URL query; missing keys keep their defaults.
 *
 * @throws ConfigError for a value that does not parse.
 * @example
 * settingsFromQuery(new URLSearchParams('n=32&m=17')).m; // 17
 */
export function settingsFromQuery(query: URLSearchParams, base: Settings = DEFAULT_SETTINGS): Settings {
  const out: Settings = { ...base };
  for (const key of Object.keys(QUERY_KEYS) as (keyof Settings)[]) {
    const text = query.get(QUERY_KEYS[key]);
    if (text !== null) (out as Record<keyof Settings, unknown>)[key] = parseSetting(key, text);
  }
  // A changed n without an explicit m gets the seed's m = n/2 + 1.
  if (query.has(QUERY_KEYS.n) && !query.has(QUERY_KEYS.m)) out.m = out.n / 2 + 1;
  return out;
}

/**
 * Writes settings as a URL query (only values that differ from the defaults).
 *
 * @example
 * settingsToQuery({ ...DEFAULT_SETTINGS, seed: 3 }).toString(); // 'seed=3'
 */
export function settingsToQuery(settings: Settings): URLSearchParams {
  const query = new URLSearchParams();
  for (const key of Object.keys(QUERY_KEYS) as (keyof Settings)[]) {
    if (settings[key] !== DEFAULT_SETTINGS[key]) query.set(QUERY_KEYS[key], String(settings[key]));
  }
  return query;
}

/**
 * The same-sign construction for these settings' n and m (m must be at least n/2 + 1).
 *
 * @throws ConfigError from `@polytoy/analytic` when n is not a multiple of 4 or m is too small.
 * @example
 * constructionFor({ ...DEFAULT_SETTINGS, n: 8, m: 5 }).b[0]; // -0.5
 */
export function constructionFor(settings: Pick<Settings, 'n' | 'm'>): TiedParams {
  return sameSignConstruction({ n: settings.n, m: settings.m });
}

/**
 * The construction as the start of a run of these settings: tied as it is, untied as E = W and
 * D = Wᵀ (the same function).
 */
function constructionStart(settings: Settings): ModelParams {
  const p = sameSignConstruction({ n: settings.n, m: settings.m });
  if (settings.weights === 'tied') return p;
  const { n, m } = p;
  const D = new Float32Array(n * m);
  for (let j = 0; j < m; j++) for (let i = 0; i < n; i++) D[i * m + j] = p.W[j * n + i]!;
  return { kind: 'untied', n, m, E: p.W.slice(), D, b: p.b.slice() };
}

/**
 * The trainer config for a set of controls.
 *
 * @throws ConfigError from `@polytoy/analytic` for a construction start that does not fit (m < n/2 + 1).
 * @example
 * const config = settingsToConfig({ ...DEFAULT_SETTINGS, seed: 3 });
 * config.data; // { kind: 'half-split', n: 16 }
 */
export function settingsToConfig(settings: Settings): TrainConfigInput {
  const { n, m } = settings;
  const data: TrainConfigInput['data'] =
    settings.data === 'sparse-uniform'
      ? { kind: 'sparse-uniform', n, density: settings.density, importanceDecay: settings.importanceDecay }
      : { kind: settings.data, n };
  const noise =
    settings.noise === 'gaussian'
      ? { kind: 'gaussian' as const, std: settings.noiseLevel }
      : settings.noise === 'bernoulli'
        ? { kind: 'bernoulli' as const, p: settings.noiseLevel }
        : { kind: 'none' as const };
  const optimizer =
    settings.optimizer === 'sgd'
      ? { kind: 'sgd' as const, lr: settings.lr, momentum: settings.momentum }
      : settings.optimizer === 'adamw'
        ? { kind: 'adamw' as const, lr: settings.lr, weightDecay: settings.weightDecay }
        : { kind: 'adam' as const, lr: settings.lr };
  return {
    seed: settings.seed,
    steps: settings.steps,
    // The paper's data is the n basis vectors, all of them in every batch.
    batchSize: settings.data === 'basis' ? n : settings.batchSize,
    logEvery: settings.logEvery,
    instances: settings.instances,
    data,
    model: {
      m,
      weights: settings.weights === 'tied' ? { kind: 'tied' } : { kind: 'untied', decoderNorm: settings.decoderNorm },
      hiddenActivation: settings.hidden,
      outputActivation: settings.output,
      outputBias: settings.outputBias === 'on',
      l1: { target: settings.l1Target, lambda: settings.lambda },
      hiddenNoise: noise,
      init:
        settings.init === 'construction'
          ? { kind: 'given', params: constructionStart(settings), perturbation: 0 }
          : settings.init === 'xavier'
            ? { kind: 'xavier' }
            : { kind: 'normal' },
    },
    optimizer,
    schedule:
      settings.schedule === 'cosine'
        ? { kind: 'cosine', warmupSteps: settings.warmupSteps }
        : { kind: 'constant', warmupSteps: settings.warmupSteps },
  };
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * The controls that reproduce a loaded run's config (a `polytoy.run/1` record's `config`), as far
 * as the controls can express it; anything else keeps the given base's value.
 *
 * @example
 * settingsFromConfig(record.config).n; // 16
 */
export function settingsFromConfig(config: unknown, base: Settings = DEFAULT_SETTINGS): Settings {
  const c = isObject(config) ? config : {};
  const data = isObject(c.data) ? c.data : {};
  const model = isObject(c.model) ? c.model : {};
  const weights = isObject(model.weights) ? model.weights : {};
  const l1 = isObject(model.l1) ? model.l1 : {};
  const noise = isObject(model.hiddenNoise) ? model.hiddenNoise : {};
  const init = isObject(model.init) ? model.init : {};
  const opt = isObject(c.optimizer) ? c.optimizer : {};
  const schedule = isObject(c.schedule) ? c.schedule : {};
  const out: Settings = { ...base };
  const set = <K extends keyof Settings>(key: K, value: unknown): void => {
    try {
      if (typeof value === 'number' || typeof value === 'string') out[key] = parseSetting(key, String(value));
    } catch {
      // A value the controls cannot show keeps the base's.
    }
  };
  set('data', data.kind);
  set('n', data.n);
  set('density', data.density);
  set('importanceDecay', data.importanceDecay);
  set('m', model.m);
  set('weights', weights.kind);
  set('decoderNorm', weights.decoderNorm);
  set('hidden', model.hiddenActivation);
  set('output', model.outputActivation);
  if (typeof model.outputBias === 'boolean') out.outputBias = model.outputBias ? 'on' : 'off';
  set('l1Target', l1.target);
  set('lambda', l1.lambda);
  set('noise', noise.kind);
  set('noiseLevel', noise.kind === 'gaussian' ? noise.std : noise.p);
  set('init', init.kind === 'given' ? 'construction' : init.kind === 'normal' ? 'random' : init.kind);
  set('optimizer', opt.kind);
  set('lr', opt.lr);
  set('momentum', opt.momentum);
  set('weightDecay', opt.weightDecay);
  set('schedule', schedule.kind);
  set('warmupSteps', schedule.warmupSteps);
  set('steps', c.steps);
  set('batchSize', c.batchSize);
  set('logEvery', c.logEvery);
  set('seed', c.seed);
  if (Array.isArray(c.instances)) set('instances', c.instances.length);
  else set('instances', c.instances);
  return out;
}

/**
 * What the settings describe, in words (the page's subtitle): the model's formula for the chosen
 * weights and activations, the data and the regulariser.
 *
 * @example
 * describeSettings({ ...DEFAULT_SETTINGS, weights: 'untied' }).model; // 'untied autoencoder y = ReLU(D E x + b), unit-norm decoder columns'
 */
export function describeSettings(s: Settings): { model: string; data: string; training: string } {
  const h = s.hidden === 'relu' ? 'ReLU(E x)' : 'E x';
  const inner =
    s.weights === 'tied' ? (s.hidden === 'relu' ? 'Wᵀ ReLU(W x)' : 'Wᵀ W x') : s.hidden === 'relu' ? `D ${h}` : 'D E x';
  const withBias = s.outputBias === 'on' ? `${inner} + b` : inner;
  const y = s.output === 'relu' ? `ReLU(${withBias})` : withBias;
  const model = `${s.weights} autoencoder y = ${y}${s.weights === 'untied' ? (s.decoderNorm === 'unit-columns' ? ', unit-norm decoder columns' : ', unconstrained decoder') : ''}`;
  const data =
    s.data === 'half-split'
      ? `half-split data (n = ${s.n}: n/4 ones in one half)`
      : s.data === 'basis'
        ? `the ${s.n} basis vectors (the paper's data)`
        : `sparse-uniform features (n = ${s.n}, density ${s.density}, importance ${s.importanceDecay}^i)`;
  const noise = s.noise === 'none' ? '' : `, ${s.noise} hidden noise ${s.noiseLevel}`;
  const opt =
    s.optimizer === 'sgd' ? `SGD (momentum ${s.momentum})` : s.optimizer === 'adamw' ? `AdamW (decay ${s.weightDecay})` : 'Adam';
  const training = `m = ${s.m}, L1 on ${s.l1Target} λ = ${s.lambda}${noise}; ${opt}, lr ${s.lr}${s.schedule === 'cosine' ? ' cosine' : ''}`;
  return { model, data, training };
}
