import * as tf from '@tensorflow/tfjs-core';
import type { OptimizerConfig } from '@polytoy/core';
import { resolveOptimizerConfig } from '@polytoy/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initNodeBackend } from './node.js';
import { createOptimizerState, disposeOptimizerState, flushTinyMoments, optimizerSlotNames, optimizerStep } from './optimizer.js';
import type { OptimizerState, TensorMap } from './optimizer.js';

beforeAll(async () => {
  await initNodeBackend();
});

/** Two instances: W [2, 1, 2] and b [2, 2]. */
const P0 = { W: [1, -2, 3, 0.5], b: [0.25, -0.75, 0, 2] };
const grads = [
  { W: [0.5, -0.25, 1e-3, 0], b: [0.1, 0, -4, 0.3] },
  { W: [-0.2, 0.4, 2, -1], b: [0.3, 0.2, 0.1, -0.5] },
];

function tensors(values: { W: number[]; b: number[] }): TensorMap {
  return { W: tf.tensor3d(values.W, [2, 1, 2]), b: tf.tensor2d(values.b, [2, 2]) };
}

function read(map: TensorMap): { W: number[]; b: number[] } {
  return { W: Array.from(map.W!.dataSync()), b: Array.from(map.b!.dataSync()) };
}

/**
 * Runs `steps` updates with per-instance lr and returns the parameter values after each;
 * disposes everything (the tensor count must come back to where it was).
 */
function run(cfg: OptimizerConfig, lr: number[], steps: number, decay?: Set<string>) {
  const before = tf.memory().numTensors;
  let params = tensors(P0);
  let state: OptimizerState = createOptimizerState(cfg, params);
  const out: { W: number[]; b: number[] }[] = [];
  for (let t = 0; t < steps; t++) {
    const g = tensors(grads[t % grads.length]!);
    const next = optimizerStep(cfg, params, g, state, { lr, ...(decay ? { decay } : {}) });
    tf.dispose(Object.values(g));
    tf.dispose(Object.values(params));
    disposeOptimizerState(state);
    params = next.params;
    state = next.state;
    out.push(read(params));
  }
  expect(state.step).toBe(steps);
  tf.dispose(Object.values(params));
  disposeOptimizerState(state);
  expect(tf.memory().numTensors).toBe(before);
  return out;
}

/** Plain float64 reference of the torch formulas, per scalar parameter. */
function reference(
  cfg: OptimizerConfig,
  lrOf: (k: number) => number,
  steps: number,
  decayed: (name: 'W' | 'b') => boolean,
): { W: number[]; b: number[] }[] {
  const p = { W: [...P0.W], b: [...P0.b] };
  const s1 = { W: [0, 0, 0, 0], b: [0, 0, 0, 0] };
  const s2 = { W: [0, 0, 0, 0], b: [0, 0, 0, 0] };
  const out: { W: number[]; b: number[] }[] = [];
  for (let t = 1; t <= steps; t++) {
    const g = grads[(t - 1) % grads.length]!;
    for (const name of ['W', 'b'] as const) {
      for (let k = 0; k < 4; k++) {
        const lr = lrOf(k);
        const gk = g[name][k]!;
        if (cfg.kind === 'sgd') {
          s1[name][k] = cfg.momentum * s1[name][k]! + gk;
          p[name][k] = p[name][k]! - lr * (cfg.momentum > 0 ? s1[name][k]! : gk);
          continue;
        }
        if (cfg.kind === 'adamw' && decayed(name)) p[name][k] = p[name][k]! * (1 - lr * cfg.weightDecay);
        s1[name][k] = cfg.beta1 * s1[name][k]! + (1 - cfg.beta1) * gk;
        s2[name][k] = cfg.beta2 * s2[name][k]! + (1 - cfg.beta2) * gk * gk;
        const denom = Math.sqrt(s2[name][k]!) / Math.sqrt(1 - cfg.beta2 ** t) + cfg.epsilon;
        p[name][k] = p[name][k]! - (lr / (1 - cfg.beta1 ** t)) * (s1[name][k]! / denom);
      }
    }
    out.push({ W: [...p.W], b: [...p.b] });
  }
  return out;
}

function expectClose(actual: { W: number[]; b: number[] }[], expected: { W: number[]; b: number[] }[], tol: number) {
  expect(actual.length).toBe(expected.length);
  actual.forEach((a, t) => {
    for (const name of ['W', 'b'] as const) {
      a[name].forEach((v, k) => {
        expect(Math.abs(v - expected[t]![name][k]!), `step ${t + 1} ${name}[${k}]`).toBeLessThanOrEqual(tol * (1 + Math.abs(v)));
      });
    }
  });
}

// W [2, 1, 2]: flat entries 0-1 are instance 0, 2-3 instance 1; b [2, 2] likewise.
const lrs = [0.1, 0.01];
const lrOf = (k: number) => lrs[Math.floor(k / 2)]!;

describe('Adam', () => {
  const cfg = resolveOptimizerConfig({ kind: 'adam' });

  it('first step by hand: p − lr · g / (|g| + ε) (bias correction cancels β1, β2)', () => {
    const [step1] = run(cfg, lrs, 1);
    // instance 0: lr 0.1, g = (0.5, −0.25) → W = (1 − 0.1, −2 + 0.1) up to ε.
    expect(step1!.W[0]).toBeCloseTo(0.9, 6);
    expect(step1!.W[1]).toBeCloseTo(-1.9, 6);
    // instance 1: lr 0.01, g = (1e-3, 0): sign step, and a zero gradient moves nothing.
    expect(step1!.W[2]).toBeCloseTo(3 - 0.01 * (1e-3 / (1e-3 + 1e-8)), 6);
    expect(step1!.W[3]).toBe(0.5);
    expect(step1!.b[1]).toBe(-0.75);
  });

  it('matches the float64 torch formulas over several steps, per-instance lr', () => {
    expectClose(
      run(cfg, lrs, 5),
      reference(cfg, lrOf, 5, () => false),
      2e-6,
    );
  });

  it('keeps m and v slots', () => {
    expect(optimizerSlotNames(cfg)).toEqual(['m', 'v']);
  });
});

describe('AdamW', () => {
  const cfg = resolveOptimizerConfig({ kind: 'adamw', weightDecay: 0.5 });

  it('decays weights (not biases) by 1 − lr·wd before the Adam step', () => {
    expectClose(
      run(cfg, lrs, 4, new Set(['W'])),
      reference(cfg, lrOf, 4, (n) => n === 'W'),
      2e-6,
    );
  });

  it('with a zero gradient only the decay acts, and b is untouched', () => {
    const params = tensors(P0);
    const zero = { W: tf.zerosLike(params.W!), b: tf.zerosLike(params.b!) };
    const state = createOptimizerState(cfg, params);
    const next = optimizerStep(cfg, params, zero, state, { lr: lrs, decay: new Set(['W']) });
    const v = read(next.params);
    // float32 product of the float32 weight and the float32 factor 1 − lr·wd (0.95 and 0.995).
    const f32 = Math.fround;
    expect(v.W).toEqual(
      [
        [1, 0.95],
        [-2, 0.95],
        [3, 0.995],
        [0.5, 0.995],
      ].map(([p, f]) => f32(f32(p!) * f32(f!))),
    );
    expect(v.b).toEqual(P0.b);
    tf.dispose([...Object.values(params), ...Object.values(zero), ...Object.values(next.params)]);
    disposeOptimizerState(state);
    disposeOptimizerState(next.state);
  });
});

describe('SGD', () => {
  it('without momentum: p − lr·g, no state', () => {
    const cfg = resolveOptimizerConfig({ kind: 'sgd' });
    expect(optimizerSlotNames(cfg)).toEqual([]);
    const [step1] = run(cfg, lrs, 1);
    expect(step1!.W).toEqual([1 - 0.1 * 0.5, -2 + 0.1 * 0.25, 3 - 0.01 * 1e-3, 0.5].map(Math.fround));
  });

  it('with momentum: buf = μ·buf + g, p − lr·buf (torch, dampening 0)', () => {
    const cfg = resolveOptimizerConfig({ kind: 'sgd', momentum: 0.9 });
    expect(optimizerSlotNames(cfg)).toEqual(['momentum']);
    const out = run(cfg, lrs, 3);
    // by hand for W[0] (lr 0.1): g = 0.5, −0.2, 0.5 → buf = 0.5, 0.25, 0.725
    [0.95, 0.925, 0.8525].forEach((v, t) => expect(out[t]!.W[0]).toBeCloseTo(v, 6));
    expectClose(
      out,
      reference(cfg, lrOf, 3, () => false),
      1e-6,
    );
  });
});

describe('optimizerStep', () => {
  it('rejects a learning-rate list of the wrong length', () => {
    const cfg = resolveOptimizerConfig({ kind: 'adam' });
    const params = tensors(P0);
    const state = createOptimizerState(cfg, params);
    expect(() => optimizerStep(cfg, params, params, state, { lr: [0.1] })).toThrow(
      'lr: expected one learning rate per instance (2), received "1 values"',
    );
    tf.dispose(Object.values(params));
    disposeOptimizerState(state);
  });

  it('each instance evolves as if it were alone', () => {
    const cfg = resolveOptimizerConfig({ kind: 'adam' });
    const both = run(cfg, lrs, 3);
    // instance 1 alone: slice 1 of every tensor, lr 0.01.
    const p = { W: tf.tensor3d(P0.W.slice(2), [1, 1, 2]), b: tf.tensor2d(P0.b.slice(2), [1, 2]) } as TensorMap;
    let params = p;
    let state = createOptimizerState(cfg, params);
    for (let t = 0; t < 3; t++) {
      const g = grads[t % 2]!;
      const gt = { W: tf.tensor3d(g.W.slice(2), [1, 1, 2]), b: tf.tensor2d(g.b.slice(2), [1, 2]) };
      const next = optimizerStep(cfg, params, gt, state, { lr: [0.01] });
      tf.dispose([...Object.values(gt), ...Object.values(params)]);
      disposeOptimizerState(state);
      params = next.params;
      state = next.state;
    }
    expect(read(params)).toEqual({ W: both[2]!.W.slice(2), b: both[2]!.b.slice(2) });
    tf.dispose(Object.values(params));
    disposeOptimizerState(state);
  });
});

describe('flushTinyMoments', () => {
  it('zeroes moments with |x| <= 1e-30 (denormals included), keeps the rest and NaN', () => {
    const values = [1e-40, -1e-45, 1e-30, -5e-31, 0, 1e-29, -2e-29, 0.5, NaN, -Infinity];
    const state: OptimizerState = {
      kind: 'adam',
      step: 100,
      slots: { m: { W: tf.tensor3d(values, [1, 2, 5]) }, v: { W: tf.tensor3d(values.map(Math.abs), [1, 2, 5]) } },
    };
    const flushed = flushTinyMoments(state);
    expect(flushed.step).toBe(100);
    const f32 = Math.fround;
    expect(Array.from(flushed.slots.m!.W!.dataSync()).map((v) => Math.abs(v))).toEqual([
      0,
      0,
      0,
      0,
      0,
      f32(1e-29),
      f32(2e-29),
      0.5,
      NaN,
      Infinity,
    ]);
    expect(Array.from(flushed.slots.v!.W!.dataSync())).toEqual([0, 0, 0, 0, 0, f32(1e-29), f32(2e-29), 0.5, NaN, Infinity]);
    disposeOptimizerState(state);
    disposeOptimizerState(flushed);
  });
});
