/**
 * A rotation-invariant reading of linear-hidden models. With `h = E x` and `y = act(D h + b)`
 * the function depends on the weights only through `M = D·E` (n × n; tied: `WᵀW`), so any
 * rotation `W → Q W` of the hidden space gives the same model. Gradient descent does find such
 * rotated solutions (e.g. n = 8, m = 4: every entry ±1/2, a Hadamard rotation of the
 * opposite-sign pairs, same loss), and a neuron-by-neuron classifier cannot recognise them.
 * This module reads the mechanism from M instead:
 *
 * - partner interference `π_i = M[i, p(i)]`, p(i) the other-half feature with the largest
 *   |M[i, ·]|: −1 for opposite-sign pairs (the partner switches i off), `1 − eps²` > 0 for the
 *   same-sign construction (the partner switches i on and the bias must cancel it);
 * - half shift `s_i = (n/4)·(mean_{k same half, k ≠ i} M[i,k] − mean_{k other half, k ≠ p(i)} M[i,k]) / 2`:
 *   what the other features of the chosen half add to output i, relative to the other half —
 *   c for the disambiguation construction (its eps² terms), 0 for opposite-sign pairs.
 */
import type { ModelParams } from '@polytoy/core';

/** Mechanism read from M. */
export type FunctionalLabel = 'opposite-sign' | 'same-sign+disambiguation' | 'mixture' | 'other';

/** Min, mean and max of a per-feature quantity. */
export interface Spread {
  min: number;
  mean: number;
  max: number;
}

/** The functional reading of one model (linear hidden layer only). */
export interface FunctionalClass {
  label: FunctionalLabel;
  /** Features whose partner interference is ≤ −1/2 (opposite-sign mechanism). */
  opposite: number;
  /** Features whose partner interference is ≥ 1/2 with a half shift ≥ 1/4 (disambiguation mechanism). */
  disambiguated: number;
  /** Diagonal of M (≈ 1 for a represented feature). */
  gain: Spread;
  partnerInterference: Spread;
  halfShift: Spread;
  /** Mean output bias (−c for the construction, 0 for opposite-sign pairs). */
  biasMean: number;
}

function spread(xs: number[]): Spread {
  return {
    min: Math.min(...xs),
    mean: xs.reduce((a, b) => a + b, 0) / xs.length,
    max: Math.max(...xs),
  };
}

/**
 * `M = D·E` as an [n, n] row-major matrix (tied: `WᵀW`): `M[i, k]` is how much input k moves
 * output i's pre-activation.
 */
export function effectiveMap(p: ModelParams): Float64Array {
  const { n, m } = p;
  const M = new Float64Array(n * n);
  for (let j = 0; j < m; j++) {
    for (let i = 0; i < n; i++) {
      const d = p.kind === 'tied' ? p.W[j * n + i]! : p.D[i * m + j]!;
      if (d === 0) continue;
      for (let k = 0; k < n; k++) {
        const e = p.kind === 'tied' ? p.W[j * n + k]! : p.E[j * n + k]!;
        M[i * n + k] = M[i * n + k]! + d * e;
      }
    }
  }
  return M;
}

/**
 * Classifies a linear-hidden model by its effective map M (see the module comment): every
 * feature with π ≤ −1/2 → `opposite-sign`; every feature with π ≥ 1/2 and shift ≥ 1/4 →
 * `same-sign+disambiguation`; every feature one of the two → `mixture`; otherwise `other`.
 * Rotations of the hidden space do not change the result.
 *
 * @example
 * functionalClass(rotatedOppositeSign).label; // 'opposite-sign'
 */
export function functionalClass(p: ModelParams): FunctionalClass {
  const { n } = p;
  const half = n / 2;
  const M = effectiveMap(p);
  const gain: number[] = [];
  const pi: number[] = [];
  const shift: number[] = [];
  let opposite = 0;
  let disambiguated = 0;
  for (let i = 0; i < n; i++) {
    const own = i < half ? [0, half] : [half, n];
    const other = i < half ? [half, n] : [0, half];
    let partner = other[0]!;
    for (let k = other[0]!; k < other[1]!; k++) if (Math.abs(M[i * n + k]!) > Math.abs(M[i * n + partner]!)) partner = k;
    let sameSum = 0;
    for (let k = own[0]!; k < own[1]!; k++) if (k !== i) sameSum += M[i * n + k]!;
    let otherSum = 0;
    for (let k = other[0]!; k < other[1]!; k++) if (k !== partner) otherSum += M[i * n + k]!;
    const s = ((n / 4) * (sameSum / Math.max(1, half - 1) - otherSum / Math.max(1, half - 1))) / 2;
    const interference = M[i * n + partner]!;
    gain.push(M[i * n + i]!);
    pi.push(interference);
    shift.push(s);
    if (interference <= -0.5) opposite++;
    else if (interference >= 0.5 && s >= 0.25) disambiguated++;
  }
  const label: FunctionalLabel =
    opposite === n ? 'opposite-sign' : disambiguated === n ? 'same-sign+disambiguation' : opposite + disambiguated === n ? 'mixture' : 'other';
  let biasSum = 0;
  for (const v of p.b) biasSum += v;
  return { label, opposite, disambiguated, gain: spread(gain), partnerInterference: spread(pi), halfShift: spread(shift), biasMean: biasSum / n };
}
