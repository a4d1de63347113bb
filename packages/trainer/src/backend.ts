/**
 * Start-up of the one backend polytoy trains on: tfjs-backend-wasm with SIMD. Every result must be
 * the same in Node and in the browser, so there is no silent fallback to another backend: if wasm
 * or SIMD is missing, training refuses to start with a one-line {@link BackendError}.
 */
import * as tf from '@tensorflow/tfjs-core';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { BackendError, ConfigError } from '@polytoy/core';
import type { RuntimeInfo } from '@polytoy/core';
import { isPolytoyKernelsRegistered, registerPolytoyKernels, unregisterPolytoyKernels } from '@polytoy/kernels';

/**
 * Which matrix-product kernel the wasm backend runs: `'polytoy'` (the `@polytoy/kernels` GEMM,
 * registered as tfjs-backend-wasm's `BatchMatMul`, plus the fused training step for tied models)
 * or `'stock'` (tfjs-backend-wasm's own kernels and tfjs ops only).
 */
export type KernelChoice = 'polytoy' | 'stock';

/** Options of {@link initBackend}. */
export interface BackendOptions {
  /**
   * Directory (Node: absolute path; browser: URL prefix) holding `tfjs-backend-wasm*.wasm`.
   * Used only by the first initialisation. A missing trailing `/` is added. Omit it to keep
   * tfjs's default lookup: in Node that is the backend's own `dist/` directory (see
   * `initNodeBackend` in `@polytoy/trainer/node`, which passes it explicitly); in the browser
   * the directory of the page's script, which bundlers usually break — pass the URL where the
   * app serves the files.
   */
  wasmPaths?: string;
  /**
   * `'polytoy'` (default on the first call) registers the polytoy kernels: 10–20× faster
   * training, and results identical in Node and browsers (the GEMM sums in a fixed order on
   * every CPU). `'stock'` restores tfjs's kernels (for comparisons). Omitted on later calls:
   * keeps the current choice. Recorded in `RuntimeInfo.kernels`.
   */
  kernels?: KernelChoice;
}

const REQUIRED = 'polytoy needs tfjs-backend-wasm with SIMD';

let pending: Promise<void> | null = null;
let initialised = false;

function isNode(): boolean {
  const p = (globalThis as { process?: { versions?: { node?: string } } }).process;
  return typeof p?.versions?.node === 'string';
}

function withTrailingSlash(prefix: string): string {
  return /[/\\]$/.test(prefix) ? prefix : `${prefix}/`;
}

async function startWasm(wasmPaths: string | undefined): Promise<void> {
  if (!initialised && wasmPaths !== undefined) {
    // Must precede the first setBackend('wasm'): the paths are read once, at module creation.
    setWasmPaths(withTrailingSlash(wasmPaths));
  }
  let ok: boolean;
  try {
    ok = await tf.setBackend('wasm');
    await tf.ready();
  } catch (error) {
    throw new BackendError(`${REQUIRED}; it failed to start: ${describe(error)}`);
  }
  if (!ok) {
    const where = wasmPaths ?? 'the default location';
    throw new BackendError(`${REQUIRED}; it failed to start (are the .wasm files served at ${where}?)`);
  }
  initialised = true;
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (error && typeof error === 'object' && 'message' in error) return String((error as { message: unknown }).message);
  return String(error);
}

/**
 * Checks that the active tfjs backend is wasm with SIMD, without changing anything.
 *
 * @returns facts about the runtime, recorded in every run.
 * @throws BackendError with one line such as `polytoy needs tfjs-backend-wasm with SIMD; backend is 'cpu'`.
 * @example
 * await initBackend();
 * const info = await verifyBackend(); // { backend: 'wasm', simd: true, ... }
 */
export async function verifyBackend(): Promise<RuntimeInfo> {
  const backend = tf.getBackend();
  if (backend !== 'wasm') {
    throw new BackendError(`${REQUIRED}; backend is ${backend ? `'${backend}'` : 'not initialised (call initBackend() first)'}`);
  }
  const simd = (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) === true;
  if (!simd) throw new BackendError(`${REQUIRED}; backend is 'wasm' but this runtime has no WebAssembly SIMD`);
  const threads = (await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT')) === true;
  return {
    backend,
    simd,
    threads,
    tfjsVersion: tf.version_core,
    platform: isNode() ? 'node' : 'browser',
    kernels: isPolytoyKernelsRegistered() ? 'polytoy' : 'stock',
  };
}

/**
 * Makes tfjs-backend-wasm (with SIMD) the active tfjs backend, registers the polytoy kernels
 * (unless `kernels: 'stock'`) and verifies it. Idempotent: later calls only re-select wasm if
 * something switched the backend away, re-verify, and switch kernels only when asked to.
 *
 * @param opts - where the `.wasm` files are; see {@link BackendOptions.wasmPaths}.
 * @returns the runtime facts for the run record.
 * @throws BackendError (one line) if wasm cannot start or SIMD is unavailable.
 * @example
 * // Browser: the app copies node_modules/@tensorflow/tfjs-backend-wasm/dist/*.wasm to /wasm/
 * const runtime = await initBackend({ wasmPaths: '/wasm/' });
 * runtime.simd; // true
 * runtime.kernels; // 'polytoy'
 */
export async function initBackend(opts: BackendOptions = {}): Promise<RuntimeInfo> {
  const kernels = opts.kernels;
  if (kernels !== undefined && kernels !== 'polytoy' && kernels !== 'stock') {
    throw new ConfigError('kernels', '"polytoy" or "stock"', kernels);
  }
  // Concurrent callers share one start-up; the wasm module must be created exactly once.
  while (pending) await pending;
  const first = !initialised;
  if (tf.getBackend() !== 'wasm' || !initialised) {
    pending = startWasm(opts.wasmPaths);
    try {
      await pending;
    } finally {
      pending = null;
    }
  }
  const info = await verifyBackend();
  const wanted = kernels ?? (first ? 'polytoy' : info.kernels);
  if (wanted === info.kernels) return info;
  try {
    if (wanted === 'polytoy') registerPolytoyKernels();
    else unregisterPolytoyKernels();
  } catch (error) {
    throw new BackendError(`${REQUIRED}; the polytoy kernels failed to register: ${describe(error)}`);
  }
  return { ...info, kernels: wanted };
}
