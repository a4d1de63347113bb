/**
 * The one run-analysis pipeline: model config → analytic options → exact loss → families and
 * mechanisms → summary. The CLI's train summary, the experiments' result lines (and through
 * them the queue workers) and the playground all call {@link analyseModel}; what they store or
 * print is {@link summariseAnalysis} of it. Pure TypeScript, no tfjs, browser-safe.
 *
 * What is computed depends on the data: half-split data gets the taxonomy (families, per-output
 * mechanisms, the ±eps-neuron report, measured structure), the neuron-level reading and the
 * population loss (exact for n <= 32, a seeded Monte-Carlo estimate with its standard error above); sparse-uniform (TMS-style) data gets the superposition
 * view (WᵀW, feature norms, feature dimensionality); every model gets Lecomte et al.'s
 * polysemantic count, compared with n²/(4m) for basis data.
 */
import type { LossModelConfig } from '@polytoy/analytic';
import { expectedPolysemanticCount } from '@polytoy/analytic';
import type { AnyParams } from '@polytoy/analytic';
import type { DataKind } from '@polytoy/core';
import type { SolutionClassification } from './classify.js';
import { classifyNeurons } from './classify.js';
import type { ExactLoss, PopulationLossOptions } from './exact-loss.js';
import { populationLossOf } from './exact-loss.js';
import type { FamilyName, Spread } from './families.js';
import type { OutputMechanism, SolutionLabel } from './labels.js';
import type { PaperCount, PaperCountOptions } from './paper-count.js';
import { paperPolysemanticCount } from './paper-count.js';
import type { SuperpositionView } from './superposition.js';
import { superpositionView } from './superposition.js';
import type { FunctionClassification } from './taxonomy.js';
import { classifyFunction } from './taxonomy.js';
import type { MetricThresholds } from './thresholds.js';
import { resolveThresholds } from './thresholds.js';

/**
 * Version of the analysis (taxonomy and summary). Stored in every summary; bump it whenever a
 * label, a threshold or a summary field changes meaning, so stored analyses can be told apart.
 * 3: `exactLoss` carries `method` ('exact' | 'monte-carlo'), `standardError` and `samples`, and
 * is a Monte-Carlo estimate for half-split data with n > 32 (null there before).
 * 4: the `distributed` label and output mechanism; `other` outputs are the inexact ones.
 */
export const ANALYSIS_VERSION = 4;

/** What the analysis needs to know about the run: the data and the model config (and the instance's lambda). */
export interface AnalysisSettings {
  data: { kind: DataKind; n: number };
  model: LossModelConfig;
  /** The instance's lambda (default `model.l1.lambda`). */
  lambda?: number;
}

/** Options of {@link analyseModel}. */
export interface AnalyseModelOptions {
  thresholds?: Partial<MetricThresholds>;
  paper?: PaperCountOptions;
  /** Compute the population loss for half-split data (default true). */
  exactLoss?: boolean;
  /**
   * `auto` (default): exact for n <= 32, Monte Carlo above; `monte-carlo` forces the estimate
   * (tests compare it with the exact value); samples and seed default to the package's constants.
   */
  populationLoss?: PopulationLossOptions;
}

/** Everything the pipeline computes for one model. */
export interface ModelAnalysis {
  dataKind: DataKind;
  kind: 'tied' | 'untied';
  n: number;
  m: number;
  hiddenActivation: 'none' | 'relu';
  lambda: number;
  /**
   * Population loss (half-split data, n a multiple of 4): exact for n <= 32, a Monte-Carlo
   * estimate above (`method`, `standardError`); else null. The field keeps its name so stored
   * lines stay readable; every place that prints it names the method.
   */
  exactLoss: ExactLoss | null;
  /** The taxonomy (half-split data, n a multiple of 4); else null. */
  taxonomy: FunctionClassification | null;
  /** The neuron-level reading (pairs, ±eps neurons by weights; half-split data); else null. */
  neurons: SolutionClassification | null;
  /** Lecomte et al.'s polysemantic-neuron count (every data kind). */
  paper: PaperCount;
  /** The paper's n²/(4m), for basis data; else null. */
  expectedPolysemanticCount: number | null;
  /** Elhage et al.'s views, for sparse-uniform data; else null. */
  superposition: SuperpositionView | null;
}

/**
 * Analyses one model.
 *
 * @param params - tied or untied parameters (float32 or float64).
 * @param settings - the data and the model config (e.g. `{ data: cfg.data, model: cfg.model, lambda }`).
 * @param options - thresholds, the paper's band, exact loss on/off.
 * @throws ConfigError for invalid thresholds or parameters.
 * @example
 * const cfg = resolveTrainConfig({ data: { n: 16 } });
 * const a = analyseModel(sameSignConstruction({ n: 16 }), cfg);
 * a.taxonomy?.label;              // 'same-sign'
 * a.exactLoss?.reconstruction;    // 0
 * a.exactLoss?.method;            // 'exact' (n <= 32; 'monte-carlo' above)
 * summariseAnalysis(a).outputs?.codes; // 'ssssssssssssssss'
 */
export function analyseModel(params: AnyParams, settings: AnalysisSettings, options: AnalyseModelOptions = {}): ModelAnalysis {
  const thresholds = resolveThresholds(options.thresholds);
  const { data, model } = settings;
  const lambda = settings.lambda ?? model.l1.lambda;
  const hiddenActivation = model.hiddenActivation;
  const halfSplit = data.kind === 'half-split' && params.n >= 4 && params.n % 4 === 0;
  const exactLoss =
    halfSplit && options.exactLoss !== false ? populationLossOf(params, model, lambda, options.populationLoss) : null;
  return {
    dataKind: data.kind,
    kind: params.kind,
    n: params.n,
    m: params.m,
    hiddenActivation,
    lambda,
    exactLoss,
    taxonomy: halfSplit
      ? classifyFunction(params, { hiddenActivation, outputActivation: model.outputActivation, thresholds })
      : null,
    neurons: halfSplit ? classifyNeurons(params, { hiddenActivation, thresholds }) : null,
    paper: paperPolysemanticCount(params, options.paper),
    expectedPolysemanticCount: data.kind === 'basis' ? expectedPolysemanticCount(params.n, params.m) : null,
    superposition: data.kind === 'sparse-uniform' ? superpositionView(params) : null,
  };
}

/** The ±eps-neuron report, compact (per-output shifts left out; `readers` lists the outputs). */
export interface EpsNeuronSummary {
  neuron: number;
  orientation: 1 | -1;
  cosine: number;
  epsRow: boolean;
  halfDetector: 'A' | 'B' | null;
  eps: number;
  c: number;
  readers: number[];
  bias: number;
  biasPlusC: number;
  netShift: number;
  role: 'disambiguates' | 'partial' | 'cancelled' | 'unread';
}

/** The taxonomy, compact: what result lines store and the report and playground show. */
export interface TaxonomySummary {
  label: SolutionLabel;
  /** The label with its counts (`mixture (10 same-sign, 6 opposite-sign)`): tables never pool different structures. */
  name: string;
  /** The family the label names (dead-features, unmatched: the nearest) and its distance. */
  family: FamilyName;
  distance: number;
  /** Distance to every family. */
  distances: Record<FamilyName, number>;
  /** Fitted shifts c_i of the named family's template, over outputs. */
  c: Spread;
  /** Same-sign functions, linear hidden layer: the all-ones component (0 seed form, 1 m = n/2 form) and the mean bias. */
  form: { allOnesRemoved: number; bias: number; form: 'seed' | 'm-half' } | null;
  alignment: 'aligned' | 'unaligned' | null;
  neuronDistance: number | null;
  /** Per-output mechanisms and their measured numbers (arrays indexed by output). */
  outputs: {
    /** One character per output: s same-sign, o opposite-sign, m monosemantic, d distributed, 0 dead, x other (inexact). */
    codes: string;
    counts: Record<OutputMechanism, number>;
    gain: number[];
    partner: number[];
    partnerWeight: number[];
    shift: number[];
    crossMargin: number[];
    distance: number[];
    loss: number[];
  };
  eps: { exists: boolean; neurons: EpsNeuronSummary[] };
  structure: {
    rank: number;
    rankOf: 'M' | 'L';
    gain: Spread;
    partnerWeight: Spread;
    shift: Spread;
    ownOffset: Spread;
    crossMargin: Spread;
    crossParticipation: Spread;
    nonAffine: Spread;
    reconstruction: number;
    nearZeroLoss: boolean;
    /** Distributed outputs by the sign of their strongest other-half weight (taxonomy `Structure.distributed`). */
    distributed: { sameSignRead: number; inhibited: number; flat: number };
  };
  /** One sentence: the label, its distance and shift. */
  headline: string;
  description: string;
}

/** The superposition view, compact (the Gram matrix is left out: it is `WᵀW` of the stored parameters). */
export interface SuperpositionSummary {
  featureNorms: number[];
  dimensionality: number[];
  dimensionsPerFeature: number;
  represented: number;
}

/** {@link ModelAnalysis}, compact and JSON-safe. */
export interface AnalysisSummary {
  version: typeof ANALYSIS_VERSION;
  dataKind: DataKind;
  exactLoss: ExactLoss | null;
  taxonomy: TaxonomySummary | null;
  /** Neuron-level label and counts (half-split data). */
  neurons: {
    label: string;
    reason: string;
    sameSignPairs: number;
    oppositeSignPairs: number;
    disambiguationNeurons: number[];
    c: number | null;
  } | null;
  paper: { polysemantic: number; expected: number | null };
  superposition: SuperpositionSummary | null;
}

/**
 * The compact form of an analysis (see {@link AnalysisSummary}).
 *
 * @example
 * summariseAnalysis(analyseModel(params, cfg)).taxonomy?.name; // e.g. 'mixture (12 same-sign, 4 opposite-sign)'
 */
export function summariseAnalysis(a: ModelAnalysis): AnalysisSummary {
  const t = a.taxonomy;
  const taxonomy: TaxonomySummary | null = t
    ? {
        label: t.label,
        name: t.name,
        family: t.family,
        distance: t.distance,
        distances: Object.fromEntries(t.families.map((f) => [f.family, f.distance])) as Record<FamilyName, number>,
        c: t.families.find((f) => f.family === t.family)!.c,
        form: t.form,
        alignment: t.alignment,
        neuronDistance: t.neuronDistance,
        outputs: {
          codes: t.codes,
          counts: t.structure.counts,
          gain: t.outputs.map((o) => o.gain),
          partner: t.outputs.map((o) => o.partner),
          partnerWeight: t.outputs.map((o) => o.partnerWeight),
          shift: t.outputs.map((o) => o.shift),
          crossMargin: t.outputs.map((o) => o.crossMargin),
          distance: t.outputs.map((o) => o.distance),
          loss: t.outputs.map((o) => o.loss),
        },
        eps: {
          exists: t.eps.exists,
          neurons: t.eps.neurons.map(({ shift: _shift, readerMechanisms: _m, ...rest }) => rest),
        },
        structure: {
          rank: t.structure.rank,
          rankOf: t.structure.rankOf,
          gain: t.structure.gain,
          partnerWeight: t.structure.partnerWeight,
          shift: t.structure.shift,
          ownOffset: t.structure.ownOffset,
          crossMargin: t.structure.crossMargin,
          crossParticipation: t.structure.crossParticipation,
          nonAffine: t.structure.nonAffine,
          reconstruction: t.structure.reconstruction,
          nearZeroLoss: t.structure.nearZeroLoss,
          distributed: t.structure.distributed,
        },
        headline: t.headline,
        description: t.description,
      }
    : null;
  const nv = a.neurons;
  return {
    version: ANALYSIS_VERSION,
    dataKind: a.dataKind,
    exactLoss: a.exactLoss,
    taxonomy,
    neurons: nv
      ? {
          label: nv.label,
          reason: nv.reason,
          sameSignPairs: nv.evidence.sameSignPairs,
          oppositeSignPairs: nv.evidence.oppositeSignPairs,
          disambiguationNeurons: nv.evidence.disambiguationNeurons.map((d) => d.neuron),
          c: nv.evidence.c,
        }
      : null,
    paper: { polysemantic: a.paper.polysemantic, expected: a.expectedPolysemanticCount },
    superposition: a.superposition
      ? {
          featureNorms: a.superposition.featureNorms,
          dimensionality: a.superposition.dimensionality,
          dimensionsPerFeature: a.superposition.dimensionsPerFeature,
          represented: a.superposition.represented,
        }
      : null,
  };
}
