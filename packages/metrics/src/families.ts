/**
 * The solution families as templates of the support map L (see `support-map.ts`), the
 * per-output readings, and the exact fit of each family: pairing by Hungarian matching, the
 * per-output parameters by closed-form constrained least squares, in the data's metric
 * `E_x ‖(L − L*) x‖²`.
 *
 * Output i (own half O, other half Ō, partner j ∈ Ō) of every known zero-loss solution has, on
 * the support, the template
 *
 *   own half:   L*_i|O = g e_i + α 1_O,        g = 1 − qα,  α <= 0
 *   other half: L*_i|Ō = s e_j + β 1_Ō,
 *
 * i.e. z_i = x_i + qα (≤ 0) when x_i is off on its own half, and z_i = s x_j + qβ on the other
 * half. The mechanism is the partner weight s: same-sign s >= 1/2 (minPartnerWeight) (with s + qβ <= 0: the shift
 * cancels the partner), opposite-sign s <= −1/2 (β <= 0), monosemantic s = 0 (β <= 0). These
 * are exactly the zero-loss maps with that mechanism (for n >= 8 the own half must be flat, and
 * the largest other-half pre-activation s⁺ + qβ must be <= 0); the SPEC constructions are the
 * members g = |s| = 1, α = 0, β = −2c/q (same-sign) or 0 (opposite-sign). The disambiguation
 * shift is `c_i = q(α − β)/2`. A family fixes the mechanism of every output and asks for a
 * consistent pairing (a perfect matching of A with B). Derivations: README "Taxonomy".
 *
 * Σ has no coupling between halves, so the cost of output i splits into an own-half part (a
 * 1-D problem in α, independent of j) and an other-half part (a 2-D problem in (s, β) per
 * partner), each a convex quadratic under at most two linear constraints: solved exactly by
 * checking every active set. The model fits are then one Hungarian over A × B.
 */
import { hungarian } from './hungarian.js';
import type { SupportMap } from './support-map.js';
import { DEFAULT_THRESHOLDS } from './thresholds.js';

/** Model-level families fitted on the support map. */
export type FamilyName = 'same-sign' | 'opposite-sign' | 'monosemantic' | 'mixture';

/** The families, in tie-breaking order (pure families first; mixture contains all three). */
export const FAMILY_NAMES: readonly FamilyName[] = Object.freeze(['same-sign', 'opposite-sign', 'monosemantic', 'mixture']);

/** Min, mean and max of a per-output quantity (NaN fields when there is none). */
export interface Spread {
  min: number;
  mean: number;
  max: number;
}

/** Summary statistics of numbers (NaN for an empty list). */
export function spreadOf(xs: ArrayLike<number>): Spread {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  let sum = 0;
  for (let k = 0; k < xs.length; k++) {
    const v = xs[k]!;
    min = Math.min(min, v);
    max = Math.max(max, v);
    sum += v;
  }
  return xs.length === 0 ? { min: Number.NaN, mean: Number.NaN, max: Number.NaN } : { min, mean: sum / xs.length, max };
}

/** What the support map says about one output, template-free (all invariant under the support gauge). */
export interface OutputMeasure {
  output: number;
  /** `E[z_i | own half, x_i = 1] − E[z_i | own half, x_i = 0]` (1 when the feature passes). */
  gain: number;
  /** `E[z_i | own half, x_i = 0]` (0 for every construction; must be <= 0). */
  ownOffset: number;
  /** The other-half feature that moves z_i most (largest |partnerWeight|). */
  partner: number;
  /** Its effect on z_i over the other other-half features' mean: +1 same-sign, −1 opposite-sign. */
  partnerWeight: number;
  /** `E[z_i | other half, partner off]` (−2c for the seed's construction). */
  otherOffset: number;
  /** Disambiguation shift `c_i = (ownOffset − otherOffset) / 2`. */
  shift: number;
  /**
   * The largest pre-activation of output i on any other-half sample (linear hidden layer: the
   * sum of the q largest other-half entries of L_i; ReLU: measured on the support): <= 0 means
   * the other half never switches it on.
   */
  crossMargin: number;
  /**
   * Participation ratio `(Σv²)² / Σv⁴` of the other-half row around its mean: about 1 when one
   * partner carries it, up to n/2 for a dense row.
   */
  crossParticipation: number;
  /** Non-affine mean square (ReLU hidden layer), in units of E[x_i²]. */
  nonAffine: number;
}

/** The fitted template of one output for one mechanism and partner. */
export interface TemplateFit {
  /** Squared distance, in units of E[x_i²]. */
  cost: number;
  /** Own-half level α (<= 0); gain g = 1 − qα. */
  alpha: number;
  /** Partner weight s. */
  partnerWeight: number;
  /** Other-half level β. */
  beta: number;
}

interface OwnFit {
  cost: number;
  alpha: number;
}

/** Per-output costs against the templates, from one support map. */
export class OutputCosts {
  readonly n: number;
  readonly h: number;
  readonly q: number;
  private readonly a: number; // s0 − s1
  private readonly s1: number;
  private readonly s0: number;
  private readonly own: OwnFit[];
  private readonly other: Float64Array[]; // L_i on the other half (h entries, in half order)
  private readonly sums: Float64Array;

  /**
   * @param map - the model's support map.
   * @param minPartnerWeight - smallest |s| of a same-sign or opposite-sign template (thresholds.ts).
   */
  constructor(
    readonly map: SupportMap,
    readonly minPartnerWeight: number = DEFAULT_THRESHOLDS.minPartnerWeight,
  ) {
    const { n, h, q, L, s0, s1 } = map;
    this.n = n;
    this.h = h;
    this.q = q;
    this.a = s0 - s1;
    this.s1 = s1;
    this.s0 = s0;
    this.own = [];
    this.other = [];
    this.sums = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const ownStart = i < h ? 0 : h;
      const otherStart = h - ownStart;
      this.own.push(this.fitOwn(L.subarray(i * n + ownStart, i * n + ownStart + h), i - ownStart, map.residual[i]!));
      const w = L.slice(i * n + otherStart, i * n + otherStart + h);
      this.other.push(w);
      let S = 0;
      for (const v of w) S += v;
      this.sums[i] = S;
    }
  }

  /** Q(v) = (s0 − s1)|v|² + s1 (Σv)², summed directly (exact constructions cost exactly 0). */
  private quad(v: (k: number) => number): number {
    let ss = 0;
    let sum = 0;
    for (let k = 0; k < this.h; k++) {
      const x = v(k);
      ss += x * x;
      sum += x;
    }
    return this.a * ss + this.s1 * sum * sum;
  }

  /** Own half: min over α <= 0 of Q(row − (1 − qα) e_i − α 1); r = row − e_i, direction v = q e_i − 1. */
  private fitOwn(row: Float64Array, at: number, residual: number): OwnFit {
    const { a, s1, h, q } = this;
    let rv = 0;
    let rs = 0;
    for (let k = 0; k < h; k++) {
      const r = row[k]! - (k === at ? 1 : 0);
      rv += r * ((k === at ? q : 0) - 1);
      rs += r;
    }
    const vv = a * ((q - 1) ** 2 + (h - 1)) + s1 * q * q;
    const alpha = Math.min(0, -(a * rv + s1 * rs * (q - h)) / vv);
    const cost = this.quad((k) => row[k]! - (k === at ? 1 - q * alpha : 0) - alpha) + residual;
    return { cost, alpha };
  }

  /**
   * Other half, for sign π and partner p (index within the other half): min over (s, β) of
   * Q(w − s e_p − β 1) under the template's constraints, by checking every active set.
   */
  private fitOther(i: number, pi: number, p: number): { cost: number; s: number; beta: number } {
    const { a, s1, h, q } = this;
    const w = this.other[i]!;
    const S = this.sums[i]!;
    const l1 = a + s1 * h;
    // f(s, β) = A s² + 2B sβ + C β² − 2D s − 2E β (+ const); convex, so the best feasible
    // point among the stationary points of every active set is the constrained optimum.
    const A = a + s1;
    const B = l1;
    const C = l1 * h;
    const D = pi === 0 ? 0 : a * w[p]! + s1 * S;
    const E = l1 * S;
    const tol = 1e-12;
    let bestS = 0;
    let bestB = 0;
    let bestF = Number.POSITIVE_INFINITY;
    const n = pi === 0 ? 2 : 4;
    for (let k = 0; k < n; k++) {
      let sv: number;
      let bv: number;
      if (pi === 0) {
        sv = 0;
        bv = k === 0 ? E / C : 0;
      } else if (k === 0) {
        const det = A * C - B * B;
        sv = (D * C - E * B) / det;
        bv = (E * A - D * B) / det;
      } else if (k === 1) {
        sv = pi * this.minPartnerWeight;
        bv = (E - B * sv) / C;
      } else if (pi > 0) {
        // On the edge β = −s/q (the shift exactly cancels the partner).
        sv = k === 2 ? (D - E / q) / (A - (2 * B) / q + C / (q * q)) : this.minPartnerWeight;
        bv = -sv / q;
      } else {
        sv = k === 2 ? D / A : -this.minPartnerWeight;
        bv = 0;
      }
      const ok =
        pi > 0
          ? sv >= this.minPartnerWeight - tol && sv + q * bv <= tol
          : pi < 0
            ? sv <= -this.minPartnerWeight + tol && bv <= tol
            : bv <= tol;
      if (!ok || !Number.isFinite(sv) || !Number.isFinite(bv)) continue;
      const f = A * sv * sv + 2 * B * sv * bv + C * bv * bv - 2 * D * sv - 2 * E * bv;
      if (f < bestF) {
        bestF = f;
        bestS = sv;
        bestB = bv;
      }
    }
    let ss = 0;
    let sum = 0;
    for (let k = 0; k < h; k++) {
      const x = w[k]! - (k === p && pi !== 0 ? bestS : 0) - bestB;
      ss += x * x;
      sum += x;
    }
    return { cost: a * ss + s1 * sum * sum, s: bestS, beta: bestB };
  }

  /** The best template of output i for sign π (+1 same-sign, −1 opposite-sign, 0 monosemantic) and partner p. */
  fit(i: number, pi: number, p: number): TemplateFit {
    const own = this.own[i]!;
    const other = this.fitOther(i, pi, pi === 0 ? 0 : p);
    return { cost: Math.max(0, own.cost + other.cost) / this.s0, alpha: own.alpha, partnerWeight: other.s, beta: other.beta };
  }

  /** Squared distance of output i to its best template for sign π and partner p. */
  cost(i: number, pi: number, p: number): number {
    return this.fit(i, pi, p).cost;
  }

  /** The partner index (within the other half) with the best template for sign π. */
  bestPartner(i: number, pi: number): number {
    if (pi === 0) return 0;
    let best = 0;
    let bestCost = Number.POSITIVE_INFINITY;
    for (let p = 0; p < this.h; p++) {
      const c = this.cost(i, pi, p);
      if (c < bestCost) {
        bestCost = c;
        best = p;
      }
    }
    return best;
  }

  /** Template-free measurements of output i. */
  measure(i: number): OutputMeasure {
    const { n, h, q } = this;
    const { L, residual } = this.map;
    const ownStart = i < h ? 0 : h;
    const otherStart = h - ownStart;
    let ownSum = 0;
    for (let k = 0; k < h; k++) if (ownStart + k !== i) ownSum += L[i * n + ownStart + k]!;
    const rest = Math.max(1, h - 1);
    const ownMean = ownSum / rest;
    const w = this.other[i]!;
    const S = this.sums[i]!;
    let p = 0;
    let pw = 0;
    for (let k = 0; k < h; k++) {
      const dev = w[k]! - (S - w[k]!) / rest;
      if (Math.abs(dev) > Math.abs(pw)) {
        pw = dev;
        p = k;
      }
    }
    const ownOffset = q * ownMean;
    const otherOffset = (q * (S - w[p]!)) / rest;
    // Linear: the q largest other-half entries (exact, any n); ReLU: the pass's maximum of z itself.
    let crossMargin = this.map.crossMax[i]!;
    if (this.map.M) {
      const sorted = Array.from(w).sort((x, y) => y - x);
      crossMargin = 0;
      for (let k = 0; k < q; k++) crossMargin += sorted[k]!;
    }
    const mean = S / h;
    let v2 = 0;
    let v4 = 0;
    for (const x of w) {
      const d = (x - mean) ** 2;
      v2 += d;
      v4 += d * d;
    }
    return {
      output: i,
      gain: L[i * n + i]! - ownMean,
      ownOffset,
      partner: otherStart + p,
      partnerWeight: pw,
      otherOffset,
      shift: (ownOffset - otherOffset) / 2,
      crossMargin,
      crossParticipation: v4 > 0 ? (v2 * v2) / v4 : 0,
      nonAffine: residual[i]! / this.s0,
    };
  }
}

/** One family fitted to a model. */
export interface FamilyFit {
  family: FamilyName;
  /** `sqrt(mean_i d_i²)`: RMS over outputs of the pre-activation error, in units of RMS(x_i). */
  distance: number;
  /** pairing[k]: the B feature (n/2 .. n−1) paired with A feature k (empty for monosemantic). */
  pairing: number[];
  /** Per A feature k: the pair's sign π (+1 same-sign, −1 opposite-sign, 0 unpaired). */
  pairSigns: Array<1 | -1 | 0>;
  /** Per output: the fitted template's shift c_i = q(α − β)/2. */
  shift: number[];
  /** Per output: the fitted template's partner weight s (0 for monosemantic outputs). */
  partnerWeight: number[];
  /** Per output: its distance d_i to the template. */
  outputDistance: number[];
}

const SIGNS: readonly (1 | -1 | 0)[] = [1, -1, 0];

/**
 * Fits one family exactly: per pair the template cost of both outputs (best shift each), one
 * Hungarian over A × B for the pairing; mixture picks the best sign per pair inside the same
 * Hungarian.
 *
 * @example
 * fitFamily(new OutputCosts(supportMap(sameSignConstruction({ n: 8 }), 'none')), 'same-sign').distance; // 0
 */
export function fitFamily(costs: OutputCosts, family: FamilyName): FamilyFit {
  const { n, h, q } = costs;
  const signs: readonly (1 | -1 | 0)[] =
    family === 'same-sign' ? [1] : family === 'opposite-sign' ? [-1] : family === 'monosemantic' ? [0] : SIGNS;
  let pairing: number[] = [];
  let pairSigns: Array<1 | -1 | 0> = new Array<1 | -1 | 0>(h).fill(0);
  if (family !== 'monosemantic') {
    const cost = new Float64Array(h * h);
    const bestSign = new Int8Array(h * h);
    for (let k = 0; k < h; k++) {
      for (let p = 0; p < h; p++) {
        let best = Number.POSITIVE_INFINITY;
        for (const pi of signs) {
          const c = costs.cost(k, pi, p) + costs.cost(h + p, pi, k);
          if (c < best - 1e-15) {
            best = c;
            bestSign[k * h + p] = pi;
          }
        }
        cost[k * h + p] = best;
      }
    }
    const a = hungarian(cost, h, h);
    pairing = Array.from(a.rowToCol, (p) => h + p);
    pairSigns = Array.from(a.rowToCol, (p, k) => bestSign[k * h + p] as 1 | -1 | 0);
  }
  const shift: number[] = new Array<number>(n).fill(0);
  const partnerWeight: number[] = new Array<number>(n).fill(0);
  const outputDistance: number[] = new Array<number>(n).fill(0);
  let total = 0;
  const visit = (i: number, pi: number, partner: number): void => {
    const fit = costs.fit(i, pi, partner);
    shift[i] = (q * (fit.alpha - fit.beta)) / 2;
    partnerWeight[i] = fit.partnerWeight;
    outputDistance[i] = Math.sqrt(fit.cost);
    total += fit.cost;
  };
  if (family === 'monosemantic') {
    for (let i = 0; i < n; i++) visit(i, 0, 0);
  } else {
    for (let k = 0; k < h; k++) {
      const p = pairing[k]! - h;
      visit(k, pairSigns[k]!, p);
      visit(h + p, pairSigns[k]!, k);
    }
  }
  return { family, distance: Math.sqrt(total / n), pairing, pairSigns, shift, partnerWeight, outputDistance };
}
