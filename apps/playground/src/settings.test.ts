import { ConfigError, resolveTrainConfig } from '@polytoy/core';
import { sameSignConstruction } from '@polytoy/analytic';
import { describe, expect, it } from 'vitest';
import type { Settings } from './settings.js';
import {
  CHOICES,
  constructionFor,
  DEFAULT_SETTINGS,
  describeSettings,
  parseSetting,
  settingsFromConfig,
  settingsFromQuery,
  settingsToConfig,
  settingsToQuery,
} from './settings.js';

/** Every setting away from its default. */
const ALL: Settings = {
  data: 'sparse-uniform',
  n: 32,
  density: 0.2,
  importanceDecay: 0.9,
  m: 20,
  weights: 'untied',
  decoderNorm: 'none',
  hidden: 'relu',
  output: 'none',
  outputBias: 'off',
  l1Target: 'weights',
  lambda: 0.003,
  noise: 'bernoulli',
  noiseLevel: 0.25,
  init: 'xavier',
  optimizer: 'sgd',
  lr: 2e-3,
  momentum: 0.5,
  weightDecay: 0.1,
  schedule: 'cosine',
  warmupSteps: 50,
  steps: 123,
  batchSize: 64,
  logEvery: 7,
  instances: 3,
  seed: -4,
  pace: 250,
};

describe('settings ↔ query', () => {
  it('round-trips every setting through a URL query', () => {
    const query = settingsToQuery(ALL);
    expect(query.get('batch')).toBe('64');
    expect([...query.keys()]).toHaveLength(Object.keys(DEFAULT_SETTINGS).length);
    expect(settingsFromQuery(new URLSearchParams(query.toString()))).toEqual(ALL);
  });

  it('writes only what differs from the defaults, and reads missing keys as defaults', () => {
    expect(settingsToQuery({ ...DEFAULT_SETTINGS, seed: 3 }).toString()).toBe('seed=3');
    expect(settingsFromQuery(new URLSearchParams(''))).toEqual(DEFAULT_SETTINGS);
  });

  it("gives a changed n the seed's m = n/2 + 1 unless m is set", () => {
    expect(settingsFromQuery(new URLSearchParams('n=64')).m).toBe(33);
    expect(settingsFromQuery(new URLSearchParams('n=64&m=40')).m).toBe(40);
  });

  it('rejects text that is not a decimal number or not a choice, naming the setting', () => {
    expect(() => parseSetting('lambda', 'abc')).toThrow(ConfigError);
    expect(() => parseSetting('lambda', '')).toThrow(/lambda/);
    expect(() => parseSetting('lr', '0x10')).toThrow(/lr: expected a finite decimal number, received "0x10"/);
    expect(() => parseSetting('weights', 'both')).toThrow(/weights: expected "tied" \| "untied"/);
    expect(() => parseSetting('instances', '9')).toThrow(/instances: expected an integer from 1 to 8/);
    expect(() => parseSetting('pace', '-1')).toThrow(/pace/);
    expect(() => settingsFromQuery(new URLSearchParams('steps=1e'))).toThrow(/steps/);
    expect(parseSetting('lr', ' 1e-3 ')).toBe(0.001);
  });
});

describe('settingsToConfig', () => {
  it("by default: the seed's model at λ = 1e-2, 20 000 Adam steps, half-split data, one instance", () => {
    const config = resolveTrainConfig(settingsToConfig({ ...DEFAULT_SETTINGS }));
    expect(config.data).toEqual({ kind: 'half-split', n: 16 });
    expect(config.model).toMatchObject({
      n: 16,
      m: 9,
      weights: { kind: 'tied' },
      hiddenActivation: 'none',
      outputActivation: 'relu',
      outputBias: true,
      l1: { target: 'activations', lambda: 1e-2 },
      hiddenNoise: { kind: 'none' },
      init: { kind: 'normal' },
    });
    expect(config).toMatchObject({ seed: 0, steps: 20_000, batchSize: 256, instances: [{ seed: 0, lambda: 1e-2, lr: 3e-3 }] });
    expect(config.optimizer).toMatchObject({ kind: 'adam', lr: 3e-3 });
    expect(config.schedule).toEqual({ kind: 'constant', warmupSteps: 0 });
  });

  it('maps every option the trainer has', () => {
    const config = resolveTrainConfig(settingsToConfig(ALL));
    expect(config.data).toEqual({ kind: 'sparse-uniform', n: 32, density: 0.2, importanceDecay: 0.9 });
    expect(config.model).toMatchObject({
      m: 20,
      weights: { kind: 'untied', decoderNorm: 'none' },
      hiddenActivation: 'relu',
      outputActivation: 'none',
      outputBias: false,
      l1: { target: 'weights', lambda: 0.003 },
      hiddenNoise: { kind: 'bernoulli', p: 0.25 },
      init: { kind: 'xavier' },
    });
    expect(config.optimizer).toEqual({ kind: 'sgd', lr: 2e-3, momentum: 0.5 });
    expect(config.schedule).toEqual({ kind: 'cosine', warmupSteps: 50, minFactor: 0 });
    expect(config.instances.map((i) => i.seed)).toEqual([-4, -3, -2]);
    const adamw = resolveTrainConfig(settingsToConfig({ ...ALL, optimizer: 'adamw', noise: 'gaussian' }));
    expect(adamw.optimizer).toMatchObject({ kind: 'adamw', weightDecay: 0.1 });
    expect(adamw.model.hiddenNoise).toEqual({ kind: 'gaussian', std: 0.25 });
  });

  it('basis data trains on all n basis vectors per batch (the paper)', () => {
    const config = resolveTrainConfig(settingsToConfig({ ...DEFAULT_SETTINGS, data: 'basis', n: 12, m: 24 }));
    expect(config.data).toEqual({ kind: 'basis', n: 12 });
    expect(config.batchSize).toBe(12);
  });

  it('init "construction" starts from the same-sign construction, unperturbed (untied: E = W, D = Wᵀ)', () => {
    const tied = resolveTrainConfig(settingsToConfig({ ...DEFAULT_SETTINGS, n: 8, m: 6, init: 'construction' }));
    if (tied.model.init.kind !== 'given') throw new Error('expected a given init');
    expect(tied.model.init.perturbation).toBe(0);
    expect(tied.model.init.params).toEqual(sameSignConstruction({ n: 8, m: 6 }));
    const untied = resolveTrainConfig(
      settingsToConfig({ ...DEFAULT_SETTINGS, n: 8, m: 5, init: 'construction', weights: 'untied' }),
    );
    if (untied.model.init.kind !== 'given' || untied.model.init.params.kind !== 'untied')
      throw new Error('expected untied params');
    const W = sameSignConstruction({ n: 8, m: 5 }).W;
    expect(untied.model.init.params.E).toEqual(W);
    expect(untied.model.init.params.D[3 * 5 + 0]).toBe(W[0 * 8 + 3]);
  });

  it("the construction is the seed's: eps = sqrt(2/n) on the disambiguation neuron, pairs at 1, biases -1/2", () => {
    const p = constructionFor({ n: 8, m: 5 });
    expect(p.b).toEqual(Float32Array.from({ length: 8 }, () => -0.5));
    const eps = Math.fround(Math.sqrt(2 / 8));
    expect(Array.from(p.W.subarray(0, 8))).toEqual([eps, eps, eps, eps, -eps, -eps, -eps, -eps]);
    for (let j = 1; j < 5; j++) {
      const row = Array.from(p.W.subarray(j * 8, (j + 1) * 8));
      expect(row.filter((w) => w === 1)).toHaveLength(2);
      expect(row.slice(0, 4).filter((w) => w === 1)).toHaveLength(1);
    }
    expect(() => constructionFor({ n: 8, m: 4 })).toThrow(ConfigError);
  });
});

describe('settingsFromConfig', () => {
  it('reads back every setting from the normalised config of a run', () => {
    // Pace is not part of a run's config; an SGD run has no weight decay to read back.
    const expected = { ...ALL, pace: DEFAULT_SETTINGS.pace, weightDecay: DEFAULT_SETTINGS.weightDecay };
    const config = resolveTrainConfig(settingsToConfig(expected));
    expect(settingsFromConfig(JSON.parse(JSON.stringify(config)))).toEqual(expected);
  });

  it('keeps the base for what the controls cannot show', () => {
    expect(settingsFromConfig({ data: { kind: 'images' }, model: { m: 'x' } })).toEqual(DEFAULT_SETTINGS);
    expect(settingsFromConfig(null)).toEqual(DEFAULT_SETTINGS);
  });
});

describe('describeSettings (the subtitle)', () => {
  it('says what is selected: tied or untied, the activations, the data', () => {
    expect(describeSettings(DEFAULT_SETTINGS).model).toBe('tied autoencoder y = ReLU(Wᵀ W x + b)');
    expect(describeSettings({ ...DEFAULT_SETTINGS, weights: 'untied' }).model).toBe(
      'untied autoencoder y = ReLU(D E x + b), unit-norm decoder columns',
    );
    expect(
      describeSettings({ ...DEFAULT_SETTINGS, weights: 'untied', hidden: 'relu', output: 'none', outputBias: 'off' }).model,
    ).toBe('untied autoencoder y = D ReLU(E x), unit-norm decoder columns');
    expect(describeSettings({ ...DEFAULT_SETTINGS, data: 'basis' }).data).toBe("the 16 basis vectors (the paper's data)");
    expect(describeSettings({ ...DEFAULT_SETTINGS, optimizer: 'sgd', momentum: 0.9 }).training).toContain('SGD (momentum 0.9)');
  });

  it('every choice has a control value', () => {
    for (const [key, values] of Object.entries(CHOICES)) expect(values).toContain(DEFAULT_SETTINGS[key as keyof typeof CHOICES]);
  });
});
