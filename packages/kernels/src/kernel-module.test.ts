/** The raw linear-combination kernels against their float32 formulas, SIMD body and scalar tail. */
import { describe, expect, it } from 'vitest';
import { kernelsFor } from './kernel-module.js';

const f = Math.fround;

function setup(len: number): { k: ReturnType<typeof kernelsFor>; H: Float32Array; y: number; x: number } {
  const memory = new WebAssembly.Memory({ initial: 1 });
  const H = new Float32Array(memory.buffer);
  // Values with many significant bits, of both signs, and exact zeros of both signs.
  for (let e = 0; e < 2 * len; e++) H[e] = e % 7 === 0 ? (e % 2 ? -0 : 0) : Math.sin(e * 1.37) * 3.1 ** (e % 5);
  return { k: kernelsFor(memory), H, y: 0, x: 4 * len };
}

describe('axpby and scale', () => {
  it.each([1, 4, 7, 13])('axpby(a, b) = fl(fl(a·y) + fl(b·x)) elementwise (len %i)', (len) => {
    const { k, H, y, x } = setup(len);
    for (const [a, b] of [
      [1, -1],
      [1, 1],
      [0.375, -2.5],
    ] as const) {
      const y0 = H.slice(0, len);
      const x0 = H.slice(len, 2 * len);
      k.axpby(y, x, len, a, b);
      const want = Float32Array.from(y0, (v, e) => f(f(a * v) + f(b * x0[e]!)));
      expect(Array.from(H.subarray(0, len), (v) => (Object.is(v, -0) ? '-0' : v))).toEqual(
        Array.from(want, (v) => (Object.is(v, -0) ? '-0' : v)),
      );
      expect(H.slice(len, 2 * len)).toEqual(x0);
    }
  });

  it.each([1, 5, 12])('scale(a) = fl(a·y) and y − x as axpby(1, −1) is exact subtraction (len %i)', (len) => {
    const { k, H, y, x } = setup(len);
    const y0 = H.slice(0, len);
    k.scale(y, len, 0.1);
    expect(H.slice(0, len)).toEqual(Float32Array.from(y0, (v) => f(v * f(0.1))));
    const y1 = H.slice(0, len);
    const x1 = H.slice(len, 2 * len);
    k.axpby(y, x, len, 1, -1);
    expect(H.slice(0, len)).toEqual(Float32Array.from(y1, (v, e) => v - x1[e]!));
  });
});

describe('gatherRowSum and scatterRowAdd', () => {
  it.each([1, 3, 6])('are the k-hot products x·T and xᵀ·S, summed in index order (cols 7, k %i)', (k) => {
    const memory = new WebAssembly.Memory({ initial: 1 });
    const H = new Float32Array(memory.buffer);
    const I32 = new Int32Array(memory.buffer);
    const tableRows = 10;
    const cols = 7;
    const rows = 5;
    const [table, idx, out, src, dst] = [0, 1024, 2048, 3072, 4096];
    for (let e = 0; e < tableRows * cols; e++) H[table / 4 + e] = Math.sin(e * 0.77) * 2 ** (e % 9);
    for (let e = 0; e < rows * cols; e++) H[src / 4 + e] = Math.cos(e * 1.3) * 3;
    // Row r's ones: k distinct indices, not sorted.
    for (let r = 0; r < rows; r++) for (let t = 0; t < k; t++) I32[idx / 4 + r * k + t] = (r * 3 + t * 7) % tableRows;
    const k_ = kernelsFor(memory);
    k_.gatherRowSum(table, idx, out, rows, k, cols);
    for (let r = 0; r < rows; r++) {
      for (let j = 0; j < cols; j++) {
        let a = H[table / 4 + I32[idx / 4 + r * k]! * cols + j]!;
        for (let t = 1; t < k; t++) a = f(a + H[table / 4 + I32[idx / 4 + r * k + t]! * cols + j]!);
        expect(H[out / 4 + r * cols + j]).toBe(a);
      }
    }
    const before = H.slice(dst / 4, dst / 4 + tableRows * cols);
    k_.scatterRowAdd(src, idx, dst, rows, k, cols);
    const want = Float32Array.from(before);
    for (let r = 0; r < rows; r++) {
      for (let t = 0; t < k; t++) {
        const i = I32[idx / 4 + r * k + t]!;
        for (let j = 0; j < cols; j++) want[i * cols + j] = f(want[i * cols + j]! + H[src / 4 + r * cols + j]!);
      }
    }
    expect(H.slice(dst / 4, dst / 4 + tableRows * cols)).toEqual(want);
  });
});
