/**
 * Functional classification for a linear hidden layer. There the model computes
 * `y = act(M x + b)` with `M = WᵀW` (tied) or `M = D E` (untied), so any rotation of the hidden
 * space (`W → Q W`) leaves the function unchanged and only the L1 penalty, weakly, picks a neuron
 * basis. Trained models are often a rotated, dense version of a construction: the per-neuron
 * classifier then says 'other' while the function is, say, exactly opposite-sign. This module
 * reads (M, b) instead, against the constructions' matrices
 * `M* = I + Σ_k σ_k (E_{a_k b_k} + E_{b_k a_k}) + κ u uᵀ`, `b* = −c`, `κ = 4c/n`,
 * u = (+1 on A, −1 on B), pair signs σ_k = +1 (same-sign), −1 (opposite-sign).
 */
import type { ModelParams } from '@polytoy/core';
import { ConfigError } from '@polytoy/core';
import { maxAssignment } from './hungarian.js';
import type { MetricThresholds } from './thresholds.js';
import { resolveThresholds } from './thresholds.js';

export type FunctionalFamily = 'identity' | 'same-sign' | 'opposite-sign' | 'mixed';

export interface FunctionalFit {
  family: FunctionalFamily;
  /** `||(M, b) − (M*, b*)||_F / ||(M*, b*)||_F`. */
  distance: number;
  /** Fitted shift c = κ n / 4 (0 for identity and opposite-sign). */
  c: number;
  /** pairing[k]: index within half B of A feature k's partner (empty for identity). */
  pairing: number[];
  /** Per A feature k: +1 same-sign, −1 opposite-sign. */
  pairSigns: Array<1 | -1>;
}

export type FunctionalLabel =
  | 'same-sign+disambiguation'
  | 'opposite-sign'
  | 'mixture'
  | 'monosemantic'
  | 'dead-features'
  | 'other';

export interface FunctionalClassification {
  label: FunctionalLabel;
  reason: string;
  /** The nearest family (ties within 1e-6 go to the earlier of identity, same-sign, opposite-sign, mixed). */
  nearest: FunctionalFit;
  fits: FunctionalFit[];
  /** Features whose self-gain M_ii − κ is below deadGain. */
  deadFeatures: number[];
}

/**
 * The linear model's input→output matrix [n, n] (row i: output i): `WᵀW` or `D E`.
 *
 * @example
 * functionalMatrix(oppositeSignConstruction({ n: 4 })); // I − (pairs): [1,0,-1,0, 0,1,0,-1, -1,0,1,0, 0,-1,0,1]
 */
export function functionalMatrix(p: ModelParams): Float64Array {
  const { n, m } = p;
  const M = new Float64Array(n * n);
  const enc = p.kind === 'tied' ? p.W : p.E;
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < n; k++) {
      let s = 0;
      for (let j = 0; j < m; j++) s += (p.kind === 'tied' ? p.W[j * n + i]! : p.D[i * m + j]!) * enc[j * n + k]!;
      M[i * n + k] = s;
    }
  }
  return M;
}

interface FCtx {
  n: number;
  h: number;
  S: Float64Array; // symmetric part of M
  b: ArrayLike<number>;
  antiNorm2: number;
}

/** Fits κ >= 0 by least squares for fixed pairs (linear in κ: c = κ n / 4). */
function fitKappa(ctx: FCtx, pairing: number[], signs: number[]): number {
  const { n, h, S, b } = ctx;
  // <Y, u uᵀ> with Y = S − I − P_σ.
  let yu = 0;
  for (let i = 0; i < n; i++) for (let k = 0; k < n; k++) yu += (S[i * n + k]! - (i === k ? 1 : 0)) * (i < h === k < h ? 1 : -1);
  for (let a = 0; a < h; a++) yu -= 2 * signs[a]! * -1; // P_σ's two entries per pair sit in cross blocks (u_a u_b = −1)
  let B = 0;
  for (let i = 0; i < n; i++) B += b[i]!;
  return Math.max(0, (2 * yu - (n / 2) * B) / (2 * n * n + (n * n * n) / 8));
}

function bestPairs(ctx: FCtx, kappa: number, family: FunctionalFamily): { pairing: number[]; signs: Array<1 | -1> } {
  const { n, h, S } = ctx;
  const score = new Float64Array(h * h);
  for (let a = 0; a < h; a++) {
    for (let q = 0; q < h; q++) {
      const x = S[a * n + h + q]! + kappa;
      score[a * h + q] = family === 'same-sign' ? x : family === 'opposite-sign' ? -x : Math.abs(x);
    }
  }
  const pairing = Array.from(maxAssignment(score, h).rowToCol);
  const signs = pairing.map((q, a): 1 | -1 => {
    if (family === 'same-sign') return 1;
    if (family === 'opposite-sign') return -1;
    return S[a * n + h + q]! + kappa >= 0 ? 1 : -1;
  });
  return { pairing, signs };
}

function distanceOf(ctx: FCtx, kappa: number, pairing: number[], signs: number[]): number {
  const { n, h, S, b } = ctx;
  const Ms = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let k = 0; k < n; k++) Ms[i * n + k] = (i === k ? 1 : 0) + kappa * (i < h === k < h ? 1 : -1);
  pairing.forEach((q, a) => {
    Ms[a * n + h + q]! += signs[a]!;
    Ms[(h + q) * n + a]! += signs[a]!;
  });
  const c = (kappa * n) / 4;
  let res = ctx.antiNorm2;
  let norm = 0;
  for (let e = 0; e < n * n; e++) {
    res += (S[e]! - Ms[e]!) ** 2;
    norm += Ms[e]! ** 2;
  }
  for (let i = 0; i < n; i++) {
    res += (b[i]! + c) ** 2;
    norm += c * c;
  }
  return Math.sqrt(res / norm);
}

function fit(ctx: FCtx, family: FunctionalFamily): FunctionalFit {
  const { n } = ctx;
  if (family === 'identity') return { family, distance: distanceOf(ctx, 0, [], []), c: 0, pairing: [], pairSigns: [] };
  if (family === 'opposite-sign') {
    const { pairing, signs } = bestPairs(ctx, 0, family);
    return { family, distance: distanceOf(ctx, 0, pairing, signs), c: 0, pairing, pairSigns: signs };
  }
  // Alternate pairs (Hungarian, exact for fixed κ) and κ (closed form for fixed pairs); same-sign
  // pairs do not depend on κ (every pair's score shifts by the same κ), so one round is exact there.
  let best: FunctionalFit | null = null;
  for (const start of [0, 4 / n]) {
    let kappa = start;
    let cur: FunctionalFit | null = null;
    for (let iter = 0; iter < 50; iter++) {
      const { pairing, signs } = bestPairs(ctx, kappa, family);
      const k2 = fitKappa(ctx, pairing, signs);
      const d = distanceOf(ctx, k2, pairing, signs);
      if (cur && d >= cur.distance - 1e-12) break;
      cur = { family, distance: d, c: (k2 * n) / 4, pairing, pairSigns: signs };
      kappa = k2;
    }
    if (!best || cur!.distance < best.distance) best = cur;
  }
  return best!;
}

/**
 * Classifies what a model with a linear hidden layer computes, independent of the hidden basis.
 * Rule: fit each family (identity M* = I, b* = 0; same-sign; opposite-sign; mixed with free
 * per-pair signs) over pairing (Hungarian), pair signs and c >= 0 (least squares); features with
 * `M_ii − κ < deadGain` are dead ('dead-features'); otherwise the nearest family decides if its
 * relative distance is <= functionalTolerance (identity → 'monosemantic', same-sign →
 * 'same-sign+disambiguation' when c >= minC, opposite-sign → 'opposite-sign', mixed →
 * 'mixture'), else 'other'.
 *
 * @param params - tied or untied parameters of a model whose hidden layer is linear.
 * @throws ConfigError for odd n.
 * @example
 * classifyFunction(trainedParams).label; // 'opposite-sign' even when W is a dense rotation of the construction
 */
export function classifyFunction(params: ModelParams, thresholds: Partial<MetricThresholds> = {}): FunctionalClassification {
  const t = resolveThresholds(thresholds);
  const { n } = params;
  if (!Number.isSafeInteger(n) || n < 2 || n % 2 !== 0) throw new ConfigError('params.n', 'an even number of features >= 2', n);
  const M = functionalMatrix(params);
  const S = new Float64Array(n * n);
  let antiNorm2 = 0;
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < n; k++) {
      S[i * n + k] = (M[i * n + k]! + M[k * n + i]!) / 2;
      antiNorm2 += ((M[i * n + k]! - M[k * n + i]!) / 2) ** 2;
    }
  }
  const ctx: FCtx = { n, h: n / 2, S, b: params.b, antiNorm2 };
  const fits = (['identity', 'same-sign', 'opposite-sign', 'mixed'] as const).map((f) => fit(ctx, f));
  const min = Math.min(...fits.map((f) => f.distance));
  const nearest = fits.find((f) => f.distance <= min + 1e-6)!;
  const mixed = fits[3]!;
  const kappa = (4 * mixed.c) / n;
  const deadFeatures: number[] = [];
  for (let i = 0; i < n; i++) if (M[i * n + i]! - kappa < t.deadGain) deadFeatures.push(i);
  const d = Number(nearest.distance.toPrecision(3));
  const c = Number(nearest.c.toPrecision(3));
  if (deadFeatures.length > 0) {
    return {
      label: 'dead-features',
      reason: `feature(s) ${deadFeatures.join(', ')} have self-gain M_ii − κ < deadGain; nearest family ${nearest.family} at ${d}.`,
      nearest,
      fits,
      deadFeatures,
    };
  }
  let label: FunctionalLabel = 'other';
  let reason = `(WᵀW, b) is ${d} away from the nearest family (${nearest.family}), more than functionalTolerance ${t.functionalTolerance}.`;
  if (nearest.distance <= t.functionalTolerance) {
    const nOpp = nearest.pairSigns.filter((s) => s < 0).length;
    const nSame = nearest.pairSigns.length - nOpp;
    if (nearest.family === 'identity') {
      label = 'monosemantic';
      reason = `WᵀW ≈ I (relative distance ${d}): every feature is reconstructed on its own.`;
    } else if (nSame > 0 && nearest.c < t.minC) {
      reason = `${nSame} same-sign pair(s) but fitted c = ${c} < minC: no disambiguation shift, so not the construction (distance ${d}); whatever separates the partners lies outside the families.`;
    } else if (nOpp === 0) {
      label = 'same-sign+disambiguation';
      reason = `WᵀW ≈ I + same-sign pairs + κuuᵀ with c = ${c}, bias mean fitted with it (distance ${d}).`;
    } else if (nSame === 0) {
      label = 'opposite-sign';
      reason = `WᵀW ≈ I − opposite-sign pairs (distance ${d}).`;
    } else {
      label = 'mixture';
      reason = `WᵀW ≈ I + ${nSame} same-sign and ${nOpp} opposite-sign pairs + κuuᵀ with c = ${c} (distance ${d}).`;
    }
  }
  return { label, reason, nearest, fits, deadFeatures };
}
