/**
 * Test-only builders of SPEC §2–2c constructions and perturbations of them. The constructions
 * themselves come from @polytoy/analytic; these helpers add what only tests need (noise,
 * gauge rescaling of untied weights, hand-made matrices).
 */
import type { Prng, TiedParams, UntiedParams } from '@polytoy/core';
import { createPrng as createPrngForTests } from '@polytoy/core';

/** Adds independent uniform noise in [-amp, amp] to every weight and bias (a copy). */
export function withNoise(p: TiedParams, rng: Prng, amp: number): TiedParams {
  const W = p.W.map((x) => x + (2 * rng.nextDouble() - 1) * amp);
  const b = p.b.map((x) => x + (2 * rng.nextDouble() - 1) * amp);
  return { ...p, W, b };
}

/**
 * Untied parameters with the same function as `p` but neuron j's encoder scaled by `s_j` and its
 * decoder by `1 / s_j` (s_j > 0 drawn from [0.25, 4]): the gauge freedom of untied weights.
 */
export function rescaledUntied(p: TiedParams, rng: Prng): UntiedParams {
  const { n, m } = p;
  const E = new Float32Array(m * n);
  const D = new Float32Array(n * m);
  for (let j = 0; j < m; j++) {
    const s = 4 ** (2 * rng.nextDouble() - 1);
    for (let i = 0; i < n; i++) {
      E[j * n + i] = p.W[j * n + i]! * s;
      D[i * m + j] = p.W[j * n + i]! / s;
    }
  }
  return { kind: 'untied', n, m, E, D, b: p.b.slice() };
}

/** Tied parameters from a list of rows. */
export function tiedFromRows(rows: number[][], b?: number[]): TiedParams {
  const m = rows.length;
  const n = rows[0]!.length;
  return { kind: 'tied', n, m, W: Float32Array.from(rows.flat()), b: Float32Array.from(b ?? new Array<number>(n).fill(0)) };
}

/** Identity-like monosemantic model: feature i on neuron i with weight `scale`, extra rows zero. */
export function identityModel(n: number, m: number, scale = 1): TiedParams {
  const W = new Float32Array(m * n);
  for (let i = 0; i < Math.min(n, m); i++) W[i * n + i] = scale;
  return { kind: 'tied', n, m, W, b: new Float32Array(n) };
}

/** A random m x m orthogonal matrix (Gram–Schmidt on Gaussian columns), row-major. */
export function randomOrthogonal(m: number, rng: Prng): Float64Array {
  const Q = new Float64Array(m * m);
  for (let c = 0; c < m; c++) {
    const v = Array.from({ length: m }, () => rng.normal());
    for (let p = 0; p < c; p++) {
      let dot = 0;
      for (let r = 0; r < m; r++) dot += v[r]! * Q[r * m + p]!;
      for (let r = 0; r < m; r++) v[r]! -= dot * Q[r * m + p]!;
    }
    const norm = Math.hypot(...v);
    for (let r = 0; r < m; r++) Q[r * m + c] = v[r]! / norm;
  }
  return Q;
}

/** `W → Q W`: the same function for a linear hidden layer, in a rotated (dense) neuron basis. */
export function rotated(p: TiedParams, Q: Float64Array): TiedParams {
  const { n, m } = p;
  const W = new Float32Array(m * n);
  for (let r = 0; r < m; r++) {
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < m; j++) s += Q[r * m + j]! * p.W[j * n + i]!;
      W[r * n + i] = s;
    }
  }
  return { ...p, W, b: p.b.slice() };
}

/**
 * The zero-loss solution training found at n = 8 (not one of SPEC §2–2c): A feature k alone on
 * neuron k, B features as the columns of the reflection `Q = I − (2/h) J` (h = n/2), biases 0.
 * Rows: neuron k = e_k (A) + row k of Q (B).
 */
export function reflectionSolution(n: number): TiedParams {
  const h = n / 2;
  const W = new Float32Array(h * n);
  for (let k = 0; k < h; k++) {
    W[k * n + k] = 1;
    for (let q = 0; q < h; q++) W[k * n + h + q] = (k === q ? 1 : 0) - 2 / h;
  }
  return { kind: 'tied', n, m: h, W, b: new Float32Array(n) };
}

/** Parameters in either precision (the analytic constructions come in both). */
type Any = import('@polytoy/analytic').AnyParams;

function like<T extends Float32Array | Float64Array>(a: T, length: number): T {
  return (a instanceof Float64Array ? new Float64Array(length) : new Float32Array(length)) as T;
}

/**
 * A rotation of the hidden space, in the parameters' own precision: tied `W → Q W`; untied
 * `E → Q E`, `D → D Qᵀ`. The function of a linear hidden layer does not change.
 */
export function rotateHidden<P extends Any>(p: P, Q: Float64Array): P {
  const { n, m } = p;
  const rot = (A: Float32Array | Float64Array): Float32Array | Float64Array => {
    const out = like(A, m * n);
    for (let r = 0; r < m; r++) {
      for (let i = 0; i < n; i++) {
        let s = 0;
        for (let j = 0; j < m; j++) s += Q[r * m + j]! * A[j * n + i]!;
        out[r * n + i] = s;
      }
    }
    return out;
  };
  if (p.kind === 'tied') return { ...p, W: rot(p.W), b: p.b.slice() } as P;
  const D = like(p.D, n * m);
  for (let i = 0; i < n; i++) {
    for (let r = 0; r < m; r++) {
      let s = 0;
      for (let j = 0; j < m; j++) s += p.D[i * m + j]! * Q[r * m + j]!;
      D[i * m + r] = s;
    }
  }
  return { ...p, E: rot(p.E), D, b: p.b.slice() } as P;
}

/** Relabels features: new feature `perm[i]` is old feature i (weights columns, decoder rows, bias). */
export function permuteFeatures<P extends Any>(p: P, perm: readonly number[]): P {
  const { n, m } = p;
  const cols = (A: Float32Array | Float64Array): Float32Array | Float64Array => {
    const out = like(A, m * n);
    for (let j = 0; j < m; j++) for (let i = 0; i < n; i++) out[j * n + perm[i]!] = A[j * n + i]!;
    return out;
  };
  const b = like(p.b, n);
  for (let i = 0; i < n; i++) b[perm[i]!] = p.b[i]!;
  if (p.kind === 'tied') return { ...p, W: cols(p.W), b } as P;
  const D = like(p.D, n * m);
  for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) D[perm[i]! * m + j] = p.D[i * m + j]!;
  return { ...p, E: cols(p.E), D, b } as P;
}

/** `p + delta · U` with U a fixed (seeded) direction of unit RMS over every weight and bias. */
export function perturbed<P extends Any>(p: P, seed: number, delta: number): P {
  const rng = createPrngForTests(seed);
  const add = (A: Float32Array | Float64Array) => A.map((x) => x + delta * rng.normal());
  if (p.kind === 'tied') return { ...p, W: add(p.W), b: add(p.b) } as P;
  return { ...p, E: add(p.E), D: add(p.D), b: add(p.b) } as P;
}

/** The untied model with `(M + v 1ᵀ, b − (n/4) v)`: the same map on the support (the support gauge). */
export function supportGauge(
  M: Float64Array,
  b: Float64Array,
  v: readonly number[],
): import('@polytoy/analytic').UntiedParamsF64 {
  const n = b.length;
  const E = new Float64Array(n * n);
  for (let i = 0; i < n; i++) E[i * n + i] = 1;
  const D = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let k = 0; k < n; k++) D[i * n + k] = M[i * n + k]! + v[i]!;
  return { kind: 'untied', n, m: n, E, D, b: b.map((x, i) => x - (n / 4) * v[i]!) };
}

/** Untied parameters computing a given map M (E = I, D = M) with bias b: any matrix is a model. */
export function untiedFromMap(M: Float64Array, b: Float64Array): import('@polytoy/analytic').UntiedParamsF64 {
  return supportGauge(M, b, new Array<number>(b.length).fill(0));
}
