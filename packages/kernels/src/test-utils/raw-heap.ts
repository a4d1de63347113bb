// Test helper: the kernels on a private WebAssembly.Memory with a bump allocator, so kernel
// contracts can be tested without tfjs (and every byte outside the outputs can be checked).
import { kernelsFor, type KernelExports } from '../kernel-module.js';

export class RawHeap {
  readonly memory: WebAssembly.Memory;
  readonly k: KernelExports;
  private next = 64;

  constructor(pages = 64, shared = false) {
    this.memory = shared
      ? new WebAssembly.Memory({ initial: pages, maximum: 65536, shared: true })
      : new WebAssembly.Memory({ initial: pages });
    this.k = kernelsFor(this.memory);
  }

  /** Reserves `bytes` (16-aligned, plus a 64-byte gap) and returns the byte offset. */
  alloc(bytes: number): number {
    const ptr = this.next;
    this.next = ptr + Math.ceil((bytes + 64) / 16) * 16;
    while (this.next > this.memory.buffer.byteLength) this.memory.grow(16);
    return ptr;
  }

  /** Copies `data` into a fresh allocation. */
  put(data: Float32Array): number {
    const ptr = this.alloc(data.length * 4);
    new Float32Array(this.memory.buffer, ptr, data.length).set(data);
    return ptr;
  }

  /** A copy of `length` floats at `ptr`. */
  get(ptr: number, length: number): Float32Array {
    return new Float32Array(this.memory.buffer, ptr, length).slice();
  }

  /** A copy of every byte of the memory (for "nothing else was written" checks). */
  snapshot(): Uint8Array {
    return new Uint8Array(this.memory.buffer).slice();
  }
}
