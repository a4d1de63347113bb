import { describe, expect, it } from 'vitest';
import { checkLambda, checkParamsShape, isResolvedTrainConfig, resolveTrainConfig } from './config.js';
import { DEFAULTS, defaultHiddenSize } from './defaults.js';
import { ConfigError } from './errors.js';

function errorOf(input: unknown): ConfigError {
  try {
    resolveTrainConfig(input);
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error('expected a ConfigError');
}

describe('resolveTrainConfig', () => {
  it('fills defaults: seed data n=16, m = n/2 + 1, Adam, one instance', () => {
    const c = resolveTrainConfig({});
    expect(c.data).toEqual({ kind: 'half-split', n: 16 });
    expect(c.model.n).toBe(16);
    expect(c.model.m).toBe(9);
    expect(c.model.weights).toEqual({ kind: 'tied' });
    expect(c.model.l1).toEqual({ target: 'activations', lambda: 1e-3 });
    expect(c.optimizer.kind).toBe('adam');
    expect(c.instances).toEqual([{ seed: 0, lambda: 1e-3, lr: c.optimizer.lr }]);
  });

  it('expands an instance count to seeds seed, seed+1, … and keeps per-instance overrides', () => {
    const c = resolveTrainConfig({ seed: 10, instances: 3 });
    expect(c.instances.map((i) => i.seed)).toEqual([10, 11, 12]);
    const d = resolveTrainConfig({ instances: [{ lambda: 0.1 }, { lr: 0.5, seed: 99 }] });
    expect(d.instances[0]).toMatchObject({ seed: 0, lambda: 0.1 });
    expect(d.instances[1]).toMatchObject({ seed: 99, lr: 0.5 });
  });

  it('accepts an optimizer object without kind as Adam, and untied weights default to unit-norm columns', () => {
    const c = resolveTrainConfig({ optimizer: { lr: 0.01 }, model: { weights: { kind: 'untied' } } });
    expect(c.optimizer).toMatchObject({ kind: 'adam', lr: 0.01 });
    expect(c.model.weights).toEqual({ kind: 'untied', decoderNorm: 'unit-columns' });
  });

  it.each([
    [{ data: { n: 10 } }, 'data.n', /multiple of 4/, '10'],
    [{ data: { n: 0 } }, 'data.n', /multiple of 4/, '0'],
    [{ model: { m: 0 } }, 'model.m', /m >= 1/, '0'],
    [{ optimizer: { lr: 0 } }, 'optimizer.lr', /learning rate > 0/, '0'],
    [{ optimizer: { lr: -1 } }, 'optimizer.lr', /learning rate > 0/, '-1'],
    [{ optimizer: { lr: Number.NaN } }, 'optimizer.lr', /learning rate/, 'NaN'],
    [{ model: { l1: { lambda: Number.POSITIVE_INFINITY } } }, 'model.l1.lambda', /finite lambda/, 'Infinity'],
    [{ steps: 1.5 }, 'steps', /integer number of steps/, '1.5'],
    [{ batchSize: 'big' }, 'batchSize', /positive integer batch size/, '"big"'],
    [{ optimizer: { kind: 'rmsprop' } }, 'optimizer.kind', /"sgd" \| "adam" \| "adamw"/, '"rmsprop"'],
  ])('rejects %j with a one-line error naming %s', (input, path, expected, received) => {
    const e = errorOf(input);
    expect(e.path).toBe(path);
    expect(e.message).toMatch(expected);
    expect(e.message).toContain(`received ${received}`);
    expect(e.message).not.toContain('\n');
  });

  it('is idempotent: a normalised config resolves to itself (checkpoints store normalised configs)', () => {
    const c = resolveTrainConfig({ data: { n: 8 }, instances: 2, model: { weights: { kind: 'untied' } } });
    expect(resolveTrainConfig(JSON.parse(JSON.stringify(c)))).toEqual(c);
    expect(errorOf({ data: { n: 8 }, model: { n: 12 } }).path).toBe('model.n');
  });

  it('rejects unknown fields (typos) instead of ignoring them', () => {
    const e = errorOf({ model: { lamda: 0.1 } });
    expect(e.path).toBe('model');
    expect(e.message).toContain('lamda');
  });

  it('convergence: off by default; plateau fills its defaults; bad values name the field', () => {
    const c = resolveTrainConfig({});
    expect(c.convergence).toEqual({ kind: 'off' });
    expect(c.divergence).toEqual({ blowUp: 100 });
    expect(resolveTrainConfig({ convergence: { kind: 'plateau' } }).convergence).toEqual({
      kind: 'plateau',
      window: 1000,
      tolerance: 0.01,
      floor: 0.001,
    });
    expect(resolveTrainConfig({ convergence: { kind: 'plateau', window: 50 } }).convergence).toMatchObject({ window: 50 });
    expect(errorOf({ convergence: { kind: 'plateau', window: 0 } }).message).toBe(
      'convergence.window: expected a positive integer window (steps), received 0',
    );
    expect(errorOf({ convergence: { kind: 'plateau', tolerance: -1 } }).path).toBe('convergence.tolerance');
    expect(errorOf({ convergence: { kind: 'until' } }).message).toContain('"off" | "plateau"');
    expect(errorOf({ convergence: { window: 10 } }).message).toContain('window'); // kind defaults to off
    expect(errorOf({ divergence: { blowUp: 1 } }).message).toBe('divergence.blowUp: expected a blow-up factor > 1, received 1');
  });

  it('rejects basis data whose batch is not the n basis vectors', () => {
    expect(errorOf({ data: { kind: 'basis', n: 8 }, batchSize: 4 }).path).toBe('batchSize');
    expect(resolveTrainConfig({ data: { kind: 'basis', n: 8 }, batchSize: 8 }).data.kind).toBe('basis');
  });
});

describe('resolved once', () => {
  it('returns a config it resolved as it is, and resolves anything else (copies included)', () => {
    const config = resolveTrainConfig({ data: { n: 8 }, steps: 5 });
    expect(isResolvedTrainConfig(config)).toBe(true);
    expect(resolveTrainConfig(config)).toBe(config);
    const copy = structuredClone(config);
    expect(isResolvedTrainConfig(copy)).toBe(false);
    // A copy (e.g. read back from a checkpoint) resolves to an equal config: resolving is idempotent.
    expect(resolveTrainConfig(copy)).toEqual(config);
    expect(isResolvedTrainConfig({ data: { n: 8 } })).toBe(false);
    expect(isResolvedTrainConfig(null)).toBe(false);
  });

  it('takes every default from DEFAULTS, m from defaultHiddenSize', () => {
    const c = resolveTrainConfig({ data: { kind: 'sparse-uniform', n: 10 } });
    expect(c.model.m).toBe(defaultHiddenSize(10));
    expect(defaultHiddenSize(10)).toBe(6);
    expect(defaultHiddenSize(16)).toBe(9);
    expect(c.data).toEqual({
      kind: 'sparse-uniform',
      n: 10,
      density: DEFAULTS.data.density,
      importanceDecay: DEFAULTS.data.importanceDecay,
    });
    expect(c.model.outputBias).toBe(DEFAULTS.model.outputBias);
    expect(c.model.l1).toEqual({ target: DEFAULTS.model.l1Target, lambda: DEFAULTS.model.lambda });
    expect(c.schedule).toEqual({ kind: DEFAULTS.schedule.kind, warmupSteps: DEFAULTS.schedule.warmupSteps });
    expect(c.instances).toHaveLength(DEFAULTS.train.instances);
  });
});

describe('the lambda and shape rules', () => {
  it('checkLambda accepts finite lambdas >= 0 and names the argument otherwise', () => {
    expect(checkLambda(0)).toBe(0);
    expect(checkLambda(1e-3)).toBe(1e-3);
    for (const bad of [-1, Number.NaN, Number.POSITIVE_INFINITY, '0.1', undefined]) {
      expect(() => checkLambda(bad, 'opts.lambda')).toThrow(ConfigError);
    }
    expect(() => checkLambda(-1)).toThrow('lambda: expected a finite lambda >= 0, received -1');
    expect(() => checkLambda(-1, 'opts.lambda')).toThrow(/^opts\.lambda: /);
  });

  it('is the schema rule: the same message for a config field', () => {
    expect(errorOf({ model: { l1: { lambda: -1 } } }).message).toBe(
      'model.l1.lambda: expected a finite lambda >= 0, received -1',
    );
  });

  it('checkParamsShape: n and m must be the model’s', () => {
    expect(() => checkParamsShape({ n: 16, m: 9 }, { n: 16, m: 9 }, 'params')).not.toThrow();
    expect(() => checkParamsShape({ n: 8, m: 5 }, { n: 16, m: 9 }, 'params')).toThrow(
      'params: expected parameters of shape n=16, m=9, received "n=8, m=5"',
    );
    expect(() => checkParamsShape({ n: 16, m: 8 }, { n: 16, m: 9 }, 'params')).toThrow(ConfigError);
  });
});
