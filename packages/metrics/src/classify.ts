/**
 * Per-neuron structure (pairs, monosemantic, dead, disambiguation) and the solution classifier:
 * which of the SPEC's solutions (§2, §2b, §2c) a model implements.
 */
import type { AnyParams } from '@polytoy/analytic';
import type { FeatureAssignment, FeatureWeight } from './assignment.js';
import { featureAssignment } from './assignment.js';
import type { DisambiguationReport, DisambiguationStats, MirroredPair } from './disambiguation.js';
import { findDisambiguation } from './disambiguation.js';
import type { MetricThresholds } from './thresholds.js';
import { resolveThresholds } from './thresholds.js';
import { effectiveWeights, halfOf } from './views.js';

export type NeuronKind = 'disambiguation' | 'dead' | 'monosemantic' | 'same-sign-pair' | 'opposite-sign-pair' | 'polysemantic';

/** One neuron's role. `features` are the live features written on it (none for disambiguation neurons). */
export interface NeuronReport {
  neuron: number;
  kind: NeuronKind;
  features: FeatureWeight[];
  /** Largest |weight| in the row. */
  maxAbs: number;
}

/** Everything read from one weight matrix. */
export interface WeightAnalysis {
  n: number;
  m: number;
  assignment: FeatureAssignment;
  disambiguation: DisambiguationReport;
  neurons: NeuronReport[];
  /** `sum_j w[j,i]^2` over non-disambiguation neurons: ~1 for a represented feature. */
  featureGain: number[];
  /** Features with gain < deadGain. */
  deadFeatures: number[];
  /** Live features written on two or more non-disambiguation neurons. */
  splitFeatures: number[];
  /** Live features written on no non-disambiguation neuron (spread thinly over many). */
  diffuseFeatures: number[];
}

/**
 * The neuron-level reading's label (reads the neuron basis: a rotated solution is 'other' here;
 * the solution label of polytoy is the taxonomy's, see `classifyFunction`).
 */
export type NeuronLevelLabel =
  | 'same-sign+disambiguation'
  | 'relu-two-neuron-disambiguation'
  | 'opposite-sign'
  | 'mixture'
  | 'monosemantic'
  | 'dead-features'
  | 'other';

export interface ClassificationEvidence {
  sameSignPairs: number;
  oppositeSignPairs: number;
  monosemanticNeurons: number;
  polysemanticNeurons: number;
  deadNeurons: number;
  disambiguationNeurons: DisambiguationStats[];
  mirroredPair: MirroredPair | null;
  c: number | null;
  cA: number;
  cB: number;
  biasMean: number;
  biasOverC: number | null;
  deadFeatures: number[];
  splitFeatures: number[];
  diffuseFeatures: number[];
}

export interface SolutionClassification {
  label: NeuronLevelLabel;
  /** What the live (non-dead) features implement; equals `label` unless it is 'dead-features'. */
  liveLabel: Exclude<NeuronLevelLabel, 'dead-features'>;
  /** One or two human-readable sentences. */
  reason: string;
  evidence: ClassificationEvidence;
  hiddenActivation: 'none' | 'relu';
  /** The analysed matrix: W (tied) or the effective weights (untied). */
  analysis: WeightAnalysis;
}

export interface ClassifyOptions {
  /** Hidden activation of the model (default 'none'); changes c and the functional notes. */
  hiddenActivation?: 'none' | 'relu';
  thresholds?: Partial<MetricThresholds>;
}

/**
 * Reads one weight matrix: assignment, disambiguation neurons, neuron kinds, dead features.
 *
 * Neuron kinds, for non-disambiguation neurons, from the live features written on them:
 * none → 'dead'; one → 'monosemantic'; one from A and one from B with the same sign →
 * 'same-sign-pair', opposite signs → 'opposite-sign-pair'; anything else → 'polysemantic'.
 *
 * @param w - [m, n] rows; @param b - [n] output bias.
 * @example
 * analyzeWeights(params.W, params.m, params.n, params.b).neurons[1]!.kind; // 'same-sign-pair'
 */
export function analyzeWeights(
  w: ArrayLike<number>,
  m: number,
  n: number,
  b: ArrayLike<number>,
  options: ClassifyOptions = {},
): WeightAnalysis {
  const t = resolveThresholds(options.thresholds);
  const assignment = featureAssignment(w, m, n, t.relativeThreshold, t.minWeight);
  const disambiguation = findDisambiguation(w, m, n, b, options.hiddenActivation ?? 'none', t);
  const isDis = new Set(disambiguation.neurons.map((s) => s.neuron));
  const featureGain: number[] = [];
  const deadFeatures: number[] = [];
  for (let i = 0; i < n; i++) {
    let g = 0;
    for (let j = 0; j < m; j++) if (!isDis.has(j)) g += w[j * n + i]! ** 2;
    featureGain.push(g);
    if (g < t.deadGain) deadFeatures.push(i);
  }
  const dead = new Set(deadFeatures);
  const splitFeatures: number[] = [];
  const diffuseFeatures: number[] = [];
  for (const f of assignment.features) {
    if (dead.has(f.feature)) continue;
    const homes = f.neurons.filter((x) => !isDis.has(x.neuron)).length;
    if (homes === 0) diffuseFeatures.push(f.feature);
    if (homes >= 2) splitFeatures.push(f.feature);
  }
  const neurons: NeuronReport[] = assignment.neurons.map((nf) => {
    let maxAbs = 0;
    for (let i = 0; i < n; i++) maxAbs = Math.max(maxAbs, Math.abs(w[nf.neuron * n + i]!));
    if (isDis.has(nf.neuron)) return { neuron: nf.neuron, kind: 'disambiguation', features: [], maxAbs };
    const features = nf.features.filter((f) => !dead.has(f.feature));
    return { neuron: nf.neuron, kind: neuronKind(features, n), features, maxAbs };
  });
  return { n, m, assignment, disambiguation, neurons, featureGain, deadFeatures, splitFeatures, diffuseFeatures };
}

function neuronKind(features: FeatureWeight[], n: number): NeuronKind {
  if (features.length === 0) return 'dead';
  if (features.length === 1) return 'monosemantic';
  if (features.length > 2) return 'polysemantic';
  const [p, q] = features as [FeatureWeight, FeatureWeight];
  if (halfOf(p.feature, n) === halfOf(q.feature, n)) return 'polysemantic';
  return Math.sign(p.weight) === Math.sign(q.weight) ? 'same-sign-pair' : 'opposite-sign-pair';
}

const fmt = (x: number): string => Number(x.toPrecision(3)).toString();
const list = (xs: number[]): string => (xs.length > 6 ? `${xs.slice(0, 6).join(', ')}, …` : xs.join(', '));

/**
 * Labels the solution a weight matrix implements (see README "Classifier rules").
 *
 * @example
 * classifyWeights(params.W, params.m, params.n, params.b).label; // 'same-sign+disambiguation'
 */
export function classifyWeights(
  w: ArrayLike<number>,
  m: number,
  n: number,
  b: ArrayLike<number>,
  options: ClassifyOptions = {},
): SolutionClassification {
  const hiddenActivation = options.hiddenActivation ?? 'none';
  const analysis = analyzeWeights(w, m, n, b, options);
  const count = (k: NeuronKind): number => analysis.neurons.filter((x) => x.kind === k).length;
  const dis = analysis.disambiguation;
  const evidence: ClassificationEvidence = {
    sameSignPairs: count('same-sign-pair'),
    oppositeSignPairs: count('opposite-sign-pair'),
    monosemanticNeurons: count('monosemantic'),
    polysemanticNeurons: count('polysemantic'),
    deadNeurons: count('dead'),
    disambiguationNeurons: dis.neurons,
    mirroredPair: dis.mirrored,
    c: dis.c,
    cA: dis.cA,
    cB: dis.cB,
    biasMean: dis.biasMean,
    biasOverC: dis.biasOverC,
    deadFeatures: analysis.deadFeatures,
    splitFeatures: analysis.splitFeatures,
    diffuseFeatures: analysis.diffuseFeatures,
  };
  const { liveLabel, reason: liveReason } = liveStructure(evidence, n, hiddenActivation);
  const nDead = evidence.deadFeatures.length;
  const label: NeuronLevelLabel = nDead > 0 ? 'dead-features' : liveLabel;
  const reason =
    nDead > 0
      ? `${nDead} dead feature${nDead > 1 ? 's' : ''} (${list(evidence.deadFeatures)}: gain outside disambiguation neurons < deadGain); the live features: ${liveReason}`
      : liveReason;
  return { label, liveLabel, reason, evidence, hiddenActivation, analysis };
}

function disText(e: ClassificationEvidence): string {
  const ns = e.disambiguationNeurons.map((s) => `${s.neuron} (${s.orientation > 0 ? '+A/-B' : '-A/+B'}, eps ${fmt(s.eps)})`);
  return `disambiguation neuron${ns.length > 1 ? 's' : ''} ${ns.join(', ')}, c ${fmt(e.c ?? 0)}, bias mean ${fmt(e.biasMean)}`;
}

function liveStructure(
  e: ClassificationEvidence,
  n: number,
  act: 'none' | 'relu',
): { liveLabel: Exclude<NeuronLevelLabel, 'dead-features'>; reason: string } {
  const issues: string[] = [];
  if (e.polysemanticNeurons > 0) issues.push(`${e.polysemanticNeurons} neuron(s) holding features other than one A + one B`);
  if (e.splitFeatures.length > 0) issues.push(`feature(s) ${list(e.splitFeatures)} written on several neurons`);
  if (e.diffuseFeatures.length > 0) issues.push(`feature(s) ${list(e.diffuseFeatures)} spread thinly with no clear neuron`);
  if (issues.length > 0) return { liveLabel: 'other', reason: `no clean pair structure: ${issues.join('; ')}.` };
  const same = e.sameSignPairs;
  const opp = e.oppositeSignPairs;
  const mono = e.monosemanticNeurons;
  const hasDis = e.disambiguationNeurons.length > 0;
  const monoText = mono > 0 ? ` and ${mono} monosemantic neuron${mono > 1 ? 's' : ''}` : '';
  if (same === 0 && opp === 0) {
    if (mono === 0) return { liveLabel: 'other', reason: 'no live feature is written on any neuron.' };
    const extra = hasDis ? ` (plus unneeded ${disText(e)})` : '';
    return { liveLabel: 'monosemantic', reason: `every live feature has its own neuron (${mono} monosemantic neurons)${extra}.` };
  }
  if (same > 0 && !hasDis) {
    return {
      liveLabel: 'other',
      reason: `${same} same-sign pair(s) but no disambiguation neuron: the partners cannot be told apart (nonzero loss).`,
    };
  }
  const reluNote = (s: string): string => (act === 'relu' ? ` With a ReLU hidden layer ${s} (SPEC §2c).` : '');
  if (same > 0 && opp > 0) {
    return {
      liveLabel: 'mixture',
      reason: `${same} same-sign and ${opp} opposite-sign pair(s)${monoText}, with ${disText(e)}.${reluNote('the opposite-sign pairs lose their negative activations')}`,
    };
  }
  if (same > 0) {
    if (e.mirroredPair) {
      return {
        liveLabel: 'relu-two-neuron-disambiguation',
        reason: `${same} same-sign pair(s)${monoText}, with a mirrored pair of ${disText(e)} (eps ratio ${fmt(e.mirroredPair.epsRatio)}).`,
      };
    }
    return {
      liveLabel: 'same-sign+disambiguation',
      reason: `${same} same-sign pair(s)${monoText}, with ${disText(e)}.${reluNote('one disambiguation orientation only acts for its own half')}`,
    };
  }
  const extra = hasDis ? ` (plus unneeded ${disText(e)})` : '';
  return {
    liveLabel: 'opposite-sign',
    reason: `${opp} opposite-sign pair(s)${monoText}${extra}.${reluNote('opposite-sign pairs lose their negative activations')}`,
  };
}

/**
 * The neuron-level reading of a model (which neuron holds which features). Tied parameters are read through W; untied ones through
 * their effective weights `sign(E)·sqrt(E·D)` (see {@link effectiveWeights}), which do not depend on
 * the per-neuron scale of encoder against decoder.
 *
 * @param params - tied or untied parameters.
 * @param options - hidden activation (default 'none') and thresholds.
 * @example
 * const p = sameSignConstruction({ n: 16 }); // @polytoy/analytic
 * classifyNeurons(p).label; // 'same-sign+disambiguation'
 */
export function classifyNeurons(params: AnyParams, options: ClassifyOptions = {}): SolutionClassification {
  return classifyWeights(effectiveWeights(params), params.m, params.n, params.b, options);
}
