// Plain-TS references for the kernels (tests and benchmarks only; not part of the package).
import { createPrng } from '@polytoy/core';

/** Element (i, kk) of op(A) where A is stored [m, k] (or [k, m] when transposed). */
function aAt(a: ArrayLike<number>, transA: boolean, m: number, k: number, i: number, kk: number): number {
  return transA ? a[kk * m + i]! : a[i * k + kk]!;
}

/** Element (kk, j) of op(B) where B is stored [k, n] (or [n, k] when transposed). */
function bAt(b: ArrayLike<number>, transB: boolean, n: number, k: number, kk: number, j: number): number {
  return transB ? b[j * k + kk]! : b[kk * n + j]!;
}

export interface GemmShape {
  m: number;
  n: number;
  k: number;
  transA: boolean;
  transB: boolean;
}

/**
 * The kernel's exact contract, emulated in float64 with Math.fround after every operation:
 * c = +0; for kk: c = fl32(c + fl32(a·b)). (Products of floats are exact in float64, and
 * float64 sums of two floats round innocuously to float32, so this is bit-exact.)
 */
export function gemmF32Sequential(a: ArrayLike<number>, b: ArrayLike<number>, s: GemmShape): Float32Array {
  const { m, n, k, transA, transB } = s;
  const c = new Float32Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let acc = 0;
      for (let kk = 0; kk < k; kk++) {
        acc = Math.fround(acc + Math.fround(aAt(a, transA, m, k, i, kk) * bAt(b, transB, n, k, kk, j)));
      }
      c[i * n + j] = acc;
    }
  }
  return c;
}

/** The float64 product and, per element, sum_k |a_ik|·|b_kj| (for rounding-error bounds). */
export function gemmF64(a: ArrayLike<number>, b: ArrayLike<number>, s: GemmShape): { c: Float64Array; absSum: Float64Array } {
  const { m, n, k, transA, transB } = s;
  const c = new Float64Array(m * n);
  const absSum = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let acc = 0;
      let abs = 0;
      for (let kk = 0; kk < k; kk++) {
        const p = aAt(a, transA, m, k, i, kk) * bAt(b, transB, n, k, kk, j);
        acc += p;
        abs += Math.abs(p);
      }
      c[i * n + j] = acc;
      absSum[i * n + j] = abs;
    }
  }
  return { c, absSum };
}

/** Unit roundoff of float32. */
export const F32_U = 2 ** -24;

/** Float32 values uniform in [-1, 1) from a seeded Prng (24-bit, so exactly representable). */
export function randomF32(seed: number, length: number): Float32Array {
  const rng = createPrng(seed);
  const out = new Float32Array(length);
  for (let i = 0; i < length; i++) out[i] = rng.nextFloat() * 2 - 1;
  return out;
}

/** Bitwise equality of two float32 arrays (NaN == NaN, +0 != -0); returns the first mismatch index or -1. */
export function firstBitMismatch(x: Float32Array, y: Float32Array): number {
  if (x.length !== y.length) return 0;
  const xi = new Uint32Array(x.buffer, x.byteOffset, x.length);
  const yi = new Uint32Array(y.buffer, y.byteOffset, y.length);
  for (let i = 0; i < x.length; i++) {
    if (xi[i] !== yi[i] && !(Number.isNaN(x[i]) && Number.isNaN(y[i]))) return i;
  }
  return -1;
}
