/**
 * The batch split for untied weights (and hidden ReLU): the replicas' summed gradients against
 * the unsplit fused step within the reassociation bound, identical replicas after the update
 * (with the unit-norm decoder constraint), and whole `trainParallel` runs.
 *
 * The bound. Per sample, h, y, dz and dh are the same bits whatever rows a step sees, so the
 * two paths multiply the same float32 factors and differ only in how the B products of a weight
 * or bias gradient are summed (untied: every gradient element is one sum of B products, dE =
 * dhᵀx, dD = dzᵀh̃, db = 1ᵀdz; the replica sum fl(g₀ + g₁) is one more addition in a tree of
 * depth ≤ B). Each is within γ(B)·M of the exact sum, M = Σ_s |product_s| (Higham §3.1), so
 * they are within 2·γ(B)·M of each other. M is computed in float64 from the reference gradient
 * of each row alone (for untied weights that is exactly the row's product), times 1.01 for the
 * float64-vs-float32 factors.
 */
import type { ModelParams, TrainConfig, TrainConfigInput, TrainResult } from '@polytoy/core';
import { ConfigError, createPrng, resolveTrainConfig } from '@polytoy/core';
import { createDataSource } from '@polytoy/data';
import { referenceLossAndGradients } from '@polytoy/model';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { batchSplitSupports, FusedStep } from './fused-step.js';
import { initNodeBackend, trainParallel } from './node.js';
import { createSplitBuffers, gradientFloats, SplitReplica, splitRows, splitViews } from './split-replica.js';
import { train } from './train.js';

beforeAll(async () => {
  await initNodeBackend({ kernels: 'polytoy' });
});

const u = 2 ** -24;
const gamma = (k: number): number => (k * u) / (1 - k * u);

const untied = { kind: 'untied', decoderNorm: 'unit-columns' } as const;
type Untied = Extract<ModelParams, { kind: 'untied' }>;

function setup(model: TrainConfigInput['model'], seed: number): { config: TrainConfig; params: Untied; x: Float32Array } {
  const config = resolveTrainConfig({
    data: { n: 16 },
    model,
    batchSize: 40,
    instances: [{ seed }],
    optimizer: { kind: 'sgd', lr: 0.1 },
  });
  const { n, m } = config.model;
  const rng = createPrng(seed);
  const normal = (len: number, s: number): Float32Array => Float32Array.from({ length: len }, () => rng.normal() * s);
  const params: Untied = { kind: 'untied', n, m, E: normal(m * n, 0.4), D: normal(n * m, 0.4), b: normal(n, 0.2) };
  const x = createDataSource(config.data, rng.fork(9)).next(config.batchSize);
  return { config, params, x };
}

/** The unsplit fused step's gradients (E, D, b) on the whole batch. */
function wholeGradients(config: TrainConfig, params: Untied, x: Float32Array): Record<'E' | 'D' | 'b', Float32Array> {
  const { n, m } = config.model;
  const B = config.batchSize;
  return tf.tidy(() => {
    const tensors = {
      kind: 'untied' as const,
      E: tf.tensor3d(params.E, [1, m, n]),
      D: tf.tensor3d(params.D, [1, n, m]),
      b: tf.tensor2d(params.b, [1, n]),
    };
    const step = new FusedStep({
      model: config.model,
      optimizer: config.optimizer,
      instances: 1,
      batch: B,
      batchTotal: B,
      lambda: [config.instances[0]!.lambda],
      importance: null,
    });
    try {
      step.setBatch(x);
      step.lossAndGradients(tensors, true, null);
      return {
        E: (step.dEnc.dataSync() as Float32Array).slice(),
        D: (step.dDec!.dataSync() as Float32Array).slice(),
        b: (step.db.dataSync() as Float32Array).slice(),
      };
    } finally {
      step.dispose();
    }
  });
}

/** M = Σ_rows |row product| per gradient element, from each row's float64 reference gradient. */
function magnitudes(config: TrainConfig, params: Untied, x: Float32Array): Record<'E' | 'D' | 'b', Float64Array> {
  const { n, m } = config.model;
  const B = config.batchSize;
  const M = { E: new Float64Array(m * n), D: new Float64Array(n * m), b: new Float64Array(n) };
  for (let s = 0; s < B; s++) {
    const g = referenceLossAndGradients(config.model, params, x.subarray(s * n, (s + 1) * n), 1, config.instances[0]!.lambda);
    for (const name of ['E', 'D', 'b'] as const) {
      const row = g.grads[name]!;
      for (let k = 0; k < row.length; k++) M[name][k] = M[name][k]! + Math.abs(row[k]!) / B;
    }
  }
  return M;
}

describe('batch split, untied weights', () => {
  it('is supported for untied weights and hidden ReLU, refused with hidden noise', () => {
    expect(batchSplitSupports(resolveTrainConfig({ data: { n: 8 }, model: { weights: untied } }))).toBe(true);
    expect(batchSplitSupports(resolveTrainConfig({ data: { n: 8 }, model: { hiddenActivation: 'relu' } }))).toBe(true);
    expect(
      batchSplitSupports(
        resolveTrainConfig({ data: { n: 8 }, model: { weights: untied, hiddenNoise: { kind: 'gaussian', std: 0.1 } } }),
      ),
    ).toBe(false);
    expect(gradientFloats(resolveTrainConfig({ data: { n: 8 }, model: { m: 3, weights: untied }, instances: 2 }))).toBe(
      2 * (2 * 24 + 8),
    );
    expect(gradientFloats(resolveTrainConfig({ data: { n: 8 }, model: { m: 3 }, instances: 2 }))).toBe(2 * (24 + 8));
  });

  it.each([
    { name: 'unit-norm decoder', model: { m: 9, weights: untied } },
    {
      name: 'hidden ReLU, no constraint',
      model: { m: 7, weights: { kind: 'untied', decoderNorm: 'none' }, hiddenActivation: 'relu' },
    },
  ] as const)('$name: two replicas sum to the unsplit gradients within 2·γ(B)·M, then update identically', ({ model }) => {
    const { config, params, x } = setup(model, 5);
    const { n, m } = config.model;
    const B = config.batchSize;
    const v = splitViews(createSplitBuffers(config, 2));
    v.x.set(x);
    v.lr.set([0.1, 0.1]);
    const rows = splitRows(config, 2);
    expect(rows[0]![1]).toBeGreaterThan(0);
    const start = { params: [params], optimizer: null, importance: null };
    const replicas = rows.map((r, k) => new SplitReplica(config, k, 2, r, start, v));
    try {
      for (const r of replicas) r.compute(true);
      for (const r of replicas) r.arrive();
      // The shared layout: [replica][dE | dD | db]; the replicas' sum in replica order.
      const len = gradientFloats(config);
      const summed = Float32Array.from({ length: len }, (_, k) => v.grads[k]! + v.grads[len + k]!);
      const split = { E: summed.subarray(0, m * n), D: summed.subarray(m * n, 2 * m * n), b: summed.subarray(2 * m * n) };
      const whole = wholeGradients(config, params, x);
      const M = magnitudes(config, params, x);
      let differs = false;
      for (const name of ['E', 'D', 'b'] as const) {
        expect(split[name].length).toBe(whole[name].length);
        for (let k = 0; k < whole[name].length; k++) {
          const d = Math.abs(split[name][k]! - whole[name][k]!);
          expect(d, `${name}[${k}]`).toBeLessThanOrEqual(2 * gamma(B) * 1.01 * M[name][k]!);
          if (d > 0) differs = true;
        }
        // The bound is tight enough to fail: far below the gradients' own size.
        const gmax = Math.max(...Array.from(whole[name], Math.abs));
        expect(2 * gamma(B) * 1.01 * Math.max(...M[name])).toBeLessThan(1e-4 * gmax);
      }
      expect(differs).toBe(true); // a different summation order, not the same computation
      // Both replicas apply the same update and constraint: identical parameters.
      for (const r of replicas) r.update();
      const [a, b] = replicas.map((r) => r.exportParams()[0] as Untied);
      expect(new Uint32Array(a!.D.buffer)).toEqual(new Uint32Array(b!.D.buffer));
      expect(new Uint32Array(a!.E.buffer)).toEqual(new Uint32Array(b!.E.buffer));
      expect(new Uint32Array(a!.b.buffer)).toEqual(new Uint32Array(b!.b.buffer));
      expect(a!.E).not.toEqual(params.E);
      if (config.model.weights.kind === 'untied' && config.model.weights.decoderNorm === 'unit-columns') {
        for (let j = 0; j < m; j++) {
          let sq = 0;
          for (let i = 0; i < n; i++) sq += a!.D[i * m + j]! ** 2;
          expect(Math.abs(Math.sqrt(sq) - 1)).toBeLessThan(1e-6);
        }
      }
    } finally {
      for (const r of replicas) r.dispose();
    }
  });
});

const bits = (a: Float32Array): number[] => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));
const runBits = (r: TrainResult): unknown =>
  r.instances.map((i) => {
    const p = i.params;
    return { p: p.kind === 'tied' ? [bits(p.W), bits(p.b)] : [bits(p.E), bits(p.D), bits(p.b)], h: i.history };
  });

describe("trainParallel, split: 'batch', untied", () => {
  const run: TrainConfigInput = {
    data: { n: 16 },
    model: { m: 9, weights: untied },
    batchSize: 96,
    steps: 40,
    logEvery: 10,
    instances: [{ seed: 4 }],
    optimizer: { kind: 'adam', lr: 1e-2 },
  };

  it('is bit-identical across runs with 2 threads, and close to the unsplit run', async () => {
    const whole = await train(run);
    const a = await trainParallel(run, { workers: 2, split: 'batch' });
    const b = await trainParallel(run, { workers: 2, split: 'batch' });
    expect(runBits(a)).toEqual(runBits(b));
    expect(a.runtime.parallel).toEqual({ workers: 2, split: 'batch' });
    const pa = a.instances[0]!.params as Untied;
    const pw = whole.instances[0]!.params as Untied;
    // One step agrees within 2·γ(B)·M (above); over 40 Adam steps the difference stays at the
    // level of float32 rounding of the parameters.
    const maxDiff = Math.max(
      ...(['E', 'D', 'b'] as const).flatMap((name) => Array.from(pa[name], (v, k) => Math.abs(v - pw[name][k]!))),
    );
    expect(maxDiff).toBeLessThan(1e-5);
    expect(maxDiff).toBeGreaterThan(0);
    const la = a.instances[0]!.finalLoss.loss;
    expect(Math.abs(la - whole.instances[0]!.finalLoss.loss)).toBeLessThan(1e-5 * la);
    // The unit-norm decoder constraint holds after the split run's last update.
    const { D, n, m } = pa;
    for (let j = 0; j < m; j++) {
      let sq = 0;
      for (let i = 0; i < n; i++) sq += D[i * m + j]! ** 2;
      expect(Math.abs(Math.sqrt(sq) - 1)).toBeLessThan(1e-6);
    }
  });

  it('runs hidden ReLU (tied and untied) split, deterministically', async () => {
    for (const model of [
      { m: 9, hiddenActivation: 'relu' as const },
      { m: 9, weights: untied, hiddenActivation: 'relu' as const },
    ]) {
      const cfg = { ...run, model };
      const a = await trainParallel(cfg, { workers: 2, split: 'batch' });
      const b = await trainParallel(cfg, { workers: 2, split: 'batch' });
      expect(runBits(a)).toEqual(runBits(b));
      const whole = await train(cfg);
      const la = a.instances[0]!.finalLoss.loss;
      expect(Math.abs(la - whole.instances[0]!.finalLoss.loss)).toBeLessThan(1e-5 * la);
    }
  });

  it('refuses hidden noise with one clear line', async () => {
    const noisy = { ...run, model: { m: 9, weights: untied, hiddenNoise: { kind: 'gaussian' as const, std: 0.1 } } };
    await expect(trainParallel(noisy, { workers: 2, split: 'batch' })).rejects.toThrow(ConfigError);
    await expect(trainParallel(noisy, { workers: 2, split: 'batch' })).rejects.toThrow(/hidden noise/);
  });
});
