import { BackendError } from '@polytoy/core';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gemmMatMul } from './gemm.js';
import {
  getPolytoyKernelStats,
  isPolytoyKernelsRegistered,
  registerPolytoyKernels,
  unregisterPolytoyKernels,
} from './register.js';
import { F32_U, firstBitMismatch, gemmF32Sequential, randomF32 } from './test-utils/reference.js';
import { useWasmBackend } from './test-utils/wasm-backend.js';

class FakeBackend extends tf.KernelBackend {}

beforeAll(async () => {
  tf.registerBackend('polytoy-fake', () => new FakeBackend(), -1);
  await useWasmBackend();
});

afterAll(() => {
  unregisterPolytoyKernels();
});

/** Runs `f` with the stock wasm BatchMatMul, restoring the previous registration. */
function withStock<T>(f: () => T): T {
  const was = isPolytoyKernelsRegistered();
  unregisterPolytoyKernels();
  try {
    return f();
  } finally {
    if (was) registerPolytoyKernels();
  }
}

function tensor(seed: number, shape: number[]): tf.Tensor {
  return tf.tensor(
    randomF32(
      seed,
      shape.reduce((p, d) => p * d, 1),
    ),
    shape,
    'float32',
  );
}

/** |Δ| <= K·2⁻²³·Σ|a||b| elementwise: two float32 sums in any order (FMA or not) both lie within K·u·Σ|a||b|. */
function expectWithinReassociationBound(x: Float32Array, y: Float32Array, absSum: Float32Array, k: number): void {
  let worst = 0;
  for (let i = 0; i < x.length; i++) {
    const err = Math.abs(x[i]! - y[i]!);
    if (err > 0) worst = Math.max(worst, err / (k * 2 * F32_U * absSum[i]!));
  }
  expect(worst).toBeLessThanOrEqual(1);
}

describe('registerPolytoyKernels', () => {
  it('throws a BackendError naming the active backend when it is not wasm', async () => {
    await tf.setBackend('polytoy-fake');
    expect(() => registerPolytoyKernels()).toThrow(BackendError);
    expect(() => registerPolytoyKernels()).toThrow(/expected the active tfjs backend "wasm".*received "polytoy-fake"/);
    await useWasmBackend();
  });

  it('replaces and restores the wasm BatchMatMul; repeated calls are no-ops', () => {
    const stock = tf.getKernel('BatchMatMul', 'wasm');
    expect(stock).toBeDefined();
    registerPolytoyKernels();
    expect(isPolytoyKernelsRegistered()).toBe(true);
    const ours = tf.getKernel('BatchMatMul', 'wasm');
    expect(ours?.kernelFunc).not.toBe(stock?.kernelFunc);
    registerPolytoyKernels(); // idempotent
    expect(tf.getKernel('BatchMatMul', 'wasm')).toBe(ours);
    unregisterPolytoyKernels();
    expect(isPolytoyKernelsRegistered()).toBe(false);
    expect(tf.getKernel('BatchMatMul', 'wasm')).toBe(stock);
    unregisterPolytoyKernels(); // idempotent
    expect(tf.getKernel('BatchMatMul', 'wasm')).toBe(stock);
  });
});

describe('tf.matMul through the registered kernel', () => {
  beforeAll(() => registerPolytoyKernels());

  // [label, a shape, b shape, transposeA, transposeB]: the training step's products (small), odd sizes, batches.
  const CASES: Array<[string, number[], number[], boolean, boolean]> = [
    ['h = x Wᵀ', [64, 24], [13, 24], false, true],
    ['z = h W', [64, 13], [13, 24], false, false],
    ['dW = hᵀ dz', [64, 13], [64, 24], true, false],
    ['both transposed', [17, 3], [129, 17], true, true],
    ['batched, instances', [4, 33, 20], [4, 7, 20], false, true],
    ['batched Aᵀ', [3, 40, 5], [3, 40, 9], true, false],
    ['broadcast single A', [21, 10], [3, 10, 6], false, false],
    ['broadcast single B over [2,3] batch', [2, 3, 5, 4], [4, 7], false, false],
    ['K = 0', [5, 0], [0, 3], false, false],
    ['M = 0', [0, 4], [4, 3], false, false],
  ];

  for (const [label, aShape, bShape, tA, tB] of CASES) {
    it(`${label}: ${JSON.stringify(aShape)}·${JSON.stringify(bShape)} is the polytoy GEMM, bit for bit`, () => {
      tf.tidy(() => {
        const a = tensor(aShape.length * 31 + aShape[0]!, aShape);
        const b = tensor(bShape.length * 17 + bShape[0]!, bShape);
        const before = getPolytoyKernelStats();
        const c = tf.matMul(a, b, tA, tB);
        expect(getPolytoyKernelStats().gemmCalls).toBe(before.gemmCalls + 1);
        expect(getPolytoyKernelStats().fallbackCalls).toBe(before.fallbackCalls);
        expect(c.dtype).toBe('float32');
        // Reference: per batch matrix, the exact float32 left-to-right sum.
        const m = c.shape[c.shape.length - 2]!;
        const n = c.shape[c.shape.length - 1]!;
        const k = tA ? aShape[aShape.length - 2]! : aShape[aShape.length - 1]!;
        const batch = c.size / Math.max(1, m * n);
        const av = a.dataSync();
        const bv = b.dataSync();
        const aBatch = a.size / Math.max(1, m * k);
        const bBatch = b.size / Math.max(1, k * n);
        const got = c.dataSync() as Float32Array;
        expect(got.length).toBe(batch * m * n);
        for (let t = 0; t < (m * n === 0 ? 0 : batch); t++) {
          const at = aBatch === 1 ? av : av.subarray(t * m * k, (t + 1) * m * k);
          const bt = bBatch === 1 ? bv : bv.subarray(t * k * n, (t + 1) * k * n);
          const ref = gemmF32Sequential(at, bt, { m, n, k, transA: tA, transB: tB });
          expect(firstBitMismatch(got.subarray(t * m * n, (t + 1) * m * n), ref)).toBe(-1);
        }
        if (k === 0) {
          // The empty sum: +0 everywhere. (The stock wasm kernel returns uninitialised heap
          // memory here, so there is nothing to compare with.)
          expect(Array.from(got).every((v) => Object.is(v, 0))).toBe(true);
        } else {
          const stock = withStock(() => tf.matMul(a, b, tA, tB));
          expect(c.shape).toEqual(stock.shape);
          const absSum = tf.matMul(tf.abs(a), tf.abs(b), tA, tB).dataSync() as Float32Array;
          expectWithinReassociationBound(got, stock.dataSync() as Float32Array, absSum, k);
        }
      });
    });
  }

  it('hands general broadcasting and non-float32 to the stock kernel', () => {
    tf.tidy(() => {
      const a = tensor(1, [2, 1, 3, 4]);
      const b = tensor(2, [1, 3, 4, 5]);
      const before = getPolytoyKernelStats();
      const c = tf.matMul(a, b);
      expect(getPolytoyKernelStats().fallbackCalls).toBe(before.fallbackCalls + 1);
      expect(getPolytoyKernelStats().gemmCalls).toBe(before.gemmCalls);
      const stock = withStock(() => tf.matMul(a, b));
      expect(c.shape).toEqual([2, 3, 3, 5]);
      expect(Array.from(c.dataSync())).toEqual(Array.from(stock.dataSync()));
      // int32 is not supported by the stock wasm kernel either: the same error comes back.
      expect(() => tf.matMul(tf.ones([2, 2], 'int32'), tf.ones([2, 2], 'int32'))).toThrow(/non-float32/);
    });
  });

  it('is deterministic across calls and does not leak tensors', () => {
    const a = tensor(5, [300, 70]);
    const b = tensor(6, [70, 90]);
    const first = tf.tidy(() => tf.matMul(a, b).dataSync() as Float32Array);
    const tensorsBefore = tf.memory().numTensors;
    for (let rep = 0; rep < 3; rep++) {
      const again = tf.tidy(() => tf.matMul(a, b).dataSync() as Float32Array);
      expect(firstBitMismatch(again, first)).toBe(-1);
    }
    expect(tf.memory().numTensors).toBe(tensorsBefore);
    tf.dispose([a, b]);
  });

  it('keeps working after the wasm heap grows', () => {
    const memory = (tf.backend() as unknown as { wasm: { asm: { memory: WebAssembly.Memory } } }).wasm.asm.memory;
    const a = tensor(7, [33, 40]);
    const b = tensor(8, [40, 50]);
    const before = tf.tidy(() => tf.matMul(a, b).dataSync() as Float32Array);
    const size = memory.buffer.byteLength;
    const big = tf.zeros([size / 4 + 1024]); // forces emscripten to grow the memory
    expect(memory.buffer.byteLength).toBeGreaterThan(size);
    const after = tf.tidy(() => tf.matMul(a, b).dataSync() as Float32Array);
    expect(firstBitMismatch(after, before)).toBe(-1);
    tf.dispose([a, b, big]);
  });
});

describe('gemmMatMul (direct, no registration)', () => {
  it('matches the registered kernel and rejects shapes it cannot batch', () => {
    tf.tidy(() => {
      const a = tensor(9, [3, 7, 5]);
      const b = tensor(10, [3, 11, 5]);
      const direct = gemmMatMul(a, b, { transposeB: true });
      registerPolytoyKernels();
      expect(firstBitMismatch(direct.dataSync() as Float32Array, tf.matMul(a, b, false, true).dataSync() as Float32Array)).toBe(
        -1,
      );
      expect(() => gemmMatMul(tensor(1, [2, 1, 3, 4]), tensor(2, [1, 3, 4, 5]))).toThrow(/equal or single batches/);
    });
  });
});
