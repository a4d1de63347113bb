import * as tf from '@tensorflow/tfjs-core';
import { useWasm } from './src/test-utils/backend.js';
await useWasm();
const B = 256, n = 256, m = 1024;
const x = tf.randomUniform([B, n]) as tf.Tensor2D, W = tf.randomUniform([m, n]) as tf.Tensor2D;
const x3 = tf.reshape(x, [1, B, n]) as tf.Tensor3D, W3 = tf.reshape(W, [1, m, n]) as tf.Tensor3D;
const cases: [string, () => tf.Tensor][] = [
  ['2D x W^T flag', () => tf.matMul(x, W, false, true)],
  ['2D transpose(W) then x WT', () => tf.tidy(() => tf.matMul(x, tf.transpose(W)))],
  ['3D I=1 transpose then', () => tf.tidy(() => tf.matMul(x3, tf.transpose(W3, [0, 2, 1])))],
  ['transpose only', () => tf.transpose(W)],
];
for (const [name, f] of cases) {
  f().dispose();
  const t0 = performance.now();
  for (let k = 0; k < 5; k++) { const r = f(); r.dataSync(); r.dispose(); }
  const ms = (performance.now() - t0) / 5;
  console.log(name, ms.toFixed(1), 'ms', (2 * B * n * m / ms / 1e6).toFixed(2), 'GFLOP/s');
}
