import { BackendError, PolytoyError } from '@polytoy/core';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { addL1SignGrad, adamUpdate, biasRelu, reluMaskGrad, sgdUpdate } from './fused.js';
import { firstBitMismatch, randomF32 } from './test-utils/reference.js';
import { useWasmBackend } from './test-utils/wasm-backend.js';

const f = Math.fround;

beforeAll(async () => {
  await useWasmBackend();
});

/** Random values with the special cases sprinkled in (NaN, ±0, ±Inf, exact ties at 0). */
function specialValues(seed: number, length: number): Float32Array {
  const v = randomF32(seed, length);
  const specials = [Number.NaN, 0, -0, Infinity, -Infinity, 1e-40, -1e-40];
  for (let i = 0; i < specials.length && i * 5 < length; i++) v[i * 5] = specials[i]!;
  return v;
}

function wasmWasMax(a: number, b: number): number {
  // wasm f32.max: NaN if either is NaN; +0 beats -0.
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.NaN;
  if (a === 0 && b === 0) return Object.is(a, -0) && Object.is(b, -0) ? -0 : 0;
  return Math.max(a, b);
}

function step(z: number): number {
  return Number.isNaN(z) ? Number.NaN : z > 0 ? 1 : 0;
}

function sign(h: number): number {
  return Number.isNaN(h) ? Number.NaN : h > 0 ? 1 : h < 0 ? -1 : 0;
}

describe('biasRelu', () => {
  it('is max(fl(x + b), 0) per element, bias broadcast over rows (13 columns: SIMD + tail)', () => {
    const [rows, cols] = [7, 13];
    const x = specialValues(1, rows * cols);
    const b = randomF32(2, cols);
    const got = tf.tidy(() => biasRelu(tf.tensor2d(x, [rows, cols]), tf.tensor1d(b)).dataSync() as Float32Array);
    const want = new Float32Array(rows * cols);
    for (let r = 0; r < rows; r++) for (let j = 0; j < cols; j++) want[r * cols + j] = wasmWasMax(f(x[r * cols + j]! + b[j]!), 0);
    expect(firstBitMismatch(got, want)).toBe(-1);
    expect(Number.isNaN(got[0])).toBe(true); // NaN propagates (divergence stays visible)
  });

  it('without a bias is ReLU and agrees with tf.relu on finite inputs', () => {
    const x = randomF32(3, 4 * 33);
    tf.tidy(() => {
      const t = tf.tensor2d(x, [4, 33]);
      expect(firstBitMismatch(biasRelu(t).dataSync() as Float32Array, tf.relu(t).dataSync() as Float32Array)).toBe(-1);
    });
  });

  it('rejects a bias that does not match the last dimension', () => {
    tf.tidy(() => {
      expect(() => biasRelu(tf.zeros([2, 3]), tf.zeros([4]))).toThrow(/bias of shape \[3\].*received \[4\]/);
    });
  });
});

describe('reluMaskGrad', () => {
  it('is fl(dy · step(z)) per element, with NaN in z or dy propagating', () => {
    const n = 4 * 9 + 3;
    const z = specialValues(4, n);
    const dy = specialValues(5, n).reverse();
    const got = tf.tidy(() => reluMaskGrad(tf.tensor1d(z), tf.tensor1d(dy)).dataSync() as Float32Array);
    const want = new Float32Array(n);
    for (let i = 0; i < n; i++) want[i] = f(dy[i]! * step(z[i]!));
    expect(firstBitMismatch(got, want)).toBe(-1);
  });

  it('equals tf.mul(dy, tf.step(z)) for finite inputs', () => {
    const z = randomF32(6, 3 * 50);
    const dy = randomF32(7, 3 * 50);
    tf.tidy(() => {
      const zt = tf.tensor2d(z, [3, 50]);
      const dyt = tf.tensor2d(dy, [3, 50]);
      const ours = reluMaskGrad(zt, dyt).dataSync() as Float32Array;
      expect(firstBitMismatch(ours, tf.mul(dyt, tf.step(zt)).dataSync() as Float32Array)).toBe(-1);
    });
  });
});

describe('addL1SignGrad', () => {
  it('adds coef_i · sign(h) with one coefficient per instance', () => {
    const [I, B, m] = [3, 5, 7];
    const h = specialValues(8, I * B * m);
    const dh = randomF32(9, I * B * m);
    const coefs = [1e-3 / B, 0.5, 3 / 7];
    const got = tf.tidy(
      () => addL1SignGrad(tf.tensor3d(dh, [I, B, m]), tf.tensor3d(h, [I, B, m]), coefs).dataSync() as Float32Array,
    );
    const want = new Float32Array(I * B * m);
    for (let i = 0; i < want.length; i++) {
      const c = f(coefs[Math.floor(i / (B * m))]!);
      want[i] = f(dh[i]! + f(c * sign(h[i]!)));
    }
    expect(firstBitMismatch(got, want)).toBe(-1);
    expect(got[0]).toBeNaN(); // h = NaN
    expect(got[5]).toBe(dh[5]); // h = +0: no L1 push
  });

  it('accepts one coefficient for all and rejects a wrong count', () => {
    tf.tidy(() => {
      const h = tf.tensor2d([1, -2, 0, 3], [2, 2]);
      const dh = tf.zeros([2, 2]);
      expect(Array.from(addL1SignGrad(dh, h, 0.25).dataSync())).toEqual([0.25, -0.25, 0, 0.25]);
      expect(() => addL1SignGrad(dh, h, [1, 2, 3])).toThrow(PolytoyError);
    });
  });
});

interface AdamHyper {
  beta1: number;
  beta2: number;
  epsilon: number;
  weightDecay: number;
}

/** The documented float32 Adam(W) step, emulated with Math.fround after every operation. */
function adamReference(
  p: Float32Array,
  g: Float32Array,
  m: Float32Array,
  v: Float32Array,
  lrs: number[],
  h: AdamHyper,
  t: number,
): void {
  const per = p.length / lrs.length;
  const [b1, b2, eps] = [f(h.beta1), f(h.beta2), f(h.epsilon)];
  const [omb1, omb2] = [f(1 - h.beta1), f(1 - h.beta2)];
  const c1 = f(1 / (1 - h.beta1 ** t));
  const c2 = f(1 / (1 - h.beta2 ** t));
  for (let i = 0; i < p.length; i++) {
    const lrRaw = lrs[Math.floor(i / per)]!;
    const lr = f(lrRaw);
    const decay = f(1 - lrRaw * h.weightDecay);
    m[i] = f(f(b1 * m[i]!) + f(omb1 * g[i]!));
    v[i] = f(f(b2 * v[i]!) + f(omb2 * f(g[i]! * g[i]!)));
    const upd = f(f(c1 * m[i]!) / f(f(Math.sqrt(f(c2 * v[i]!))) + eps));
    p[i] = f(f(p[i]! * decay) - f(lr * upd));
  }
}

describe('adamUpdate', () => {
  for (const weightDecay of [0, 0.01]) {
    it(`matches the float32 formula bit for bit over 4 steps, per-instance lr (weightDecay ${weightDecay})`, () => {
      const shape = [3, 5, 7]; // 35 per instance: SIMD groups + a tail
      const size = 105;
      const lrs = [1e-3, 3e-3, 0.1];
      const hyper = { beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay };
      const pRef = randomF32(10, size);
      const mRef = new Float32Array(size);
      const vRef = new Float32Array(size);
      const p = tf.tensor(pRef, shape);
      const m = tf.zeros(shape);
      const v = tf.zeros(shape);
      for (let t = 1; t <= 4; t++) {
        const gv = randomF32(100 + t, size);
        gv[3] = 0; // g = 0 at step 1: v = 0, update = 0/(0 + eps)
        const g = tf.tensor(gv, shape);
        adamUpdate(p, g, m, v, { lr: lrs, ...hyper, step: t });
        adamReference(pRef, gv, mRef, vRef, lrs, hyper, t);
        g.dispose();
      }
      expect(firstBitMismatch(p.dataSync() as Float32Array, pRef)).toBe(-1);
      expect(firstBitMismatch(m.dataSync() as Float32Array, mRef)).toBe(-1);
      expect(firstBitMismatch(v.dataSync() as Float32Array, vRef)).toBe(-1);
      tf.dispose([p, m, v]);
    });
  }

  it('moves each parameter against its gradient by about lr at step 1', () => {
    const p = tf.tensor1d([1, 1, 1, 1, 1]);
    const g = tf.tensor1d([2, -3, 0.5, -0.25, 100]);
    const m = tf.zeros([5]);
    const v = tf.zeros([5]);
    adamUpdate(p, g, m, v, { lr: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, step: 1 });
    // Bias-corrected first step: m̂ = g, v̂ = g², so Δp = -lr·g/|g|.
    const got = Array.from(p.dataSync());
    [0.99, 1.01, 0.99, 1.01, 0.99].forEach((want, i) => expect(got[i]).toBeCloseTo(want, 6));
    tf.dispose([p, g, m, v]);
  });

  it('refuses tensors that share data, aliases, bad steps and wrong shapes', () => {
    const p = tf.ones([4]);
    const g = tf.ones([4]);
    const m = tf.zeros([4]);
    const v = tf.zeros([4]);
    const opts = { lr: 0.1, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, step: 1 };
    const shared = tf.reshape(p, [2, 2]); // a view: same data, so an in-place update would change it too
    expect(() => adamUpdate(p, g, m, v, opts)).toThrow(BackendError);
    expect(() => adamUpdate(p, g, m, v, opts)).toThrow(/param to own its data/);
    shared.dispose();
    expect(() => adamUpdate(p, p, m, v, opts)).toThrow(/param and grad/);
    expect(() => adamUpdate(p, g, m, v, { ...opts, step: 0 })).toThrow(/options.step/);
    expect(() => adamUpdate(p, tf.ones([5]), m, v, opts)).toThrow(/grad of param's shape/);
    expect(() => adamUpdate(p, g, m, v, { ...opts, lr: [0.1, 0.2] })).toThrow(/options.lr/);
    const dead = tf.zeros([4]);
    dead.dispose();
    expect(() => adamUpdate(p, g, dead, v, opts)).toThrow(/disposed/);
    expect(Array.from(p.dataSync())).toEqual([1, 1, 1, 1]); // nothing was written
    tf.dispose([p, g, m, v]);
  });
});

describe('sgdUpdate', () => {
  it('with momentum and decay matches the float32 formula; without velocity is p·decay − lr·g', () => {
    const size = 2 * 11;
    const lrs = [0.1, 0.03];
    const [mu, wd] = [0.9, 0.05];
    const pRef = randomF32(20, size);
    const velRef = new Float32Array(size);
    const p = tf.tensor2d(pRef, [2, 11]);
    const vel = tf.zeros([2, 11]);
    for (let t = 0; t < 3; t++) {
      const gv = randomF32(30 + t, size);
      const g = tf.tensor2d(gv, [2, 11]);
      sgdUpdate(p, g, vel, { lr: lrs, momentum: mu, weightDecay: wd });
      for (let i = 0; i < size; i++) {
        const lr = lrs[i < 11 ? 0 : 1]!;
        velRef[i] = f(f(f(mu) * velRef[i]!) + gv[i]!);
        pRef[i] = f(f(pRef[i]! * f(1 - lr * wd)) - f(f(lr) * velRef[i]!));
      }
      g.dispose();
    }
    expect(firstBitMismatch(p.dataSync() as Float32Array, pRef)).toBe(-1);
    expect(firstBitMismatch(vel.dataSync() as Float32Array, velRef)).toBe(-1);

    const g = tf.tensor2d(randomF32(40, size), [2, 11]);
    const gv = g.dataSync();
    sgdUpdate(p, g, null, { lr: 0.5 });
    for (let i = 0; i < size; i++) pRef[i] = f(pRef[i]! - f(0.5 * gv[i]!));
    expect(firstBitMismatch(p.dataSync() as Float32Array, pRef)).toBe(-1);
    expect(() => sgdUpdate(p, g, null, { lr: 0.5, momentum: 0.9 })).toThrow(/velocity a tensor when momentum/);
    tf.dispose([p, vel, g]);
  });
});

describe('fused ops and tf.tidy', () => {
  it('return tracked tensors: nothing leaks out of a tidy', () => {
    const x = tf.tensor2d(randomF32(50, 40), [4, 10]);
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      biasRelu(x);
      reluMaskGrad(x, x);
      addL1SignGrad(x, x, 0.1);
    });
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
  });
});
