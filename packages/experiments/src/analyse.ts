/**
 * The analysis attached to every result line: the metrics pipeline (`analyseModel` of
 * `@polytoy/metrics`: exact population loss, the taxonomy with its families, per-output
 * mechanisms and ±eps-neuron report, the neuron-level reading, the paper's count, the
 * superposition view) in its compact form, plus what only experiments know: the analytic facts
 * about a construction start.
 */
import type { ModelParams } from '@polytoy/core';
import { deserializeParams } from '@polytoy/core';
import { localAnalysis, MAX_EXACT_N, modelOptionsOf, symmetricOptimum } from '@polytoy/analytic';
import type { ModelAnalysis } from '@polytoy/metrics';
import { ANALYSIS_VERSION, analyseModel, summariseAnalysis } from '@polytoy/metrics';
import type { RunSpec } from './definition.js';
import type { DisambiguationUse, ResultLine, RunAnalysis, StartAnalysis } from './result.js';
import { roundDeep } from './result.js';
import { startParams } from './start.js';

/**
 * An output "uses" the ±eps neurons when their summed shift on it (own half on minus other half
 * on, halved) is at least this: half the seed's smallest zero-loss c = 1/2.
 */
export const USE_THRESHOLD = 0.25;

/**
 * Per-output use of the ±eps neurons of the taxonomy's report (untied models: whether each
 * output individually reads them, SPEC §3 question 4).
 *
 * @example
 * disambiguationUse(analyseModel(untiedParams, cfg)).fraction; // 1 when every output reads it
 */
export function disambiguationUse(a: ModelAnalysis): DisambiguationUse {
  const eps = a.taxonomy?.eps.neurons ?? [];
  const shift = Array.from({ length: a.n }, (_, i) => eps.reduce((s, e) => s + e.shift[i]!, 0));
  const uses = shift.map((v) => v >= USE_THRESHOLD);
  return { neurons: eps.map((e) => e.neuron), shift, uses, fraction: uses.filter(Boolean).length / a.n };
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
  // The Hessian (the expensive part) only for tied weights; untied starts get the first-order
  // verdict, which is all the construction needs under L1 (it is not stationary).
  const local = localAnalysis(params, modelOptionsOf(model, lambda), { hessian: params.kind === 'tied' });
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
 * Analyses one run's final parameters through the metrics pipeline (with the run's data, model
 * and lambda) and adds the construction start's analytic facts.
 *
 * @example
 * const a = analyseRun(spec, result.instances[0].params);
 * a.classification;                 // e.g. 'mixture'
 * a.details.taxonomy?.name;         // e.g. 'mixture (12 same-sign, 4 opposite-sign)'
 * a.details.taxonomy?.outputs.codes; // one mechanism per output
 */
export function analyseRun(spec: RunSpec, params: ModelParams): RunAnalysis {
  const { model, data } = spec.config;
  const lambda = spec.config.instances[0]!.lambda;
  const a = analyseModel(params, { data, model, lambda });
  const s = summariseAnalysis(a);
  const eps = a.taxonomy?.eps.neurons ?? [];
  let biasSum = 0;
  for (const v of params.b) biasSum += v;
  const neurons = a.neurons;
  return {
    exactLoss: s.exactLoss
      ? {
          loss: s.exactLoss.loss,
          reconstruction: s.exactLoss.reconstruction,
          l1: s.exactLoss.l1,
          method: s.exactLoss.method,
          standardError: s.exactLoss.standardError,
          samples: s.exactLoss.samples,
        }
      : null,
    classification: s.taxonomy?.label ?? null,
    evidence: neurons
      ? { ...neurons.evidence, reason: neurons.reason, liveLabel: neurons.liveLabel, label: neurons.label }
      : null,
    details: {
      version: ANALYSIS_VERSION,
      c: eps.length > 0 ? eps.reduce((t, e) => t + e.c, 0) : null,
      biasMean: biasSum / params.n,
      polysemanticCount: s.paper.polysemantic,
      expectedPolysemanticCount: s.paper.expected,
      disambiguationUse: a.taxonomy && params.kind === 'untied' ? disambiguationUse(a) : null,
      start: startAnalysis(spec),
      taxonomy: s.taxonomy,
      superposition: s.superposition,
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
