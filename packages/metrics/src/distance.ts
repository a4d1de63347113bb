/**
 * Distance from a model to the nearest member of each SPEC construction family (§2 same-sign +
 * disambiguation, §2b opposite-sign, §2c ReLU two-neuron, and mixtures of §2 and §2b), up to
 * neuron permutation, the A↔B pairing, the shift c and (linear hidden layer) neuron sign flips.
 *
 * Parameters θ = (rows of W, b). For a fixed pairing the optimum over neuron permutations, sign
 * flips and c is exact: a Hungarian assignment of model rows to canonical rows whose
 * disambiguation-slot cost already contains the least-squares c (a cubic in eps; the bias −c
 * term rides with that slot because exactly one row takes it). The two-neuron family shares c
 * between two rows: up to 24 neurons it enumerates the two rows (exact); beyond, it alternates
 * Hungarian (c fixed) and the c fit (rows fixed), which never increases the distance. Pairings are enumerated exhaustively while (n/2)! <= exhaustiveLimit;
 * beyond, they are found by alternating a Hungarian over rows with a Hungarian over A×B features,
 * started from the pairing that the model's own pair neurons suggest (exact for models that are
 * permuted constructions, a local optimum in general).
 */
import type { AnyParams } from '@polytoy/analytic';
import { ConfigError } from '@polytoy/core';
import { hungarian, maxAssignment } from './hungarian.js';
import { balancedViews } from './views.js';

export type ConstructionFamily = 'same-sign' | 'opposite-sign' | 'relu-two-neuron' | 'mixed';

/** All families, in the order used to break ties (pure families before 'mixed', which contains two of them). */
export const CONSTRUCTION_FAMILIES: readonly ConstructionFamily[] = Object.freeze([
  'same-sign',
  'opposite-sign',
  'relu-two-neuron',
  'mixed',
]);

export interface FamilyFit {
  family: ConstructionFamily;
  /** Relative Frobenius distance `||θ − θ*|| / ||θ*||` to the nearest member θ*. */
  distance: number;
  /** Absolute Frobenius distance `||θ − θ*||` (untied: rows count as the mean of the encoder and decoder views). */
  residual: number;
  /** Fitted shift c (`eps = sqrt(4c/n)`, bias −c); null for the opposite-sign family. */
  c: number | null;
  eps: number | null;
  /** pairing[k]: index within half B (0 .. n/2−1) of the partner of A feature k. */
  pairing: number[];
  /** Per A feature k: whether its pair is same-sign or opposite-sign in θ*. */
  pairTypes: Array<'same' | 'opposite'>;
  /**
   * Model neuron matched to each nonzero canonical row: disambiguation row(s) first (same-sign
   * and mixed: 1; two-neuron: D_A then D_B), then pair k = 0 .. n/2−1; the neurons not listed
   * are matched to zero rows; −1 marks a neuron the model lacks (it has fewer than needed).
   */
  rowOfSlot: number[];
  pairingSearch: 'exhaustive' | 'alternating' | 'given';
}

export interface ConstructionDistances {
  families: FamilyFit[];
  /** The family with the smallest distance (ties within 1e-6 go to the earlier family). */
  nearest: ConstructionFamily;
  distance: number;
}

export interface DistanceOptions {
  /** 'none' (default) allows neuron sign flips (a symmetry of the linear hidden layer); 'relu' does not. */
  hiddenActivation?: 'none' | 'relu';
  /** Families to fit (default all four). */
  families?: readonly ConstructionFamily[];
  /** Enumerate all pairings while (n/2)! is at most this (default 720, i.e. n <= 12). */
  exhaustiveLimit?: number;
  /**
   * Use this pairing (pairing[k]: index within half B of A feature k's partner) instead of
   * searching: the taxonomy passes the one its exact function-level fit found.
   */
  pairing?: readonly number[];
}

interface Ctx {
  n: number;
  h: number;
  m: number;
  /** Weight of the rows in the distance: 1 (views are averaged). */
  V: number;
  flips: boolean;
  rowNorm2: Float64Array; // [m] mean over views of ||row||^2
  colSum: Float64Array; // [m, n] mean over views
  dotU: Float64Array; // [m] mean over views of <row, u>, u = (+1 on A, −1 on B)
  bNorm2: number;
  bSum: number;
}

interface Solution {
  total: number;
  eps: number;
  rowOfSlot: Int32Array;
  pairing: number[];
}

/** Real roots of t^3 + p t + q = 0, each polished by Newton steps. */
function cubicRoots(p: number, q: number): number[] {
  const disc = (q / 2) ** 2 + (p / 3) ** 3;
  let roots: number[];
  if (disc >= 0) {
    const s = Math.sqrt(disc);
    roots = [Math.cbrt(-q / 2 + s) + Math.cbrt(-q / 2 - s)];
  } else {
    const r = 2 * Math.sqrt(-p / 3);
    const phi = Math.acos(Math.max(-1, Math.min(1, ((3 * q) / (2 * p)) * Math.sqrt(-3 / p)))) / 3;
    roots = [0, 1, 2].map((k) => r * Math.cos(phi - (2 * Math.PI * k) / 3));
  }
  return roots.map((t) => {
    for (let it = 0; it < 3; it++) {
      const d = 3 * t * t + p;
      if (d === 0) break;
      t -= (t * t * t + p * t + q) / d;
    }
    return t;
  });
}

/**
 * Least squares over eps >= 0 of `K` disambiguation rows (summed over views: `kv = K·V`, `R` =
 * their summed oriented inner product with u) plus the bias term ||b + c||^2, c = n eps^2 / 4.
 * Returns eps and phi = cost − (row norms) − ||b||^2.
 */
function fitEps(ctx: Ctx, kv: number, R: number): { eps: number; phi: number } {
  const { n, bSum } = ctx;
  const k = n / 4;
  const phi = (e: number): number => -2 * e * R + kv * n * e * e + 2 * k * e * e * bSum + n * k * k * e ** 4;
  const a = 4 * n * k * k;
  let best = { eps: 0, phi: 0 };
  for (const e of cubicRoots((2 * (kv * n + 2 * k * bSum)) / a, (-2 * R) / a)) {
    if (e > 0 && phi(e) < best.phi) best = { eps: e, phi: phi(e) };
  }
  return best;
}

function pairGain(ctx: Ctx, family: ConstructionFamily, r: number, k: number, q: number): number {
  if (r < 0 || r >= ctx.m) return 0;
  const sa = ctx.colSum[r * ctx.n + k]!;
  const sb = ctx.colSum[r * ctx.n + ctx.h + q]!;
  const same = ctx.flips ? Math.abs(sa + sb) : sa + sb;
  const opposite = Math.abs(sa - sb); // (+1, −1) and (−1, +1) are the same construction
  if (family === 'same-sign' || family === 'relu-two-neuron') return same;
  if (family === 'opposite-sign') return opposite;
  return Math.max(same, opposite);
}

function disSlots(family: ConstructionFamily): number {
  return family === 'opposite-sign' ? 0 : family === 'relu-two-neuron' ? 2 : 1;
}

function oriented(ctx: Ctx, r: number, orientation: 1 | -1): number {
  if (r >= ctx.m) return 0;
  const d = orientation * ctx.dotU[r]!;
  return ctx.flips ? Math.abs(d) : d;
}

/**
 * Exact solve for a fixed pairing. Assignment is slots × neurons (rectangular, O(S² R) with
 * S = K + n/2 construction rows and R = max(m, S) model rows, padded with zero rows): the cost of
 * giving row r to a slot is counted relative to leaving r on a zero row (`cost − ||r||²`), and
 * `Σ ||r||²` is added back.
 */
function solveForPairing(ctx: Ctx, family: ConstructionFamily, pairing: number[]): Solution {
  const { h, m, V } = ctx;
  const K = disSlots(family);
  const S = K + h;
  const R = Math.max(m, S);
  let norms = 0;
  for (let r = 0; r < m; r++) norms += ctx.rowNorm2[r]!;
  // Marginal costs [S, R]; pair slot k: ||r − s||² − ||r||² = 2V − 2 gain.
  const cost = new Float64Array(S * R);
  for (let k = 0; k < h; k++) {
    for (let r = 0; r < R; r++) cost[(K + k) * R + r] = 2 * V - 2 * pairGain(ctx, family, r, k, pairing[k]!);
  }
  const rowsOf = (slotToCol: Int32Array): Int32Array => slotToCol.map((c) => (c < m ? c : -1));
  if (K === 0) {
    const a = hungarian(cost, S, R);
    return { total: norms + a.cost + ctx.bNorm2, eps: 0, rowOfSlot: rowsOf(a.rowToCol), pairing };
  }
  if (K === 1) {
    for (let r = 0; r < R; r++) cost[r] = fitEps(ctx, V, oriented(ctx, r, 1)).phi;
    const a = hungarian(cost, S, R);
    const r0 = a.rowToCol[0]!;
    return {
      total: norms + a.cost + ctx.bNorm2,
      eps: fitEps(ctx, V, oriented(ctx, r0, 1)).eps,
      rowOfSlot: rowsOf(a.rowToCol),
      pairing,
    };
  }
  if (R <= EXACT_TWO_ROW_LIMIT) return solveTwoRowsExactly(ctx, cost, S, R, norms, pairing);
  // Two mirrored rows sharing c: start from per-row eps without the bias, then alternate
  // (Hungarian with c fixed, least-squares c with the rows fixed); never increases the total.
  const Vn = V * ctx.n;
  for (let r = 0; r < R; r++) {
    cost[r] = -(Math.max(0, oriented(ctx, r, 1)) ** 2) / Vn;
    cost[R + r] = -(Math.max(0, oriented(ctx, r, -1)) ** 2) / Vn;
  }
  let a = hungarian(cost, S, R);
  let best: Solution | null = null;
  for (let iter = 0; iter < 50; iter++) {
    const rowA = a.rowToCol[0]!;
    const rowB = a.rowToCol[1]!;
    const fit = fitEps(ctx, 2 * V, oriented(ctx, rowA, 1) + oriented(ctx, rowB, -1));
    const total = norms + a.cost - cost[rowA]! - cost[R + rowB]! + fit.phi + ctx.bNorm2;
    if (best && total >= best.total - 1e-12 * (1 + Math.abs(best.total))) break;
    best = { total, eps: fit.eps, rowOfSlot: rowsOf(a.rowToCol), pairing };
    const e = fit.eps;
    for (let r = 0; r < R; r++) {
      cost[r] = -2 * e * oriented(ctx, r, 1) + Vn * e * e;
      cost[R + r] = -2 * e * oriented(ctx, r, -1) + Vn * e * e;
    }
    a = hungarian(cost, S, R);
  }
  return best!;
}

/** Largest padded neuron count for which the two-neuron family enumerates its two disambiguation rows. */
const EXACT_TWO_ROW_LIMIT = 24;

/**
 * Two-neuron family, exact: for every ordered pair of rows (D_A, D_B) the shared c has a closed
 * form and the pair slots are a Hungarian over the remaining rows.
 */
function solveTwoRowsExactly(ctx: Ctx, cost: Float64Array, S: number, R: number, norms: number, pairing: number[]): Solution {
  const { m, V } = ctx;
  const P = S - 2;
  const sub = new Float64Array(P * (R - 2));
  const rest = new Int32Array(R - 2);
  let best: Solution | null = null;
  for (let ra = 0; ra < R; ra++) {
    for (let rb = 0; rb < R; rb++) {
      if (ra === rb || (ra >= m && rb >= m && rb < ra)) continue; // padding rows are interchangeable
      const fit = fitEps(ctx, 2 * V, oriented(ctx, ra, 1) + oriented(ctx, rb, -1));
      let k = 0;
      for (let r = 0; r < R; r++) if (r !== ra && r !== rb) rest[k++] = r;
      for (let x = 0; x < P; x++) for (let y = 0; y < R - 2; y++) sub[x * (R - 2) + y] = cost[(x + 2) * R + rest[y]!]!;
      const a = hungarian(sub, P, R - 2);
      const total = norms + fit.phi + ctx.bNorm2 + a.cost;
      if (!best || total < best.total) {
        const rowOfSlot = new Int32Array(S);
        rowOfSlot[0] = ra < m ? ra : -1;
        rowOfSlot[1] = rb < m ? rb : -1;
        for (let x = 0; x < P; x++) {
          const r = rest[a.rowToCol[x]!]!;
          rowOfSlot[x + 2] = r < m ? r : -1;
        }
        best = { total, eps: fit.eps, rowOfSlot, pairing };
      }
    }
  }
  return best!;
}

function* permutations(k: number): Generator<number[]> {
  // Heap's algorithm.
  const a = Array.from({ length: k }, (_, i) => i);
  const c = new Array<number>(k).fill(0);
  yield a.slice();
  let i = 0;
  while (i < k) {
    if (c[i]! < i) {
      const j = i % 2 === 0 ? 0 : c[i]!;
      [a[j], a[i]] = [a[i]!, a[j]!];
      yield a.slice();
      c[i]!++;
      i = 0;
    } else {
      c[i] = 0;
      i++;
    }
  }
}

function pairingFromRows(ctx: Ctx, family: ConstructionFamily, rowOfA: (k: number) => number): number[] {
  const { h } = ctx;
  const score = new Float64Array(h * h);
  for (let k = 0; k < h; k++) {
    const r = rowOfA(k);
    for (let q = 0; q < h; q++) score[k * h + q] = pairGain(ctx, family, r, k, q);
  }
  return Array.from(maxAssignment(score, h).rowToCol);
}

function initialPairing(ctx: Ctx, family: ConstructionFamily): number[] {
  const { h, m } = ctx;
  const score = new Float64Array(h * h);
  for (let k = 0; k < h; k++) {
    for (let q = 0; q < h; q++) {
      let best = 0;
      for (let r = 0; r < m; r++) best = Math.max(best, pairGain(ctx, family, r, k, q));
      score[k * h + q] = best;
    }
  }
  return Array.from(maxAssignment(score, h).rowToCol);
}

function factorialAtMost(k: number, limit: number): boolean {
  let f = 1;
  for (let i = 2; i <= k; i++) {
    f *= i;
    if (f > limit) return false;
  }
  return true;
}

function fitFamily(ctx: Ctx, family: ConstructionFamily, exhaustiveLimit: number, given?: readonly number[]): FamilyFit {
  const { h } = ctx;
  const K = disSlots(family);
  let best: Solution | null = null;
  const consider = (s: Solution): void => {
    if (!best || s.total < best.total - 1e-12 * (1 + Math.abs(best.total))) best = s;
  };
  const exhaustive = !given && factorialAtMost(h, exhaustiveLimit);
  if (given) {
    consider(solveForPairing(ctx, family, given.slice()));
  } else if (exhaustive) {
    for (const p of permutations(h)) consider(solveForPairing(ctx, family, p));
  } else {
    const starts = [initialPairing(ctx, family), Array.from({ length: h }, (_, k) => k)];
    for (const start of starts) {
      let cur = solveForPairing(ctx, family, start);
      for (let iter = 0; iter < 100; iter++) {
        const slots = cur.rowOfSlot;
        const next = pairingFromRows(ctx, family, (k) => slots[K + k]!);
        if (next.every((q, k) => q === cur.pairing[k])) break;
        const s = solveForPairing(ctx, family, next);
        if (s.total >= cur.total - 1e-12 * (1 + Math.abs(cur.total))) break;
        cur = s;
      }
      consider(cur);
    }
  }
  const sol = best as unknown as Solution;
  const { n, V } = ctx;
  const eps = K > 0 ? sol.eps : null;
  const c = eps !== null ? (n * eps * eps) / 4 : null;
  const norm2 = V * (n + K * n * (eps ?? 0) ** 2) + n * (c ?? 0) ** 2;
  const residual = Math.sqrt(Math.max(0, sol.total));
  const pairTypes = sol.pairing.map((q, k): 'same' | 'opposite' => {
    if (family === 'same-sign' || family === 'relu-two-neuron') return 'same';
    if (family === 'opposite-sign') return 'opposite';
    const r = sol.rowOfSlot[K + k]!;
    return pairGain(ctx, 'opposite-sign', r, k, q) > pairGain(ctx, 'same-sign', r, k, q) ? 'opposite' : 'same';
  });
  return {
    family,
    distance: residual / Math.sqrt(norm2),
    residual,
    c,
    eps,
    pairing: sol.pairing.slice(),
    pairTypes,
    rowOfSlot: Array.from(sol.rowOfSlot),
    pairingSearch: given ? 'given' : exhaustive ? 'exhaustive' : 'alternating',
  };
}

function makeCtx(params: AnyParams, flips: boolean): Ctx {
  const { n, m } = params;
  if (!Number.isSafeInteger(n) || n < 2 || n % 2 !== 0) throw new ConfigError('params.n', 'an even number of features >= 2', n);
  const views = balancedViews(params);
  const h = n / 2;
  const rowNorm2 = new Float64Array(m);
  const colSum = new Float64Array(m * n);
  const dotU = new Float64Array(m);
  // Untied: the mean over the encoder and decoder views, (1/V) sum_v ||R_v − R*||^2, so that
  // an untied copy of a tied model has exactly the tied model's distance.
  const w = 1 / views.length;
  for (const v of views) {
    for (let j = 0; j < m; j++) {
      for (let i = 0; i < n; i++) {
        const x = v[j * n + i]!;
        rowNorm2[j]! += w * x * x;
        colSum[j * n + i]! += w * x;
        dotU[j]! += w * (i < h ? x : -x);
      }
    }
  }
  let bNorm2 = 0;
  let bSum = 0;
  for (const x of params.b) {
    bNorm2 += x * x;
    bSum += x;
  }
  return { n, h, m, V: 1, flips, rowNorm2, colSum, dotU, bNorm2, bSum };
}

/**
 * Fits one construction family to a model.
 *
 * @param params - tied or untied (untied rows are first balanced per neuron, so the fit does not
 *   depend on the encoder/decoder scale split; both views count in the distance).
 * @param family - which family (see {@link CONSTRUCTION_FAMILIES}).
 * @example
 * distanceToFamily(sameSignConstruction({ n: 16, c: 0.7 }), 'same-sign').c; // 0.7
 */
export function distanceToFamily(params: AnyParams, family: ConstructionFamily, options: DistanceOptions = {}): FamilyFit {
  const limit = options.exhaustiveLimit ?? 720;
  if (!Number.isFinite(limit) || limit < 1) throw new ConfigError('exhaustiveLimit', 'a number >= 1', limit);
  if (!CONSTRUCTION_FAMILIES.includes(family))
    throw new ConfigError('family', CONSTRUCTION_FAMILIES.map((f) => `"${f}"`).join(' | '), family);
  const given = options.pairing;
  if (given !== undefined) {
    const h = params.n / 2;
    const seen = new Set(given);
    if (given.length !== h || seen.size !== h || given.some((q) => !Number.isInteger(q) || q < 0 || q >= h))
      throw new ConfigError('pairing', `a permutation of 0..${h - 1}`, given);
  }
  return fitFamily(makeCtx(params, (options.hiddenActivation ?? 'none') === 'none'), family, limit, given);
}

/**
 * Distances to every construction family and the nearest one.
 *
 * @example
 * const d = constructionDistances(trainedParams, { hiddenActivation: 'none' });
 * d.nearest; // e.g. 'opposite-sign'
 * d.families.find((f) => f.family === 'same-sign')!.distance; // relative Frobenius distance
 */
export function constructionDistances(params: AnyParams, options: DistanceOptions = {}): ConstructionDistances {
  const families = (options.families ?? CONSTRUCTION_FAMILIES).map((f) => distanceToFamily(params, f, options));
  if (families.length === 0) throw new ConfigError('families', 'at least one family', []);
  const min = Math.min(...families.map((f) => f.distance));
  const nearest = families.find((f) => f.distance <= min + 1e-6)!;
  return { families, nearest: nearest.family, distance: nearest.distance };
}
