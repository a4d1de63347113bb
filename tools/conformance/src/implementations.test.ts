/**
 * The same model, four implementations, one suite: the tfjs model on the wasm backend (the
 * reference/fallback engine), the fused step on the polytoy kernels (what training runs), the
 * model package's float64 reference, and the analytic package's exact population loss/gradient
 * (pure TS, its own code). With the batch set to the whole half-split support, the batch mean IS
 * the population mean, so all four must agree.
 */
import * as tf from '@tensorflow/tfjs-core';
import { exactPopulationGradient, sameSignConstructionF64 } from '@polytoy/analytic';
import { createPrng, resolveTrainConfig } from '@polytoy/core';
import type { ModelConfig, ModelParams } from '@polytoy/core';
import { enumerateHalfSplitSupport } from '@polytoy/data';
import {
  disposeParams,
  initParams,
  lossAndGradients,
  paramsToTensors,
  referenceLossAndGradients,
  tensorsToParams,
} from '@polytoy/model';
import { FusedStep } from '@polytoy/trainer/internal';
import { initNodeBackend } from '@polytoy/trainer/node';
import { beforeAll, describe, expect, it } from 'vitest';

beforeAll(async () => {
  const runtime = await initNodeBackend();
  expect(runtime.backend).toBe('wasm');
});

function model(n: number, m: number, weights: 'tied' | 'untied', hidden: 'none' | 'relu'): ModelConfig {
  return resolveTrainConfig({
    data: { n },
    model: {
      m,
      hiddenActivation: hidden,
      weights: weights === 'tied' ? { kind: 'tied' } : { kind: 'untied', decoderNorm: 'none' },
    },
  }).model;
}

function maxRelDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!) / Math.max(1, Math.abs(b[i]!)));
  return worst;
}

const cases = [
  [8, 5, 'tied', 'none'],
  [8, 6, 'untied', 'none'],
  [16, 9, 'tied', 'none'],
  [16, 10, 'tied', 'relu'],
  [16, 9, 'untied', 'relu'],
] as const;

describe.each(cases)('n=%i m=%i %s hidden=%s: tfjs = float64 reference = analytic enumeration', (n, m, weights, hidden) => {
  const cfg = model(n, m, weights, hidden);
  const lambda = 0.01;
  const support = enumerateHalfSplitSupport(n);
  // Random init plus a positive bias offset, so outputs are active and away from kinks.
  const params = initParams(cfg, createPrng(n * 100 + m));
  params.b.fill(0.05);

  it('loss components agree', () => {
    const analytic = exactPopulationGradient(params, { hiddenActivation: hidden, lambda });
    const reference = referenceLossAndGradients(cfg, params, support.x, support.count, lambda);
    expect(reference.reconstruction).toBeCloseTo(analytic.loss.reconstruction, 10);
    expect(reference.l1).toBeCloseTo(analytic.loss.l1, 10);
    const t = paramsToTensors([params]);
    const x = tf.tensor3d(support.x, [1, support.count, n]);
    const out = lossAndGradients(cfg, t, x, { lambda: tf.tensor1d([lambda]) });
    expect(Math.abs(out.reconstruction.dataSync()[0]! - analytic.loss.reconstruction)).toBeLessThan(
      1e-5 * Math.max(1, analytic.loss.reconstruction),
    );
    expect(Math.abs(out.l1.dataSync()[0]! - analytic.loss.l1)).toBeLessThan(1e-5 * Math.max(1, analytic.loss.l1));
    expect(Math.abs(out.loss.dataSync()[0]! - analytic.loss.loss)).toBeLessThan(1e-5 * Math.max(1, analytic.loss.loss));

    // Gradients: the analytic exact gradient against the float64 reference (tight) and tfjs (float32).
    const tfGrads = tensorsToParams(out.grads)[0]! as ModelParams;
    const names = weights === 'tied' ? (['W', 'b'] as const) : (['E', 'D', 'b'] as const);
    for (const name of names) {
      const a = (analytic.grad as unknown as Record<string, Float64Array>)[name]!;
      const r = (reference.grads as unknown as Record<string, Float64Array>)[name]!;
      const g = (tfGrads as unknown as Record<string, Float32Array>)[name]!;
      expect(a.length).toBe(g.length);
      expect(maxRelDiff(r, a)).toBeLessThan(1e-10);
      expect(maxRelDiff(g, a)).toBeLessThan(1e-5);
    }
  });

  it('the fused step (polytoy kernels) agrees with the exact loss and gradient', () => {
    const analytic = exactPopulationGradient(params, { hiddenActivation: hidden, lambda });
    const t = paramsToTensors([params]);
    const step = new FusedStep({
      model: cfg,
      optimizer: resolveTrainConfig({ data: { n } }).optimizer,
      instances: 1,
      batch: support.count,
      batchTotal: support.count,
      lambda: [lambda],
      importance: null,
    });
    try {
      step.setBatch(support.x);
      const sums = step.lossAndGradients(t, true, null);
      expect(Math.abs(sums.reconstruction[0]! - analytic.loss.reconstruction)).toBeLessThan(
        1e-5 * Math.max(1, analytic.loss.reconstruction),
      );
      expect(Math.abs(sums.activationL1[0]! - analytic.loss.l1)).toBeLessThan(1e-5 * Math.max(1, analytic.loss.l1));
      const fused: Record<string, Float32Array> =
        weights === 'tied'
          ? { W: step.dEnc.dataSync() as Float32Array, b: step.db.dataSync() as Float32Array }
          : {
              E: step.dEnc.dataSync() as Float32Array,
              D: step.dDec!.dataSync() as Float32Array,
              b: step.db.dataSync() as Float32Array,
            };
      for (const [name, g] of Object.entries(fused)) {
        const a = (analytic.grad as unknown as Record<string, Float64Array>)[name]!;
        expect(a.length).toBe(g.length);
        expect(maxRelDiff(g, a)).toBeLessThan(1e-5);
      }
    } finally {
      step.dispose();
      disposeParams(t);
    }
  });
});

describe('at the construction (exact zeros in h and output kinks)', () => {
  it("tfjs reconstruction and L1 equal the exact values; the gradient agrees with the analytic subgradient (sign(0)=0, ReLU'(0)=0)", () => {
    const n = 16;
    const p64 = sameSignConstructionF64({ n });
    const cfg = model(n, p64.m, 'tied', 'none');
    const params: ModelParams = { kind: 'tied', n, m: p64.m, W: Float32Array.from(p64.W), b: Float32Array.from(p64.b) };
    const support = enumerateHalfSplitSupport(n);
    const analytic = exactPopulationGradient(p64, { hiddenActivation: 'none', lambda: 0.001 });
    const out = lossAndGradients(cfg, paramsToTensors([params]), tf.tensor3d(support.x, [1, support.count, n]), {
      lambda: tf.tensor1d([0.001]),
    });
    expect(analytic.loss.reconstruction).toBeLessThan(1e-20);
    // float32 eps = sqrt(1/8) is not exact: reconstruction is tiny but need not be 0 in float32.
    expect(out.reconstruction.dataSync()[0]!).toBeLessThan(1e-10);
    expect(Math.abs(out.l1.dataSync()[0]! / analytic.loss.l1 - 1)).toBeLessThan(1e-5); // float32 sums
    const g = (tensorsToParams(out.grads)[0] as { W: Float32Array }).W;
    expect(maxRelDiff(g, analytic.grad.W!)).toBeLessThan(1e-5);
  });
});
