/**
 * Hand-made result lines without training: parameters are the analytic constructions (plus
 * seeded noise) or seeded random matrices, analysed with the real metrics, so every chart
 * has realistic input in milliseconds.
 */
import { createPrng, deserializeParams, serializeParams } from '@polytoy/core';
import type { ModelParams } from '@polytoy/core';
import type { ExperimentDefinition, ResultLine, RunSpec } from '@polytoy/experiments';
import {
  analyseRun,
  checkResultLine,
  compactHistory,
  EXPERIMENTS,
  expandGrid,
  RESULT_FORMAT_V1,
  runIdOf,
  startParams,
} from '@polytoy/experiments';
import { oppositeSignConstruction } from '@polytoy/analytic';

function def(name: string, small: Partial<ExperimentDefinition['sizes']['small']>): ExperimentDefinition {
  const d = EXPERIMENTS[name]!;
  return { ...d, sizes: { ...d.sizes, small: { ...d.sizes.small, ...small } } };
}

function noisy(p: ModelParams, seed: number, std: number): ModelParams {
  const rng = createPrng(seed);
  const s = serializeParams(p);
  const jitter = (xs: number[]) => xs.map((x) => x + std * rng.normal());
  return deserializeParams(s.kind === 'tied' ? { ...s, W: jitter(s.W) } : { ...s, E: jitter(s.E), D: jitter(s.D) });
}

/** Parameters standing in for a trained run: construction starts keep the construction, random starts alternate between opposite-sign pairs and noise. */
function fakeTrained(spec: RunSpec): ModelParams {
  const { n, m } = spec.config.model;
  if (spec.start.kind === 'construction') return noisy(startParams(spec)!, spec.seed, 0.01);
  if (spec.config.data.kind === 'basis') {
    const rng = createPrng(spec.seed + 100 * m);
    const W = new Float32Array(m * n);
    // Each feature gets one weight ~1 on a random neuron: collisions make polysemantic neurons.
    for (let i = 0; i < n; i++) W[rng.nextInt(m) * n + i] = 1;
    return { kind: 'tied', n, m, W, b: new Float32Array(n) };
  }
  const base = oppositeSignConstruction({ n, m: Math.max(m, n / 2) });
  const tied = spec.seed % 2 === 0 ? base : noisy(base, spec.seed, 0.4);
  if (spec.config.model.weights.kind === 'tied') return tied.kind === 'tied' ? tied : base;
  const W = tied.kind === 'tied' ? tied.W : base.W;
  const D = new Float32Array(n * m);
  for (let j = 0; j < m; j++) for (let i = 0; i < n; i++) D[i * m + j] = W[j * n + i]!;
  return { kind: 'untied', n, m, E: W.slice(), D, b: tied.b.slice() };
}

function lineFor(spec: RunSpec): ResultLine {
  const params = fakeTrained(spec);
  const a = analyseRun(spec, params);
  const steps = spec.config.steps;
  const history = Array.from({ length: 11 }, (_, k) => {
    const loss = 2 * Math.exp(-k / 2) + 0.01 * (1 + spec.seed);
    return { step: Math.round((k * steps) / 10), instance: 0, loss, reconstruction: loss / 2, l1: 3 };
  });
  const last = history[history.length - 1]!;
  // Written as the format before convergence tracking (fixed steps), read back as today's readers do.
  return checkResultLine({
    format: RESULT_FORMAT_V1,
    experiment: spec.experiment,
    version: spec.version,
    runId: runIdOf(spec),
    spec,
    status: 'ok',
    divergedAtStep: null,
    finalLoss: last.loss,
    reconstruction: last.reconstruction,
    l1: last.l1,
    exactLoss: a.exactLoss,
    classification: a.classification,
    evidence: a.evidence,
    analysis: a.details,
    params: serializeParams(params),
    history: compactHistory(history),
    wallSeconds: 0.5,
    groupSize: 4,
    runtime: null,
    createdAt: '2024-01-01T00:00:00.000Z',
  });
}

/** The four experiments' shapes, tiny: finds-solution, stability, untied-choice, collisions. */
export const SYNTHETIC_DEFINITIONS: readonly ExperimentDefinition[] = [
  def('finds-solution', { n: [8], m: [{ perHalf: 0 }, { perHalf: 1 }], seeds: 2 }),
  def('stability', {
    n: [8],
    lambda: [1e-2],
    seeds: 1,
    start: [
      { kind: 'construction', c: 0.5, perturbation: 0 },
      { kind: 'construction', c: 1, perturbation: 0.02 },
    ],
  }),
  def('untied-choice', {
    n: [8],
    m: [{ perHalf: 2 }],
    hiddenActivation: ['none'],
    lambda: [1e-2],
    optimizer: [{ kind: 'adam' }],
    weights: ['untied'],
    start: [{ kind: 'random' }, { kind: 'construction', c: 0.5, perturbation: 0.01 }],
    seeds: 2,
  }),
  def('collisions', { n: [16], m: [{ ratio: 1 }, { ratio: 2 }], seeds: 3 }),
];

/** Synthetic lines of every experiment in {@link SYNTHETIC_DEFINITIONS}. */
export function syntheticResults(): ResultLine[] {
  return SYNTHETIC_DEFINITIONS.flatMap((d) => expandGrid(d, 'small').map(lineFor));
}
