/**
 * The fused step against a float64 reference and against tfjs's stock kernels, within stated
 * float32 error bounds. Bounds are first order, with u = 2⁻²⁴ and γ(k) = k·u / (1 − k·u): a
 * float32 sum of k products is within γ(k)·Σ|products| of the exact sum, whatever its order
 * (Higham, Accuracy and Stability, §3.1), so two implementations that sum the same float32
 * products in different orders (our GEMM, XNNPACK's, the concatenated-K weight gradient) differ
 * by at most twice that. The errors of h, y, dz, dh propagate linearly into the next products;
 * every bound below carries them (`e*` terms), times a safety factor 2 for second-order terms.
 * ReLU masks and sign(h) are discontinuous, so the inputs are checked to stay clear of the kinks
 * by more than the error bound (the premise of the bound).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { ModelConfig, TrainConfigInput } from '@polytoy/core';
import { createPrng, resolveTrainConfig } from '@polytoy/core';
import { createDataSource } from '@polytoy/data';
import { lossAndGradients } from '@polytoy/model';
import { beforeAll, describe, expect, it } from 'vitest';
import { FusedTiedStep } from './fused-step.js';
import { initNodeBackend } from './node.js';
import { createOptimizerState, disposeOptimizerState } from './optimizer.js';
import { train } from './train.js';

beforeAll(async () => {
  await initNodeBackend({ kernels: 'polytoy' });
});

const u = 2 ** -24;
const gamma = (k: number): number => (k * u) / (1 - k * u);

interface Case {
  name: string;
  input: TrainConfigInput;
  lambda: number;
}

const CASES: Case[] = [
  {
    name: 'seed model (linear hidden, output ReLU + bias, activation L1)',
    input: { data: { n: 24 }, model: { m: 13 } },
    lambda: 0.05,
  },
  { name: 'hidden ReLU', input: { data: { n: 16 }, model: { m: 12, hiddenActivation: 'relu' } }, lambda: 0.05 },
  {
    name: 'paper model (no bias, L1 on weights)',
    input: {
      data: { kind: 'basis', n: 20 },
      batchSize: 20,
      model: { m: 30, outputBias: false, l1: { target: 'weights', lambda: 1e-3 } },
    },
    lambda: 1e-2,
  },
  {
    name: 'importance weights, no output activation',
    input: {
      data: { kind: 'sparse-uniform', n: 20, density: 0.3, importanceDecay: 0.9 },
      model: { m: 7, outputActivation: 'none' },
    },
    lambda: 0.02,
  },
];

interface Problem {
  model: ModelConfig;
  B: number;
  W: Float32Array;
  b: Float32Array;
  x: Float32Array;
  importance: Float32Array | null;
  lambda: number;
}

function problem(c: Case, seed: number, B = 64): Problem {
  const config = resolveTrainConfig({ ...c.input, batchSize: c.input.batchSize ?? B });
  const { model } = config;
  const rng = createPrng(seed);
  const W = Float32Array.from({ length: model.m * model.n }, () => rng.normal() * 0.4);
  const b = Float32Array.from({ length: model.n }, () => (model.outputBias ? rng.normal() * 0.2 : 0));
  const src = createDataSource(config.data, rng.fork(9));
  const batch = config.batchSize;
  return { model, B: batch, W, b, x: src.next(batch), importance: src.importance, lambda: c.lambda };
}

interface Gradients {
  dW: Float32Array;
  db: Float32Array;
  reconstruction: number;
  l1: number;
}

/** The fused step on `rows` of the batch at a time (all of it, or split), gradients summed in order. */
function fused(p: Problem, parts = 1): Gradients {
  const { model, B } = p;
  const { n, m } = model;
  const config = resolveTrainConfig({ data: { n: 16 }, optimizer: { kind: 'adam', lr: 1e-3 } });
  const dW = new Float32Array(m * n);
  const db = new Float32Array(n);
  let reconstruction = 0;
  let l1 = 0;
  tf.tidy(() => {
    const W = tf.tensor3d(p.W, [1, m, n]);
    const b = tf.tensor2d(p.b, [1, n]);
    for (let k = 0; k < parts; k++) {
      const r0 = Math.floor((k * B) / parts);
      const r1 = Math.floor(((k + 1) * B) / parts);
      const step = new FusedTiedStep({
        model,
        optimizer: config.optimizer,
        instances: 1,
        batch: r1 - r0,
        batchTotal: B,
        lambda: [p.lambda],
        importance: p.importance,
      });
      step.xView(0).set(p.x.subarray(r0 * n, r1 * n));
      const sums = step.forward(W, b, true);
      reconstruction += sums.reconstruction[0]!;
      l1 += model.l1.target === 'weights' ? (k === 0 ? step.weightL1(W)[0]! : 0) : sums.activationL1[0]!;
      const gW = step.dW.dataSync();
      const gb = step.db.dataSync();
      for (let e = 0; e < m * n; e++) dW[e] = k === 0 ? gW[e]! : dW[e]! + gW[e]!;
      for (let e = 0; e < n; e++) db[e] = k === 0 ? gb[e]! : db[e]! + gb[e]!;
      step.dispose();
    }
  });
  if (model.l1.target === 'weights') for (let e = 0; e < m * n; e++) dW[e] = dW[e]! + Math.fround(p.lambda) * Math.sign(p.W[e]!);
  if (!model.outputBias) db.fill(0);
  return { dW, db, reconstruction, l1 };
}

/** tfjs ops (`lossAndGradients`) with the stock tfjs-backend-wasm kernels. */
async function stock(p: Problem): Promise<Gradients> {
  const { model, B } = p;
  const { n, m } = model;
  await initNodeBackend({ kernels: 'stock' });
  try {
    return tf.tidy(() => {
      const out = lossAndGradients(
        model,
        { kind: 'tied', W: tf.tensor3d(p.W, [1, m, n]), b: tf.tensor2d(p.b, [1, n]) },
        tf.tensor3d(p.x, [1, B, n]),
        { lambda: tf.tensor1d([p.lambda]), importance: p.importance },
      );
      if (out.grads.kind !== 'tied') throw new Error('tied expected');
      return {
        dW: out.grads.W.dataSync() as Float32Array,
        db: out.grads.b.dataSync() as Float32Array,
        reconstruction: out.reconstruction.dataSync()[0]!,
        l1: out.l1.dataSync()[0]!,
      };
    });
  } finally {
    await initNodeBackend({ kernels: 'polytoy' });
  }
}

interface Reference extends Gradients {
  /** Error bounds (already with the safety factor). */
  eW: Float64Array;
  eb: Float64Array;
  eRec: number;
  eL1: number;
  /** Smallest distance of a kink input (pre-activations, h for sign) to 0, in units of its error bound. */
  kinkMargin: number;
}

/** |v| in units of its error bound e (a value without rounding error, e = 0, is exact: no kink risk). */
const margin = (v: number, e: number): number => (e > 0 ? Math.abs(v) / e : Number.POSITIVE_INFINITY);

/** Float64 forward/backward with first-order float32 error bounds for every output. */
function reference(p: Problem): Reference {
  const { model, B, W, b, x, importance, lambda } = p;
  const { n, m } = model;
  const relu = (v: number): number => Math.max(v, 0);
  const lam = Math.fround(lambda);
  const s2 = Math.fround(2 * Math.fround(1 / B));
  const coef = Math.fround(lam * Math.fround(1 / B));
  const dW = new Float64Array(m * n);
  const eW = new Float64Array(m * n);
  const magW = new Float64Array(m * n); // Σ_s |h||dz| + |dh||x|
  const db = new Float64Array(n);
  const eb = new Float64Array(n);
  const magB = new Float64Array(n);
  let rec = 0;
  let eRec = 0;
  let recMag = 0;
  let l1 = 0;
  let eL1 = 0;
  let kinkMargin = Number.POSITIVE_INFINITY;
  const h = new Float64Array(m);
  const eh = new Float64Array(m);
  const dz = new Float64Array(n);
  const edz = new Float64Array(n);
  for (let s = 0; s < B; s++) {
    const xs = x.subarray(s * n, (s + 1) * n);
    for (let j = 0; j < m; j++) {
      let a = 0;
      let mag = 0;
      for (let i = 0; i < n; i++) {
        a += W[j * n + i]! * xs[i]!;
        mag += Math.abs(W[j * n + i]! * xs[i]!);
      }
      eh[j] = gamma(n) * mag;
      if (model.hiddenActivation === 'relu') {
        kinkMargin = Math.min(kinkMargin, margin(a, eh[j]!));
        h[j] = relu(a);
      } else h[j] = a;
      if (model.hiddenActivation !== 'relu' && model.l1.target === 'activations')
        kinkMargin = Math.min(kinkMargin, margin(h[j]!, eh[j]!));
      l1 += Math.abs(h[j]!) / B;
      eL1 += (eh[j]! + gamma(B * m) * Math.abs(h[j]!)) / B;
    }
    for (let i = 0; i < n; i++) {
      let a = model.outputBias ? b[i]! : 0;
      let mag = Math.abs(a);
      let prop = 0;
      for (let j = 0; j < m; j++) {
        a += W[j * n + i]! * h[j]!;
        mag += Math.abs(W[j * n + i]! * h[j]!);
        prop += Math.abs(W[j * n + i]!) * eh[j]!;
      }
      const ez = gamma(m + 1) * mag + prop;
      let y = a;
      if (model.outputActivation === 'relu') {
        kinkMargin = Math.min(kinkMargin, margin(a, ez));
        y = relu(a);
      }
      const w = importance ? importance[i]! : 1;
      const d = y - xs[i]!;
      const ed = ez + u * Math.abs(d);
      rec += (w * d * d) / B;
      recMag += w * d * d;
      eRec += (2 * w * Math.abs(d) * ed) / B;
      const live = model.outputActivation !== 'relu' || a > 0;
      dz[i] = live ? w * d * s2 : 0;
      edz[i] = live ? s2 * w * (ed + 2 * u * Math.abs(d)) : 0;
      if (model.outputBias) {
        db[i] = db[i]! + dz[i]!;
        magB[i] = magB[i]! + Math.abs(dz[i]!);
        eb[i] = eb[i]! + edz[i]!;
      }
    }
    for (let j = 0; j < m; j++) {
      let g = 0;
      let mag = 0;
      let prop = 0;
      for (let i = 0; i < n; i++) {
        g += W[j * n + i]! * dz[i]!;
        mag += Math.abs(W[j * n + i]! * dz[i]!);
        prop += Math.abs(W[j * n + i]!) * edz[i]!;
      }
      let edh = gamma(n + 1) * (mag + coef) + prop;
      if (model.l1.target === 'activations') g += coef * Math.sign(h[j]!);
      if (model.hiddenActivation === 'relu' && !(h[j]! > 0)) {
        g = 0;
        edh = 0;
      }
      for (let i = 0; i < n; i++) {
        const k = j * n + i;
        dW[k] = dW[k]! + h[j]! * dz[i]! + g * xs[i]!;
        magW[k] = magW[k]! + Math.abs(h[j]! * dz[i]!) + Math.abs(g * xs[i]!);
        eW[k] = eW[k]! + eh[j]! * Math.abs(dz[i]!) + Math.abs(h[j]!) * edz[i]! + edh * Math.abs(xs[i]!);
      }
    }
  }
  for (let k = 0; k < m * n; k++) {
    eW[k] = 2 * (eW[k]! + gamma(2 * B + 1) * magW[k]!);
    if (model.l1.target === 'weights') {
      dW[k] = dW[k]! + lam * Math.sign(W[k]!);
      eW[k] = eW[k]! + 2 * u * (Math.abs(dW[k]!) + lam);
    }
  }
  for (let i = 0; i < n; i++) eb[i] = 2 * (eb[i]! + gamma(B) * magB[i]!);
  if (model.l1.target === 'weights') {
    l1 = 0;
    for (let k = 0; k < m * n; k++) l1 += Math.abs(W[k]!);
    eL1 = gamma(m * n) * l1;
  }
  return {
    dW: Float32Array.from(dW),
    db: Float32Array.from(db),
    reconstruction: rec,
    l1,
    eW: Float64Array.from(dW, (_, k) => eW[k]!),
    eb,
    eRec: 2 * (eRec + (gamma(B * n + 1) * recMag) / B),
    eL1: 2 * eL1,
    kinkMargin,
  };
}

/** Largest |a − b| / bound over the elements (≤ 1 means within the bound). */
function worst(a: ArrayLike<number>, b: ArrayLike<number>, bound: ArrayLike<number>): number {
  let w = 0;
  for (let k = 0; k < a.length; k++) {
    const d = Math.abs(a[k]! - b[k]!);
    if (d > 0) w = Math.max(w, d / bound[k]!);
  }
  return w;
}

describe('FusedTiedStep gradients', () => {
  it.each(CASES)('$name: fused and stock tfjs both within the float32 bound of the float64 result', async (c) => {
    for (const seed of [1, 2]) {
      const p = problem(c, seed);
      const ref = reference(p);
      // Premise of the bounds: no ReLU/sign kink input within 4× its error bound of 0.
      expect(ref.kinkMargin).toBeGreaterThan(4);
      const f = fused(p);
      const s = await stock(p);
      for (const [label, g] of [
        ['fused', f],
        ['stock', s],
      ] as const) {
        expect(worst(g.dW, ref.dW, ref.eW), `${label} dW`).toBeLessThanOrEqual(1);
        expect(worst(g.db, ref.db, ref.eb), `${label} db`).toBeLessThanOrEqual(1);
        expect(Math.abs(g.reconstruction - ref.reconstruction), `${label} reconstruction`).toBeLessThanOrEqual(ref.eRec);
        expect(Math.abs(g.l1 - ref.l1), `${label} l1`).toBeLessThanOrEqual(ref.eL1);
      }
      // Hence the new kernels equal the stock ones within twice the bound.
      const twice = (e: Float64Array): Float64Array => e.map((v) => 2 * v);
      expect(worst(f.dW, s.dW, twice(ref.eW))).toBeLessThanOrEqual(1);
      expect(worst(f.db, s.db, twice(ref.eb))).toBeLessThanOrEqual(1);
      // And the bounds are not vacuous: the gradients are far larger than their error bars.
      const big = ref.dW.filter((v, k) => Math.abs(v) > 1e3 * ref.eW[k]!).length;
      expect(big).toBeGreaterThan(ref.dW.length / 2);
    }
  });

  it.each(CASES)('$name: a batch split in 2 or 3 parts equals the whole within the reassociation bound', (c) => {
    const p = problem(c, 3, 60);
    const ref = reference(p);
    expect(ref.kinkMargin).toBeGreaterThan(4);
    const whole = fused(p);
    for (const parts of [2, 3]) {
      const split = fused(p, parts);
      // Per-row values are the same bits; only the sums over rows are reassociated.
      expect(worst(split.dW, whole.dW, ref.eW)).toBeLessThanOrEqual(1);
      expect(worst(split.db, whole.db, ref.eb)).toBeLessThanOrEqual(1);
      expect(Math.abs(split.reconstruction - whole.reconstruction)).toBeLessThanOrEqual(1e-12 * (1 + whole.reconstruction));
    }
  });

  it('is deterministic and independent of the instance stacking', () => {
    const p = problem(CASES[0]!, 5);
    const a = fused(p);
    const b = fused(p);
    expect(a.dW).toEqual(b.dW);
    // Instance 1 of a 2-instance step sees exactly what it would alone.
    const { model } = p;
    const { n, m } = model;
    const other = problem(CASES[0]!, 6);
    tf.tidy(() => {
      const W = tf.tensor3d([...other.W, ...p.W], [2, m, n]);
      const bias = tf.tensor2d([...other.b, ...p.b], [2, n]);
      const step = new FusedTiedStep({
        model,
        optimizer: resolveTrainConfig({ data: { n: 16 } }).optimizer,
        instances: 2,
        batch: p.B,
        batchTotal: p.B,
        lambda: [other.lambda, p.lambda],
        importance: null,
      });
      step.setBatch(Float32Array.from([...other.x, ...p.x]));
      step.forward(W, bias, true);
      expect((step.dW.dataSync() as Float32Array).slice(m * n)).toEqual(a.dW);
      step.dispose();
    });
  });

  it('updates parameters and moments in place with the Adam formula, keeping the tensor count', () => {
    const p = problem(CASES[0]!, 7);
    const { model } = p;
    const { n, m } = model;
    const optimizer = resolveTrainConfig({ data: { n: 16 }, optimizer: { kind: 'adam', lr: 0.01 } }).optimizer;
    const W = tf.tensor3d(p.W, [1, m, n]);
    const b = tf.tensor2d(p.b, [1, n]);
    const state = createOptimizerState(optimizer, { W, b });
    const step = new FusedTiedStep({
      model,
      optimizer,
      instances: 1,
      batch: p.B,
      batchTotal: p.B,
      lambda: [p.lambda],
      importance: null,
    });
    const count = tf.memory().numTensors;
    step.xView(0).set(p.x);
    step.forward(W, b, true);
    const g = step.dW.dataSync().slice();
    step.update(W, b, state, [0.01], 1);
    expect(tf.memory().numTensors).toBe(count);
    // Step 1: m = (1−β1)g, v = (1−β2)g², p − lr·g/(|g| + ε) up to float32 rounding.
    const after = W.dataSync();
    const mW = state.slots.m!.W!.dataSync();
    for (let k = 0; k < m * n; k++) {
      expect(mW[k]).toBe(Math.fround(Math.fround(0.1) * g[k]!));
      const want = p.W[k]! - (0.01 * g[k]!) / (Math.abs(g[k]!) + 1e-8);
      expect(Math.abs(after[k]! - want)).toBeLessThanOrEqual(4 * u * (Math.abs(p.W[k]!) + 0.01));
    }
    step.dispose();
    disposeOptimizerState(state);
    tf.dispose([W, b]);
  });
});

describe('whole runs: polytoy kernels (fused step) vs stock kernels (tfjs ops)', () => {
  const maxWeightDiff = (a: Awaited<ReturnType<typeof train>>, b: Awaited<ReturnType<typeof train>>): number => {
    let d = 0;
    a.instances.forEach((r, i) => {
      const p = r.params;
      const q = b.instances[i]!.params;
      if (p.kind !== 'tied' || q.kind !== 'tied') return;
      for (let k = 0; k < p.W.length; k++) d = Math.max(d, Math.abs(p.W[k]! - q.W[k]!));
    });
    return d;
  };
  const both = async (
    input: TrainConfigInput,
  ): Promise<[Awaited<ReturnType<typeof train>>, Awaited<ReturnType<typeof train>>]> => {
    await initNodeBackend({ kernels: 'stock' });
    try {
      const stockRun = await train(input);
      expect(stockRun.runtime.kernels).toBe('stock');
      await initNodeBackend({ kernels: 'polytoy' });
      const polytoyRun = await train(input);
      expect(polytoyRun.runtime.kernels).toBe('polytoy');
      return [stockRun, polytoyRun];
    } finally {
      await initNodeBackend({ kernels: 'polytoy' });
    }
  };

  it('seed model, 40 Adam updates: weights within 1e-6, losses within 1e-6 relative', async () => {
    const [a, b] = await both({
      data: { n: 16 },
      model: { m: 9 },
      batchSize: 96,
      steps: 40,
      logEvery: 10,
      instances: 2,
      optimizer: { kind: 'adam', lr: 1e-2 },
    });
    expect(maxWeightDiff(a, b)).toBeLessThan(1e-6);
    a.instances.forEach((r, i) =>
      expect(Math.abs(r.finalLoss.loss - b.instances[i]!.finalLoss.loss)).toBeLessThan(1e-6 * r.finalLoss.loss),
    );
  });

  it('paper model, 200 AdamW updates: weights within 5·lr (L1 pins weights at 0, where they jitter by ±lr), loss within 1e-3', async () => {
    const lr = 1e-3;
    const [a, b] = await both({
      data: { kind: 'basis', n: 32 },
      model: { m: 64, outputBias: false, l1: { target: 'weights', lambda: 1e-3 } },
      batchSize: 32,
      steps: 200,
      logEvery: 50,
      optimizer: { kind: 'adamw', lr },
    });
    expect(maxWeightDiff(a, b)).toBeLessThan(5 * lr);
    const la = a.instances[0]!.finalLoss.loss;
    expect(Math.abs(la - b.instances[0]!.finalLoss.loss)).toBeLessThan(1e-3 * la);
  });
});
