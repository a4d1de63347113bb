/**
 * The effective map of a model on the half-split data support: what the taxonomy classifies.
 *
 * Every support point has exactly q = n/4 ones, so `1ᵀx = q` on the whole support and an
 * affine map `z = M x + b` equals the linear map `L x` with `L = M + b 1ᵀ / q` there. Two models
 * with the same L compute the same output pre-activations on every data point (the support
 * spans the hyperplane 1ᵀx = q, so L is unique): (M, b) matter only up to the *support gauge*
 * `(M + v 1ᵀ, b − q v)`. L is that gauge fixed.
 *
 * - Linear hidden layer: `z = M x + b` with `M = WᵀW` (tied) or `D·E` (untied), so L is exact in
 *   closed form, invariant under every rotation of the hidden space, and nothing is left over.
 * - ReLU hidden layer: z is not affine in x; L is the least-squares affine fit of z over the
 *   support (enumerated for n <= 32, a fixed seeded sample beyond) and `residual[i]` is the mean
 *   squared part of z_i that no affine map explains. The families are affine on the support, so
 *   their distance splits into the affine part (through L) plus this residual.
 *
 * Distances are taken in the data's own metric: `‖Δ‖² = E_x ‖Δ x‖²`, with the second moments
 * `Σ = E[x xᵀ]` (two identical blocks `(s0 − s1) I + s1 J`, no coupling between halves).
 */
import type { AnyParams } from '@polytoy/analytic';
import { ConfigError, createPrng } from '@polytoy/core';
import { enumerateHalfSplitSupport, halfSplitBatch, MAX_ENUMERABLE_N } from '@polytoy/data';

/** Samples used for a ReLU hidden layer when n > 32 (seeded, so the reading is deterministic). */
export const SUPPORT_SAMPLES = 8192;

/** The effective map on the support, with what the taxonomy needs besides. */
export interface SupportMap {
  n: number;
  m: number;
  /** Half size n/2. */
  h: number;
  /** Ones per sample, n/4. */
  q: number;
  /** [n, n] row-major: on the support `z_i ≈ Σ_k L[i, k] x_k` (row i: output i). */
  L: Float64Array;
  /** [n] `E[(z_i − (L x)_i)²]`: the non-affine part of output i (0 for a linear hidden layer). */
  residual: Float64Array;
  /** `E[x_i²]` = 1/4: the per-output normaliser of distances. */
  s0: number;
  /** `E[x_i x_k]` for i ≠ k in the same half. */
  s1: number;
  /** How L was obtained. */
  source: 'closed-form' | 'enumerated' | 'sampled';
  /** Support points of the pass (per-output loss, hidden statistics; ReLU: the affine fit). */
  samples: number;
  /** Whether the pass enumerated the support (n <= 32) rather than sampling it. */
  lossExact: boolean;
  /** [n] mean over the support of `(x_i − y_i)²`: each output's share of the reconstruction loss. */
  outputLoss: Float64Array;
  /** [n] the largest pre-activation of output i over the other half's samples (<= 0: never switched on there). */
  crossMax: Float64Array;
  /** [m] mean hidden activation (after the hidden activation) when half A is chosen. */
  hiddenMeanA: Float64Array;
  /** [m] the same when half B is chosen. */
  hiddenMeanB: Float64Array;
  /** [m] standard deviation of the hidden activation over half A's samples. */
  hiddenStdA: Float64Array;
  /** [m] the same over half B's. */
  hiddenStdB: Float64Array;
  /** [n, n] `M = WᵀW` or `D·E` (linear hidden layer only; null for ReLU). */
  M: Float64Array | null;
  /** [n] output bias. */
  b: Float64Array;
}

function checkParams(p: AnyParams): void {
  const { n } = p;
  if (!Number.isSafeInteger(n) || n < 4 || n % 4 !== 0) {
    throw new ConfigError('params.n', 'a multiple of 4 (half-split data: two halves with n/4 ones)', n);
  }
}

/** Σ's block entries for size n: s0 = E[x_i²], s1 = E[x_i x_k] (same half, i ≠ k). */
export function supportMoments(n: number): { s0: number; s1: number } {
  const h = n / 2;
  const q = n / 4;
  return { s0: 0.25, s1: h > 1 ? (q * (q - 1)) / (2 * h * (h - 1)) : 0 };
}

/** Decoder weight D[i, j] (tied: W[j, i]). */
function decoder(p: AnyParams): (i: number, j: number) => number {
  const { n, m } = p;
  return p.kind === 'tied' ? (i, j) => p.W[j * n + i]! : (i, j) => p.D[i * m + j]!;
}

/**
 * `M = WᵀW` (tied) or `D·E` (untied), [n, n] row-major: for a linear hidden layer, how input k
 * moves output i's pre-activation. The one implementation of this product in polytoy.
 *
 * @example
 * functionalMatrix(oppositeSignConstruction({ n: 4 })); // [1,0,-1,0, 0,1,0,-1, -1,0,1,0, 0,-1,0,1]
 */
export function functionalMatrix(p: AnyParams): Float64Array {
  const { n, m } = p;
  const E = p.kind === 'tied' ? p.W : p.E;
  const dec = decoder(p);
  const M = new Float64Array(n * n);
  for (let j = 0; j < m; j++) {
    for (let i = 0; i < n; i++) {
      const d = dec(i, j);
      if (d === 0) continue;
      const row = i * n;
      const enc = j * n;
      for (let k = 0; k < n; k++) M[row + k]! += d * E[enc + k]!;
    }
  }
  return M;
}

/** Solves `A X = B` for symmetric positive definite A [d, d] and `r` right-hand sides (rows of B, in place). */
function choleskySolveRows(A: Float64Array, d: number, B: Float64Array, r: number): void {
  const Lc = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j <= i; j++) {
      let s = A[i * d + j]!;
      for (let t = 0; t < j; t++) s -= Lc[i * d + t]! * Lc[j * d + t]!;
      if (i === j) Lc[i * d + i] = Math.sqrt(Math.max(s, 1e-300));
      else Lc[i * d + j] = s / Lc[j * d + j]!;
    }
  }
  for (let row = 0; row < r; row++) {
    const y = B.subarray(row * d, (row + 1) * d);
    for (let i = 0; i < d; i++) {
      let s = y[i]!;
      for (let t = 0; t < i; t++) s -= Lc[i * d + t]! * y[t]!;
      y[i] = s / Lc[i * d + i]!;
    }
    for (let i = d - 1; i >= 0; i--) {
      let s = y[i]!;
      for (let t = i + 1; t < d; t++) s -= Lc[t * d + i]! * y[t]!;
      y[i] = s / Lc[i * d + i]!;
    }
  }
}

const supportCache = new Map<number, { idx: Int32Array; count: number; exact: boolean }>();

/**
 * The support as active-index lists [count, q] (enumerated for n <= 32, else a seeded sample),
 * cached per n: every analysis of the same n reads the same points.
 */
function supportPoints(n: number): { idx: Int32Array; count: number; exact: boolean } {
  const cached = supportCache.get(n);
  if (cached) return cached;
  const q = n / 4;
  const exact = n <= MAX_ENUMERABLE_N;
  const x = exact ? enumerateHalfSplitSupport(n).x : halfSplitBatch(createPrng(0), n, SUPPORT_SAMPLES);
  const count = x.length / n;
  const idx = new Int32Array(count * q);
  for (let s = 0; s < count; s++) {
    let k = 0;
    for (let i = 0; i < n && k < q; i++) if (x[s * n + i] !== 0) idx[s * q + k++] = i;
  }
  const out = { idx, count, exact };
  supportCache.set(n, out);
  return out;
}

/**
 * One pass over the support: per-output loss, hidden activations per half, and — for a ReLU
 * hidden layer — the moments of the affine fit. A linear hidden layer needs only z = L x
 * (n·q operations per point); its hidden means are in closed form.
 */
function supportPass(p: AnyParams, relu: boolean, reluOutput: boolean, Lin: Float64Array | null) {
  const { n, m } = p;
  const h = n / 2;
  const q = n / 4;
  const { idx, count, exact } = supportPoints(n);
  const E = p.kind === 'tied' ? p.W : p.E;
  const dec = decoder(p);
  // z = b + Σ_j h_j D[:, j] (ReLU) or z = Σ_t L[:, idx_t] (linear), both as rows of length n.
  const rows = new Float64Array((relu ? m : n) * n);
  if (relu) for (let j = 0; j < m; j++) for (let i = 0; i < n; i++) rows[j * n + i] = dec(i, j);
  else for (let k = 0; k < n; k++) for (let i = 0; i < n; i++) rows[k * n + i] = Lin![i * n + k]!;
  const hid = new Float64Array(m);
  const z = new Float64Array(n);
  const C = relu ? new Float64Array(n * n) : null; // Σ_s z xᵀ, column-major: C[k * n + i]
  const S = relu ? new Float64Array(n * n) : null; // Σ_s x xᵀ
  const zz = new Float64Array(n); // Σ_s z_i²
  const loss = new Float64Array(n);
  const crossMax = new Float64Array(n).fill(Number.NEGATIVE_INFINITY);
  const sum = [new Float64Array(m), new Float64Array(m)];
  const sq = [new Float64Array(m), new Float64Array(m)];
  const counts = [0, 0];
  const target = new Uint8Array(n);
  for (let s = 0; s < count; s++) {
    const base = s * q;
    const half = idx[base]! < h ? 0 : 1;
    counts[half]!++;
    if (relu) {
      z.set(p.b);
      const hs = sum[half]!;
      const hq = sq[half]!;
      for (let j = 0; j < m; j++) {
        let a = 0;
        for (let t = 0; t < q; t++) a += E[j * n + idx[base + t]!]!;
        const v = a > 0 ? a : 0;
        hid[j] = v;
        hs[j]! += v;
        hq[j]! += v * v;
        if (v === 0) continue;
        const row = j * n;
        for (let i = 0; i < n; i++) z[i]! += v * rows[row + i]!;
      }
    } else {
      z.fill(0);
      for (let t = 0; t < q; t++) {
        const row = idx[base + t]! * n;
        for (let i = 0; i < n; i++) z[i]! += rows[row + i]!;
      }
    }
    for (let t = 0; t < q; t++) target[idx[base + t]!] = 1;
    for (let i = 0; i < n; i++) {
      const zi = z[i]!;
      const y = reluOutput && zi < 0 ? 0 : zi;
      const d = target[i]! - y;
      loss[i]! += d * d;
      if ((i < h ? 0 : 1) !== half && zi > crossMax[i]!) crossMax[i] = zi;
    }
    for (let t = 0; t < q; t++) target[idx[base + t]!] = 0;
    if (C && S) {
      for (let i = 0; i < n; i++) zz[i]! += z[i]! * z[i]!;
      for (let t = 0; t < q; t++) {
        const col = idx[base + t]! * n;
        for (let i = 0; i < n; i++) C[col + i]! += z[i]!;
        for (let u = 0; u < q; u++) S[col + idx[base + u]!]! += 1;
      }
    }
  }
  const mean = (half: number) => sum[half]!.map((v) => v / Math.max(1, counts[half]!));
  const std = (half: number) =>
    sq[half]!.map((v, j) =>
      Math.sqrt(Math.max(0, v / Math.max(1, counts[half]!) - (sum[half]![j]! / Math.max(1, counts[half]!)) ** 2)),
    );
  return {
    exact,
    count,
    C,
    S,
    zz,
    outputLoss: loss.map((v) => v / count),
    crossMax,
    hiddenMeanA: mean(0),
    hiddenMeanB: mean(1),
    hiddenStdA: std(0),
    hiddenStdB: std(1),
  };
}

function buildMap(p: AnyParams, relu: boolean, reluOutput: boolean): SupportMap {
  const { n, m } = p;
  const h = n / 2;
  const q = n / 4;
  const b = Float64Array.from(p.b);
  let M: Float64Array | null = null;
  let Lin: Float64Array | null = null;
  if (!relu) {
    M = functionalMatrix(p);
    Lin = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let k = 0; k < n; k++) Lin[i * n + k] = M[i * n + k]! + b[i]! / q;
  }
  const pass = supportPass(p, relu, reluOutput, Lin);
  const residual = new Float64Array(n);
  let L: Float64Array;
  let hiddenMeanA = pass.hiddenMeanA;
  let hiddenMeanB = pass.hiddenMeanB;
  if (Lin) {
    L = Lin;
    // E[x_k | half chosen] = q / h = 1/2 on that half, 0 on the other.
    const E = p.kind === 'tied' ? p.W : p.E;
    hiddenMeanA = new Float64Array(m);
    hiddenMeanB = new Float64Array(m);
    for (let j = 0; j < m; j++) {
      for (let k = 0; k < n; k++) {
        if (k < h) hiddenMeanA[j]! += E[j * n + k]! / 2;
        else hiddenMeanB[j]! += E[j * n + k]! / 2;
      }
    }
  } else {
    // L = C S⁻¹ row by row (S symmetric; C is stored column-major, so transpose it first).
    const C = pass.C!;
    L = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let k = 0; k < n; k++) L[i * n + k] = C[k * n + i]!;
    const Ct = Float64Array.from(L);
    choleskySolveRows(pass.S!, n, L, n);
    for (let i = 0; i < n; i++) {
      let fit = 0;
      for (let k = 0; k < n; k++) fit += L[i * n + k]! * Ct[i * n + k]!;
      residual[i] = Math.max(0, (pass.zz[i]! - fit) / pass.count);
    }
  }
  const { s0, s1 } = supportMoments(n);
  return {
    n,
    m,
    h,
    q,
    L,
    residual,
    s0,
    s1,
    source: relu ? (pass.exact ? 'enumerated' : 'sampled') : 'closed-form',
    samples: pass.count,
    lossExact: pass.exact,
    outputLoss: pass.outputLoss,
    crossMax: pass.crossMax,
    hiddenMeanA,
    hiddenMeanB,
    hiddenStdA: pass.hiddenStdA,
    hiddenStdB: pass.hiddenStdB,
    M,
    b,
  };
}

/**
 * The effective map of a model on the half-split support (see the module comment).
 *
 * @param p - tied or untied parameters, float32 or float64, n a multiple of 4.
 * @param hiddenActivation - the model's hidden activation.
 * @param outputActivation - the model's output activation (default 'relu'; only the per-output loss depends on it).
 * @throws ConfigError for n not a multiple of 4.
 * @example
 * const s = supportMap(sameSignConstruction({ n: 8 }), 'none');
 * s.L[0 * 8 + 4]; // 1 − 2c/q = 0 for c = 1/2: the partner's +1 minus the other half's shift
 */
export function supportMap(
  p: AnyParams,
  hiddenActivation: 'none' | 'relu',
  outputActivation: 'relu' | 'none' = 'relu',
): SupportMap {
  checkParams(p);
  return buildMap(p, hiddenActivation === 'relu', outputActivation === 'relu');
}
