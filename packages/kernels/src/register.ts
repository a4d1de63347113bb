/**
 * Swaps tfjs-backend-wasm's `BatchMatMul` kernel for the polytoy GEMM, and back.
 * Registration is an explicit call, never an import side effect.
 */
import { BackendError } from '@polytoy/core';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { BatchMatMul, getKernel, registerKernel, unregisterKernel } from '@tensorflow/tfjs-core';
import { planBatchMatMul, runPlannedMatMul } from './gemm.js';
import { activeWasmContext, wasmContext } from './wasm-backend.js';

/** Marks our kernel config and keeps the stock one (global symbol: works across module copies). */
const STOCK = Symbol.for('@polytoy/kernels:stock-kernel');

interface PolytoyKernelConfig extends KernelConfig {
  [STOCK]: KernelConfig;
}

function isPolytoyConfig(config: KernelConfig | undefined): config is PolytoyKernelConfig {
  return config != null && STOCK in config;
}

/** Counters of the registered kernel's calls (for tests, benchmarks and sanity checks). */
export interface PolytoyKernelStats {
  /** BatchMatMul calls computed by the polytoy GEMM. */
  gemmCalls: number;
  /** BatchMatMul calls handed to the stock kernel (non-float32, general broadcasting, bad shapes). */
  fallbackCalls: number;
}

const stats: PolytoyKernelStats = { gemmCalls: 0, fallbackCalls: 0 };

/**
 * A copy of the registered kernel's call counters since the process started.
 *
 * @example
 * const before = getPolytoyKernelStats().gemmCalls;
 * tf.matMul(a, b);
 * getPolytoyKernelStats().gemmCalls - before; // 1
 */
export function getPolytoyKernelStats(): PolytoyKernelStats {
  return { ...stats };
}

const polytoyBatchMatMul: KernelFunc = (args) => {
  const { inputs, backend, attrs } = args;
  const a = inputs['a'];
  const b = inputs['b'];
  const transposeA = attrs?.['transposeA'] === true;
  const transposeB = attrs?.['transposeB'] === true;
  if (a && b && a.dtype === 'float32' && b.dtype === 'float32') {
    const plan = planBatchMatMul(a.shape, b.shape, transposeA, transposeB);
    if (plan) {
      stats.gemmCalls++;
      return runPlannedMatMul(wasmContext(backend, 'BatchMatMul'), a, b, plan, transposeA, transposeB, 'BatchMatMul');
    }
  }
  // The stock config travels with the registered one (works even if another copy of this
  // module registered it).
  const current = getKernel(BatchMatMul, 'wasm');
  if (!isPolytoyConfig(current)) {
    throw new BackendError('BatchMatMul: expected the polytoy kernel to be registered, received a stale call');
  }
  stats.fallbackCalls++;
  return current[STOCK].kernelFunc(args) as TensorInfo;
};

/**
 * Replaces tfjs-backend-wasm's `BatchMatMul` kernel with the polytoy f32x4 GEMM, so
 * `tf.matMul` (and everything built on it, gradients included) uses it. Supports
 * `transposeA`/`transposeB`, equal batch dims and a single matrix broadcast against a batch;
 * other calls (general broadcasting, non-float32) go to the stock kernel, whose config is kept.
 *
 * Idempotent: a second call while registered does nothing. The stock kernel's `setupFunc`
 * and `disposeFunc` are forwarded, so re-created wasm backends keep a working fallback.
 *
 * @throws BackendError when the active backend is not `wasm`, its kernels are not loaded, or
 * the engine lacks WebAssembly SIMD.
 * @example
 * import * as tf from '@tensorflow/tfjs-core';
 * import '@tensorflow/tfjs-backend-wasm';
 * await tf.setBackend('wasm');
 * registerPolytoyKernels();
 * tf.matMul(x, W, false, true); // runs the polytoy GEMM
 */
export function registerPolytoyKernels(): void {
  const caller = 'registerPolytoyKernels';
  activeWasmContext(caller); // checks the backend, compiles and instantiates the kernels
  const current = getKernel(BatchMatMul, 'wasm');
  if (isPolytoyConfig(current)) return;
  if (!current) {
    throw new BackendError(
      `${caller}: expected the wasm backend's BatchMatMul kernel (import '@tensorflow/tfjs-backend-wasm'), received none`,
    );
  }
  const saved = current;
  const config: PolytoyKernelConfig = {
    kernelName: BatchMatMul,
    backendName: 'wasm',
    kernelFunc: polytoyBatchMatMul,
    setupFunc: (backend) => saved.setupFunc?.(backend),
    disposeFunc: (backend) => saved.disposeFunc?.(backend),
    [STOCK]: saved,
  };
  unregisterKernel(BatchMatMul, 'wasm');
  registerKernel(config);
}

/**
 * Restores the stock `BatchMatMul` kernel. Idempotent: does nothing when the polytoy kernel
 * is not registered. Does not need an active wasm backend.
 *
 * @example
 * unregisterPolytoyKernels();
 * isPolytoyKernelsRegistered(); // false
 */
export function unregisterPolytoyKernels(): void {
  const current = getKernel(BatchMatMul, 'wasm');
  if (!isPolytoyConfig(current)) return;
  unregisterKernel(BatchMatMul, 'wasm');
  registerKernel(current[STOCK]);
}

/**
 * Whether the polytoy `BatchMatMul` is the registered wasm kernel.
 *
 * @example
 * registerPolytoyKernels();
 * isPolytoyKernelsRegistered(); // true
 */
export function isPolytoyKernelsRegistered(): boolean {
  return isPolytoyConfig(getKernel(BatchMatMul, 'wasm'));
}
