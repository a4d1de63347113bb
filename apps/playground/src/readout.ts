/**
 * The live readout of a model: which solution family it is nearest to and how far, its ±eps
 * (disambiguation) neurons with their c, and one line of evidence. A small adapter over
 * `@polytoy/metrics`' `analyzeModel` (what the page shows is decided here, in one place), so that
 * the playground follows the metrics package as its analysis grows.
 */
import type { ModelParams } from '@polytoy/core';
import { expectedPolysemanticCount } from '@polytoy/analytic';
import { analyzeModel } from '@polytoy/metrics';

/** What the readout shows for one model. */
export interface Readout {
  /** The family the model reads as (basis-free for a linear hidden layer). */
  family: string;
  /** The nearest zero-loss construction family, and the relative distance to its nearest member. */
  nearest: string | null;
  distance: number | null;
  /** Neuron-aligned ±eps neurons. */
  epsNeurons: number[];
  /** Their shift c (null without one) and the mean output bias (the construction has b = −c). */
  c: number | null;
  biasMean: number;
  /** The paper's polysemantic-neuron count (more than one |w| in [0.8, 1.2]). */
  polysemantic: number;
  /** One line of evidence (the classifier's reason, or the paper's prediction). */
  detail: string;
}

/** The data and hidden activation the model was trained with (the families depend on them). */
export interface ReadoutContext {
  data: 'half-split' | 'basis' | 'sparse-uniform';
  hidden: 'none' | 'relu';
}

/**
 * Reads a model. For half-split data: the basis-free family (linear hidden layer) or the
 * neuron-level one (ReLU), the nearest construction family with its distance, and the ±eps
 * neurons; for other data the paper's polysemantic count.
 *
 * @example
 * const r = readModel(sameSignConstruction({ n: 8, m: 5 }), { data: 'half-split', hidden: 'none' });
 * r.epsNeurons; // [0]
 * r.nearest;    // 'same-sign'
 */
export function readModel(params: ModelParams, ctx: ReadoutContext): Readout {
  const halfSplit = ctx.data === 'half-split' && params.n % 2 === 0;
  const a = analyzeModel(params, { hiddenActivation: ctx.hidden, distances: halfSplit });
  const ev = a.classification.evidence;
  const base = {
    epsNeurons: ev.disambiguationNeurons.map((d) => d.neuron),
    c: ev.c,
    biasMean: ev.biasMean,
    polysemantic: a.paper.polysemantic,
  };
  if (!halfSplit) {
    const expected = ctx.data === 'basis' ? expectedPolysemanticCount(params.n, params.m) : null;
    return {
      ...base,
      family: `${a.paper.polysemantic} polysemantic neuron${a.paper.polysemantic === 1 ? '' : 's'}`,
      nearest: null,
      distance: null,
      detail:
        expected !== null
          ? `the paper's prediction n²/(4m) = ${Number(expected.toPrecision(3))}`
          : 'the half-split families do not apply to this data',
    };
  }
  const functional = a.functional;
  return {
    ...base,
    family: functional ? functional.label : a.classification.label,
    nearest: a.distances?.nearest ?? null,
    distance: a.distances?.distance ?? null,
    detail: functional ? functional.reason : a.classification.reason,
  };
}
