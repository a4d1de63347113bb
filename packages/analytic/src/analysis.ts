/**
 * `analyzeConstruction`: the answer to the seed's question "is the construction stable under
 * the L1 pressure?" for one (n, lambda), with its evidence, as a JSON-serialisable report (its
 * terminal page is the CLI's, `polytoy analyze`).
 *
 * Pipeline: exact losses of every construction → the reduced one-parameter optimum c* (SPEC §2)
 * → the relaxed point: where the gradient flow from the construction settles inside the
 * symmetric family → local analysis (gradient, kinks, Hessian on smooth + critical coordinates)
 * at the construction and at the relaxed point → gradient flow of the full model from the
 * (slightly perturbed) construction → verdict.
 */
import { checkLambda, ConfigError } from '@polytoy/core';
import type { ConstructionRow } from './constructions-table.js';
import { constructionsTable } from './constructions-table.js';
import { constructionLayout, reluTwoNeuronConstructionF64, sameSignConstructionF64 } from './construction.js';
import type { FlowTracePoint } from './gradient-flow.js';
import { gradientFlow } from './gradient-flow.js';
import type { LocalAnalysis, LocalVerdict, NamedValue } from './local-analysis.js';
import { localAnalysis } from './local-analysis.js';
import { flattenParams } from './params64.js';
import type { ModelOptions, PopulationLoss } from './population-loss.js';
import { exactPopulationLoss, MAX_EXACT_N } from './population-loss.js';
import type { OppositeSignRelaxed, ReducedOptimum, SymmetricOptimum } from './reduced.js';
import {
  oppositeSignFamilyParams,
  oppositeSignRelaxed,
  reducedOptimum,
  symmetricFamilyParams,
  symmetricOptimum,
} from './reduced.js';
import type { StructureSummary } from './structure.js';
import { describeStructure } from './structure.js';

/** Options of {@link analyzeConstruction}. */
export interface AnalysisOptions {
  /** Features (multiple of 4, at most 32). */
  n: number;
  /** L1 coefficient (activation L1). */
  lambda: number;
  /** Hidden neurons (default: the construction's minimum; extra neurons are zero rows). */
  m?: number;
  /** Disambiguation strength of the starting construction (default 1/2). */
  c?: number;
  /** 'none' (default): the seed's same-sign construction; 'relu': the two-neuron construction. */
  hiddenActivation?: 'none' | 'relu';
  /** Compute Hessians (default n <= 16). */
  hessian?: boolean;
  /** Gradient flow of the full model; `false` skips it (default: on for n <= 16). */
  flow?: false | { time?: number; dt?: number; perturbation?: number; seed?: number };
}

/** {@link LocalAnalysis} without its long arrays. */
export interface LocalAnalysisSummary {
  verdict: LocalVerdict;
  reason: string;
  loss: PopulationLoss;
  gradientNorm: number;
  smoothGradientNorm: number;
  largestGradient: NamedValue[];
  coordinates: LocalAnalysis['coordinates'];
  pinning: LocalAnalysis['pinning'];
  certificate: LocalAnalysis['certificate'];
  hessian?: Omit<NonNullable<LocalAnalysis['hessian']>, 'eigenvalues'> & { lowest: number[] };
  descent?: { curvature: number; largest: NamedValue[]; lossChange: { step: number; change: number }[] };
}

/** The flow part of the report. */
export interface FlowSummary {
  time: number;
  dt: number;
  perturbation: number;
  seed: number;
  steps: number;
  final: PopulationLoss;
  gradientNorm: number;
  structure: StructureSummary;
  /** Max-norm distance of the end point from the relaxed point. */
  distanceFromRelaxed: number;
  /** Loss at the relaxed point minus the final loss (> 0: the flow went lower). */
  lossDropBelowRelaxed: number;
  trace: FlowTracePoint[];
}

/** JSON-serialisable result of {@link analyzeConstruction}. */
export interface AnalysisReport {
  format: 'polytoy.analysis/1';
  n: number;
  m: number;
  lambda: number;
  c: number;
  hiddenActivation: 'none' | 'relu';
  construction: { name: string; eps: number; bias: number; loss: PopulationLoss };
  /** Every construction for this n, exact. */
  table: ConstructionRow[];
  /** SPEC §2's one-parameter optimum. */
  reduced: ReducedOptimum;
  /** Where the flow from the construction settles inside the symmetric family. */
  relaxed: SymmetricOptimum;
  atConstruction: LocalAnalysisSummary;
  atRelaxed: LocalAnalysisSummary;
  /** The competitor: opposite-sign pairs relaxed under the same L1, and their local verdict (linear hidden layer only). */
  oppositeRelaxed?: OppositeSignRelaxed & { verdict: LocalVerdict; reason: string };
  /** Escape time from the relaxed point, ln(1/perturbation)/|curvature|, when it is a saddle. */
  escapeTimeEstimate?: number;
  flow?: FlowSummary;
  verdict: {
    answer: 'stable' | 'unstable' | 'inconclusive';
    summary: string;
    evidence: string[];
  };
}

function summarize(a: LocalAnalysis): LocalAnalysisSummary {
  const out: LocalAnalysisSummary = {
    verdict: a.verdict,
    reason: a.reason,
    loss: a.loss,
    gradientNorm: a.gradientNorm,
    smoothGradientNorm: a.smoothGradientNorm,
    largestGradient: a.largestGradient,
    coordinates: a.coordinates,
    pinning: a.pinning,
    certificate: a.certificate,
  };
  if (a.hessian) {
    const { eigenvalues, ...rest } = a.hessian;
    out.hessian = { ...rest, lowest: eigenvalues.slice(0, 5) };
  }
  if (a.descentDirection) {
    out.descent = {
      curvature: a.descentDirection.curvature,
      largest: a.descentDirection.largest,
      lossChange: (a.lossChangeAlongEvidence ?? []).map(({ step, change }) => ({ step, change })),
    };
  }
  return out;
}

/**
 * Analyses the stability of the same-sign construction (or, for a ReLU hidden layer, the
 * two-neuron construction) under activation L1 for one (n, lambda).
 *
 * @throws ConfigError for n not a multiple of 4, n > 32, lambda < 0.
 * @example
 * const report = analyzeConstruction({ n: 8, lambda: 0.1 });
 * report.verdict.answer; // 'unstable'
 */
export function analyzeConstruction(opts: AnalysisOptions): AnalysisReport {
  const { n, lambda } = opts;
  if (!Number.isSafeInteger(n) || n < 4 || n % 4 !== 0 || n > MAX_EXACT_N) {
    throw new ConfigError('n', `a multiple of 4 between 4 and ${MAX_EXACT_N} (exact enumeration)`, n);
  }
  checkLambda(lambda);
  const hidden = opts.hiddenActivation ?? 'none';
  const c = opts.c ?? 0.5;
  const o: ModelOptions = { hiddenActivation: hidden, lambda };
  const base = { n, c, ...(opts.m === undefined ? {} : { m: opts.m }) };
  const kind = hidden === 'relu' ? 'relu-two-neuron' : 'same-sign';
  const p0 = hidden === 'relu' ? reluTwoNeuronConstructionF64(base) : sameSignConstructionF64(base);
  const layout = constructionLayout(kind, base);
  const wantHessian = opts.hessian ?? n <= 16;

  const table = constructionsTable(n, lambda, c);
  const reduced = reducedOptimum(n, lambda);
  const relaxed = symmetricOptimum(n, lambda, { w: 1, eps: Math.sqrt((4 * c) / n), b: -c }, kind);
  const relaxedParams = symmetricFamilyParams(n, relaxed, p0.m, kind);
  const atConstruction = localAnalysis(p0, o, { hessian: wantHessian });
  const atRelaxedFull = localAnalysis(relaxedParams, o, { hessian: wantHessian });
  const atRelaxed = summarize(atRelaxedFull);
  let oppositeRelaxed: AnalysisReport['oppositeRelaxed'];
  if (hidden === 'none' && lambda <= 1) {
    const opp = oppositeSignRelaxed(n, lambda);
    const oppAnalysis = localAnalysis(oppositeSignFamilyParams(n, opp.w, opp.b), o, {
      hessian: wantHessian,
      gradientTolerance: 1e-7,
    });
    oppositeRelaxed = { ...opp, verdict: oppAnalysis.verdict, reason: oppAnalysis.reason };
  }

  const flowOpts = opts.flow === undefined ? (n <= 16 ? {} : false) : opts.flow;
  const perturbation = flowOpts === false ? 0 : (flowOpts.perturbation ?? 1e-6);
  const curvature = atRelaxedFull.descentDirection?.curvature;
  const escapeTimeEstimate =
    atRelaxedFull.verdict === 'saddle' && curvature !== undefined && perturbation > 0
      ? Math.log(1 / perturbation) / Math.abs(curvature)
      : undefined;

  let flow: FlowSummary | undefined;
  if (flowOpts !== false) {
    const dt = flowOpts.dt ?? 0.1;
    const time = flowOpts.time ?? 2000;
    const seed = flowOpts.seed ?? 0;
    const r = gradientFlow(p0, o, { dt, time, perturbation, seed, tracePoints: 11 });
    const end = flattenParams(r.params),
      rel = flattenParams(relaxedParams);
    let dist = 0;
    for (let t = 0; t < end.length; t++) dist = Math.max(dist, Math.abs(end[t]! - rel[t]!));
    flow = {
      time: r.time,
      dt,
      perturbation,
      seed,
      steps: r.steps,
      final: r.final,
      gradientNorm: r.gradientNorm,
      structure: describeStructure(r.params, layout),
      distanceFromRelaxed: dist,
      lossDropBelowRelaxed: atRelaxedFull.loss.loss - r.final.loss,
      trace: r.trace,
    };
  }

  const evidence: string[] = [];
  const cons = atConstruction;
  evidence.push(
    lambda > 0
      ? `construction: ${cons.verdict}, |grad| = ${cons.gradientNorm.toExponential(3)} (smooth part ${cons.smoothGradientNorm.toExponential(3)} = (lambda/4)·sqrt(2n) for the same-sign construction): L1 shrinks the pair weights and eps at once`
      : `construction at lambda = 0: ${cons.verdict} (${cons.reason})`,
  );
  evidence.push(
    `relaxed point (symmetric family): w = ${relaxed.w.toFixed(6)}, c = ${relaxed.c.toFixed(6)}, b = ${relaxed.b.toFixed(6)}, ` +
      `loss ${relaxed.loss.toExponential(6)} (one-parameter c* = ${reduced.c.toFixed(6)}, L(c*) = ${reduced.loss.toExponential(6)})`,
  );
  evidence.push(`relaxed point: ${atRelaxed.verdict}: ${atRelaxed.reason}`);
  if (oppositeRelaxed) {
    evidence.push(
      `competitor: opposite-sign pairs relax to w = ${oppositeRelaxed.w.toFixed(6)}, b = ${oppositeRelaxed.b.toFixed(6)}, loss ${oppositeRelaxed.loss.toExponential(6)}: ${oppositeRelaxed.verdict}`,
    );
  }
  if (escapeTimeEstimate !== undefined)
    evidence.push(`escape time from the relaxed point ≈ ln(1/${perturbation})/|curvature| = ${escapeTimeEstimate.toFixed(0)}`);
  if (flow) {
    const s = flow.structure;
    evidence.push(
      `flow (t = ${flow.time.toFixed(0)}, dt = ${flow.dt}, start perturbed by ${flow.perturbation}): loss ${flow.final.loss.toExponential(6)} ` +
        `(${flow.lossDropBelowRelaxed > 1e-9 ? `${flow.lossDropBelowRelaxed.toExponential(3)} below` : 'not below'} the relaxed point), ` +
        `pairs same/opposite/broken ${s.sameSignPairs}/${s.oppositeSignPairs}/${s.brokenPairs}, ` +
        `neurons ${Object.entries(s.census)
          .filter(([, v]) => v > 0)
          .map(([k, v]) => `${v} ${k}`)
          .join(', ')}, ` +
        `distance from the relaxed point ${flow.distanceFromRelaxed.toExponential(2)}`,
    );
  }

  let answer: AnalysisReport['verdict']['answer'];
  let summary: string;
  const left = flow !== undefined && (flow.lossDropBelowRelaxed > 1e-6 || !flow.structure.structureSurvives);
  const drifts = relaxed.gradientNorm > 1e-9;
  if (drifts) {
    answer = 'unstable';
    summary =
      `No: the flow inside the symmetric family does not settle (|grad| = ${relaxed.gradientNorm.toExponential(2)} after t = ${relaxed.time.toFixed(0)}: ` +
      `eps = ${relaxed.eps.toFixed(4)}, epsCross = ${(relaxed.epsCross ?? relaxed.eps).toFixed(4)}, loss ${relaxed.loss.toExponential(4)}). ` +
      (kind === 'relu-two-neuron'
        ? "With a ReLU hidden layer the disambiguation neurons' weights on the other half only write (the neuron is off there) and cost no L1, so the flow trades eps for them: eps → 0, epsCross → ∞ at a fixed shift of the other half."
        : '');
  } else if (atRelaxed.verdict === 'saddle' || atRelaxed.verdict === 'descent-direction' || left) {
    answer = 'unstable';
    summary =
      `No: under L1 (lambda = ${lambda}) the construction first relaxes to a nearby point of the same shape (c = ${relaxed.c.toFixed(4)}), ` +
      `which is ${atRelaxed.verdict === 'saddle' ? `a saddle (negative curvature ${atRelaxed.descent?.curvature.toExponential(2)} along a kink-respecting direction)` : `not a local minimum (${atRelaxed.verdict})`}` +
      (flow
        ? left
          ? `; the flow leaves it and ends ${flow.lossDropBelowRelaxed.toExponential(2)} lower, with ${flow.structure.structureSurvives ? 'the pair structure intact' : 'the pair structure gone'}` +
            `${flow.structure.towardOppositeSign ? ' and opposite-sign pairs' : ', no opposite-sign pairs'}.`
          : `; within t = ${flow.time.toFixed(0)} the flow has not left it yet${escapeTimeEstimate ? ` (escape expected after t ≈ ${escapeTimeEstimate.toFixed(0)})` : ''}.`
        : '.');
  } else if (atRelaxed.verdict === 'strict-local-min' && (!flow || flow.structure.structureSurvives)) {
    answer = 'stable';
    summary = `Yes, up to relaxation: the construction moves to the nearby strict local minimum c = ${relaxed.c.toFixed(4)} and stays there.`;
  } else {
    answer = 'inconclusive';
    summary = `Inconclusive at the relaxed point (${atRelaxed.verdict}: ${atRelaxed.reason}).`;
  }

  const report: AnalysisReport = {
    format: 'polytoy.analysis/1',
    n,
    m: p0.m,
    lambda,
    c,
    hiddenActivation: hidden,
    construction: {
      name: kind === 'same-sign' ? `same-sign c=${c}` : `relu two-neuron c=${c}`,
      eps: layout.eps,
      bias: -c,
      loss: exactPopulationLoss(p0, o),
    },
    table,
    reduced,
    relaxed,
    atConstruction: summarize(atConstruction),
    atRelaxed,
    verdict: { answer, summary, evidence },
  };
  if (oppositeRelaxed) report.oppositeRelaxed = oppositeRelaxed;
  if (escapeTimeEstimate !== undefined) report.escapeTimeEstimate = escapeTimeEstimate;
  if (flow) report.flow = flow;
  return report;
}

/** One row of {@link stabilityStudy}. */
export interface StabilityRow {
  n: number;
  lambda: number;
  report: AnalysisReport;
}

/**
 * Runs {@link analyzeConstruction} for every (n, lambda), each with a flow long enough to leave
 * the relaxed saddle: time = min(maxTime, 1.5·ln(1/perturbation)/|curvature| + 200), where the
 * curvature comes from a first, flow-free analysis. This regenerates the README's
 * "Stability answer" (the CLI's `scripts/stability-answer.ts`); n = 16, lambda = 1e-3 takes minutes.
 *
 * @example
 * const rows = stabilityStudy({ ns: [8], lambdas: [0.1] });
 * rows[0]!.report.verdict.answer; // 'unstable'
 */
export function stabilityStudy(opts: {
  ns: number[];
  lambdas: number[];
  perturbation?: number;
  seed?: number;
  dt?: number;
  maxTime?: number;
}): StabilityRow[] {
  const perturbation = opts.perturbation ?? 1e-4;
  const rows: StabilityRow[] = [];
  for (const n of opts.ns) {
    for (const lambda of opts.lambdas) {
      const probe = analyzeConstruction({ n, lambda, flow: false });
      const k = probe.atRelaxed.descent?.curvature;
      const time = k && k < 0 ? Math.min(opts.maxTime ?? 3e5, 1.5 * (Math.log(1 / perturbation) / -k) + 200) : 500;
      const report = analyzeConstruction({
        n,
        lambda,
        flow: { time, perturbation, dt: opts.dt ?? 0.1, seed: opts.seed ?? 0 },
      });
      rows.push({ n, lambda, report });
    }
  }
  return rows;
}
