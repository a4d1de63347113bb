import * as tf from '@tensorflow/tfjs-core';
import { useWasm } from './src/test-utils/backend.js';
await useWasm();
const I = 4, B = 256, n = 256, m = 1024;
const x = tf.randomUniform([I, B, n]) as tf.Tensor3D, W = tf.randomUniform([I, m, n]) as tf.Tensor3D, h = tf.randomUniform([I, B, m]) as tf.Tensor3D, dz = tf.randomUniform([I, B, n]) as tf.Tensor3D;
const WT = tf.transpose(W, [0, 2, 1]) as tf.Tensor3D;
const cases: [string, () => tf.Tensor][] = [
  ['x W^T (F,T) -> BxM', () => tf.matMul(x, W, false, true)],
  ['x WT (F,F) -> BxM', () => tf.matMul(x, WT)],
  ['h W (F,F) -> BxN', () => tf.matMul(h, W)],
  ['h^T dz (T,F) -> MxN', () => tf.matMul(h, dz, true, false)],
  ['dz W^T (F,T) -> BxM', () => tf.matMul(dz, W, false, true)],
  ['dz^T h (T,F) -> NxM', () => tf.matMul(dz, h, true, false)],
];
for (const [name, f] of cases) {
  f().dispose(); 
  const t0 = performance.now();
  for (let k = 0; k < 3; k++) { const r = f(); r.dataSync(); r.dispose(); }
  const ms = (performance.now() - t0) / 3;
  console.log(name, ms.toFixed(1), 'ms', (2 * I * B * n * m / ms / 1e6).toFixed(2), 'GFLOP/s');
}
