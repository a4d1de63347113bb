// Per-instance importance ([I, n]): each instance's loss and gradients equal those of a call
// with that instance alone and its own [n] weights (instances are independent).
import * as tf from '@tensorflow/tfjs-core';
import { createPrng } from '@polytoy/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { lossAndGradients } from './loss.js';
import { paramsToTensors } from './tensors.js';
import { useBackend } from './test-utils/backend.js';
import { modelConfig, randomParams, uniformArray } from './test-utils/random.js';

const n = 8,
  m = 3,
  B = 5;

describe('lossAndGradients with [I, n] importance', () => {
  beforeAll(async () => {
    await useBackend('cpu');
  });

  it('equals one call per instance with its own [n] weights', () => {
    const model = modelConfig(n, m);
    const rng = createPrng(7);
    const ps = [randomParams(rng, model), randomParams(rng, model)];
    const x = [uniformArray(rng, B * n), uniformArray(rng, B * n)];
    const imp = [Float32Array.from({ length: n }, (_, j) => 0.7 ** j), Float32Array.from({ length: n }, (_, j) => 0.9 ** j)];
    const stacked = new Float32Array(2 * n);
    stacked.set(imp[0]!, 0);
    stacked.set(imp[1]!, n);
    const xt = tf.tensor3d(Float32Array.from([...x[0]!, ...x[1]!]), [2, B, n]);
    const both = lossAndGradients(model, paramsToTensors(ps), xt, { lambda: tf.tensor1d([0.01, 0.02]), importance: stacked });
    const rec = both.reconstruction.dataSync();
    const dW = both.grads.kind === 'tied' ? both.grads.W.dataSync() : new Float32Array();
    for (const i of [0, 1]) {
      const one = lossAndGradients(model, paramsToTensors([ps[i]!]), tf.tensor3d(x[i]!, [1, B, n]), {
        lambda: tf.tensor1d([[0.01, 0.02][i]!]),
        importance: imp[i]!,
      });
      expect(rec[i]).toBe(one.reconstruction.dataSync()[0]);
      const dW1 = one.grads.kind === 'tied' ? one.grads.W.dataSync() : new Float32Array();
      expect(Array.from(dW.subarray(i * m * n, (i + 1) * m * n))).toEqual(Array.from(dW1));
    }
    // And the weights matter: instance 1 under instance 0's weights differs.
    const swapped = lossAndGradients(model, paramsToTensors([ps[1]!]), tf.tensor3d(x[1]!, [1, B, n]), {
      lambda: tf.tensor1d([0.02]),
      importance: imp[0]!,
    });
    expect(swapped.reconstruction.dataSync()[0]).not.toBe(rec[1]);
  });

  it('rejects a length that is neither n nor I·n', () => {
    const model = modelConfig(n, m);
    const ps = [randomParams(createPrng(1), model), randomParams(createPrng(2), model)];
    expect(() =>
      lossAndGradients(model, paramsToTensors(ps), tf.zeros([2, B, n]) as tf.Tensor3D, {
        lambda: tf.tensor1d([0, 0]),
        importance: new Float32Array(n + 1),
      }),
    ).toThrow(/^importance: expected a Float32Array of length 8 \(shared\) or 16 \(I × n\), received "length 9"$/);
  });
});
