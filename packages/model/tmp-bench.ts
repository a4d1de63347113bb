import * as tf from '@tensorflow/tfjs-core';
import { createPrng, resolveTrainConfig } from '@polytoy/core';
import { initParams, lossAndGradients, paramsToTensors, disposeParams } from './src/index.js';
import { useWasm } from './src/test-utils/backend.js';
await useWasm();
for (const [name, n, m, B, I, basis] of [['seed-64', 64, 33, 1024, 1, false], ['seed-256', 256, 129, 1024, 1, false], ['paper-256', 256, 1024, 256, 16, true]] as const) {
  const model = resolveTrainConfig({ data: { n }, model: { m, l1: { target: basis ? 'weights' : 'activations' }, outputBias: !basis } , batchSize: B}).model;
  const params = paramsToTensors(Array.from({ length: I }, (_, i) => initParams(model, createPrng(i))));
  const rng = createPrng(5);
  const x = tf.tensor3d(Float32Array.from({ length: I * B * n }, () => (rng.nextFloat() < 0.25 ? 1 : 0)), [I, B, n]);
  const lambda = tf.tensor1d(new Array(I).fill(1e-3));
  const run = () => { const o = lossAndGradients(model, params, x, { lambda }); o.loss.dataSync(); tf.dispose([o.loss, o.reconstruction, o.l1]); disposeParams(o.grads); };
  for (let k = 0; k < 3; k++) run();
  const reps = name === 'paper-256' ? 5 : 20;
  const t0 = performance.now();
  for (let k = 0; k < reps; k++) run();
  const ms = (performance.now() - t0) / reps;
  const flops = 10 * I * B * n * m;
  console.log(name, `${ms.toFixed(2)} ms/step`, `${(flops / ms / 1e6).toFixed(2)} GFLOP/s`, 'threads?', tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT'), 'simd', tf.env().getBool('WASM_HAS_SIMD_SUPPORT'));
  disposeParams(params); tf.dispose([x, lambda]);
}
