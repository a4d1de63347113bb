/**
 * The trainer's per-instance data streams, with a fast path for the seed's half-split data.
 *
 * Why: `halfSplitBatch` (`@polytoy/data`) on `Prng` (`@polytoy/core`) keeps the xoshiro128**
 * state as unsigned numbers, which V8 boxes as heap doubles, so a draw costs ~100 ns; a batch of
 * 1024 samples at n = 256 took ~7 ms, as long as the whole training step with the polytoy
 * kernels. The fast path runs the same generator on int32 locals (the same bits: xoshiro128**
 * only needs 32-bit xor, shift, rotate and `Math.imul`), the same unbiased `nextInt` (rejection
 * below `2^32 − 2^32 mod bound`, then `mod bound`) and the same partial Fisher–Yates, so batches
 * and the stream's state after every batch equal the slow path's bit for bit (tested), and
 * checkpoints stay interchangeable. Other data kinds use `createDataSource` unchanged.
 */
import type { DataConfig, PrngState } from '@polytoy/core';
import { ConfigError, Prng } from '@polytoy/core';
import { createDataSource } from '@polytoy/data';

/** One instance's training data: batches drawn from its data stream. */
export interface TrainingDataStream {
  /** Per-feature loss weights, or null when all features weigh 1. */
  readonly importance: Float32Array | null;
  /** Writes the next `[batchSize, n]` batch into `out` (exactly `batchSize · n` long). */
  next(batchSize: number, out: Float32Array): void;
  /** The stream's current state (for checkpoints). */
  state(): PrngState;
  /** A generator at the stream's current state (for forks), not advancing the stream. */
  rng(): Prng;
}

const TWO_POW_32 = 4294967296;

/**
 * Fills `out` with `batchSize` half-split samples (SPEC §1) drawn from the xoshiro128** state
 * `s` (four int32 words, updated in place), exactly as `halfSplitBatch(Prng.fromState(s), …)`.
 */
export function fillHalfSplit(s: Int32Array, n: number, batchSize: number, out: Float32Array): void {
  const half = n >> 1;
  const k = n >> 2;
  if (out.length !== batchSize * n) throw new ConfigError('out', `a Float32Array of length ${batchSize * n}`, out.length);
  // Rejection limits of nextInt(bound) for every bound the sampler uses, and 1/bound.
  const limit = new Float64Array(half + 1);
  const inverse = new Float64Array(half + 1);
  for (let b = 1; b <= half; b++) {
    limit[b] = TWO_POW_32 - (TWO_POW_32 % b);
    inverse[b] = 1 / b;
  }
  const pool = new Int32Array(half);
  const identity = Int32Array.from({ length: half }, (_, i) => i);
  let s0 = s[0]! | 0;
  let s1 = s[1]! | 0;
  let s2 = s[2]! | 0;
  let s3 = s[3]! | 0;
  out.fill(0);
  for (let row = 0; row < batchSize; row++) {
    // nextInt(2): the limit is 2^32, every draw is accepted.
    let r = Math.imul(s1, 5);
    r = Math.imul((r << 7) | (r >>> 25), 9);
    let t = s1 << 9;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    s3 = (s3 << 11) | (s3 >>> 21);
    const base = row * n + (r & 1) * half;
    pool.set(identity);
    for (let i = 0; i < k; i++) {
      const bound = half - i;
      const lim = limit[bound]!;
      let u: number;
      do {
        r = Math.imul(s1, 5);
        r = Math.imul((r << 7) | (r >>> 25), 9);
        t = s1 << 9;
        s2 ^= s0;
        s3 ^= s1;
        s1 ^= s2;
        s0 ^= s3;
        s2 ^= t;
        s3 = (s3 << 11) | (s3 >>> 21);
        u = r >>> 0;
      } while (u >= lim);
      // u mod bound without a division: q = floor(u·(1/bound)) is the true quotient, or one off
      // when u/bound is within the product's rounding error (2^-20) of an integer; all values
      // are integers below 2^53, so u − q·bound is exact and one correction gives u mod bound.
      let rem = u - Math.floor(u * inverse[bound]!) * bound;
      if (rem >= bound) rem -= bound;
      else if (rem < 0) rem += bound; // (only for bounds near 2^31)
      const j = i + rem;
      const picked = pool[j]!;
      pool[j] = pool[i]!;
      pool[i] = picked;
      out[base + picked] = 1;
    }
  }
  s[0] = s0;
  s[1] = s1;
  s[2] = s2;
  s[3] = s3;
}

/**
 * The data stream of one instance, drawing from `rng` (which the stream takes over: use
 * {@link TrainingDataStream.state} and {@link TrainingDataStream.rng} afterwards, not `rng`).
 *
 * @example
 * const data = createTrainingData({ kind: 'half-split', n: 64 }, instanceStreams(0).data);
 * const x = new Float32Array(1024 * 64);
 * data.next(1024, x); // the same batch as createDataSource(config, rng).next(1024)
 */
export function createTrainingData(config: DataConfig, rng: Prng): TrainingDataStream {
  if (config.kind === 'half-split') {
    const n = config.n;
    const s = Int32Array.from(rng.state());
    const state = (): PrngState => [s[0]! >>> 0, s[1]! >>> 0, s[2]! >>> 0, s[3]! >>> 0];
    return {
      importance: null,
      next: (batchSize, out) => fillHalfSplit(s, n, batchSize, out),
      state,
      rng: () => Prng.fromState(state()),
    };
  }
  const source = createDataSource(config, rng);
  return {
    importance: source.importance,
    next: (batchSize, out) => {
      source.next(batchSize, out);
    },
    state: () => rng.state(),
    rng: () => Prng.fromState(rng.state()),
  };
}
