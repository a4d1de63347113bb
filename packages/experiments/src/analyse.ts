/**
 * The analysis attached to every result line: exact population loss (analytic), the solution
 * classification and its evidence (metrics), the paper's polysemantic count, and for untied
 * models how much each output reads the disambiguation neuron(s).
 */
import type { ModelParams } from '@polytoy/core';
import { deserializeParams } from '@polytoy/core';
import { exactPopulationLoss, expectedPolysemanticCount, localAnalysis, MAX_EXACT_N, symmetricOptimum } from '@polytoy/analytic';
import { classifySolution, disambiguationStats, isDisambiguation, paperPolysemanticCount } from '@polytoy/metrics';
import type { RunSpec } from './definition.js';
import { functionalClass } from './functional.js';
import type { DisambiguationUse, ExactLoss, ResultLine, RunAnalysis, StartAnalysis } from './result.js';
import { roundDeep } from './result.js';
import { startParams } from './start.js';

/**
 * An output "uses" the disambiguation neurons when their net shift (own half on minus other
 * half on, halved) is at least this. The seed's construction has shift c >= 1/2; a quarter is
 * half of that minimum, well above what random decoder weights give.
 */
export const USE_THRESHOLD = 0.25;

/**
 * Per-output use of the disambiguation neurons of an untied model. The neurons are found in
 * the encoder `E` (rows fitting `±eps` per half); when half H is chosen a disambiguation
 * neuron's activation is `act(±eps·n/4)`, so output i's pre-activation moves by
 * `s_i(H) = Σ_j D[i,j]·h_j(H)`. The shift is `(s_i(own half) − s_i(other half)) / 2`: c for
 * every output of the seed's construction, 0 for an output that ignores the neurons.
 *
 * @param hiddenActivation - `relu` cuts the negative activation of each neuron.
 * @example
 * disambiguationUse(untiedParams, 'none').fraction; // 1 when every output reads it
 */
export function disambiguationUse(p: ModelParams, hiddenActivation: 'none' | 'relu'): DisambiguationUse {
  const { n, m } = p;
  const E = p.kind === 'tied' ? p.W : p.E;
  const dec = (i: number, j: number): number => (p.kind === 'tied' ? p.W[j * n + i]! : p.D[i * m + j]!);
  const act = (v: number): number => (hiddenActivation === 'relu' ? Math.max(0, v) : v);
  const neurons: number[] = [];
  const hA: number[] = [];
  const hB: number[] = [];
  for (let j = 0; j < m; j++) {
    const s = disambiguationStats(E.subarray(j * n, (j + 1) * n), n, j);
    if (!isDisambiguation(s)) continue;
    neurons.push(j);
    hA.push(act((s.orientation * s.eps * n) / 4));
    hB.push(act((-s.orientation * s.eps * n) / 4));
  }
  const half = n / 2;
  const shift: number[] = [];
  for (let i = 0; i < n; i++) {
    let sA = 0;
    let sB = 0;
    neurons.forEach((j, k) => {
      sA += dec(i, j) * hA[k]!;
      sB += dec(i, j) * hB[k]!;
    });
    shift.push(i < half ? (sA - sB) / 2 : (sB - sA) / 2);
  }
  const uses = shift.map((s) => s >= USE_THRESHOLD);
  return { neurons, shift, uses, fraction: uses.filter(Boolean).length / n };
}

const startCache = new Map<string, StartAnalysis>();

/**
 * Analytic facts about a run's construction start (cached: they depend only on the cell). Null
 * for random starts and for data the exact loss cannot enumerate.
 *
 * @example
 * startAnalysis(spec)?.predicted?.c; // where the symmetric flow from the construction ends
 */
export function startAnalysis(spec: RunSpec): StartAnalysis | null {
  const { model, data } = spec.config;
  const start = spec.start;
  if (start.kind !== 'construction' || data.kind !== 'half-split' || model.n > MAX_EXACT_N) return null;
  const lambda = spec.config.instances[0]!.lambda;
  const key = JSON.stringify([model, start.c, lambda]);
  const cached = startCache.get(key);
  if (cached) return cached;
  const params = startParams({ ...spec, start: { ...start, perturbation: 0 } })!;
  const options = {
    hiddenActivation: model.hiddenActivation,
    outputActivation: model.outputActivation,
    lambda,
    l1Target: model.l1.target,
  };
  // The Hessian (the expensive part) only for tied weights; untied starts get the first-order
  // verdict, which is all the construction needs under L1 (it is not stationary).
  const local = localAnalysis(params, options, { hessian: params.kind === 'tied' });
  let predicted: StartAnalysis['predicted'] = null;
  if (
    params.kind === 'tied' &&
    model.hiddenActivation === 'none' &&
    model.outputActivation === 'relu' &&
    model.l1.target === 'activations'
  ) {
    const eps = Math.sqrt((4 * start.c) / model.n);
    const o = symmetricOptimum(model.n, lambda, { w: 1, eps, b: -start.c });
    predicted = { c: o.c, w: o.w, b: o.b, loss: o.loss, reconstruction: o.reconstruction };
  }
  const result: StartAnalysis = {
    c: start.c,
    exactLoss: { loss: local.loss.loss, reconstruction: local.loss.reconstruction, l1: local.loss.l1 },
    verdict: local.verdict,
    gradientNorm: local.gradientNorm,
    predicted,
  };
  startCache.set(key, result);
  return result;
}

/**
 * Analyses one run's final parameters.
 *
 * @example
 * const a = analyseRun(spec, result.instances[0].params);
 * a.classification; // e.g. 'opposite-sign'
 */
export function analyseRun(spec: RunSpec, params: ModelParams): RunAnalysis {
  const { model, data } = spec.config;
  const lambda = spec.config.instances[0]!.lambda;
  const halfSplit = data.kind === 'half-split';
  let exactLoss: ExactLoss | null = null;
  if (halfSplit && model.n <= MAX_EXACT_N) {
    const e = exactPopulationLoss(params, {
      hiddenActivation: model.hiddenActivation,
      outputActivation: model.outputActivation,
      lambda,
      l1Target: model.l1.target,
    });
    exactLoss = { loss: e.loss, reconstruction: e.reconstruction, l1: e.l1 };
  }
  const cls = halfSplit ? classifySolution(params, { hiddenActivation: model.hiddenActivation }) : null;
  const count = paperPolysemanticCount(params);
  let biasSum = 0;
  for (const v of params.b) biasSum += v;
  return {
    exactLoss,
    classification: cls?.label ?? null,
    evidence: cls ? { ...cls.evidence, reason: cls.reason, liveLabel: cls.liveLabel } : null,
    details: {
      c: cls?.evidence.c ?? null,
      biasMean: biasSum / params.n,
      polysemanticCount: count.polysemantic,
      expectedPolysemanticCount: data.kind === 'basis' ? expectedPolysemanticCount(params.n, params.m) : null,
      disambiguationUse: halfSplit && params.kind === 'untied' ? disambiguationUse(params, model.hiddenActivation) : null,
      start: startAnalysis(spec),
      functional: halfSplit ? functionalClass(params, model.hiddenActivation) : null,
    },
  };
}

/**
 * Recomputes a line's analysis from its stored parameters (after the metrics or this package's
 * analysis improved; no retraining). Lines without parameters, and diverged lines, are returned
 * unchanged. Stored parameters are rounded to 6 significant digits, so exact losses may move in
 * the 6th digit.
 *
 * @example
 * const updated = lines.map((l) => reanalyseLine(l));
 */
export function reanalyseLine(
  line: ResultLine,
  analyse: (spec: RunSpec, params: ModelParams) => RunAnalysis = analyseRun,
): ResultLine {
  if (line.status === 'diverged' || !line.params) return line;
  const a = analyse(line.spec, deserializeParams(line.params));
  return {
    ...line,
    exactLoss: roundDeep(a.exactLoss),
    classification: a.classification,
    evidence: roundDeep(a.evidence),
    analysis: roundDeep(a.details),
  };
}
