/**
 * The fused step for every model option (untied E/D, hidden noise, with every other option),
 * against the float64 reference and the tfjs engine, within a stated float32 bound, plus
 * determinism: the same bits on every run and between 1 and 2 worker threads.
 *
 * The bound. Each gradient element is a tree of float32 sums of products: h (K = n), h̃ (one op),
 * y (K = m + 1), dz (3 ops), dh (K = n + 1), the weight gradients (K = B; tied 2B). A float32
 * sum of K products is within γ(K)·Σ|products| of the exact sum (γ(K) = K·u/(1 − K·u),
 * u = 2⁻²⁴; Higham §3.1), and errors of the inputs of a stage propagate through it with the
 * same absolute products, so to first order every result r satisfies
 *
 *     |fl(r) − r| ≤ γ(K_path)·M(r),   K_path = n + 2m + 2B + 8 ≥ the sum of K along any path,
 *
 * where M(r) is r evaluated on the "absolute" network (|E|, |D|, |b|, |x|, |noise|, and |y| + |x|
 * in place of y − x), which bounds Σ|products| at every stage. Two float32 paths (fused, tfjs)
 * are each within that of the float64 reference, so within twice it of each other. A factor 2
 * covers second-order terms. The premise: no ReLU or sign input lies within its own error bound
 * of 0 (checked per case), so both paths take the same branches.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { ModelConfig, ModelParams, TrainConfigInput, TrainResult } from '@polytoy/core';
import { createPrng, resolveTrainConfig } from '@polytoy/core';
import { createDataSource } from '@polytoy/data';
import { lossAndGradients, referenceForward, referenceLossAndGradients, sampleHiddenNoise } from '@polytoy/model';
import type { ReferenceParams } from '@polytoy/model';
import { beforeAll, describe, expect, it } from 'vitest';
import { FusedStep, fusedStepSupports } from './fused-step.js';
import { initNodeBackend, trainParallel } from './node.js';
import type { InputPath } from './step-plan.js';
import { inputPath } from './step-plan.js';
import { chooseEngine, runTraining, train } from './train.js';

beforeAll(async () => {
  await initNodeBackend({ kernels: 'polytoy' });
});

const u = 2 ** -24;
const gamma = (k: number): number => (k * u) / (1 - k * u);

interface Case {
  name: string;
  input: TrainConfigInput;
}

const untied = { kind: 'untied', decoderNorm: 'unit-columns' } as const;
const CASES: Case[] = [
  { name: 'untied, seed data', input: { data: { n: 16 }, model: { m: 9, weights: untied } } },
  {
    name: 'untied, no constraint, hidden ReLU',
    input: { data: { n: 12 }, model: { m: 8, weights: { kind: 'untied', decoderNorm: 'none' }, hiddenActivation: 'relu' } },
  },
  {
    name: 'untied, weight L1, no bias',
    input: {
      data: { kind: 'basis', n: 10 },
      batchSize: 10,
      model: { m: 14, weights: untied, outputBias: false, l1: { target: 'weights', lambda: 1e-2 } },
    },
  },
  {
    name: 'untied, importance, no output ReLU',
    input: {
      data: { kind: 'sparse-uniform', n: 12, density: 0.3, importanceDecay: 0.9 },
      model: { m: 6, weights: untied, outputActivation: 'none' },
    },
  },
  { name: 'tied, gaussian noise', input: { data: { n: 16 }, model: { m: 9, hiddenNoise: { kind: 'gaussian', std: 0.1 } } } },
  {
    name: 'tied, bernoulli noise, hidden ReLU',
    input: { data: { n: 16 }, model: { m: 9, hiddenActivation: 'relu', hiddenNoise: { kind: 'bernoulli', p: 0.2 } } },
  },
  {
    name: 'untied, gaussian noise, weight L1',
    input: {
      data: { n: 12 },
      model: { m: 7, weights: untied, hiddenNoise: { kind: 'gaussian', std: 0.2 }, l1: { target: 'weights', lambda: 1e-3 } },
    },
  },
  {
    name: 'tied, basis data (identity-gram path), weight L1, no bias',
    input: {
      data: { kind: 'basis', n: 12 },
      batchSize: 12,
      model: { m: 20, outputBias: false, l1: { target: 'weights', lambda: 1e-3 } },
    },
  },
  {
    name: 'tied, basis data (identity-gram path), activation L1, bias',
    input: {
      data: { kind: 'basis', n: 12 },
      batchSize: 12,
      model: { m: 20, l1: { target: 'activations', lambda: 1e-2 } },
    },
  },
  {
    name: 'tied, basis data (identity-gram path), no output ReLU',
    input: { data: { kind: 'basis', n: 10 }, batchSize: 10, model: { m: 7, outputActivation: 'none' } },
  },
  {
    name: 'tied, basis data (identity-gram path), odd n',
    input: { data: { kind: 'basis', n: 9 }, batchSize: 9, model: { m: 13 } },
  },
  {
    name: 'untied, basis data, hidden ReLU',
    input: { data: { kind: 'basis', n: 12 }, batchSize: 12, model: { m: 9, weights: untied, hiddenActivation: 'relu' } },
  },
  {
    name: 'untied, bernoulli noise, hidden ReLU, no bias',
    input: {
      data: { n: 12 },
      model: { m: 7, weights: untied, hiddenActivation: 'relu', outputBias: false, hiddenNoise: { kind: 'bernoulli', p: 0.3 } },
    },
  },
];

interface Problem {
  model: ModelConfig;
  B: number;
  params: ModelParams;
  x: Float32Array;
  importance: Float32Array | null;
  noise: Float32Array | null;
  lambda: number;
}

function problem(c: Case, seed: number): Problem {
  const config = resolveTrainConfig({ batchSize: 32, ...c.input });
  const { model } = config;
  const { n, m } = model;
  const rng = createPrng(seed);
  const normal = (len: number, s: number): Float32Array => Float32Array.from({ length: len }, () => rng.normal() * s);
  const b = model.outputBias ? normal(n, 0.2) : new Float32Array(n);
  const params: ModelParams =
    model.weights.kind === 'tied'
      ? { kind: 'tied', n, m, W: normal(m * n, 0.4), b }
      : { kind: 'untied', n, m, E: normal(m * n, 0.4), D: normal(n * m, 0.4), b };
  const src = createDataSource(config.data, rng.fork(9));
  const B = config.batchSize;
  const noise = sampleHiddenNoise(model, [rng.fork(3)], B);
  return { model, B, params, x: src.next(B), importance: src.importance, noise: noise?.values ?? null, lambda: 0.03 };
}

/** The absolute network: M(r) for every gradient, and the smallest kink margin (|input| / its bound). */
function magnitudes(p: Problem): { grads: Record<string, Float64Array>; loss: number; kinkMargin: number } {
  const { model, B, params, x, noise, importance } = p;
  const { n, m } = model;
  const abs = (a: ArrayLike<number>): Float64Array => Float64Array.from(a, Math.abs);
  const absParams: ReferenceParams =
    params.kind === 'tied'
      ? { ...params, W: abs(params.W), b: abs(params.b) }
      : { ...params, E: abs(params.E), D: abs(params.D), b: abs(params.b) };
  const linear: ModelConfig = { ...model, hiddenActivation: 'none', outputActivation: 'none' };
  const noiseAbs = noise ? abs(noise) : null;
  const t = referenceForward(linear, absParams, abs(x), B, noiseAbs);
  // Kink margins of the real network: pre-activations (and h for sign) against γ(K)·M.
  const real = referenceForward(model, params, x, B, noise);
  const K = n + 2 * m + 2 * B + 8;
  let kinkMargin = Number.POSITIVE_INFINITY;
  const watch = (v: number, mag: number): void => {
    if (mag > 0) kinkMargin = Math.min(kinkMargin, Math.abs(v) / (2 * gamma(K) * mag));
  };
  for (let e = 0; e < B * m; e++) {
    if (model.hiddenActivation === 'relu' || model.l1.target === 'activations') watch(real.hiddenPre[e]!, t.hiddenPre[e]!);
  }
  if (model.outputActivation === 'relu') for (let e = 0; e < B * n; e++) watch(real.outputPre[e]!, t.outputPre[e]!);
  // M of the gradients: the absolute network's backward pass with |y| + |x| for y − x, all
  // masks 1 and |sign| = 1 (so λ·|sign| and the weight-L1 term enter with full weight).
  const xAbs = abs(x);
  const yPlusX = Float64Array.from(t.output, (v, e) => v + xAbs[e]!);
  const s2 = 2 / B;
  const dz = Float64Array.from(yPlusX, (v, e) => s2 * (importance ? importance[e % n]! : 1) * v);
  const dec = (j: number, i: number): number => (absParams.kind === 'tied' ? absParams.W[j * n + i]! : absParams.D[i * m + j]!);
  const dh = new Float64Array(B * m);
  for (let s = 0; s < B; s++) {
    for (let j = 0; j < m; j++) {
      let a = model.l1.target === 'activations' ? p.lambda / B : 0;
      for (let i = 0; i < n; i++) a += dec(j, i) * dz[s * n + i]!;
      dh[s * m + j] = a;
    }
  }
  const dEnc = new Float64Array(m * n);
  const dDec = new Float64Array(m * n); // [m, n] indexed like enc; tied adds into dEnc
  const db = new Float64Array(n);
  for (let s = 0; s < B; s++) {
    for (let j = 0; j < m; j++) {
      for (let i = 0; i < n; i++) {
        dEnc[j * n + i] = dEnc[j * n + i]! + dh[s * m + j]! * xAbs[s * n + i]!;
        dDec[j * n + i] = dDec[j * n + i]! + t.hiddenNoisy[s * m + j]! * dz[s * n + i]!;
      }
    }
    for (let i = 0; i < n; i++) db[i] = db[i]! + dz[s * n + i]!;
  }
  const wl1 = model.l1.target === 'weights' ? p.lambda : 0;
  const grads: Record<string, Float64Array> =
    params.kind === 'tied'
      ? { W: Float64Array.from(dEnc, (v, k) => v + dDec[k]! + wl1), b: db }
      : {
          E: Float64Array.from(dEnc, (v) => v + wl1),
          // D is [n, m]: transpose dDec.
          D: Float64Array.from({ length: n * m }, (_, k) => dDec[(k % m) * n + Math.floor(k / m)]! + wl1),
          b: db,
        };
  let loss = 0;
  for (let e = 0; e < B * n; e++) loss += ((importance ? importance[e % n]! : 1) * yPlusX[e]! ** 2) / B;
  return { grads, loss, kinkMargin };
}

interface Result {
  grads: Record<string, Float32Array>;
  reconstruction: number;
  l1: number;
}

/** The problem's parameters as one-instance tensors (inside the caller's tidy). */
function tensorsOf({ model, params }: Problem) {
  return params.kind === 'tied'
    ? { kind: 'tied' as const, W: tf.tensor3d(params.W, [1, model.m, model.n]), b: tf.tensor2d(params.b, [1, model.n]) }
    : {
        kind: 'untied' as const,
        E: tf.tensor3d(params.E, [1, model.m, model.n]),
        D: tf.tensor3d(params.D, [1, model.n, model.m]),
        b: tf.tensor2d(params.b, [1, model.n]),
      };
}

/** One fused step (no update): gradients with the weight-L1 term added as `apply` does. */
function fusedGradients(p: Problem, input: InputPath = { kind: 'dense' }): Result {
  const { model, B, params } = p;
  const config = resolveTrainConfig({ data: { n: 4 } });
  return tf.tidy(() => {
    const tensors = tensorsOf(p);
    const step = new FusedStep({
      model,
      optimizer: config.optimizer,
      instances: 1,
      batch: B,
      batchTotal: B,
      lambda: [p.lambda],
      importance: p.importance,
      input,
    });
    try {
      step.setBatch(p.x);
      const sums = step.lossAndGradients(tensors, true, p.noise);
      const wl1 = model.l1.target === 'weights';
      const lam = Math.fround(p.lambda);
      const withL1 = (g: Float32Array, w: Float32Array): Float32Array =>
        wl1 ? Float32Array.from(g, (v, k) => v + Math.fround(lam * Math.sign(w[k]!))) : g;
      const dEnc = step.dEnc.dataSync() as Float32Array;
      const db = model.outputBias ? (step.db.dataSync() as Float32Array).slice() : new Float32Array(model.n);
      const grads: Record<string, Float32Array> =
        params.kind === 'tied'
          ? { W: withL1(dEnc.slice(), params.W), b: db }
          : { E: withL1(dEnc.slice(), params.E), D: withL1((step.dDec!.dataSync() as Float32Array).slice(), params.D), b: db };
      return {
        grads,
        reconstruction: sums.reconstruction[0]!,
        l1: wl1 ? step.weightL1Of(tensors)[0]! : sums.activationL1[0]!,
      };
    } finally {
      step.dispose();
    }
  });
}

/** The tfjs model (`lossAndGradients`) on the stock kernels. */
async function tfjsGradients(p: Problem): Promise<Result> {
  const { model, B } = p;
  await initNodeBackend({ kernels: 'stock' });
  try {
    return tf.tidy(() => {
      const tensors = tensorsOf(p);
      const noise = p.noise && model.hiddenNoise.kind !== 'none' ? { kind: model.hiddenNoise.kind, values: p.noise } : null;
      const out = lossAndGradients(model, tensors, tf.tensor3d(p.x, [1, B, model.n]), {
        lambda: tf.tensor1d([p.lambda]),
        importance: p.importance,
        noise,
      });
      const g = out.grads;
      const grads: Record<string, Float32Array> =
        g.kind === 'tied'
          ? { W: g.W.dataSync() as Float32Array, b: g.b.dataSync() as Float32Array }
          : { E: g.E.dataSync() as Float32Array, D: g.D.dataSync() as Float32Array, b: g.b.dataSync() as Float32Array };
      return { grads, reconstruction: out.reconstruction.dataSync()[0]!, l1: out.l1.dataSync()[0]! };
    });
  } finally {
    await initNodeBackend({ kernels: 'polytoy' });
  }
}

/** Largest |a − b| / bound (≤ 1: within the bound). */
function worst(a: ArrayLike<number>, b: ArrayLike<number>, bound: (k: number) => number): number {
  let w = 0;
  for (let k = 0; k < a.length; k++) {
    const d = Math.abs(a[k]! - b[k]!);
    if (d > 0) w = Math.max(w, d / bound(k));
  }
  return w;
}

describe('step plan', () => {
  it('chooses k-hot for tied half-split data from n = 256, identity-gram / identity for basis data, dense otherwise', () => {
    expect(inputPath(resolveTrainConfig({ data: { n: 256 }, model: { m: 129 } }))).toEqual({ kind: 'k-hot', k: 64 });
    expect(inputPath(resolveTrainConfig({ data: { n: 128 } }))).toEqual({ kind: 'dense' });
    expect(inputPath(resolveTrainConfig({ data: { n: 64 } }))).toEqual({ kind: 'dense' });
    expect(inputPath(resolveTrainConfig({ data: { n: 64 }, model: { weights: { kind: 'untied' } } }))).toEqual({ kind: 'dense' });
    expect(inputPath(resolveTrainConfig({ data: { kind: 'basis', n: 8 }, batchSize: 8 }))).toEqual({ kind: 'identity-gram' });
    // The Gram form only for tied, linear hidden, no noise; the plain identity path otherwise.
    for (const model of [
      { hiddenActivation: 'relu' },
      { hiddenNoise: { kind: 'gaussian', std: 0.1 } },
      { weights: { kind: 'untied' } },
    ] as const)
      expect(inputPath(resolveTrainConfig({ data: { kind: 'basis', n: 8 }, batchSize: 8, model }))).toEqual({ kind: 'identity' });
    expect(inputPath(resolveTrainConfig({ data: { kind: 'sparse-uniform', n: 8, density: 0.2 } }))).toEqual({ kind: 'dense' });
  });

  it('k-hot path: a batch that is not k-hot falls back to the dense products (same bits as dense)', () => {
    const c = CASES[0]!;
    const p = problem(c, 1);
    p.x[3] = 0.5; // row 0 is no longer 0/1
    const dense = fusedGradients(p);
    const planned = fusedGradients(p, { kind: 'k-hot', k: 4 });
    for (const name of Object.keys(dense.grads)) expect(planned.grads[name]).toEqual(dense.grads[name]);
  });
});

describe('identity-gram path', () => {
  const gramCase = CASES.find((c) => c.name.startsWith('tied, basis data (identity-gram path), activation L1'))!;

  it('a basis batch out of order falls back to the plain identity path (same bits)', () => {
    const p = problem(gramCase, 1);
    const { n } = p.model;
    // Swap samples 0 and 1: still k-hot (k = 1), no longer x = I in order.
    const row0 = p.x.slice(0, n);
    p.x.copyWithin(0, n, 2 * n);
    p.x.set(row0, n);
    const plain = fusedGradients(p, { kind: 'identity' });
    const gram = fusedGradients(p, { kind: 'identity-gram' });
    for (const name of Object.keys(plain.grads)) expect(gram.grads[name]).toEqual(plain.grads[name]);
    expect(gram.reconstruction).toBe(plain.reconstruction);
  });

  it('refuses a model the Gram form does not hold for', () => {
    const p = problem(CASES.find((c) => c.name === 'untied, basis data, hidden ReLU')!, 1);
    expect(() => fusedGradients(p, { kind: 'identity-gram' })).toThrow(/identity-gram path needs tied weights/);
  });

  const run: TrainConfigInput = {
    data: { kind: 'basis', n: 12 },
    model: { m: 20, l1: { target: 'activations', lambda: 1e-3 } },
    batchSize: 12,
    steps: 60,
    logEvery: 20,
    instances: [{ seed: 1 }, { seed: 2, lr: 5e-3 }, { seed: 3, lambda: 0.01 }],
    optimizer: { kind: 'adamw', lr: 1e-2 },
  };

  it('trains: the same bits on every run and with 2 worker threads, close to the tfjs engine', async () => {
    expect(inputPath(resolveTrainConfig(run))).toEqual({ kind: 'identity-gram' });
    const a = await train(run);
    const b = await train(run);
    expect(runBits(a)).toEqual(runBits(b));
    const two = await trainParallel(run, { workers: 2 });
    expect(runBits(two)).toEqual(runBits(a));
    const ref = await runTraining(resolveTrainConfig(run), {}, { engine: 'tfjs' });
    a.instances.forEach((r, i) => {
      const s = ref.instances[i]!;
      expect(Math.abs(r.finalLoss.loss - s.finalLoss.loss)).toBeLessThan(1e-3 * Math.max(1, s.finalLoss.loss));
      expect(r.history.at(-1)!.loss).toBeLessThan(r.history[0]!.loss);
    });
  });
});

describe('fused step, every model option', () => {
  it('every config is on the fused path', () => {
    for (const c of CASES) {
      const config = resolveTrainConfig(c.input);
      expect(fusedStepSupports(config)).toBe(true);
      expect(chooseEngine(config)).toBe('fused');
    }
  });

  it.each(CASES)('$name: loss and gradients within 2·γ(K)·M of the float64 reference, and of tfjs', async (c) => {
    // The first seed whose kink inputs are clear of 0 by more than their error bound.
    let p = problem(c, 1);
    let mag = magnitudes(p);
    for (let seed = 2; mag.kinkMargin <= 1 && seed < 20; seed++) {
      p = problem(c, seed);
      mag = magnitudes(p);
    }
    expect(mag.kinkMargin).toBeGreaterThan(1);
    const { n, m } = p.model;
    const K = n + 2 * p.model.m + 2 * p.B + 8;
    const ref = referenceLossAndGradients(p.model, p.params, p.x, p.B, p.lambda, p.importance, p.noise);
    const fused = fusedGradients(p);
    const stock = await tfjsGradients(p);
    // The step plan's path for this data (k-hot gather/scatter for half-split and basis data).
    const config = resolveTrainConfig({ batchSize: 32, ...c.input });
    const plan = inputPath(config);
    // Half-split data: always check the k-hot form too (the plan keeps untied models dense).
    const planned = fusedGradients(p, config.data.kind === 'half-split' ? { kind: 'k-hot', k: config.data.n / 4 } : plan);
    const bound = (name: string) => (k: number) => 2 * gamma(K) * mag.grads[name]![k]! + 1e-30;
    const refGrads: Record<string, ArrayLike<number>> = {
      ...(ref.grads.W ? { W: ref.grads.W } : {}),
      ...(ref.grads.E ? { E: ref.grads.E, D: ref.grads.D! } : {}),
      b: ref.grads.b,
    };
    for (const name of Object.keys(refGrads)) {
      expect(fused.grads[name]!.length).toBe(name === 'b' ? n : m * n);
      expect(worst(fused.grads[name]!, refGrads[name]!, bound(name)), `fused ${name}`).toBeLessThanOrEqual(1);
      expect(worst(stock.grads[name]!, refGrads[name]!, bound(name)), `tfjs ${name}`).toBeLessThanOrEqual(1);
      const twice = bound(name);
      expect(
        worst(fused.grads[name]!, stock.grads[name]!, (k) => 2 * twice(k)),
        `fused vs tfjs ${name}`,
      ).toBeLessThanOrEqual(1);
      expect(worst(planned.grads[name]!, refGrads[name]!, bound(name)), `planned ${name}`).toBeLessThanOrEqual(1);
      expect(
        worst(planned.grads[name]!, fused.grads[name]!, (k) => 2 * twice(k)),
        `planned vs dense ${name}`,
      ).toBeLessThanOrEqual(1);
    }
    const eLoss = 2 * gamma(K + p.B * n) * mag.loss + 1e-30;
    expect(Math.abs(fused.reconstruction - ref.reconstruction)).toBeLessThanOrEqual(eLoss);
    expect(Math.abs(planned.reconstruction - ref.reconstruction)).toBeLessThanOrEqual(eLoss);
    expect(Math.abs(planned.l1 - fused.l1)).toBeLessThanOrEqual(2 * gamma(K + p.B * m) * Math.max(ref.l1, 1e-30) * 4 + 1e-30);
    expect(Math.abs(fused.l1 - ref.l1)).toBeLessThanOrEqual(2 * gamma(K + p.B * m) * Math.max(ref.l1, 1e-30) * 4 + 1e-30);
    // The bound is tight enough to fail: it is far below the gradients' own size.
    const gmax = Math.max(...Array.from(refGrads[Object.keys(refGrads)[0]!]!, Math.abs));
    expect(2 * gamma(K) * Math.max(...mag.grads[Object.keys(refGrads)[0]!]!)).toBeLessThan(1e-3 * Math.max(gmax, 1e-6) + 1e-3);
  });
});

const bits = (a: Float32Array): number[] => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));
const paramBits = (p: ModelParams): Record<string, number[]> =>
  p.kind === 'tied' ? { W: bits(p.W), b: bits(p.b) } : { E: bits(p.E), D: bits(p.D), b: bits(p.b) };
const runBits = (r: TrainResult): unknown => r.instances.map((i) => ({ p: paramBits(i.params), h: i.history }));

describe('fused engine, every model option, end to end', () => {
  const run: TrainConfigInput = {
    data: { n: 12 },
    model: { m: 7, weights: untied, hiddenActivation: 'relu', hiddenNoise: { kind: 'bernoulli', p: 0.1 } },
    batchSize: 32,
    steps: 60,
    logEvery: 20,
    instances: [{ seed: 1 }, { seed: 2, lr: 5e-3 }, { seed: 3, lambda: 0.01 }],
    optimizer: { kind: 'adam', lr: 1e-2 },
  };

  it('trains untied + noise: the same bits on every run and with 2 worker threads, close to the tfjs engine', async () => {
    const a = await train(run);
    const b = await train(run);
    expect(runBits(a)).toEqual(runBits(b));
    const two = await trainParallel(run, { workers: 2 });
    expect(runBits(two)).toEqual(runBits(a));
    // The tfjs engine (reference/fallback) follows the same trajectory up to float32 rounding.
    const ref = await runTraining(resolveTrainConfig(run), {}, { engine: 'tfjs' });
    a.instances.forEach((r, i) => {
      const s = ref.instances[i]!;
      expect(Math.abs(r.finalLoss.loss - s.finalLoss.loss)).toBeLessThan(1e-3 * Math.max(1, s.finalLoss.loss));
      const last = r.history.at(-1)!;
      expect(last.loss).toBeLessThan(r.history[0]!.loss);
      // The unit-norm decoder constraint holds after every fused update (here: the last).
      const { D, n, m } = r.params as Extract<ModelParams, { kind: 'untied' }>;
      for (let j = 0; j < m; j++) {
        let sq = 0;
        for (let k = 0; k < n; k++) sq += D[k * m + j]! ** 2;
        expect(Math.abs(Math.sqrt(sq) - 1)).toBeLessThan(4 * n * u);
      }
    });
  });
});
