import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { createPrng } from '@polytoy/core';
import { forward } from './forward.js';
import { sampleHiddenNoise } from './noise.js';
import { referenceForward } from './reference.js';
import { disposeParams, paramsToTensors } from './tensors.js';
import { BACKENDS, useBackend } from './test-utils/backend.js';
import { ALL_OPTIONS, describeOptions, expectClose, modelConfig, randomParams, uniformArray } from './test-utils/random.js';

// float32 tfjs vs float64 reference: inputs are the same float32 numbers, so the only error is
// float32 rounding in sums of <= 8 products: 1e-5 relative to max(1, max |value|) is ample.
const TOL = 1e-5;
const n = 8,
  m = 5,
  B = 6,
  I = 2;

describe.each(BACKENDS)('forward on %s matches referenceForward', (backend) => {
  beforeAll(async () => {
    await useBackend(backend);
  });

  for (const noiseKind of ['none', 'gaussian', 'bernoulli'] as const) {
    it.each(ALL_OPTIONS.map((o) => [describeOptions(o), o] as const))(`%s, noise=${noiseKind}`, (_, o) => {
      const noiseCfg =
        noiseKind === 'gaussian'
          ? { kind: 'gaussian', std: 0.3 }
          : noiseKind === 'bernoulli'
            ? { kind: 'bernoulli', p: 0.3 }
            : undefined;
      const model = modelConfig(n, m, { ...o, noise: noiseCfg });
      const rng = createPrng(11);
      const list = Array.from({ length: I }, () => randomParams(rng, model));
      const x = uniformArray(rng, I * B * n);
      const noise = sampleHiddenNoise(model, [createPrng(1), createPrng(2)], B);
      expect(noise === null).toBe(noiseKind === 'none');
      const params = paramsToTensors(list);
      const xt = tf.tensor3d(x, [I, B, n]);
      const t = forward(model, params, xt, noise);
      for (let i = 0; i < I; i++) {
        const ref = referenceForward(
          model,
          list[i]!,
          x.subarray(i * B * n, (i + 1) * B * n),
          B,
          noise?.values.subarray(i * B * m, (i + 1) * B * m),
        );
        for (const key of ['hiddenPre', 'hidden', 'hiddenNoisy', 'outputPre', 'output'] as const) {
          const size = key.startsWith('output') ? B * n : B * m;
          expectClose(t[key].dataSync().subarray(i * size, (i + 1) * size), ref[key], TOL, `${key}[${i}]`);
        }
      }
      expect(t.output.shape).toEqual([I, B, n]);
      expect(t.hidden.shape).toEqual([I, B, m]);
      tf.dispose([xt, t.hiddenPre, t.hidden, t.hiddenNoisy, t.outputPre, t.output]);
      disposeParams(params);
    });
  }

  it('does not leak tensors', () => {
    const model = modelConfig(n, m);
    const params = paramsToTensors([randomParams(createPrng(3), model)]);
    const xt = tf.tensor3d(uniformArray(createPrng(4), B * n), [1, B, n]);
    const before = tf.memory().numTensors;
    const t = forward(model, params, xt);
    // hiddenPre and hidden are one tensor (linear hidden layer), so is hiddenNoisy: 3 new tensors.
    expect(tf.memory().numTensors - before).toBe(3);
    tf.dispose([t.hiddenPre, t.hidden, t.hiddenNoisy, t.outputPre, t.output]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose(xt);
    disposeParams(params);
  });

  it('rejects an x of the wrong shape with a ConfigError naming x', () => {
    const model = modelConfig(n, m);
    const params = paramsToTensors([randomParams(createPrng(3), model)]);
    const xt = tf.zeros([1, B, n + 1]) as tf.Tensor3D;
    expect(() => forward(model, params, xt)).toThrow(/^x: expected a tensor of shape \[1, B, 8\], received \[1,6,9\]$/);
    tf.dispose(xt);
    disposeParams(params);
  });
});
