/**
 * Disambiguation neurons (SPEC §2): weights `+eps` on half A and `-eps` on half B (or the
 * mirror image), which shift every output of the chosen half by `+c` and of the other half by
 * `-c`, `c = eps^2 n / 4`, so that biases `b = -c` can silence same-sign partners.
 */
import type { MetricThresholds } from './thresholds.js';
import { DEFAULT_THRESHOLDS } from './thresholds.js';

/** One neuron's fit to the `±eps` pattern. */
export interface DisambiguationStats {
  neuron: number;
  /** +1: positive on A and negative on B; -1: the mirror image. */
  orientation: 1 | -1;
  /** Least-squares eps: mean of the oriented weights `orientation * (w on A, -w on B)`. */
  eps: number;
  /** (largest - smallest oriented weight) / eps. */
  spread: number;
  /** Coefficient of variation (population std / mean) of the oriented weights. */
  cv: number;
  /** Smallest fraction, over the two halves, of weights carrying the half's expected sign. */
  signAgreement: number;
  /** Implied `c = eps^2 n / 4`: the shift this neuron alone gives outputs (SPEC §2). */
  c: number;
}

export interface MirroredPair {
  /** The neuron positive on A (D_A of SPEC §2c). */
  plus: number;
  /** The neuron positive on B (D_B). */
  minus: number;
  /** Larger eps / smaller eps (1 for an exact mirror). */
  epsRatio: number;
}

export interface DisambiguationReport {
  neurons: DisambiguationStats[];
  /** The best-matched mirrored pair, when one neuron of each orientation exists. */
  mirrored: MirroredPair | null;
  /** Total shift of half A's outputs when A is chosen (linear hidden: every neuron; ReLU: orientation +1 only). */
  cA: number;
  /** Same for half B. */
  cB: number;
  /** (cA + cB) / 2, or null without disambiguation neurons. */
  c: number | null;
  /** Mean output bias; the construction has `b = -c`. */
  biasMean: number;
  /** `-biasMean / c` (1 for the construction), null without disambiguation neurons. */
  biasOverC: number | null;
}

function median(xs: number[]): number {
  const s = xs.slice().sort((a, b) => a - b);
  const k = s.length >> 1;
  return s.length % 2 ? s[k]! : (s[k - 1]! + s[k]!) / 2;
}

/**
 * Fits one neuron's row to the disambiguation pattern. The orientation comes from the signs of
 * the medians of the two halves; returns null when they are not strictly opposite (then no
 * orientation makes sense).
 *
 * @param row - the neuron's n weights.
 * @example
 * disambiguationStats(Float64Array.of(0.5, 0.5, -0.5, -0.5), 4, 0)?.c; // 0.25
 */
export function disambiguationStats(row: ArrayLike<number>, n: number, neuron = 0): DisambiguationStats | null {
  const h = Math.floor(n / 2);
  if (h < 1) return null;
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < n; i++) (i < h ? a : b).push(row[i]!);
  const ma = median(a);
  const mb = median(b);
  if (!(ma !== 0 && mb !== 0 && Math.sign(ma) === -Math.sign(mb))) return null;
  const orientation: 1 | -1 = ma > 0 ? 1 : -1;
  const v = [...a.map((x) => orientation * x), ...b.map((x) => -orientation * x)];
  const eps = v.reduce((s, x) => s + x, 0) / n;
  let lo = Infinity;
  let hi = -Infinity;
  let ss = 0;
  for (const x of v) {
    lo = Math.min(lo, x);
    hi = Math.max(hi, x);
    ss += (x - eps) ** 2;
  }
  const agreeA = a.filter((x) => orientation * x > 0).length / a.length;
  const agreeB = b.filter((x) => -orientation * x > 0).length / b.length;
  return {
    neuron,
    orientation,
    eps,
    spread: eps > 0 ? (hi - lo) / eps : Infinity,
    cv: eps > 0 ? Math.sqrt(ss / n) / eps : Infinity,
    signAgreement: Math.min(agreeA, agreeB),
    c: eps > 0 ? (eps * eps * n) / 4 : 0,
  };
}

/**
 * Whether fitted stats pass the disambiguation test: `eps > 0`, each half's sign agreement
 * `>= minSignAgreement`, `cv <= maxCv` and `c >= minC`.
 *
 * @example
 * isDisambiguation(disambiguationStats(Float64Array.of(0.5, 0.5, -0.5, -0.5), 4)); // true
 */
export function isDisambiguation(
  s: DisambiguationStats | null,
  t: Pick<MetricThresholds, 'minSignAgreement' | 'maxCv' | 'minC'> = DEFAULT_THRESHOLDS,
): s is DisambiguationStats {
  return s !== null && s.eps > 0 && s.signAgreement >= t.minSignAgreement && s.cv <= t.maxCv && s.c >= t.minC;
}

/**
 * Finds every disambiguation neuron of a weight matrix, the best mirrored pair (SPEC §2c) and
 * the shift c they implement, compared with the output bias.
 *
 * @param w - [m, n] rows (tied W or effective weights).
 * @param b - [n] output bias.
 * @param hiddenActivation - with `'relu'` a neuron only acts when its positive half is chosen.
 * @example
 * findDisambiguation(params.W, params.m, params.n, params.b, 'none').c; // 0.5 for the seed construction
 */
export function findDisambiguation(
  w: ArrayLike<number>,
  m: number,
  n: number,
  b: ArrayLike<number>,
  hiddenActivation: 'none' | 'relu' = 'none',
  t: Pick<MetricThresholds, 'minSignAgreement' | 'maxCv' | 'minC' | 'maxMirrorRatio'> = DEFAULT_THRESHOLDS,
): DisambiguationReport {
  const neurons: DisambiguationStats[] = [];
  const row = new Float64Array(n);
  for (let j = 0; j < m; j++) {
    for (let i = 0; i < n; i++) row[i] = w[j * n + i]!;
    const s = disambiguationStats(row, n, j);
    if (isDisambiguation(s, t)) neurons.push(s);
  }
  let mirrored: MirroredPair | null = null;
  for (const p of neurons) {
    if (p.orientation !== 1) continue;
    for (const q of neurons) {
      if (q.orientation !== -1) continue;
      const epsRatio = Math.max(p.eps, q.eps) / Math.min(p.eps, q.eps);
      if (epsRatio <= t.maxMirrorRatio && (!mirrored || epsRatio < mirrored.epsRatio)) {
        mirrored = { plus: p.neuron, minus: q.neuron, epsRatio };
      }
    }
  }
  let cA = 0;
  let cB = 0;
  for (const s of neurons) {
    if (hiddenActivation === 'none' || s.orientation === 1) cA += s.c;
    if (hiddenActivation === 'none' || s.orientation === -1) cB += s.c;
  }
  let biasSum = 0;
  for (let i = 0; i < n; i++) biasSum += b[i]!;
  const biasMean = n > 0 ? biasSum / n : 0;
  const c = neurons.length > 0 ? (cA + cB) / 2 : null;
  return { neurons, mirrored, cA, cB, c, biasMean, biasOverC: c ? -biasMean / c : null };
}
