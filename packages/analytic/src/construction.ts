/**
 * The zero-loss constructions of SPEC §2–2c as explicit weights.
 *
 * Canonical layout (before `neuronOrder` is applied), with A = features 0..n/2-1 and
 * B = features n/2..n-1, and pair k = (A feature k, B feature n/2 + pairing[k]):
 * - same-sign: row 0 = disambiguation neuron (+eps on A, -eps on B), row 1+k = pair k with
 *   weights +1/+1, rows n/2+1.. = zero; all biases -c, eps = sqrt(4c/n).
 * - opposite-sign: row k = pair k with +1 on the A feature and -1 on its B partner; biases 0.
 * - mixed: as same-sign, but pairs k < oppositePairs get +1/-1.
 * - relu two-neuron: rows 0, 1 = D_A (+eps on A, -eps on B) and D_B (its mirror image), row 2+k =
 *   pair k (+1/+1), biases -c; for a ReLU hidden layer.
 * - rotated (found by gradient flow from the same-sign construction): row 0 = disambiguation
 *   neuron, rows 1..n/2-1 = the pair rows rotated by an orthonormal basis of the vectors
 *   orthogonal to (1, …, 1); biases 1/2 - c. Uses m = n/2 (see {@link rotatedConstructionF64}).
 */
import type { TiedParams, UntiedParams } from '@polytoy/core';
import { ConfigError } from '@polytoy/core';
import type { TiedParamsF64, UntiedParamsF64 } from './params64.js';
import { toFloat32Params } from './params64.js';

/** Options shared by the constructions. */
export interface ConstructionOptions {
  /** Features; a positive multiple of 4. */
  n: number;
  /** Hidden neurons; defaults to the construction's minimum. Extra neurons are zero rows. */
  m?: number;
  /** Disambiguation strength `c = eps²·n/4`; default 1/2 (the seed's instance). Zero loss iff c >= 1/2. */
  c?: number;
  /** pairing[k] = index (0..n/2-1) within half B of the B feature paired with A feature k; default identity. */
  pairing?: number[];
  /** Row r of the result is canonical row neuronOrder[r] (a permutation of 0..m-1); default identity. */
  neuronOrder?: number[];
}

/** Which construction a layout describes. */
export type ConstructionKind = 'same-sign' | 'opposite-sign' | 'mixed' | 'relu-two-neuron' | 'rotated' | 'absence-coded';

/** One feature pair sharing a neuron. */
export interface PairSlot {
  /** Row of the weight matrix (after `neuronOrder`). */
  neuron: number;
  /** The A feature (0..n/2-1). */
  a: number;
  /** The B feature (n/2..n-1). */
  b: number;
  /** +1: same-sign pair (+1, +1); -1: opposite-sign pair (+1 on a, -1 on b). */
  sign: 1 | -1;
}

/** Where everything sits in a construction's weight matrix. */
export interface ConstructionLayout {
  kind: ConstructionKind;
  n: number;
  m: number;
  c: number;
  eps: number;
  /** Rows of the disambiguation neurons (same-sign, mixed: one; relu two-neuron: D_A then D_B; opposite: none). */
  disambiguation: number[];
  /** One slot per A feature, in A-feature order. */
  pairs: PairSlot[];
  /** Rows that are all zero. */
  zeroRows: number[];
}

/**
 * Why the same-sign scheme needs `m >= n/2 + 1` (shown in errors and the README).
 */
export const NEURON_BOUND_EXPLANATION =
  'two features of the same half cannot share a neuron (exactly n/4 of a half are on, so when one is on and the other off ' +
  'the shared activation would switch the wrong output on), so n features need n/2 pair neurons, and the disambiguation neuron ' +
  'must be a separate neuron because its activation has to be the same on every sample of a half (n/4 ones times eps)';

function checkN(n: number): void {
  if (!Number.isSafeInteger(n) || n < 4 || n % 4 !== 0) {
    throw new ConfigError('n', 'a positive multiple of 4 (each half has n/2 features with exactly n/4 of them on)', n);
  }
}

function checkPermutation(value: number[] | undefined, size: number, path: string): number[] {
  if (value === undefined) return Array.from({ length: size }, (_, i) => i);
  if (!Array.isArray(value) || value.length !== size) {
    throw new ConfigError(path, `a permutation of 0..${size - 1} (length ${size})`, value);
  }
  const seen = new Uint8Array(size);
  for (const v of value) {
    if (!Number.isSafeInteger(v) || v < 0 || v >= size || seen[v]) {
      throw new ConfigError(path, `a permutation of 0..${size - 1}`, value);
    }
    seen[v] = 1;
  }
  return value.slice();
}

function checkC(c: number): void {
  if (typeof c !== 'number' || !Number.isFinite(c) || c < 0) {
    throw new ConfigError('c', 'a finite c >= 0 (zero reconstruction loss needs c >= 1/2)', c);
  }
}

function checkM(m: number | undefined, min: number, n: number, kind: ConstructionKind): number {
  const mm = m ?? min;
  if (!Number.isSafeInteger(mm) || mm < min) {
    const why =
      kind === 'opposite-sign' || kind === 'rotated' || kind === 'absence-coded'
        ? 'each neuron holds at most one feature per half, so n features need n/2 neurons'
        : kind === 'relu-two-neuron'
          ? 'n/2 pair neurons plus two disambiguation neurons, one per half, since a ReLU cuts the negative activation; ' +
            NEURON_BOUND_EXPLANATION
          : NEURON_BOUND_EXPLANATION;
    throw new ConfigError('m', `m >= ${min} for n = ${n} (${why})`, m);
  }
  return mm;
}

interface Canonical {
  layout: ConstructionLayout;
  W: Float64Array; // canonical rows, [m, n]
  bias: number;
}

function canonical(kind: ConstructionKind, o: ConstructionOptions, oppositePairs: number): Canonical {
  checkN(o.n);
  const n = o.n,
    half = n / 2;
  const nDis = kind === 'same-sign' || kind === 'mixed' ? 1 : kind === 'relu-two-neuron' ? 2 : 0;
  const m = checkM(o.m, half + nDis, n, kind);
  const c = kind === 'opposite-sign' ? 0 : (o.c ?? 0.5);
  checkC(c);
  const pairing = checkPermutation(o.pairing, half, 'pairing');
  const eps = Math.sqrt((4 * c) / n);
  const W = new Float64Array(m * n);
  for (let d = 0; d < nDis; d++) {
    const s = d === 0 ? 1 : -1;
    for (let i = 0; i < n; i++) W[d * n + i] = i < half ? s * eps : -s * eps;
  }
  const pairs: PairSlot[] = [];
  for (let k = 0; k < half; k++) {
    const row = nDis + k;
    const a = k,
      b = half + pairing[k]!;
    const sign: 1 | -1 = kind === 'opposite-sign' || (kind === 'mixed' && k < oppositePairs) ? -1 : 1;
    W[row * n + a] = 1;
    W[row * n + b] = sign;
    pairs.push({ neuron: row, a, b, sign });
  }
  const zeroRows = Array.from({ length: m - nDis - half }, (_, r) => nDis + half + r);
  const disambiguation = Array.from({ length: nDis }, (_, d) => d);
  return { layout: { kind, n, m, c, eps, disambiguation, pairs, zeroRows }, W, bias: c === 0 ? 0 : -c };
}

function permuted(can: Canonical, neuronOrder: number[] | undefined): { layout: ConstructionLayout; params: TiedParamsF64 } {
  const { layout } = can;
  const { n, m } = layout;
  const order = checkPermutation(neuronOrder, m, 'neuronOrder');
  const rowOf = new Int32Array(m); // canonical row -> result row
  const W = new Float64Array(m * n);
  for (let r = 0; r < m; r++) {
    const src = order[r]!;
    rowOf[src] = r;
    W.set(can.W.subarray(src * n, (src + 1) * n), r * n);
  }
  const b = new Float64Array(n).fill(can.bias);
  return {
    layout: {
      ...layout,
      disambiguation: layout.disambiguation.map((r) => rowOf[r]!),
      pairs: layout.pairs.map((p) => ({ ...p, neuron: rowOf[p.neuron]! })),
      zeroRows: layout.zeroRows.map((r) => rowOf[r]!).sort((x, y) => x - y),
    },
    params: { kind: 'tied', n, m, W, b },
  };
}

/**
 * The layout (which row is which) of a construction, with the same options as the builders.
 *
 * @example
 * constructionLayout('same-sign', { n: 8 }).pairs[0]; // { neuron: 1, a: 0, b: 4, sign: 1 }
 */
export function constructionLayout(
  kind: ConstructionKind,
  o: ConstructionOptions & { oppositePairs?: number },
): ConstructionLayout {
  return build(kind, o).layout;
}

function build(kind: ConstructionKind, o: ConstructionOptions & { oppositePairs?: number }) {
  let opp = 0;
  if (kind === 'mixed') {
    opp = o.oppositePairs ?? 0;
    checkN(o.n);
    if (!Number.isSafeInteger(opp) || opp < 0 || opp > o.n / 2) {
      throw new ConfigError('oppositePairs', `an integer in 0..${o.n / 2}`, o.oppositePairs);
    }
  }
  return permuted(canonical(kind, o, opp), o.neuronOrder);
}

/**
 * The seed's same-sign construction (SPEC §2) in float64: zero reconstruction loss iff c >= 1/2.
 *
 * @param o - n (multiple of 4), m >= n/2 + 1 (default n/2 + 1; extra neurons are zero rows),
 *   c >= 0 (default 1/2; eps = sqrt(4c/n), every bias -c), pairing, neuronOrder.
 * @throws ConfigError for n not a multiple of 4, m < n/2 + 1 (with the reason), c < 0, or a bad permutation.
 * @example
 * const p = sameSignConstructionF64({ n: 16, c: 0.75 });
 * exactPopulationLoss(p, { hiddenActivation: 'none' }).reconstruction; // 0
 */
export function sameSignConstructionF64(o: ConstructionOptions): TiedParamsF64 {
  return build('same-sign', o).params;
}

/**
 * {@link sameSignConstructionF64} rounded to the float32 storage of `@polytoy/core`.
 *
 * @example
 * const p = sameSignConstruction({ n: 8 }); // m = 5, eps = sqrt(1/2), b = -1/2
 */
export function sameSignConstruction(o: ConstructionOptions): TiedParams {
  return toFloat32Params(sameSignConstructionF64(o));
}

/**
 * Opposite-sign pairs (SPEC §2b) in float64: pair k has +1 on A feature k and -1 on its B
 * partner, biases 0; zero loss with a linear hidden layer and only m = n/2 neurons.
 *
 * @throws ConfigError for n not a multiple of 4, m < n/2, or a bad permutation.
 * @example
 * oppositeSignConstructionF64({ n: 8 }).m; // 4
 */
export function oppositeSignConstructionF64(o: Omit<ConstructionOptions, 'c'>): TiedParamsF64 {
  return build('opposite-sign', o).params;
}

/**
 * {@link oppositeSignConstructionF64} in float32 (all weights are exactly representable).
 *
 * @example
 * oppositeSignConstruction({ n: 16 }).W[0 * 16 + 8]; // -1
 */
export function oppositeSignConstruction(o: Omit<ConstructionOptions, 'c'>): TiedParams {
  return toFloat32Params(oppositeSignConstructionF64(o));
}

/**
 * A mixture (SPEC §2b): the first `oppositePairs` pairs opposite-sign, the rest same-sign, plus
 * the disambiguation neuron. With tied weights that neuron must read every feature (its
 * activation has to be constant on each half), so it also writes ±c to the opposite-sign
 * outputs, whose biases are therefore -c as well. Zero loss for c >= 1/2 (for any c if every pair is opposite).
 *
 * @throws ConfigError as {@link sameSignConstructionF64}, or oppositePairs outside 0..n/2.
 * @example
 * mixedConstructionF64({ n: 16, oppositePairs: 4 }); // 4 opposite-sign + 4 same-sign pairs, m = 9
 */
export function mixedConstructionF64(o: ConstructionOptions & { oppositePairs: number }): TiedParamsF64 {
  return build('mixed', o).params;
}

/**
 * {@link mixedConstructionF64} in float32.
 *
 * @example
 * mixedConstruction({ n: 8, oppositePairs: 2 }).m; // 5
 */
export function mixedConstruction(o: ConstructionOptions & { oppositePairs: number }): TiedParams {
  return toFloat32Params(mixedConstructionF64(o));
}

/**
 * The two-disambiguation-neuron construction for a ReLU hidden layer (SPEC §2c): D_A (+eps on A,
 * -eps on B), D_B (the mirror image), same-sign pairs, biases -c; m >= n/2 + 2.
 *
 * @throws ConfigError for n not a multiple of 4, m < n/2 + 2, c < 0, or a bad permutation.
 * @example
 * const p = reluTwoNeuronConstructionF64({ n: 16 });
 * exactPopulationLoss(p, { hiddenActivation: 'relu' }).reconstruction; // 0
 */
export function reluTwoNeuronConstructionF64(o: ConstructionOptions): TiedParamsF64 {
  return build('relu-two-neuron', o).params;
}

/**
 * {@link reluTwoNeuronConstructionF64} in float32.
 *
 * @example
 * reluTwoNeuronConstruction({ n: 8 }).m; // 6
 */
export function reluTwoNeuronConstruction(o: ConstructionOptions): TiedParams {
  return toFloat32Params(reluTwoNeuronConstructionF64(o));
}

/**
 * The untied model computing the same function: `E = W`, `D = Wᵀ`, same bias.
 *
 * @example
 * const u = untiedCounterpart(sameSignConstruction({ n: 8 })); // u.kind === 'untied', u.D is [8, 5]
 */
export function untiedCounterpart(p: TiedParams): UntiedParams;
export function untiedCounterpart(p: TiedParamsF64): UntiedParamsF64;
export function untiedCounterpart(p: TiedParams | TiedParamsF64): UntiedParams | UntiedParamsF64 {
  const { n, m } = p;
  const D = p.W instanceof Float64Array ? new Float64Array(n * m) : new Float32Array(n * m);
  for (let j = 0; j < m; j++) for (let i = 0; i < n; i++) D[i * m + j] = p.W[j * n + i]!;
  const E = p.W.slice();
  const b = p.b.slice();
  return { kind: 'untied', n, m, E, D, b } as UntiedParams | UntiedParamsF64;
}

/** Orthonormal basis for {@link rotatedConstructionF64}: Sylvester–Hadamard (n/2 a power of 2) or Helmert. */
export type RotationBasis = 'hadamard' | 'helmert';

function rotationRows(d: number, basis: RotationBasis): Float64Array {
  // d x d orthogonal matrix whose row 0 is (1, …, 1)/sqrt(d).
  const Q = new Float64Array(d * d);
  if (basis === 'hadamard') {
    for (let r = 0; r < d; r++) {
      for (let c = 0; c < d; c++) {
        let bits = r & c,
          parity = 0;
        while (bits) {
          parity ^= bits & 1;
          bits >>>= 1;
        }
        Q[r * d + c] = (parity ? -1 : 1) / Math.sqrt(d);
      }
    }
  } else {
    for (let c = 0; c < d; c++) Q[c] = 1 / Math.sqrt(d);
    for (let r = 1; r < d; r++) {
      const s = 1 / Math.sqrt(r * (r + 1));
      for (let c = 0; c < r; c++) Q[r * d + c] = s;
      Q[r * d + r] = -r * s;
    }
  }
  return Q;
}

/**
 * The rotated same-sign construction with only m = n/2 neurons. The sum of all pair neurons,
 * Σ_k (x_{A_k} + x_{B_k}), equals n/4 on every sample, so that direction of the pair neurons
 * carries no information and its output (1/2 on every output) can be moved into the bias.
 * Rotating the n/2 pair rows by an orthogonal Q whose first row is (1, …, 1)/sqrt(n/2) and
 * dropping that first rotated row leaves n/2 - 1 rows R_r = Σ_k Q[r,k]·(e_{A_k} + e_{B_k}); with
 * the disambiguation neuron and biases 1/2 - c the loss is zero for c >= 1/2, as for
 * {@link sameSignConstructionF64}. Gradient flow from the same-sign construction under
 * activation L1 finds exactly this solution with the Hadamard basis at n = 8.
 *
 * @param o - as {@link ConstructionOptions} (m >= n/2, default n/2) plus `basis` (default
 *   'hadamard' when n/2 is a power of 2, else 'helmert').
 * @throws ConfigError for n not a multiple of 4, m < n/2, 'hadamard' with n/2 not a power of 2.
 * @example
 * const p = rotatedConstructionF64({ n: 8 }); // 4 neurons, every entry ±1/2, biases 0
 * exactPopulationLoss(p, { hiddenActivation: 'none' }).reconstruction; // 0
 */
export function rotatedConstructionF64(o: ConstructionOptions & { basis?: RotationBasis }): TiedParamsF64 {
  checkN(o.n);
  const n = o.n,
    half = n / 2;
  const pow2 = (half & (half - 1)) === 0;
  const basis = o.basis ?? (pow2 ? 'hadamard' : 'helmert');
  if (basis !== 'hadamard' && basis !== 'helmert') throw new ConfigError('basis', '"hadamard" | "helmert"', basis);
  if (basis === 'hadamard' && !pow2) throw new ConfigError('basis', `"helmert" (n/2 = ${half} is not a power of 2)`, basis);
  const m = checkM(o.m, half, n, 'rotated');
  const c = o.c ?? 0.5;
  checkC(c);
  const pairing = checkPermutation(o.pairing, half, 'pairing');
  const eps = Math.sqrt((4 * c) / n);
  const Q = rotationRows(half, basis);
  const W = new Float64Array(m * n);
  for (let i = 0; i < n; i++) W[i] = i < half ? eps : -eps;
  for (let r = 1; r < half; r++) {
    for (let k = 0; k < half; k++) {
      W[r * n + k] = Q[r * half + k]!;
      W[r * n + half + pairing[k]!] = Q[r * half + k]!;
    }
  }
  const layout: ConstructionLayout = {
    kind: 'rotated',
    n,
    m,
    c,
    eps,
    disambiguation: [0],
    pairs: [],
    zeroRows: Array.from({ length: m - half }, (_, r) => half + r),
  };
  const can: Canonical = { layout, W, bias: 0.5 - c };
  return permuted(can, o.neuronOrder).params;
}

/**
 * {@link rotatedConstructionF64} in float32.
 *
 * @example
 * rotatedConstruction({ n: 16 }).m; // 8
 */
export function rotatedConstruction(o: ConstructionOptions & { basis?: RotationBasis }): TiedParams {
  return toFloat32Params(rotatedConstructionF64(o));
}

/**
 * Same-sign pairs without any disambiguation neuron, B coded by absence (found by gradient flow
 * from the same-sign construction at n = 16): row k = e_{A_k} + e_{B_k} − (4/n)·1_B, biases 0,
 * m = n/2. On a B sample exactly n/4 of B are on, so h_k = x_{B_k} − 1: the neuron fires −1 when
 * its B feature is *off*; on an A sample h_k = x_{A_k}. Every output then gets exactly its input
 * on its own half and x − 1 <= 0 on the other, so the loss is zero, and the activation L1 is n/4
 * per sample, the same as opposite-sign pairs.
 *
 * @throws ConfigError for n not a multiple of 4, m < n/2, or a bad permutation.
 * @example
 * const p = absenceCodedConstructionF64({ n: 16 }); // 8 neurons, 1 on the pair, −1/4 on the rest of B
 * exactPopulationLoss(p, { hiddenActivation: 'none' }); // { reconstruction: 0, l1: 4, … }
 */
export function absenceCodedConstructionF64(o: Omit<ConstructionOptions, 'c'>): TiedParamsF64 {
  checkN(o.n);
  const n = o.n,
    half = n / 2;
  const m = checkM(o.m, half, n, 'absence-coded');
  const pairing = checkPermutation(o.pairing, half, 'pairing');
  const W = new Float64Array(m * n);
  const pairs: PairSlot[] = [];
  for (let k = 0; k < half; k++) {
    const a = k,
      b = half + pairing[k]!;
    W[k * n + a] = 1;
    for (let i = half; i < n; i++) W[k * n + i] = (i === b ? 1 : 0) - 4 / n;
    pairs.push({ neuron: k, a, b, sign: 1 });
  }
  const layout: ConstructionLayout = {
    kind: 'absence-coded',
    n,
    m,
    c: 0,
    eps: 0,
    disambiguation: [],
    pairs,
    zeroRows: Array.from({ length: m - half }, (_, r) => half + r),
  };
  return permuted({ layout, W, bias: 0 }, o.neuronOrder).params;
}

/**
 * {@link absenceCodedConstructionF64} in float32 (4/n is exact for n a power of 2).
 *
 * @example
 * absenceCodedConstruction({ n: 8 }).m; // 4
 */
export function absenceCodedConstruction(o: Omit<ConstructionOptions, 'c'>): TiedParams {
  return toFloat32Params(absenceCodedConstructionF64(o));
}
