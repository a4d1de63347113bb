/**
 * The playground's controls as data: defaults, parsing from a URL query (shareable links, and
 * how the browser tests set up a run), and conversion to a trainer config.
 */
import type { TiedParams, TrainConfigInput } from '@polytoy/core';
import { ConfigError } from '@polytoy/core';
import { sameSignConstruction } from '@polytoy/analytic';

/** Everything the controls set. */
export interface Settings {
  /** Features (a multiple of 4). */
  n: number;
  /** Hidden neurons. */
  m: number;
  /** Activation-L1 weight. */
  lambda: number;
  lr: number;
  optimizer: 'adam' | 'adamw' | 'sgd';
  steps: number;
  batchSize: number;
  logEvery: number;
  weights: 'tied' | 'untied';
  seed: number;
  /** `construction`: start from the same-sign zero-loss construction (SPEC §2, c = 1/2). */
  init: 'random' | 'construction';
}

/** The seed's model, trained briefly: n = 16, m = n/2 + 1, Adam. */
export const DEFAULT_SETTINGS: Readonly<Settings> = Object.freeze({
  n: 16,
  m: 9,
  lambda: 1e-3,
  lr: 1e-2,
  optimizer: 'adam',
  steps: 2000,
  batchSize: 256,
  logEvery: 10,
  weights: 'tied',
  seed: 0,
  init: 'random',
});

/** Query-string key of each setting (`?n=32&m=17&weights=untied`). */
export const QUERY_KEYS: Readonly<Record<keyof Settings, string>> = Object.freeze({
  n: 'n',
  m: 'm',
  lambda: 'lambda',
  lr: 'lr',
  optimizer: 'optimizer',
  steps: 'steps',
  batchSize: 'batch',
  logEvery: 'logEvery',
  weights: 'weights',
  seed: 'seed',
  init: 'init',
});

const CHOICES = {
  optimizer: ['adam', 'adamw', 'sgd'],
  weights: ['tied', 'untied'],
  init: ['random', 'construction'],
} as const;

type ChoiceKey = keyof typeof CHOICES;
const isChoice = (key: keyof Settings): key is ChoiceKey => key in CHOICES;

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
  const value = Number(text.trim());
  if (text.trim() === '' || !Number.isFinite(value)) throw new ConfigError(key, 'a finite number', text);
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
 * The trainer config for a set of controls: half-split data, activation L1, linear hidden layer,
 * output ReLU with bias (the seed's model), one instance.
 *
 * @example
 * const config = settingsToConfig({ ...DEFAULT_SETTINGS, seed: 3 });
 * config.data; // { kind: 'half-split', n: 16 }
 */
export function settingsToConfig(settings: Settings): TrainConfigInput {
  const { n, m } = settings;
  return {
    seed: settings.seed,
    steps: settings.steps,
    batchSize: settings.batchSize,
    logEvery: settings.logEvery,
    data: { kind: 'half-split', n },
    model: {
      m,
      weights: settings.weights === 'tied' ? { kind: 'tied' } : { kind: 'untied' },
      l1: { target: 'activations', lambda: settings.lambda },
      init:
        settings.init === 'construction'
          ? { kind: 'given', params: constructionFor(settings), perturbation: 0 }
          : { kind: 'normal' },
    },
    optimizer: { kind: settings.optimizer, lr: settings.lr },
  };
}
