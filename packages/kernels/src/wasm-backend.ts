/**
 * The few internals of tfjs-backend-wasm 4.x the kernels rely on, typed structurally and
 * checked at run time (the package's own typings describe the emscripten module loosely):
 *
 * - `backend.wasm.asm.memory` (or `backend.wasm.wasmMemory` in threaded builds): the heap;
 * - `backend.wasm._malloc` / `_free`: emscripten's allocator, for scratch space;
 * - `backend.dataIdMap.get(dataId)`: `{memoryOffset, refCount, dtype, shape}` of a tensor;
 * - `backend.makeOutput(shape, dtype)`: allocates an output tensor on the heap.
 */
import { BackendError } from '@polytoy/core';
import type { DataId, DataType, KernelBackend, TensorInfo } from '@tensorflow/tfjs-core';
import { backend as activeBackend, getBackend } from '@tensorflow/tfjs-core';
import { kernelsFor, type KernelExports } from './kernel-module.js';

interface TensorData {
  memoryOffset: number;
  refCount: number;
  dtype: DataType;
  shape: number[];
}

interface EmscriptenLike {
  _malloc(bytes: number): number;
  _free(ptr: number): void;
  asm?: { memory?: WebAssembly.Memory };
  wasmMemory?: WebAssembly.Memory;
}

/** The structural view of `BackendWasm` used here. */
export interface WasmBackendLike {
  wasm: EmscriptenLike;
  dataIdMap: { get(dataId: DataId): TensorData | undefined; has(dataId: DataId): boolean };
  makeOutput(shape: number[], dtype: DataType): TensorInfo;
}

/** A wasm backend together with the kernels instantiated on its memory. */
export interface WasmContext {
  backend: WasmBackendLike;
  memory: WebAssembly.Memory;
  kernels: KernelExports;
}

function memoryOf(backend: WasmBackendLike): WebAssembly.Memory | undefined {
  const mem = backend.wasm.asm?.memory ?? backend.wasm.wasmMemory;
  return mem instanceof WebAssembly.Memory ? mem : undefined;
}

/**
 * Views any tfjs backend as the wasm backend, or throws a one-line {@link BackendError}.
 * `caller` names the public function for the message.
 */
export function wasmContext(backend: KernelBackend | object, caller: string): WasmContext {
  const b = backend as Partial<WasmBackendLike>;
  const wasm = b.wasm;
  if (
    !wasm ||
    typeof wasm._malloc !== 'function' ||
    typeof wasm._free !== 'function' ||
    !b.dataIdMap ||
    typeof b.makeOutput !== 'function'
  ) {
    throw new BackendError(`${caller}: expected the tfjs "wasm" backend, received ${backend.constructor.name}`);
  }
  const full = b as WasmBackendLike;
  const memory = memoryOf(full);
  if (!memory) {
    throw new BackendError(
      `${caller}: expected tfjs-backend-wasm 4.x (backend.wasm.asm.memory), received a backend without a WebAssembly.Memory`,
    );
  }
  return { backend: full, memory, kernels: kernelsFor(memory) };
}

/** The active tfjs backend as a wasm context; throws unless `tf.getBackend() === 'wasm'`. */
export function activeWasmContext(caller: string): WasmContext {
  const name = getBackend();
  if (name !== 'wasm') {
    throw new BackendError(
      `${caller}: expected the active tfjs backend "wasm" (await tf.setBackend('wasm')), received ${JSON.stringify(name)}`,
    );
  }
  return wasmContext(activeBackend(), caller);
}

/**
 * Heap byte offset of a float32 tensor of this backend, checked: it must live on this
 * backend, not be disposed and be float32.
 */
export function offsetOf(ctx: WasmContext, t: TensorInfo & { isDisposed?: boolean }, name: string, caller: string): number {
  if (t.isDisposed) throw new BackendError(`${caller}: expected ${name} to be a live tensor, received a disposed one`);
  const data = ctx.backend.dataIdMap.get(t.dataId);
  if (!data) {
    throw new BackendError(`${caller}: expected ${name} to live on the wasm backend, received a tensor of another backend`);
  }
  if (t.dtype !== 'float32') throw new BackendError(`${caller}: expected ${name} of dtype float32, received ${t.dtype}`);
  return data.memoryOffset;
}

/**
 * Offset of a tensor the caller wants to overwrite in place: besides {@link offsetOf}'s
 * checks, its data must not be shared with another tensor (e.g. a `tf.reshape` view), which would
 * silently change too.
 */
export function ownedOffsetOf(ctx: WasmContext, t: TensorInfo & { isDisposed?: boolean }, name: string, caller: string): number {
  const offset = offsetOf(ctx, t, name, caller);
  const refCount = ctx.backend.dataIdMap.get(t.dataId)?.refCount ?? 0;
  if (refCount !== 1) {
    throw new BackendError(
      `${caller}: expected ${name} to own its data (updated in place), received a tensor sharing it with ${refCount - 1} other(s)`,
    );
  }
  return offset;
}

/**
 * Runs `fn` with `bytes` of scratch from emscripten's allocator (0 when `bytes` is 0) and
 * frees it afterwards. `_malloc` may grow the memory; the kernels import the Memory object
 * itself, so they see the new size, and no typed-array view is held across the call.
 */
export function withScratch<T>(ctx: WasmContext, bytes: number, fn: (ptr: number) => T): T {
  if (bytes <= 0) return fn(0);
  const ptr = ctx.backend.wasm._malloc(bytes) >>> 0;
  if (ptr === 0) throw new BackendError(`@polytoy/kernels: expected ${bytes} bytes of wasm heap, received none (out of memory)`);
  try {
    return fn(ptr);
  } finally {
    ctx.backend.wasm._free(ptr);
  }
}
