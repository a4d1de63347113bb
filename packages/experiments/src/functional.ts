/**
 * A rotation-invariant reading of linear-hidden models. With `h = E x` and `y = act(D h + b)`
 * the function depends on the weights only through `M = D·E` (n × n; tied: `WᵀW`), so any
 * rotation `W → Q W` of the hidden space gives the same model. Gradient descent does find such
 * rotated solutions (e.g. n = 8, m = 4: every entry ±1/2, a Hadamard rotation of the
 * opposite-sign pairs, same loss), and solutions whose interference is spread over many
 * features; a neuron-by-neuron classifier recognises neither. This module reads the mechanism
 * from M instead. Per feature i:
 *
 * - gain `M[i, i]` (≈ 1 when i is represented);
 * - excitation `e_i = max over other-half k of M[i, k]`: how strongly a feature of the other
 *   half pushes output i up. Exactly one half is on, so for output i to stay at 0 then, either
 *   no other-half feature excites it (`e_i` < 1/2: **cross-half inhibition**; opposite-sign
 *   pairs are the sparsest case, `M[i, partner] = −1`), or it is excited (`e_i ≥ 1/2`, the
 *   same-sign partner has `1 − eps²`) and something that depends on the chosen half cancels it:
 *   **disambiguation**;
 * - half shift `s_i = (n/4)·(mean_{k same half, k ≠ i} M[i,k] − mean_{k other half, k ≠ p(i)} M[i,k]) / 2`,
 *   p(i) the other-half feature with the largest |M[i, k]| (its pair partner): what the chosen
 *   half adds to output i relative to the other half — c for the disambiguation construction, 0
 *   for opposite-sign pairs.
 */
import type { ModelParams } from '@polytoy/core';

/** Mechanism read from M (see the module comment). */
export type FunctionalLabel = 'cross-half-inhibition' | 'disambiguation' | 'mixture' | 'dead-features';

/** Min, mean and max of a per-feature quantity. */
export interface Spread {
  min: number;
  mean: number;
  max: number;
}

/** The functional reading of one model (linear hidden layer only). */
export interface FunctionalClass {
  label: FunctionalLabel;
  /** Represented features (gain ≥ 1/2) that no other-half feature excites (e < 1/2). */
  inhibited: number;
  /** Represented features that an other-half feature excites (e ≥ 1/2). */
  disambiguated: number;
  /** Features with gain < 1/2. */
  dead: number;
  /** Diagonal of M (≈ 1 for a represented feature). */
  gain: Spread;
  /** Largest other-half excitation per feature. */
  excitation: Spread;
  /** Half shift per feature. */
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
 * represented feature inhibited → `cross-half-inhibition`; every one excited (and so
 * disambiguated when the loss is zero) → `disambiguation`; both kinds → `mixture`; any feature
 * with gain < 1/2 → `dead-features`. Rotations of the hidden space do not change the result.
 *
 * @example
 * functionalClass(oppositeSignConstruction({ n: 8 })).label; // 'cross-half-inhibition'
 */
export function functionalClass(p: ModelParams): FunctionalClass {
  const { n } = p;
  const half = n / 2;
  const M = effectiveMap(p);
  const gain: number[] = [];
  const excitation: number[] = [];
  const shift: number[] = [];
  let inhibited = 0;
  let disambiguated = 0;
  let dead = 0;
  for (let i = 0; i < n; i++) {
    const own = i < half ? [0, half] : [half, n];
    const other = i < half ? [half, n] : [0, half];
    // Partner: the other-half feature with the largest |M| (pair partner of either sign);
    // excitation: the largest M over the other half.
    let partner = other[0]!;
    let e = Number.NEGATIVE_INFINITY;
    for (let k = other[0]!; k < other[1]!; k++) {
      if (Math.abs(M[i * n + k]!) > Math.abs(M[i * n + partner]!)) partner = k;
      e = Math.max(e, M[i * n + k]!);
    }
    let sameSum = 0;
    for (let k = own[0]!; k < own[1]!; k++) if (k !== i) sameSum += M[i * n + k]!;
    let otherSum = 0;
    for (let k = other[0]!; k < other[1]!; k++) if (k !== partner) otherSum += M[i * n + k]!;
    const s = ((n / 4) * (sameSum / Math.max(1, half - 1) - otherSum / Math.max(1, half - 1))) / 2;
    const g = M[i * n + i]!;
    gain.push(g);
    excitation.push(e);
    shift.push(s);
    if (g < 0.5) dead++;
    else if (e >= 0.5) disambiguated++;
    else inhibited++;
  }
  const label: FunctionalLabel =
    dead > 0 ? 'dead-features' : inhibited === n ? 'cross-half-inhibition' : disambiguated === n ? 'disambiguation' : 'mixture';
  let biasSum = 0;
  for (const v of p.b) biasSum += v;
  return {
    label, inhibited, disambiguated, dead,
    gain: spread(gain), excitation: spread(excitation), halfShift: spread(shift), biasMean: biasSum / n,
  };
}
