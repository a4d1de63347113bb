/**
 * Raw access to tfjs-backend-wasm's heap for the fused training step: the backend's
 * `WebAssembly.Memory`, the polytoy kernels instantiated on it (`kernelsFor`), and the heap
 * offset of a tensor's data. The few backend internals used (tfjs-backend-wasm 4.x, the same
 * ones `@polytoy/kernels` relies on) are typed structurally and checked at run time:
 * `backend.wasm.asm.memory` (`wasmMemory` in threaded builds) and
 * `backend.dataIdMap.get(dataId) → {memoryOffset, refCount}`.
 */
import * as tf from '@tensorflow/tfjs-core';
import { BackendError } from '@polytoy/core';
import { kernelsFor } from '@polytoy/kernels';
import type { KernelExports } from '@polytoy/kernels';

interface TensorData {
  memoryOffset: number;
  refCount: number;
}

interface WasmBackendLike {
  wasm: { asm?: { memory?: WebAssembly.Memory }; wasmMemory?: WebAssembly.Memory };
  dataIdMap: { get(dataId: tf.DataId): TensorData | undefined };
}

/** The active wasm backend's heap, with the polytoy kernels bound to it. */
export interface WasmHeap {
  readonly memory: WebAssembly.Memory;
  readonly kernels: KernelExports;
  /** Byte offset of a live float32 tensor's data that no other tensor shares (written in place). */
  offsetOf(t: tf.Tensor, name: string): number;
  /** A float32 view of the whole heap (a fresh one if the memory grew since the last call). */
  f32(): Float32Array;
}

/**
 * The heap of the active tfjs backend, which must be `wasm`.
 *
 * @throws BackendError for another backend or an unexpected tfjs-backend-wasm version.
 */
export function activeWasmHeap(): WasmHeap {
  if (tf.getBackend() !== 'wasm') {
    throw new BackendError(
      `fused training step: expected the active tfjs backend "wasm", received ${JSON.stringify(tf.getBackend())}`,
    );
  }
  const backend = tf.backend() as unknown as Partial<WasmBackendLike>;
  const memory = backend.wasm?.asm?.memory ?? backend.wasm?.wasmMemory;
  if (!(memory instanceof WebAssembly.Memory) || typeof backend.dataIdMap?.get !== 'function') {
    throw new BackendError('fused training step: expected tfjs-backend-wasm 4.x (backend.wasm.asm.memory, backend.dataIdMap)');
  }
  const dataIdMap = backend.dataIdMap;
  const kernels = kernelsFor(memory);
  let view = new Float32Array(memory.buffer);
  return {
    memory,
    kernels,
    offsetOf(t, name) {
      if (t.isDisposed) throw new BackendError(`fused training step: ${name} is disposed`);
      if (t.dtype !== 'float32')
        throw new BackendError(`fused training step: expected ${name} of dtype float32, received ${t.dtype}`);
      const data = dataIdMap.get(t.dataId);
      if (!data) throw new BackendError(`fused training step: ${name} does not live on the wasm backend`);
      if (data.refCount !== 1) {
        throw new BackendError(
          `fused training step: expected ${name} to own its data, received a tensor sharing it with ${data.refCount - 1} other(s)`,
        );
      }
      return data.memoryOffset;
    },
    f32() {
      if (view.buffer !== memory.buffer) view = new Float32Array(memory.buffer);
      return view;
    },
  };
}
