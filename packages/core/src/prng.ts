/**
 * A seeded pseudo-random number generator that yields the same stream in every JavaScript
 * engine: xoshiro128** (Blackman & Vigna, 2018) on 32-bit integer arithmetic (`Math.imul`,
 * `>>>`), seeded through SplitMix32. Floating-point draws use only exact operations, except
 * `normal()`, which uses `Math.log`/`Math.cos`/`Math.sqrt` (V8 implements log/cos with a
 * fixed fdlibm port, so Node and Chromium agree bit for bit; tests pin known values).
 */

/** The complete state of a {@link Prng}: four uint32 words. Serialisable for checkpoints. */
export type PrngState = readonly [number, number, number, number];

const TWO_POW_NEG_24 = 1 / 16777216;
const TWO_POW_NEG_32 = 1 / 4294967296;
const TWO_POW_NEG_53 = 1 / 9007199254740992;

/** SplitMix32 step: a well-mixed 32-bit hash used to expand seeds into xoshiro state. */
export function splitMix32(x: number): number {
  let z = (x + 0x9e3779b9) | 0;
  z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
  z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
  return (z ^ (z >>> 15)) >>> 0;
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/**
 * xoshiro128** generator. Create with {@link createPrng}; derive independent streams with
 * {@link Prng.fork} (e.g. one per instance) so adding a consumer never shifts another's draws.
 *
 * @example
 * const rng = createPrng(42);
 * rng.nextFloat(); // same value in Node and in the browser
 */
export class Prng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  /** Use {@link createPrng} or {@link Prng.fromState}; the state must not be all zero. */
  constructor(state: PrngState) {
    [this.s0, this.s1, this.s2, this.s3] = state.map((v) => v >>> 0) as unknown as [number, number, number, number];
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) {
      throw new RangeError('Prng state must not be all zero');
    }
  }

  /** Restores a generator from {@link Prng.state}. */
  static fromState(state: PrngState): Prng {
    return new Prng(state);
  }

  /** The current state; `Prng.fromState(rng.state())` continues the same stream. */
  state(): PrngState {
    return [this.s0, this.s1, this.s2, this.s3];
  }

  /** Next uniform uint32 in [0, 2^32). */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5) >>> 0, 7), 9) >>> 0;
    const t = (this.s1 << 9) >>> 0;
    this.s2 = (this.s2 ^ this.s0) >>> 0;
    this.s3 = (this.s3 ^ this.s1) >>> 0;
    this.s1 = (this.s1 ^ this.s2) >>> 0;
    this.s0 = (this.s0 ^ this.s3) >>> 0;
    this.s2 = (this.s2 ^ t) >>> 0;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Uniform in [0, 1) with 24 random bits: exactly representable as float32. */
  nextFloat(): number {
    return (this.nextUint32() >>> 8) * TWO_POW_NEG_24;
  }

  /** Uniform in [0, 1) with 53 random bits (a full double). */
  nextDouble(): number {
    const hi = this.nextUint32() >>> 5; // 27 bits
    const lo = this.nextUint32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) * TWO_POW_NEG_53;
  }

  /** Uniform integer in [0, bound), unbiased (rejection sampling). `bound` in [1, 2^32]. */
  nextInt(bound: number): number {
    if (!Number.isInteger(bound) || bound < 1 || bound > 4294967296) {
      throw new RangeError(`nextInt: bound must be an integer in [1, 2^32], received ${bound}`);
    }
    const limit = 4294967296 - (4294967296 % bound);
    for (;;) {
      const r = this.nextUint32();
      if (r < limit) return r % bound;
    }
  }

  /** Standard normal draw (Box–Muller, one value per call; the twin is discarded for simplicity). */
  normal(): number {
    // 1 - u keeps the log argument in (0, 1].
    const u1 = 1 - this.nextDouble();
    const u2 = this.nextDouble();
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }

  /** `k` distinct integers from [0, n), in increasing order (partial Fisher–Yates). */
  sampleWithoutReplacement(n: number, k: number): number[] {
    if (!Number.isInteger(k) || k < 0 || k > n) {
      throw new RangeError(`sampleWithoutReplacement: need 0 <= k <= n, received k=${k}, n=${n}`);
    }
    const pool = Array.from({ length: n }, (_, i) => i);
    for (let i = 0; i < k; i++) {
      const j = i + this.nextInt(n - i);
      const tmp = pool[i]!;
      pool[i] = pool[j]!;
      pool[j] = tmp;
    }
    return pool.slice(0, k).sort((a, b) => a - b);
  }

  /** A uniformly random permutation of [0, n). */
  permutation(n: number): number[] {
    const p = Array.from({ length: n }, (_, i) => i);
    for (let i = n - 1; i > 0; i--) {
      const j = this.nextInt(i + 1);
      const tmp = p[i]!;
      p[i] = p[j]!;
      p[j] = tmp;
    }
    return p;
  }

  /**
   * An independent child stream identified by `streamId`, derived from this generator's
   * *current* state without advancing it. Same parent state + same id → same child.
   */
  fork(streamId: number): Prng {
    let h = splitMix32(this.s0 ^ Math.imul(streamId | 0, 0x85ebca6b));
    h = splitMix32(h ^ this.s1);
    h = splitMix32(h ^ this.s2);
    h = splitMix32(h ^ this.s3);
    return seededFromWord(h, streamId);
  }
}

function seededFromWord(word: number, salt: number): Prng {
  let x = (word ^ Math.imul(salt | 0, 0x27d4eb2d)) >>> 0;
  const s: number[] = [];
  for (let i = 0; i < 4; i++) {
    x = splitMix32(x + i);
    s.push(x);
  }
  if ((s[0]! | s[1]! | s[2]! | s[3]!) === 0) s[0] = 1;
  return new Prng(s as unknown as PrngState);
}

/**
 * Creates a generator from an integer seed (any safe integer; negative allowed).
 *
 * @param seed - the run's seed; both 32-bit halves of it are used.
 * @example
 * const a = createPrng(7), b = createPrng(7);
 * a.nextUint32() === b.nextUint32(); // true
 */
export function createPrng(seed: number): Prng {
  if (!Number.isSafeInteger(seed)) {
    throw new RangeError(`createPrng: seed must be a safe integer, received ${seed}`);
  }
  const lo = seed >>> 0;
  const hi = Math.floor(seed / 4294967296) >>> 0;
  return seededFromWord(splitMix32(lo) ^ splitMix32(hi ^ 0x6a09e667), 0);
}

/** Fills a new Float32Array with normal(0, std) draws. */
export function normalArray(rng: Prng, length: number, std = 1): Float32Array {
  const out = new Float32Array(length);
  for (let i = 0; i < length; i++) out[i] = rng.normal() * std;
  return out;
}

export const PRNG_CONSTANTS = { TWO_POW_NEG_24, TWO_POW_NEG_32 } as const;
