/**
 * The live readout of a model: which solution family it is nearest to and how far, its ±eps
 * (disambiguation) neurons with their c, and one line of evidence. A small adapter over
 * `@polytoy/metrics`' run-analysis pipeline (`analyseModel`, the one the CLI and the experiments
 * use; what the page shows is decided here, in one place), so that the playground follows the
 * metrics package as its analysis grows.
 */
import type { ModelParams } from '@polytoy/core';
import { analyseModel } from '@polytoy/metrics';

/** What the readout shows for one model. */
export interface Readout {
  /** The taxonomy's label with its per-output counts (e.g. `mixture (6 same-sign, 2 opposite-sign)`). */
  family: string;
  /** The family the label names (dead-features, distributed, unmatched: the nearest), and the distance to its nearest member. */
  nearest: string | null;
  distance: number | null;
  /** Neuron-aligned ±eps neurons. */
  epsNeurons: number[];
  /** Their shift c (null without one) and the mean output bias (the construction has b = −c). */
  c: number | null;
  biasMean: number;
  /** The paper's polysemantic-neuron count (more than one |w| in [0.8, 1.2]). */
  polysemantic: number;
  /** What the taxonomy found, in one sentence (or the paper's prediction). */
  detail: string;
}

/** The data and hidden activation the model was trained with (the families depend on them). */
export interface ReadoutContext {
  data: 'half-split' | 'basis' | 'sparse-uniform';
  hidden: 'none' | 'relu';
}

/**
 * Reads a model. For half-split data: the taxonomy's label (on the function: blind to rotations
 * of a linear hidden layer; ReLU: the effective map on the data), the family with its distance,
 * and the ±eps neurons; for other data the paper's polysemantic count.
 *
 * @example
 * const r = readModel(sameSignConstruction({ n: 8, m: 5 }), { data: 'half-split', hidden: 'none' });
 * r.epsNeurons; // [0]
 * r.nearest;    // 'same-sign'
 */
export function readModel(params: ModelParams, ctx: ReadoutContext): Readout {
  const a = analyseModel(
    params,
    {
      data: { kind: ctx.data, n: params.n },
      model: { hiddenActivation: ctx.hidden, outputActivation: 'relu', l1: { target: 'activations', lambda: 0 } },
    },
    { exactLoss: false },
  );
  let biasSum = 0;
  for (const v of params.b) biasSum += v;
  const base = { biasMean: biasSum / params.n, polysemantic: a.paper.polysemantic };
  const t = a.taxonomy;
  if (!t) {
    const expected = a.expectedPolysemanticCount;
    return {
      ...base,
      epsNeurons: [],
      c: null,
      family: `${a.paper.polysemantic} polysemantic neuron${a.paper.polysemantic === 1 ? '' : 's'}`,
      nearest: null,
      distance: null,
      detail:
        expected !== null
          ? `the paper's prediction n²/(4m) = ${Number(expected.toPrecision(3))}`
          : 'the half-split families do not apply to this data',
    };
  }
  const eps = t.eps.neurons;
  return {
    ...base,
    epsNeurons: eps.map((e) => e.neuron),
    c: eps.length > 0 ? eps.reduce((s, e) => s + e.c, 0) : null,
    family: t.name,
    nearest: t.family,
    distance: t.distance,
    detail: t.headline,
  };
}
