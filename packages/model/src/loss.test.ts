import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import type { ModelConfig, ModelParams } from '@polytoy/core';
import { createPrng } from '@polytoy/core';
import { lossAndGradients } from './loss.js';
import { sampleHiddenNoise } from './noise.js';
import { referenceLossAndGradients } from './reference.js';
import { disposeParams, paramsToTensors } from './tensors.js';
import type { ParamTensors } from './tensors.js';
import { BACKENDS, useBackend } from './test-utils/backend.js';
import { ALL_OPTIONS, describeOptions, expectClose, modelConfig, randomParams, uniformArray } from './test-utils/random.js';

// float32 (tfjs) vs float64 (reference) on identical float32 inputs; the backward products sum
// B·n ≈ 50 terms, so 1e-5 relative to max(1, max |value|) leaves a wide margin over float32 eps.
const TOL = 1e-5;
const n = 8,
  m = 5,
  B = 6,
  I = 2;

const NOISES = {
  none: undefined,
  gaussian: { kind: 'gaussian', std: 0.3 },
  bernoulli: { kind: 'bernoulli', p: 0.3 },
} as const;

function gradArrays(g: ParamTensors): Record<string, Float32Array> {
  return g.kind === 'tied'
    ? { W: g.W.dataSync() as Float32Array, b: g.b.dataSync() as Float32Array }
    : { E: g.E.dataSync() as Float32Array, D: g.D.dataSync() as Float32Array, b: g.b.dataSync() as Float32Array };
}

interface Case {
  label: string;
  model: ModelConfig;
  importance: boolean;
}

const CASES: Case[] = ALL_OPTIONS.flatMap((o) =>
  (['activations', 'weights'] as const).flatMap((l1) =>
    (Object.keys(NOISES) as (keyof typeof NOISES)[]).map((noise) => ({
      label: `${describeOptions(o)} l1=${l1} noise=${noise} importance=${noise !== 'gaussian'}`,
      // Importance weights on in two of the three noise settings, so every option sees both.
      importance: noise !== 'gaussian',
      model: modelConfig(n, m, { ...o, l1, noise: NOISES[noise] }),
    })),
  ),
);

describe.each(BACKENDS)('lossAndGradients on %s matches referenceLossAndGradients', (backend) => {
  beforeAll(async () => {
    await useBackend(backend);
  });

  it.each(CASES.map((c) => [c.label, c] as const))('%s', (_, c) => {
    const { model } = c;
    const rng = createPrng(21);
    const list = Array.from({ length: I }, () => randomParams(rng, model));
    const x = uniformArray(rng, I * B * n);
    const importance = c.importance ? uniformArray(rng, n, 0.5, 1.5) : null;
    const lambdas = [0.05, 0.2];
    const noise = sampleHiddenNoise(model, [createPrng(5), createPrng(6)], B);
    const params = paramsToTensors(list);
    const xt = tf.tensor3d(x, [I, B, n]);
    const lambda = tf.tensor1d(lambdas);
    const before = tf.memory().numTensors;
    const out = lossAndGradients(model, params, xt, { lambda, importance, noise });
    // Exactly the outputs survive the tidy: 3 scalars-per-instance + 2 or 3 gradients.
    expect(tf.memory().numTensors - before).toBe(3 + (model.weights.kind === 'tied' ? 2 : 3));
    const loss = out.loss.dataSync(),
      rec = out.reconstruction.dataSync(),
      l1 = out.l1.dataSync();
    const grads = gradArrays(out.grads);
    for (let i = 0; i < I; i++) {
      const ref = referenceLossAndGradients(
        model,
        list[i]!,
        x.subarray(i * B * n, (i + 1) * B * n),
        B,
        lambdas[i]!,
        importance,
        noise?.values.subarray(i * B * m, (i + 1) * B * m),
      );
      expectClose([loss[i]!, rec[i]!, l1[i]!], [ref.loss, ref.reconstruction, ref.l1], TOL, `loss terms[${i}]`);
      expect(ref.loss).toBeCloseTo(ref.reconstruction + lambdas[i]! * ref.l1, 12);
      for (const [key, arr] of Object.entries(grads)) {
        const size = arr.length / I;
        const expected = ref.grads[key as 'W' | 'E' | 'D' | 'b'];
        expect(expected, key).toBeDefined();
        expectClose(arr.subarray(i * size, (i + 1) * size), expected!, TOL, `d${key}[${i}]`);
      }
      if (!model.outputBias) expect(Array.from(grads.b!.subarray(i * n, (i + 1) * n)).every((v) => v === 0)).toBe(true);
    }
    tf.dispose([xt, lambda, out.loss, out.reconstruction, out.l1]);
    disposeParams(out.grads);
    disposeParams(params);
  });

  it('is bit-for-bit identical for instance i of a batched call and a 1-instance call', () => {
    // n = 64 > 48: on the stock wasm backend an untransposed batch-1 product would take the
    // XNNPACK path and round differently from the batched loop (see products.ts); this size
    // catches that.
    for (const weights of ['tied', 'untied'] as const) {
      const model = modelConfig(64, 33, { weights, hiddenActivation: 'relu', noise: { kind: 'bernoulli', p: 0.2 } });
      const rng = createPrng(99);
      const list = Array.from({ length: 3 }, () => randomParams(rng, model));
      const Bb = 64;
      const x = uniformArray(rng, 3 * Bb * 64);
      const importance = uniformArray(rng, 64, 0.5, 1.5);
      const lambdas = [0.001, 0.01, 0.1];
      const noise = sampleHiddenNoise(model, [createPrng(7), createPrng(8), createPrng(9)], Bb)!;
      const run = (ps: ModelParams[], xs: Float32Array, ls: number[], nv: Float32Array) => {
        const params = paramsToTensors(ps);
        const xt = tf.tensor3d(xs, [ps.length, Bb, 64]);
        const lambda = tf.tensor1d(ls);
        const out = lossAndGradients(model, params, xt, { lambda, importance, noise: { kind: noise.kind, values: nv } });
        const result = {
          loss: out.loss.dataSync(),
          rec: out.reconstruction.dataSync(),
          l1: out.l1.dataSync(),
          ...gradArrays(out.grads),
        };
        tf.dispose([xt, lambda, out.loss, out.reconstruction, out.l1]);
        disposeParams(out.grads);
        disposeParams(params);
        return result;
      };
      const all = run(list, x, lambdas, noise.values);
      for (let i = 0; i < 3; i++) {
        const one = run(
          [list[i]!],
          x.subarray(i * Bb * 64, (i + 1) * Bb * 64),
          [lambdas[i]!],
          noise.values.subarray(i * Bb * 33, (i + 1) * Bb * 33),
        );
        for (const [key, arr] of Object.entries(one)) {
          const full = all[key as keyof typeof all];
          const size = arr.length;
          // toEqual on typed arrays compares element by element with Object.is: bit for bit.
          expect(full.subarray(i * size, (i + 1) * size), `${weights} ${key}[${i}]`).toEqual(arr);
        }
      }
    }
  });

  it('rejects bad arguments with one-line ConfigErrors naming them', () => {
    const model = modelConfig(n, m);
    const params = paramsToTensors([randomParams(createPrng(1), model)]);
    const xt = tf.zeros([1, B, n]) as tf.Tensor3D;
    const lambda = tf.tensor1d([0.1, 0.2]);
    expect(() => lossAndGradients(model, params, xt, { lambda })).toThrow(
      /^lambda: expected a tensor of shape \[1\], received \[2\]$/,
    );
    const lambda1 = tf.tensor1d([0.1]);
    expect(() => lossAndGradients(model, params, xt, { lambda: lambda1, importance: new Float32Array(3) })).toThrow(
      /^importance: expected a Float32Array of length 8, received "length 3"$/,
    );
    const untied = modelConfig(n, m, { weights: 'untied' });
    expect(() => lossAndGradients(untied, params, xt, { lambda: lambda1 })).toThrow(/^params\.kind: expected "untied"/);
    const noisy = modelConfig(n, m, { noise: { kind: 'gaussian', std: 0.1 } });
    const noise = sampleHiddenNoise(noisy, [createPrng(0)], B)!;
    expect(() => lossAndGradients(model, params, xt, { lambda: lambda1, noise })).toThrow(/^noise\.kind: expected "none"/);
    expect(() =>
      lossAndGradients(noisy, params, xt, { lambda: lambda1, noise: { ...noise, values: new Float32Array(5) } }),
    ).toThrow(/^noise\.values: expected length I\*B\*m = 30, received 5$/);
    tf.dispose([xt, lambda, lambda1]);
    disposeParams(params);
  });

  it('all-zero inputs with lambda 0: zero L1, only the bias learns', () => {
    const model = modelConfig(n, m, { hiddenActivation: 'relu' });
    const p = randomParams(createPrng(2), model);
    const params = paramsToTensors([p]);
    const x = new Float32Array(B * n); // all-zero inputs: h = 0, sign(0) = 0, ReLU'(0) = 0
    const xt = tf.tensor3d(x, [1, B, n]);
    const lambda = tf.tensor1d([0]);
    const out = lossAndGradients(model, params, xt, { lambda });
    const ref = referenceLossAndGradients(model, p, x, B, 0);
    expect(out.l1.dataSync()[0]).toBe(0);
    expectClose([out.loss.dataSync()[0]!], [ref.loss], TOL, 'loss');
    // Only the bias gets a gradient: W never sees a non-zero input or hidden activation.
    const g = gradArrays(out.grads);
    expect(Array.from(g.W!).every((v) => v === 0)).toBe(true);
    expectClose(g.b!, ref.grads.b, TOL, 'db');
    tf.dispose([xt, lambda, out.loss, out.reconstruction, out.l1]);
    disposeParams(out.grads);
    disposeParams(params);
  });
});
