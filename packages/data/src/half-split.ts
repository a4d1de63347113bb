/**
 * The seed's data (SPEC §1): pick half A (features 0..n/2-1) or half B (n/2..n-1) uniformly,
 * then set exactly n/4 of that half's coordinates to 1.
 */
import type { Prng } from '@polytoy/core';
import { ConfigError } from '@polytoy/core';

/** Checks n is a positive multiple of 4 (the half-split data needs n/4 ones in a half of n/2). */
export function assertHalfSplitN(n: number, arg = 'n'): void {
  if (!Number.isSafeInteger(n) || n < 4 || n % 4 !== 0) {
    throw new ConfigError(arg, 'a positive multiple of 4', n);
  }
}

/**
 * Draws a batch of half-split samples.
 *
 * @param rng - the stream to draw from (advanced by this call).
 * @param n - features, a positive multiple of 4.
 * @param batchSize - samples.
 * @param out - optional [batchSize, n] buffer to fill (zeroed first).
 * @returns [batchSize, n] row-major 0/1 values.
 * @example
 * const x = halfSplitBatch(createPrng(0), 8, 4); // 4 samples, each with two ones in one half
 */
export function halfSplitBatch(rng: Prng, n: number, batchSize: number, out?: Float32Array): Float32Array {
  assertHalfSplitN(n);
  const x = out ?? new Float32Array(batchSize * n);
  if (x.length !== batchSize * n) throw new ConfigError('out', `a Float32Array of length ${batchSize * n}`, x.length);
  x.fill(0);
  const half = n / 2;
  const k = n / 4;
  const pool = new Int32Array(half);
  for (let s = 0; s < batchSize; s++) {
    const offset = rng.nextInt(2) * half;
    // Partial Fisher–Yates over the half: the first k entries are the chosen coordinates.
    for (let i = 0; i < half; i++) pool[i] = i;
    for (let i = 0; i < k; i++) {
      const j = i + rng.nextInt(half - i);
      const t = pool[i]!;
      pool[i] = pool[j]!;
      pool[j] = t;
      x[s * n + offset + pool[i]!] = 1;
    }
  }
  return x;
}

/** Binomial coefficient C(a, b) as an exact integer (a <= 60). */
export function binomial(a: number, b: number): number {
  if (b < 0 || b > a) return 0;
  let r = 1;
  for (let i = 1; i <= Math.min(b, a - b); i++) r = (r * (a - i + 1)) / i;
  return Math.round(r);
}

/** Number of distinct half-split samples: `2 * C(n/2, n/4)` (n=16: 140, n=32: 25740). */
export function halfSplitSupportSize(n: number): number {
  assertHalfSplitN(n);
  return 2 * binomial(n / 2, n / 4);
}

/** The support enumerated: every distinct sample once; all are equally likely. */
export interface Support {
  n: number;
  /** Number of samples. */
  count: number;
  /** [count, n] row-major. */
  x: Float32Array;
}

/** Largest n whose support {@link enumerateHalfSplitSupport} will build (25,740 points at n=32). */
export const MAX_ENUMERABLE_N = 32;

/**
 * Enumerates the half-split support exactly: half A's subsets first (lexicographic), then B's.
 *
 * @throws ConfigError for n > 32 (n=36 already has 2·C(18,9) = 97,240 points; use Monte Carlo).
 * @example
 * enumerateHalfSplitSupport(8).count; // 12
 */
export function enumerateHalfSplitSupport(n: number): Support {
  assertHalfSplitN(n);
  if (n > MAX_ENUMERABLE_N) throw new ConfigError('n', `at most ${MAX_ENUMERABLE_N} for exact enumeration`, n);
  const half = n / 2;
  const k = n / 4;
  const count = halfSplitSupportSize(n);
  const x = new Float32Array(count * n);
  let row = 0;
  const idx = Array.from({ length: k }, (_, i) => i);
  for (const offset of [0, half]) {
    for (let i = 0; i < k; i++) idx[i] = i;
    for (;;) {
      for (const i of idx) x[row * n + offset + i] = 1;
      row++;
      // Next k-combination of [0, half) in lexicographic order.
      let p = k - 1;
      while (p >= 0 && idx[p] === half - k + p) p--;
      if (p < 0) break;
      idx[p]!++;
      for (let q = p + 1; q < k; q++) idx[q] = idx[q - 1]! + 1;
    }
  }
  return { n, count, x };
}
