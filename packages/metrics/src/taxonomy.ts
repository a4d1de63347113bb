/**
 * The taxonomy: what a half-split model computes, classified on what determines its function
 * on the data (the support map, see `support-map.ts`), against every known family, with the
 * distance to each, the fitted parameters, per-output mechanisms, the ±eps-neuron report and,
 * for models in no family, their measured structure. Rules and derivations: README "Taxonomy".
 *
 * - Linear hidden layer: the function is (M, b), M = WᵀW (untied D·E), so the labels are blind
 *   to rotations of the hidden space; on the data only (M, b) up to the support gauge matter,
 *   and the one thing the data cannot see — how much of the all-ones direction the pair
 *   neurons keep — tells the seed's form (bias −c) from the rotated m = n/2 form (bias 1/2 − c).
 * - ReLU hidden layer: no rotation symmetry, and the function is not affine; the labels come
 *   from the effective map on the data support (the affine fit plus its non-affine residual),
 *   and the per-neuron structure (up to neuron order and scale) decides whether a same-sign
 *   function is the two-neuron construction.
 */
import type { AnyParams } from '@polytoy/analytic';
import { symmetricEigen } from '@polytoy/analytic';
import type { EpsNeuronReport } from './eps-neuron.js';
import { epsNeuronReport } from './eps-neuron.js';
import type { FamilyFit, FamilyName, OutputMeasure, Spread } from './families.js';
import { FAMILY_NAMES, fitFamily, OutputCosts, spreadOf } from './families.js';
import type { ConstructionFamily } from './distance.js';
import { distanceToFamily } from './distance.js';
import type { OutputMechanism, SolutionLabel } from './labels.js';
import { OUTPUT_CODES, OUTPUT_MECHANISMS } from './labels.js';
import type { SupportMap } from './support-map.js';
import { supportMap } from './support-map.js';
import type { MetricThresholds } from './thresholds.js';
import { resolveThresholds } from './thresholds.js';

/** One output: measurements, mechanism and its distance to each template. */
export interface OutputReading extends OutputMeasure {
  mechanism: OutputMechanism;
  /** Mean over the support of `(x_i − y_i)²` (exact for n <= 32, sampled beyond). */
  loss: number;
  /** Distance to the chosen mechanism's template (dead and other: to the nearest template). */
  distance: number;
  /** Distances to the three templates (best partner and shift each). */
  templates: { sameSign: number; oppositeSign: number; monosemantic: number };
}

/** A family fit as reported (the per-output arrays stay on {@link FamilyFit}). */
export interface FamilyReport {
  family: FamilyName;
  distance: number;
  /** Per-output fitted shifts c_i of the template. */
  c: Spread;
  /** Pairs by sign in the fit (same-sign, opposite-sign, unpaired). */
  pairs: { same: number; opposite: number; unpaired: number };
  /** pairing[k]: the B feature paired with A feature k (empty for monosemantic). */
  pairing: number[];
}

/** How a same-sign function is laid out (linear hidden layer). */
export interface SameSignForm {
  /**
   * The one parameter the data cannot see, the all-ones component γ_i of row i of M
   * (`(mean over own half + mean over the other half without the partner) / 2`), as
   * `−(n/2)·γ_i` averaged over the same-sign outputs: 0 for the seed's form (M = I + P + κuuᵀ,
   * bias −c, rank n/2 + 1), 1 for the m = n/2 form (the all-ones direction dropped,
   * bias 1/2 − c, rank n/2); values between are partial.
   */
  allOnesRemoved: number;
  /** Mean output bias of the same-sign outputs. */
  bias: number;
  form: 'seed' | 'm-half';
}

/** Measured structure: what is reported for every model, and all there is for unmatched ones. */
export interface Structure {
  counts: Record<OutputMechanism, number>;
  /** Numerical rank of M (linear hidden layer) or of the support map L (ReLU). */
  rank: number;
  rankOf: 'M' | 'L';
  /** Singular values of that matrix, descending. */
  singularValues: number[];
  /** Over live outputs (NaN spreads when none). */
  gain: Spread;
  partnerWeight: Spread;
  shift: Spread;
  ownOffset: Spread;
  /** Largest other-half pre-activation per output (<= 0: the other half never switches it on). */
  crossMargin: Spread;
  /** Participation ratio of the other-half rows (about 1: one partner; up to n/2: dense). */
  crossParticipation: Spread;
  /** ReLU hidden layer: non-affine part per output, in units of E[x_i²]. */
  nonAffine: Spread;
  /** Per-output loss over the support. */
  outputLoss: Spread;
  /** Reconstruction per sample (Σ of the per-output losses): exact for n <= 32, sampled beyond. */
  reconstruction: number;
  /** reconstruction <= nearZeroReconstruction. */
  nearZeroLoss: boolean;
  /**
   * The distributed outputs by the sign of their strongest other-half weight (partnerWeight):
   * `sameSignRead`, positive (a same-sign read that the shift cancels), `inhibited`, negative
   * (the other half inhibits them), the rest (`flat`) exactly 0.
   */
  distributed: { sameSignRead: number; inhibited: number; flat: number };
}

/** The taxonomy of one model. */
export interface FunctionClassification {
  label: SolutionLabel;
  /** The label with its counts, for tables that must not pool different structures: `mixture (10 same-sign, 6 opposite-sign)`. */
  name: string;
  hiddenActivation: 'none' | 'relu';
  /** The family the label names (dead-features, unmatched: the nearest family). */
  family: FamilyName;
  /** Its distance (RMS pre-activation error over outputs, in units of RMS x_i). */
  distance: number;
  /** Every family, in {@link FAMILY_NAMES} order. */
  families: FamilyReport[];
  /** Same-sign functions on a linear hidden layer: seed form or m = n/2 form; else null. */
  form: SameSignForm | null;
  /**
   * `aligned` when the neuron-level distance to the family's construction (neuron order,
   * sign flips, c fitted) is within alignedTolerance; `unaligned` otherwise (linear hidden
   * layer: a rotation of it); null when not applicable (m = n/2 form, monosemantic, unmatched).
   */
  alignment: 'aligned' | 'unaligned' | null;
  neuronDistance: number | null;
  /** One character per output (see OUTPUT_CODES): `'ssss…oooo'`. */
  codes: string;
  outputs: OutputReading[];
  eps: EpsNeuronReport;
  structure: Structure;
  /** One sentence: the label, its distance and its shift (the first sentence of `description`). */
  headline: string;
  /** Two or three sentences saying what was found. */
  description: string;
}

/** Options of {@link classifyFunction}. */
export interface TaxonomyOptions {
  hiddenActivation?: 'none' | 'relu';
  /** Only the per-output losses depend on it (default 'relu', the seed's model). */
  outputActivation?: 'relu' | 'none';
  thresholds?: Partial<MetricThresholds>;
  /** A precomputed support map of these parameters (the pipeline shares it). */
  map?: SupportMap;
}

const fmt = (x: number): string => (Number.isFinite(x) ? Number(x.toPrecision(3)).toString() : String(x));
const range = (s: Spread): string => (s.min === s.max || !Number.isFinite(s.min) ? fmt(s.mean) : `${fmt(s.min)}…${fmt(s.max)}`);

function countsText(counts: Record<OutputMechanism, number>): string {
  return OUTPUT_MECHANISMS.filter((k) => counts[k] > 0)
    .map((k) => `${counts[k]} ${k}`)
    .join(', ');
}

function readOutputs(costs: OutputCosts, map: SupportMap, t: MetricThresholds): OutputReading[] {
  const out: OutputReading[] = [];
  for (let i = 0; i < costs.n; i++) {
    const m = costs.measure(i);
    const d = (pi: number) => Math.sqrt(costs.cost(i, pi, costs.bestPartner(i, pi)));
    const templates = { sameSign: d(1), oppositeSign: d(-1), monosemantic: d(0) };
    const ranked: [OutputMechanism, number][] = [
      ['same-sign', templates.sameSign],
      ['opposite-sign', templates.oppositeSign],
      ['monosemantic', templates.monosemantic],
    ];
    ranked.sort((a, b) => a[1] - b[1]);
    const [best, dist] = ranked[0]!;
    const loss = map.outputLoss[i]!;
    // Off every template, an output that is exact on the support is a distributed mechanism
    // (README "Taxonomy"); `other` is left for the inexact ones.
    const mechanism: OutputMechanism =
      m.gain < t.deadOutputGain ? 'dead' : dist <= t.outputTolerance ? best : loss <= t.exactOutputLoss ? 'distributed' : 'other';
    out.push({ ...m, mechanism, loss, distance: dist, templates });
  }
  return out;
}

/** Eigenvalues of a symmetric Gram matrix as singular values (descending). */
function sqrtEig(G: Float64Array, d: number): number[] {
  return Array.from(symmetricEigen(G, d).values, (v) => Math.sqrt(Math.max(0, v))).sort((a, b) => b - a);
}

/** Singular values of a square matrix [d, d] (descending), via the eigenvalues of AᵀA. */
function singularValues(A: Float64Array, d: number): number[] {
  const G = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let j = i; j < d; j++) {
      let s = 0;
      for (let k = 0; k < d; k++) s += A[k * d + i]! * A[k * d + j]!;
      G[i * d + j] = s;
      G[j * d + i] = s;
    }
  }
  return sqrtEig(G, d);
}

/**
 * Singular values of M = WᵀW (tied) or D·E (untied) through an m×m problem when m < n (the rank
 * is at most m; the n×n eigenproblem costs (n/m)³ more): tied, the eigenvalues of W Wᵀ; untied,
 * D = QR (Gram–Schmidt), so M = Q (R E) and the singular values are those of R E.
 */
function singularValuesOfM(p: AnyParams, map: SupportMap): number[] {
  const { n, m } = p;
  if (m >= n) return singularValues(map.M!, n);
  const E = p.kind === 'tied' ? p.W : p.E;
  // A [m, n]: W (tied) or R E (untied).
  let A: Float64Array;
  if (p.kind === 'tied') A = Float64Array.from(p.W);
  else {
    const Q = new Float64Array(n * m); // columns q_j
    const R = new Float64Array(m * m);
    for (let j = 0; j < m; j++) {
      for (let i = 0; i < n; i++) Q[i * m + j] = p.D[i * m + j]!;
      for (let k = 0; k < j; k++) {
        let dot = 0;
        for (let i = 0; i < n; i++) dot += Q[i * m + k]! * Q[i * m + j]!;
        R[k * m + j] = dot;
        for (let i = 0; i < n; i++) Q[i * m + j]! -= dot * Q[i * m + k]!;
      }
      let norm = 0;
      for (let i = 0; i < n; i++) norm += Q[i * m + j]! ** 2;
      norm = Math.sqrt(norm);
      R[j * m + j] = norm;
      for (let i = 0; i < n; i++) Q[i * m + j] = norm > 0 ? Q[i * m + j]! / norm : 0;
    }
    A = new Float64Array(m * n);
    for (let r = 0; r < m; r++)
      for (let k = r; k < m; k++) for (let i = 0; i < n; i++) A[r * n + i]! += R[r * m + k]! * E[k * n + i]!;
  }
  const G = new Float64Array(m * m);
  for (let r = 0; r < m; r++) {
    for (let c = r; c < m; c++) {
      let s = 0;
      for (let i = 0; i < n; i++) s += A[r * n + i]! * A[c * n + i]!;
      G[r * m + c] = s;
      G[c * m + r] = s;
    }
  }
  // Tied: the eigenvalues of W Wᵀ are those of M itself (PSD); untied: squares of M's singular values.
  const values = Array.from(symmetricEigen(G, m).values, (v) => Math.max(0, v)).sort((a, b) => b - a);
  const sv = p.kind === 'tied' ? values : values.map(Math.sqrt);
  return [...sv, ...new Array<number>(n - m).fill(0)];
}

function structureOf(p: AnyParams, map: SupportMap, outputs: OutputReading[], t: MetricThresholds): Structure {
  const counts = Object.fromEntries(OUTPUT_MECHANISMS.map((k) => [k, 0])) as Record<OutputMechanism, number>;
  for (const o of outputs) counts[o.mechanism]++;
  const live = outputs.filter((o) => o.mechanism !== 'dead');
  const distributed = outputs.filter((o) => o.mechanism === 'distributed');
  const reconstruction = outputs.reduce((a, o) => a + o.loss, 0);
  const sv = map.M ? singularValuesOfM(p, map) : singularValues(map.L, map.n);
  const top = sv[0] ?? 0;
  return {
    counts,
    rank: top > 0 ? sv.filter((v) => v > t.rankTolerance * top).length : 0,
    rankOf: map.M ? 'M' : 'L',
    singularValues: sv,
    gain: spreadOf(live.map((o) => o.gain)),
    partnerWeight: spreadOf(live.map((o) => o.partnerWeight)),
    shift: spreadOf(live.map((o) => o.shift)),
    ownOffset: spreadOf(live.map((o) => o.ownOffset)),
    crossMargin: spreadOf(live.map((o) => o.crossMargin)),
    crossParticipation: spreadOf(live.map((o) => o.crossParticipation)),
    nonAffine: spreadOf(outputs.map((o) => o.nonAffine)),
    outputLoss: spreadOf(outputs.map((o) => o.loss)),
    reconstruction,
    nearZeroLoss: reconstruction <= t.nearZeroReconstruction,
    distributed: {
      sameSignRead: distributed.filter((o) => o.partnerWeight > 0).length,
      inhibited: distributed.filter((o) => o.partnerWeight < 0).length,
      flat: distributed.filter((o) => o.partnerWeight === 0).length,
    },
  };
}

function report(fit: FamilyFit): FamilyReport {
  return {
    family: fit.family,
    distance: fit.distance,
    c: spreadOf(fit.shift),
    pairs: {
      same: fit.pairSigns.filter((s) => s > 0).length,
      opposite: fit.pairSigns.filter((s) => s < 0).length,
      unpaired: fit.family === 'monosemantic' ? 0 : fit.pairSigns.filter((s) => s === 0).length,
    },
    pairing: fit.pairing.slice(),
  };
}

function neuronFamilyOf(family: FamilyName, hidden: 'none' | 'relu'): ConstructionFamily | null {
  if (family === 'same-sign') return hidden === 'relu' ? 'relu-two-neuron' : 'same-sign';
  if (family === 'opposite-sign') return 'opposite-sign';
  if (family === 'mixture') return 'mixed';
  return null;
}

function distributedText(d: Structure['distributed']): string {
  const parts = [
    d.inhibited > 0 ? `${d.inhibited} inhibited (strongest other-half weight < 0)` : '',
    d.sameSignRead > 0 ? `${d.sameSignRead} same-sign reads cancelled by the shift (> 0)` : '',
    d.flat > 0 ? `${d.flat} flat` : '',
  ];
  return parts.filter(Boolean).join(', ');
}

function structureText(s: Structure): string {
  const parts = [
    `outputs: ${countsText(s.counts)}`,
    `rank(${s.rankOf}) ${s.rank}`,
    `gain ${range(s.gain)}`,
    `partner weight ${range(s.partnerWeight)}`,
    `shift c ${range(s.shift)}`,
    `other-half margin ${range(s.crossMargin)}`,
    `other-half participation ${range(s.crossParticipation)}`,
    `reconstruction ${fmt(s.reconstruction)}`,
  ];
  if (s.rankOf === 'L' && s.nonAffine.max > 1e-6) parts.push(`non-affine ${range(s.nonAffine)}`);
  if (s.counts.distributed > 0) parts.push(`distributed outputs: ${distributedText(s.distributed)}`);
  return parts.join('; ');
}

/**
 * Classifies what a half-split model computes (see the module comment and README "Taxonomy").
 *
 * Label, in this order: any dead output → `dead-features`; else, when the mixture family (a
 * sign per pair: same-sign, opposite-sign or unpaired) is within familyTolerance, the family
 * its signs name — all same-sign → `same-sign` (`same-sign-m-half` by the all-ones component on
 * a linear hidden layer, `relu-two-neuron` when a ReLU model has a disambiguation neuron for
 * each half), all opposite-sign → `opposite-sign`, all unpaired → `monosemantic`, both kinds →
 * `mixture`; else, when the reconstruction is near zero and every live output is a template
 * mechanism or `distributed` (at least one), `distributed` (a zero-loss solution outside the
 * sparse families, named with its per-output counts); else `unmatched`, described by its
 * measured structure.
 *
 * @param params - tied or untied, float32 or float64; n a multiple of 4.
 * @param options - hidden activation (default 'none'), thresholds, the exact reconstruction if known.
 * @throws ConfigError for n not a multiple of 4, or invalid thresholds.
 * @example
 * classifyFunction(rotated(sameSignConstruction({ n: 16 }), Q)).label; // 'same-sign' (any rotation Q)
 * classifyFunction(rotatedConstruction({ n: 16 })).label;              // 'same-sign-m-half'
 */
export function classifyFunction(params: AnyParams, options: TaxonomyOptions = {}): FunctionClassification {
  const t = resolveThresholds(options.thresholds);
  const hidden = options.hiddenActivation ?? 'none';
  const map = options.map ?? supportMap(params, hidden, options.outputActivation ?? 'relu');
  const costs = new OutputCosts(map, t.minPartnerWeight);
  const fits = FAMILY_NAMES.map((f) => fitFamily(costs, f));
  const outputs = readOutputs(costs, map, t);
  const structure = structureOf(params, map, outputs, t);
  const { counts } = structure;
  const eps = epsNeuronReport(
    params,
    map,
    outputs.map((o) => o.shift),
    outputs.map((o) => o.mechanism),
    t,
    hidden,
  );

  // The mixture contains the three pure families (its best sign per pair); when it is within
  // tolerance its signs say which family the model is in, and a pure family's own fit then has
  // exactly the mixture's distance.
  const byName = (f: FamilyName) => fits.find((x) => x.family === f)!;
  const mixture = byName('mixture');
  const signs = new Set(mixture.pairSigns);
  const pureOfMixture: FamilyName | null =
    signs.size === 1
      ? mixture.pairSigns[0] === 1
        ? 'same-sign'
        : mixture.pairSigns[0] === -1
          ? 'opposite-sign'
          : 'monosemantic'
      : null;
  const nearestPure = fits.filter((f) => f.family !== 'mixture').reduce((a, b) => (b.distance < a.distance - 1e-12 ? b : a));
  const nearest = pureOfMixture ? byName(pureOfMixture) : mixture.distance < nearestPure.distance - 1e-12 ? mixture : nearestPure;
  let chosen: FamilyFit = nearest;
  let label: SolutionLabel;
  if (counts.dead > 0) label = 'dead-features';
  else if (mixture.distance <= t.familyTolerance) label = pureOfMixture ?? 'mixture';
  else if (structure.nearZeroLoss && counts.other === 0 && counts.distributed > 0) label = 'distributed';
  else label = 'unmatched';
  if (label === 'mixture') chosen = mixture;

  // Same-sign functions: which form (linear), or whether the two-neuron construction (ReLU).
  let form: SameSignForm | null = null;
  if (chosen.family === 'same-sign' && map.M) {
    const same = outputs.filter((o) => o.mechanism === 'same-sign');
    const over = same.length > 0 ? same : outputs;
    const { n, h } = map;
    const M = map.M;
    let rho = 0;
    for (const o of over) {
      const i = o.output;
      const own = i < h ? 0 : h;
      let so = 0;
      let sx = 0;
      for (let k = 0; k < h; k++) {
        if (own + k !== i) so += M[i * n + own + k]!;
        if (h - own + k !== o.partner) sx += M[i * n + h - own + k]!;
      }
      rho += -(n / 4) * (so / (h - 1) + sx / (h - 1));
    }
    const allOnesRemoved = rho / over.length;
    const bias = over.reduce((a, o) => a + map.b[o.output]!, 0) / over.length;
    form = { allOnesRemoved, bias, form: allOnesRemoved >= t.mHalfForm ? 'm-half' : 'seed' };
    if (label === 'same-sign' && form.form === 'm-half') label = 'same-sign-m-half';
  }
  let alignment: FunctionClassification['alignment'] = null;
  let neuronDistance: number | null = null;
  const neuronFamily = neuronFamilyOf(chosen.family, hidden);
  if (
    neuronFamily &&
    form?.form !== 'm-half' &&
    label !== 'unmatched' &&
    label !== 'distributed' &&
    chosen.pairing.length === map.h
  ) {
    const pairing = chosen.pairing.map((b) => b - map.h);
    neuronDistance = distanceToFamily(params, neuronFamily, { hiddenActivation: hidden, pairing }).distance;
    alignment = neuronDistance <= t.alignedTolerance ? 'aligned' : 'unaligned';
  }
  if (label === 'same-sign' && hidden === 'relu') {
    // SPEC §2c's mechanism: a disambiguation neuron for each half carries the shift.
    const carries = (o: 1 | -1) =>
      eps.neurons.some((x) => x.orientation === o && (x.role === 'disambiguates' || x.role === 'partial'));
    if (carries(1) && carries(-1)) label = 'relu-two-neuron';
  }

  const codes = outputs.map((o) => OUTPUT_CODES[o.mechanism]).join('');
  const liveCounts = { ...counts, dead: 0 };
  const name =
    label === 'mixture'
      ? `mixture (${countsText(counts)})`
      : label === 'dead-features'
        ? `dead-features (${counts.dead} dead; live: ${countsText(liveCounts) || 'none'})`
        : label === 'unmatched' || label === 'distributed'
          ? `${label} (${countsText(counts)})`
          : label;
  const c = spreadOf(chosen.shift);
  const sentences: string[] = [];
  const d = fmt(chosen.distance);
  if (label === 'dead-features') {
    sentences.push(
      `${counts.dead} of ${map.n} outputs dead (gain < ${t.deadOutputGain}); live outputs: ${countsText(liveCounts) || 'none'}.`,
    );
  } else if (label === 'distributed') {
    const { inhibited, sameSignRead, flat } = structure.distributed;
    const dist = outputs.filter((o) => o.mechanism === 'distributed');
    const kinds = [
      inhibited > 0 ? `${inhibited} inhibited` : '',
      sameSignRead > 0 ? `${sameSignRead} same-sign reads cancelled by the shift` : '',
      flat > 0 ? `${flat} flat` : '',
    ].filter(Boolean);
    sentences.push(
      `A zero-loss solution outside the sparse families (nearest: ${chosen.family} at ${d} > ${t.familyTolerance}); its distributed outputs: ${kinds.join(', ')} (other-half participation ${range(spreadOf(dist.map((o) => o.crossParticipation)))}).`,
    );
  } else if (label === 'unmatched') {
    sentences.push(
      `In no family: the nearest is ${chosen.family} at ${d} (> ${t.familyTolerance})${structure.nearZeroLoss ? ', with near-zero reconstruction loss' : ''}.`,
    );
  } else {
    const what =
      label === 'mixture'
        ? `a mixture (${countsText(counts)})`
        : label === 'same-sign-m-half'
          ? 'the rotated m = n/2 same-sign construction'
          : label === 'relu-two-neuron'
            ? 'the ReLU two-neuron construction'
            : label === 'same-sign'
              ? "the seed's same-sign construction"
              : label === 'opposite-sign'
                ? 'opposite-sign pairs'
                : 'monosemantic (M ≈ I)';
    const al =
      alignment === 'aligned'
        ? ', neuron-aligned'
        : alignment === 'unaligned'
          ? `, not neuron-aligned (neuron-level distance ${fmt(neuronDistance!)})`
          : '';
    sentences.push(`${what[0]!.toUpperCase()}${what.slice(1)} at distance ${d}${al}, shift c ${range(c)}.`);
    if (form) {
      sentences.push(
        `Bias ${fmt(form.bias)}; all-ones direction removed ${fmt(form.allOnesRemoved)} (0: the seed's form, bias −c; 1: the m = n/2 form, bias 1/2 − c).`,
      );
    }
  }
  const headline = sentences[0]!;
  sentences.push(`Structure: ${structureText(structure)}.`);
  if (eps.exists) sentences.push(eps.description);
  else sentences.push('No neuron-aligned ±eps neuron.');
  return {
    label,
    name,
    hiddenActivation: hidden,
    family: chosen.family,
    distance: chosen.distance,
    families: fits.map(report),
    form,
    alignment,
    neuronDistance,
    codes,
    outputs,
    eps,
    structure,
    headline,
    description: sentences.join(' '),
  };
}
