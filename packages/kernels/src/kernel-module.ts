/**
 * Loads the compiled AssemblyScript kernels (embedded as base64) and instantiates them on a
 * given `WebAssembly.Memory`: one instance per memory, so the kernels work in place on the
 * tensors of the tfjs wasm backend that owns that memory.
 */
import { BackendError } from '@polytoy/core';
import { KERNELS_SHARED_WASM_BASE64, KERNELS_WASM_BASE64 } from './wasm-binary.js';

/**
 * The raw exports of the kernel module. Every pointer is a byte offset into the imported
 * memory; booleans are passed as 0/1.
 */
export interface KernelExports {
  /**
   * C[rows, cols] = op(A)[rows, depth] · op(B)[depth, cols]. In the training step `rows` is
   * often the batch size B (e.g. h = x Wᵀ: rows = B, cols = m, depth = n).
   */
  gemm(
    a: number,
    b: number,
    c: number,
    rows: number,
    cols: number,
    depth: number,
    transA: number,
    transB: number,
    scratch: number,
  ): void;
  gemmBatched(
    a: number,
    b: number,
    c: number,
    batch: number,
    rows: number,
    cols: number,
    depth: number,
    transA: number,
    transB: number,
    strideA: number,
    strideB: number,
    scratch: number,
  ): void;
  gemmScratchBytes(rows: number, cols: number, depth: number): number;
  biasRelu(x: number, bias: number, out: number, rows: number, cols: number, hasBias: number): void;
  reluMaskGrad(z: number, dy: number, out: number, len: number): void;
  addSignScaled(dh: number, h: number, out: number, len: number, coef: number): void;
  adam(
    p: number,
    g: number,
    m: number,
    v: number,
    len: number,
    lr: number,
    b1: number,
    omb1: number,
    b2: number,
    omb2: number,
    eps: number,
    c1: number,
    c2: number,
    decay: number,
  ): void;
  /** The SGD optimizer update (see `optimizers/sgd.ts` in the trainer); not a general subtraction. */
  sgd(p: number, g: number, vel: number, len: number, lr: number, momentum: number, decay: number, hasVelocity: number): void;
  /** y ← fl(fl(a·y) + fl(b·x)) in place, e.g. y − x with a = 1, b = −1. */
  axpby(y: number, x: number, len: number, a: number, b: number): void;
  /** y ← fl(a·y) in place. */
  scale(y: number, len: number, a: number): void;
  /** out[r, :] = Σ_t table[idx[r·k + t], :] (k ≥ 1, `idx` i32, summed in t order): k-hot rows times a table. */
  gatherRowSum(table: number, idx: number, out: number, rows: number, k: number, cols: number): void;
  /** dst[idx[r·k + t], :] += src[r, :] in r, t order: the transposed k-hot product, accumulated. */
  scatterRowAdd(src: number, idx: number, dst: number, rows: number, k: number, cols: number): void;
}

/** Which embedded binary: the one importing a plain memory or the one importing a shared one. */
export type KernelVariant = 'plain' | 'shared';

/** Decodes base64 with `atob` (Node >= 16 and every browser), no Buffer needed. */
function decodeBase64(b64: string): Uint8Array<ArrayBuffer> {
  const text = atob(b64);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}

/**
 * The embedded bytes of one variant (a fresh copy).
 *
 * @example
 * WebAssembly.validate(kernelBinary('plain')); // true on engines with SIMD
 */
export function kernelBinary(variant: KernelVariant): Uint8Array<ArrayBuffer> {
  return decodeBase64(variant === 'shared' ? KERNELS_SHARED_WASM_BASE64 : KERNELS_WASM_BASE64);
}

const compiled = new Map<KernelVariant, WebAssembly.Module>();
const instances = new WeakMap<WebAssembly.Memory, KernelExports>();

function compileSync(variant: KernelVariant): WebAssembly.Module {
  let mod = compiled.get(variant);
  if (!mod) {
    try {
      mod = new WebAssembly.Module(kernelBinary(variant));
    } catch (e) {
      throw new BackendError(
        `@polytoy/kernels: expected a WebAssembly engine with SIMD, received a compile error: ${(e as Error).message}`,
      );
    }
    compiled.set(variant, mod);
  }
  return mod;
}

/**
 * Compiles both kernel variants asynchronously. Optional: otherwise the first kernel call
 * compiles synchronously (the module is about 4 KB; current Chrome allows synchronous
 * compilation of up to 8 MB on the main thread, older versions only 4 KB). Call this first
 * where that limit bites, or to move the compile off the first training step.
 *
 * @example
 * await preloadPolytoyKernels();
 * registerPolytoyKernels();
 */
export async function preloadPolytoyKernels(): Promise<void> {
  for (const variant of ['plain', 'shared'] as const) {
    if (compiled.has(variant)) continue;
    try {
      compiled.set(variant, await WebAssembly.compile(kernelBinary(variant)));
    } catch (e) {
      throw new BackendError(
        `@polytoy/kernels: expected a WebAssembly engine with SIMD, received a compile error: ${(e as Error).message}`,
      );
    }
  }
}

/** True when `memory` is backed by a SharedArrayBuffer (tfjs's threaded-SIMD build). */
function isShared(memory: WebAssembly.Memory): boolean {
  return typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
}

/**
 * The kernels instantiated on `memory` (cached per memory). The module has no data segments
 * and no globals, so importing a memory that emscripten manages cannot clobber anything; all
 * scratch is passed in by the caller.
 *
 * @example
 * const k = kernelsFor(new WebAssembly.Memory({ initial: 1 }));
 * k.gemmScratchBytes(4, 8, 16); // bytes of scratch a [4x16]·[16x8] product needs
 */
export function kernelsFor(memory: WebAssembly.Memory): KernelExports {
  let k = instances.get(memory);
  if (!k) {
    const instance = new WebAssembly.Instance(compileSync(isShared(memory) ? 'shared' : 'plain'), {
      env: { memory },
    });
    k = instance.exports as unknown as KernelExports;
    instances.set(memory, k);
  }
  return k;
}
