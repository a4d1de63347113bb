import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import type { ModelConfig, UntiedParams } from '@polytoy/core';
import { createPrng } from '@polytoy/core';
import { applyConstraints, projectDecoderColumns } from './constraints.js';
import { lossAndGradients } from './loss.js';
import { disposeParams, paramsToTensors, tensorsToParams } from './tensors.js';
import { useWasm } from './test-utils/backend.js';
import { modelConfig, randomParams, uniformArray } from './test-utils/random.js';

const n = 16,
  m = 9,
  B = 32;

function scaled(p: UntiedParams, s: number): UntiedParams {
  return { ...p, E: p.E.map((v) => v * s), D: p.D.map((v) => v / s) };
}

function evaluate(model: ModelConfig, list: UntiedParams[], x: Float32Array, lambda: number) {
  const params = paramsToTensors(list);
  const I = list.length;
  const xs = new Float32Array(I * B * n);
  for (let i = 0; i < I; i++) xs.set(x, i * B * n);
  const xt = tf.tensor3d(xs, [I, B, n]);
  const lam = tf.tensor1d(new Array<number>(I).fill(lambda));
  const out = lossAndGradients(model, params, xt, { lambda: lam });
  const result = {
    loss: Array.from(out.loss.dataSync()),
    reconstruction: Array.from(out.reconstruction.dataSync()),
    l1: Array.from(out.l1.dataSync()),
    grads: tensorsToParams(out.grads) as UntiedParams[],
  };
  tf.dispose([xt, lam, out.loss, out.reconstruction, out.l1]);
  disposeParams(out.grads);
  disposeParams(params);
  return result;
}

function columnNorms(D: Float32Array): number[] {
  return Array.from({ length: m }, (_, j) => Math.hypot(...Array.from({ length: n }, (_, i) => D[i * m + j]!)));
}

describe('untied weights with activation L1 are degenerate without a decoder constraint', () => {
  beforeAll(useWasm);

  it.each(['none', 'relu'] as const)(
    'hidden=%s: E→sE, D→D/s keeps the reconstruction while L1 scales by s',
    (hiddenActivation) => {
      const model = modelConfig(n, m, { weights: 'untied', decoderNorm: 'none', hiddenActivation });
      const rng = createPrng(8);
      const p = randomParams(rng, model) as UntiedParams;
      const x = uniformArray(rng, B * n);
      const lambda = 0.05;
      const ss = [1, 0.5, 0.1, 0.01];
      const r = evaluate(
        model,
        ss.map((s) => scaled(p, s)),
        x,
        lambda,
      );
      for (let k = 0; k < ss.length; k++) {
        // h scales by s (act_h is positively homogeneous), D h̃ does not: same outputs.
        expect(Math.abs(r.reconstruction[k]! - r.reconstruction[0]!)).toBeLessThan(1e-5 * r.reconstruction[0]!);
        expect(r.l1[k]! / r.l1[0]!).toBeCloseTo(ss[k]!, 5);
        if (k > 0) expect(r.loss[k]!).toBeLessThan(r.loss[k - 1]!);
      }
      // The loss goes down to the reconstruction term alone: the L1 pressure is gone.
      expect(r.loss[3]! - r.reconstruction[3]!).toBeLessThan(0.011 * lambda * r.l1[0]!);
      // And gradient descent sees it: along the scaling curve, d/ds L(sE, D/s) at s = 1 is
      // ⟨∂L/∂E, E⟩ − ⟨∂L/∂D, D⟩ = lambda·L1 > 0, so a descent step shrinks E and grows D.
      const g = r.grads[0]!;
      let slope = 0;
      for (let k = 0; k < m * n; k++) slope += g.E[k]! * p.E[k]! - g.D[k]! * p.D[k]!;
      expect(slope).toBeCloseTo(lambda * r.l1[0]!, 4);
    },
  );

  it("with decoderNorm 'unit-columns' the rescaling is undone, so L1 can no longer be traded away", () => {
    const model = modelConfig(n, m, { weights: 'untied', decoderNorm: 'unit-columns' });
    const rng = createPrng(9);
    const p = randomParams(rng, model) as UntiedParams;
    const x = uniformArray(rng, B * n);
    const project = (q: UntiedParams): UntiedParams => {
      const t = paramsToTensors([q]);
      const c = applyConstraints(model, t);
      expect(c).not.toBe(t);
      disposeParams(t); // the constrained copy must survive its source's disposal
      const [out] = tensorsToParams(c) as UntiedParams[];
      disposeParams(c);
      return out!;
    };
    const base = project(p);
    const small = project(scaled(p, 0.1));
    for (const norm of columnNorms(base.D)) expect(norm).toBeCloseTo(1, 6);
    // The projected decoder is the same whether or not D was scaled by 1/s ...
    for (let k = 0; k < n * m; k++) expect(small.D[k]).toBeCloseTo(base.D[k]!, 6);
    expect(small.E).toEqual(scaled(p, 0.1).E);
    expect(small.b).toEqual(p.b);
    // ... so shrinking E now shrinks D h̃ too: the reconstruction is no longer invariant, and L1
    // cannot be lowered without changing what the model computes.
    const r = evaluate(model, [base, small], x, 0.05);
    expect(r.l1[1]! / r.l1[0]!).toBeCloseTo(0.1, 5);
    expect(Math.abs(r.reconstruction[1]! - r.reconstruction[0]!)).toBeGreaterThan(0.1 * r.reconstruction[0]!);
  });
});

describe('applyConstraints', () => {
  beforeAll(useWasm);

  it('returns the same object for tied weights and for untied without a constraint', () => {
    for (const model of [modelConfig(8, 5), modelConfig(8, 5, { weights: 'untied', decoderNorm: 'none' })]) {
      const t = paramsToTensors([randomParams(createPrng(1), model)]);
      expect(applyConstraints(model, t)).toBe(t);
      disposeParams(t);
    }
  });

  it('gives unit-norm decoder columns for every instance, matches projectDecoderColumns, leaves zero columns at 0', () => {
    const model = modelConfig(n, m, { weights: 'untied', decoderNorm: 'unit-columns' });
    const rng = createPrng(2);
    const list = [0, 1, 2].map(() => randomParams(rng, model) as UntiedParams);
    for (let i = 0; i < n; i++) list[1]!.D[i * m + 4] = 0; // instance 1, neuron 4: an all-zero column
    const t = paramsToTensors(list);
    const before = tf.memory().numTensors;
    const c = applyConstraints(model, t);
    expect(tf.memory().numTensors - before).toBe(3);
    const out = tensorsToParams(c) as UntiedParams[];
    out.forEach((q, i) => {
      const norms = columnNorms(q.D);
      norms.forEach((v, j) => expect(v, `instance ${i} column ${j}`).toBeCloseTo(i === 1 && j === 4 ? 0 : 1, 6));
      const expected = projectDecoderColumns(list[i]!.D.slice(), n, m);
      for (let k = 0; k < n * m; k++) expect(q.D[k]).toBeCloseTo(expected[k]!, 6);
    });
    disposeParams(t);
    disposeParams(c);
  });

  it('projectDecoderColumns by hand', () => {
    expect(Array.from(projectDecoderColumns(Float32Array.from([3, 0, 4, 2]), 2, 2))).toEqual([
      Math.fround(0.6),
      0,
      Math.fround(0.8),
      1,
    ]);
  });
});
