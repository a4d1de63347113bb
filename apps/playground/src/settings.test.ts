import { ConfigError, resolveTrainConfig } from '@polytoy/core';
import { sameSignConstruction } from '@polytoy/analytic';
import { describe, expect, it } from 'vitest';
import type { Settings } from './settings.js';
import {
  constructionFor,
  DEFAULT_SETTINGS,
  parseSetting,
  settingsFromQuery,
  settingsToConfig,
  settingsToQuery,
} from './settings.js';

describe('settings ↔ query', () => {
  it('round-trips every setting through a URL query', () => {
    const s: Settings = {
      n: 32,
      m: 20,
      lambda: 0.003,
      lr: 2e-3,
      optimizer: 'adamw',
      steps: 123,
      batchSize: 64,
      logEvery: 7,
      weights: 'untied',
      seed: -4,
      init: 'construction',
    };
    const query = settingsToQuery(s);
    expect(query.get('batch')).toBe('64');
    expect(settingsFromQuery(new URLSearchParams(query.toString()))).toEqual(s);
  });

  it('writes only what differs from the defaults, and reads missing keys as defaults', () => {
    expect(settingsToQuery({ ...DEFAULT_SETTINGS, seed: 3 }).toString()).toBe('seed=3');
    expect(settingsFromQuery(new URLSearchParams(''))).toEqual(DEFAULT_SETTINGS);
  });

  it("gives a changed n the seed's m = n/2 + 1 unless m is set", () => {
    expect(settingsFromQuery(new URLSearchParams('n=64')).m).toBe(33);
    expect(settingsFromQuery(new URLSearchParams('n=64&m=40')).m).toBe(40);
  });

  it('rejects text that is not a number or not a choice, naming the setting', () => {
    expect(() => parseSetting('lambda', 'abc')).toThrow(ConfigError);
    expect(() => parseSetting('lambda', '')).toThrow(/lambda/);
    expect(() => parseSetting('weights', 'both')).toThrow(/weights: expected "tied" \| "untied"/);
    expect(() => settingsFromQuery(new URLSearchParams('steps=1e'))).toThrow(/steps/);
    expect(parseSetting('lr', ' 1e-3 ')).toBe(0.001);
  });
});

describe('settingsToConfig', () => {
  it("is the seed's model: half-split data, activation L1, linear hidden layer, output ReLU with bias", () => {
    const config = resolveTrainConfig(settingsToConfig({ ...DEFAULT_SETTINGS, n: 16, m: 9, seed: 3, batchSize: 64, steps: 200 }));
    expect(config.data).toEqual({ kind: 'half-split', n: 16 });
    expect(config.model).toMatchObject({
      n: 16,
      m: 9,
      weights: { kind: 'tied' },
      hiddenActivation: 'none',
      outputActivation: 'relu',
      outputBias: true,
      l1: { target: 'activations', lambda: 1e-3 },
      init: { kind: 'normal' },
    });
    expect(config).toMatchObject({
      seed: 3,
      steps: 200,
      batchSize: 64,
      logEvery: 10,
      instances: [{ seed: 3, lambda: 1e-3, lr: 1e-2 }],
    });
    expect(config.optimizer).toMatchObject({ kind: 'adam', lr: 1e-2 });
  });

  it('untied weights get the unit-column decoder constraint', () => {
    const config = resolveTrainConfig(settingsToConfig({ ...DEFAULT_SETTINGS, weights: 'untied' }));
    expect(config.model.weights).toEqual({ kind: 'untied', decoderNorm: 'unit-columns' });
  });

  it('init "construction" starts from the same-sign construction, unperturbed', () => {
    const config = resolveTrainConfig(settingsToConfig({ ...DEFAULT_SETTINGS, n: 8, m: 6, init: 'construction' }));
    expect(config.model.init.kind).toBe('given');
    if (config.model.init.kind !== 'given') return;
    expect(config.model.init.perturbation).toBe(0);
    expect(config.model.init.params).toEqual(sameSignConstruction({ n: 8, m: 6 }));
  });

  it("the construction is the seed's: eps = sqrt(2/n) on the disambiguation neuron, pairs at 1, biases -1/2", () => {
    const p = constructionFor({ n: 8, m: 5 });
    expect(p.b).toEqual(Float32Array.from({ length: 8 }, () => -0.5));
    const eps = Math.fround(Math.sqrt(2 / 8));
    expect(Array.from(p.W.subarray(0, 8))).toEqual([eps, eps, eps, eps, -eps, -eps, -eps, -eps]);
    // Every other neuron holds one A and one B feature with weight 1.
    for (let j = 1; j < 5; j++) {
      const row = Array.from(p.W.subarray(j * 8, (j + 1) * 8));
      expect(row.filter((w) => w === 1)).toHaveLength(2);
      expect(row.slice(0, 4).filter((w) => w === 1)).toHaveLength(1);
    }
    expect(() => constructionFor({ n: 8, m: 4 })).toThrow(ConfigError);
  });
});
