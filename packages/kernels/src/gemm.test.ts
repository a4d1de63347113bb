import { describe, expect, it } from 'vitest';
import { planBatchMatMul } from './gemm.js';
import { RawHeap } from './test-utils/raw-heap.js';
import { F32_U, firstBitMismatch, gemmF32Sequential, gemmF64, randomF32, type GemmShape } from './test-utils/reference.js';

const LAYOUTS = [
  { name: 'A·B', transA: false, transB: false },
  { name: 'Aᵀ·B', transA: true, transB: false },
  { name: 'A·Bᵀ', transA: false, transB: true },
] as const;

/** Runs the raw kernel on a fresh heap; returns C and the heap. */
function runGemm(a: Float32Array, b: Float32Array, s: GemmShape, heap = new RawHeap()): Float32Array {
  const pa = heap.put(a);
  const pb = heap.put(b);
  const pc = heap.put(new Float32Array(s.m * s.n).fill(Number.NaN)); // garbage that must be overwritten
  const scratch = heap.alloc(heap.k.gemmScratchBytes(s.m, s.n, s.k));
  heap.k.gemm(pa, pb, pc, s.m, s.n, s.k, s.transA ? 1 : 0, s.transB ? 1 : 0, scratch);
  return heap.get(pc, s.m * s.n);
}

// Sizes around the 4x8 tile, the 4x4 edge kernel and the blocks (K: 256, M: 128, N: 512).
const SIZES: Array<[number, number, number]> = [
  [1, 1, 1],
  [3, 3, 3],
  [17, 17, 17],
  [1, 129, 3],
  [129, 1, 17],
  [3, 17, 129],
  [129, 129, 129],
  [4, 8, 1],
  [5, 9, 7],
  [8, 4, 12],
  [7, 12, 257],
  [33, 33, 64],
  [6, 515, 300],
  [130, 20, 513],
  [261, 9, 20],
  [133, 520, 33],
];

describe('gemm kernel (raw, on its own memory)', () => {
  for (const layout of LAYOUTS) {
    for (const [m, n, k] of SIZES) {
      it(`${layout.name} [${m}x${k}]·[${k}x${n}] is the exact float32 left-to-right sum`, () => {
        const s: GemmShape = { m, n, k, transA: layout.transA, transB: layout.transB };
        const a = randomF32(m * 1000 + k, m * k);
        const b = randomF32(n * 1000 + k + 7, k * n);
        const c = runGemm(a, b, s);
        // Bit-exact against the float32 emulation of the documented summation order.
        expect(firstBitMismatch(c, gemmF32Sequential(a, b, s))).toBe(-1);
        // And within the classical bound of the float64 product: |Δ| <= K·u·Σ|a||b| (+ tiny slack).
        const { c: c64, absSum } = gemmF64(a, b, s);
        let worst = 0; // largest |Δ| / bound
        for (let i = 0; i < c.length; i++) {
          const bound = k * F32_U * absSum[i]!;
          const err = Math.abs(c[i]! - c64[i]!);
          if (err > 0) worst = Math.max(worst, bound > 0 ? err / bound : Infinity);
        }
        expect(worst).toBeLessThanOrEqual(1);
      });
    }
  }

  it('gives bit-identical results in all three layouts (same summation order)', () => {
    const [m, n, k] = [37, 45, 300];
    const a = randomF32(1, m * k);
    const b = randomF32(2, k * n);
    const aT = new Float32Array(k * m);
    for (let i = 0; i < m; i++) for (let kk = 0; kk < k; kk++) aT[kk * m + i] = a[i * k + kk]!;
    const bT = new Float32Array(n * k);
    for (let kk = 0; kk < k; kk++) for (let j = 0; j < n; j++) bT[j * k + kk] = b[kk * n + j]!;
    const plain = runGemm(a, b, { m, n, k, transA: false, transB: false });
    expect(firstBitMismatch(runGemm(aT, b, { m, n, k, transA: true, transB: false }), plain)).toBe(-1);
    expect(firstBitMismatch(runGemm(a, bT, { m, n, k, transA: false, transB: true }), plain)).toBe(-1);
    expect(firstBitMismatch(runGemm(aT, bT, { m, n, k, transA: true, transB: true }), plain)).toBe(-1);
  });

  it('is deterministic across calls on the same memory', () => {
    const heap = new RawHeap();
    const s: GemmShape = { m: 61, n: 70, k: 290, transA: true, transB: false };
    const a = randomF32(3, s.m * s.k);
    const b = randomF32(4, s.k * s.n);
    const first = runGemm(a, b, s, heap);
    for (let rep = 0; rep < 3; rep++) expect(firstBitMismatch(runGemm(a, b, s, heap), first)).toBe(-1);
  });

  for (const layout of LAYOUTS) {
    it(`${layout.name}: a NaN in A makes exactly its output row NaN`, () => {
      const [m, n, k] = [9, 13, 300];
      const s: GemmShape = { m, n, k, transA: layout.transA, transB: layout.transB };
      const a = randomF32(5, m * k);
      const b = randomF32(6, k * n);
      const clean = runGemm(a, b, s);
      const [i0, k0] = [6, 271]; // a row in the M-edge panel, a step in the second K-block
      a[layout.transA ? k0 * m + i0 : i0 * k + k0] = Number.NaN;
      const c = runGemm(a, b, s);
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < n; j++) {
          if (i === i0) expect(c[i * n + j]).toBeNaN();
          else expect(Object.is(c[i * n + j], clean[i * n + j])).toBe(true);
        }
      }
    });

    it(`${layout.name}: a NaN in B makes exactly its output column NaN`, () => {
      const [m, n, k] = [10, 21, 40];
      const s: GemmShape = { m, n, k, transA: layout.transA, transB: layout.transB };
      const a = randomF32(7, m * k);
      const b = randomF32(8, k * n);
      const [k0, j0] = [3, 19]; // a column in the narrow edge panel
      b[layout.transB ? j0 * k + k0 : k0 * n + j0] = Number.NaN;
      const c = runGemm(a, b, s);
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < n; j++) expect(Number.isNaN(c[i * n + j])).toBe(j === j0);
      }
    });
  }

  it('K = 0 writes +0 everywhere; M = 0 or N = 0 writes nothing', () => {
    const heap = new RawHeap();
    const c = runGemm(new Float32Array(0), new Float32Array(0), { m: 3, n: 5, k: 0, transA: false, transB: true }, heap);
    expect(Array.from(c).every((x) => Object.is(x, 0))).toBe(true);
    for (const [m, n] of [
      [0, 5],
      [5, 0],
    ] as const) {
      const pa = heap.put(randomF32(9, 5 * 4));
      const pb = heap.put(randomF32(10, 5 * 4));
      const before = heap.snapshot();
      heap.k.gemm(pa, pb, heap.alloc(4), m, n, 4, 0, 0, heap.alloc(64));
      expect(Buffer.compare(heap.snapshot(), before)).toBe(0);
    }
  });

  it('writes only C and its scratch (no static data, no stray stores)', () => {
    const heap = new RawHeap();
    const s: GemmShape = { m: 130, n: 27, k: 260, transA: false, transB: true };
    const pa = heap.put(randomF32(11, s.m * s.k));
    const pb = heap.put(randomF32(12, s.k * s.n));
    const pc = heap.alloc(s.m * s.n * 4);
    const scratchBytes = heap.k.gemmScratchBytes(s.m, s.n, s.k);
    const scratch = heap.alloc(scratchBytes);
    new Uint8Array(heap.memory.buffer).fill(0xa5, heap.alloc(0)); // sentinel above everything
    const before = heap.snapshot();
    heap.k.gemm(pa, pb, pc, s.m, s.n, s.k, 0, 1, scratch);
    const after = heap.snapshot();
    for (let i = 0; i < after.length; i++) {
      const inC = i >= pc && i < pc + s.m * s.n * 4;
      const inScratch = i >= scratch && i < scratch + scratchBytes;
      if (!inC && !inScratch && after[i] !== before[i]) throw new Error(`byte ${i} written outside C and scratch`);
    }
  });

  it('gemmBatched: per-matrix strides and a broadcast operand (stride 0)', () => {
    const heap = new RawHeap();
    const [batch, m, n, k] = [3, 5, 11, 19];
    const a = randomF32(13, batch * m * k);
    const b = randomF32(14, k * n); // one B for all
    const pa = heap.put(a);
    const pb = heap.put(b);
    const pc = heap.alloc(batch * m * n * 4);
    const scratch = heap.alloc(heap.k.gemmScratchBytes(m, n, k));
    heap.k.gemmBatched(pa, pb, pc, batch, m, n, k, 0, 0, m * k, 0, scratch);
    const c = heap.get(pc, batch * m * n);
    for (let t = 0; t < batch; t++) {
      const ref = gemmF32Sequential(a.subarray(t * m * k, (t + 1) * m * k), b, { m, n, k, transA: false, transB: false });
      expect(firstBitMismatch(c.subarray(t * m * n, (t + 1) * m * n), ref)).toBe(-1);
    }
  });

  it('runs on a shared memory (the variant for tfjs threaded-SIMD builds)', () => {
    const heap = new RawHeap(32, true);
    const s: GemmShape = { m: 9, n: 10, k: 11, transA: true, transB: true };
    const a = randomF32(15, s.m * s.k);
    const b = randomF32(16, s.k * s.n);
    expect(firstBitMismatch(runGemm(a, b, s, heap), gemmF32Sequential(a, b, s))).toBe(-1);
  });
});

describe('planBatchMatMul', () => {
  it('maps tfjs shapes to a batched GEMM', () => {
    expect(planBatchMatMul([16, 256, 64], [16, 33, 64], false, true)).toEqual({
      outShape: [16, 256, 33],
      batch: 16,
      m: 256,
      n: 33,
      k: 64,
      strideA: 256 * 64,
      strideB: 33 * 64,
    });
    expect(planBatchMatMul([1024, 129], [129, 256], false, false)?.outShape).toEqual([1024, 256]);
    expect(planBatchMatMul([7, 3], [2, 7, 5], true, false)).toMatchObject({ outShape: [2, 3, 5], strideA: 0, strideB: 35 });
    expect(planBatchMatMul([2, 1, 4, 3], [5, 3, 6], false, false)).toBeNull(); // [2,1]·[5] broadcast
    expect(planBatchMatMul([1, 4, 3], [2, 5, 3, 6], false, false)).toMatchObject({
      outShape: [2, 5, 4, 6],
      batch: 10,
      strideA: 0,
    });
    expect(planBatchMatMul([4, 3], [4, 6], false, false)).toBeNull(); // inner mismatch
    expect(planBatchMatMul([3], [3, 2], false, false)).toBeNull(); // rank 1
  });
});
