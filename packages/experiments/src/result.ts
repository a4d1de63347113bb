/**
 * One JSON line per run: what was run (spec), how it ended (losses, parameters, history) and
 * what it is (the metrics' classification and evidence, exact population loss).
 */
import type { DivergenceReason, InstanceStatus, LossRecord, ModelParams, RuntimeInfo, SerializedParams } from '@polytoy/core';
import { PolytoyError } from '@polytoy/core';
import type { RunSpec } from './definition.js';
import { resultLineSchema } from './result-schema.js';
import type { SuperpositionSummary, TaxonomySummary } from '@polytoy/metrics';

/**
 * Format tag of a result line; readers reject other formats. `/2` replaced `status: 'ok'` by
 * `converged` / `capped` and `divergedAtStep` by `step` and `divergence`; `/1` lines (fixed-step
 * runs) are read as `capped` at their config's steps (see {@link checkResultLine}).
 */
export const RESULT_FORMAT = 'polytoy.experiment-result/2' as const;
/** The previous format, still read. */
export const RESULT_FORMAT_V1 = 'polytoy.experiment-result/1' as const;

/** Population loss components. */
export interface LossComponents {
  loss: number;
  reconstruction: number;
  l1: number;
}

/**
 * The population loss of a run (half-split data): exact (enumerated support, n <= 32) or a
 * seeded Monte-Carlo estimate (n > 32; @polytoy/metrics `populationLossOf`). The field holding
 * it is still called `exactLoss`; `method` says which it is.
 */
export interface ExactLoss extends LossComponents {
  /** `exact`, or `monte-carlo` (an estimate: see `standardError`). Lines of analysis version <= 2 have none: read as `exact`. */
  method: 'exact' | 'monte-carlo';
  /** Standard errors of `loss` and `reconstruction` (0 for exact; read as 0 in older lines). */
  standardError: { loss: number; reconstruction: number };
  /** Points averaged: the support size (exact) or the Monte-Carlo sample count; absent in older lines. */
  samples?: number;
}

/**
 * Per-output use of the ±eps neurons (untied models): output i "uses" them when their summed
 * shift on it (up when its own half is on, down when the other is) is at least USE_THRESHOLD.
 */
export interface DisambiguationUse {
  /** Rows of the disambiguation neurons found in the encoder. */
  neurons: number[];
  /** Per output i: the decoder's net shift `c_i` (same units as c, positive = helps). */
  shift: number[];
  /** Per output i: shift >= threshold. */
  uses: boolean[];
  /** Fraction of outputs that use it. */
  fraction: number;
}

/** Numbers about a run's final parameters beyond its classification. */
export interface RunDetails {
  /**
   * Version of the analysis (`ANALYSIS_VERSION` of @polytoy/metrics) that wrote these details:
   * 2 = the taxonomy; 3 = `exactLoss` with `method` (Monte Carlo for n > 32); absent in older
   * lines (the per-neuron classifier and `functional`).
   */
  version?: number;
  /** Summed shift c of the ±eps neurons (the taxonomy's report), or null without one. */
  c: number | null;
  /** Mean output bias. */
  biasMean: number;
  /** The paper's polysemantic-neuron count (neurons with > 1 weight of |w| in [0.8, 1.2]). */
  polysemanticCount: number;
  /** `n^2 / (4m)`, the paper's prediction for basis data; null for other data. */
  expectedPolysemanticCount: number | null;
  /** Untied: per-output use of the disambiguation neurons; null for tied models. */
  disambiguationUse: DisambiguationUse | null;
  /** Construction starts: what the analytic package says about the start point; else null. */
  start?: StartAnalysis | null;
  /**
   * Half-split data: the taxonomy (label, name, family and distances, per-output mechanisms,
   * ±eps-neuron report, measured structure; see @polytoy/metrics `TaxonomySummary`); null otherwise.
   */
  taxonomy?: TaxonomySummary | null;
  /** Sparse-uniform data: Elhage et al.'s feature norms and dimensionality; null otherwise. */
  superposition?: SuperpositionSummary | null;
}

/** Analytic facts about a construction start (the unperturbed construction). */
export interface StartAnalysis {
  /** The start's c. */
  c: number;
  /** Exact population loss at the start (n <= 32 only). */
  exactLoss: LossComponents;
  /** `localAnalysis` verdict at the start (e.g. 'not-stationary', 'strict-local-min'). */
  verdict: string;
  gradientNorm: number;
  /**
   * Tied, linear hidden layer: the end of the gradient flow restricted to the symmetric family
   * (`symmetricOptimum`), i.e. where training from the exact construction should go; else null.
   */
  predicted: { c: number; w: number; b: number; loss: number; reconstruction: number } | null;
}

/** What the metrics and the analytic package say about a run's final parameters. */
export interface RunAnalysis {
  /** Population loss with the run's lambda (exact for n <= 32, Monte Carlo above), or null (not half-split). */
  exactLoss: ExactLoss | null;
  /** The taxonomy's solution label (`SolutionLabel` of @polytoy/metrics), or null when the data kind has none. */
  classification: string | null;
  /** The neuron-level reading's evidence (JSON): pairs, ±eps neurons by weights, dead features. */
  evidence: unknown;
  details: RunDetails;
}

/** One line of a results file. */
export interface ResultLine {
  format: typeof RESULT_FORMAT;
  experiment: string;
  version: number;
  runId: string;
  spec: RunSpec;
  /**
   * How training ended: `converged` (the convergence criterion was met at `step`), `capped`
   * (trained to the step cap without meeting it: not a converged result, summaries count it
   * apart), or `diverged` (then the losses and analyses are null; `divergence` says why).
   */
  status: InstanceStatus;
  /** Updates trained: the convergence step, the cap, or the step of the divergence. */
  step: number;
  /** For a diverged run: the trainer's reason and one-line message; else null. */
  divergence: { reason: DivergenceReason; message: string } | null;
  /**
   * Set when the line was read from an older format ({@link RESULT_FORMAT_V1}): it trained a
   * fixed number of steps and convergence was never checked, so its `capped` means "unknown".
   */
  upgradedFrom?: typeof RESULT_FORMAT_V1;
  /** Loss, reconstruction and L1 of the final evaluation batch (trainer's last record). */
  finalLoss: number | null;
  reconstruction: number | null;
  l1: number | null;
  exactLoss: ExactLoss | null;
  classification: string | null;
  evidence: unknown;
  /** Further numbers (null for diverged runs). */
  analysis: RunDetails | null;
  /** Final parameters, or null when the experiment does not keep them for this run. */
  params: SerializedParams | null;
  /**
   * Loss history by column: subsampled (at most `HISTORY_POINTS` records, first and last kept),
   * or every logged record with `history: 'full'`; a diverged run's up to its divergence.
   */
  history: CompactHistory;
  /** The training call's wall time divided by the instances it trained. */
  wallSeconds: number;
  /** Instances trained in the same call. */
  groupSize: number;
  runtime: RuntimeInfo | null;
  createdAt: string;
}

/** How many history records a line keeps. */
export const HISTORY_POINTS = 20;

/** Significant digits kept for losses in histories, for stored parameters, and for analyses. */
export const HISTORY_DIGITS = 5;
export const PARAMS_DIGITS = 6;
export const ANALYSIS_DIGITS = 6;

/** A loss history by column (much shorter JSON than one object per record). */
export interface CompactHistory {
  step: number[];
  loss: number[];
  reconstruction: number[];
  l1: number[];
}

/** Rounds to `digits` significant digits (keeps 0, NaN and infinities as they are). */
export function roundTo(x: number, digits: number): number {
  return Number.isFinite(x) && x !== 0 ? Number(x.toPrecision(digits)) : x;
}

/**
 * Rounds every number in a JSON-like value to `digits` significant digits (a copy; strings,
 * booleans and null unchanged). Result lines use it for analyses and evidence: 17-digit
 * doubles there are noise and triple the file size.
 *
 * @example
 * roundDeep({ a: [0.123456789, 2] }, 3); // { a: [0.123, 2] }
 */
export function roundDeep<T>(value: T, digits = ANALYSIS_DIGITS): T {
  if (typeof value === 'number') return roundTo(value, digits) as T;
  if (Array.isArray(value)) return value.map((v) => roundDeep(v, digits)) as T;
  if (value && typeof value === 'object' && !ArrayBuffer.isView(value)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, roundDeep(v, digits)])) as T;
  }
  return value;
}

/**
 * Keeps about `points` evenly spaced records (always the first and the last), by column, with
 * values rounded to {@link HISTORY_DIGITS} significant digits.
 *
 * @example
 * compactHistory(result.instances[0].history, 3).step; // [0, middle step, last step]
 */
export function compactHistory(history: readonly LossRecord[], points = HISTORY_POINTS): CompactHistory {
  const out: CompactHistory = { step: [], loss: [], reconstruction: [], l1: [] };
  let last = -1;
  const count = Math.min(points, history.length);
  for (let k = 0; k < count; k++) {
    const idx = count === 1 ? history.length - 1 : Math.round((k * (history.length - 1)) / (count - 1));
    if (idx === last) continue;
    last = idx;
    const r = history[idx]!;
    out.step.push(r.step);
    out.loss.push(roundTo(r.loss, HISTORY_DIGITS));
    out.reconstruction.push(roundTo(r.reconstruction, HISTORY_DIGITS));
    out.l1.push(roundTo(r.l1, HISTORY_DIGITS));
  }
  return out;
}

/**
 * Every history record, by column, at full precision (`--history full`).
 *
 * @example
 * fullHistory(result.instances[0].history).step.length; // = history.length
 */
export function fullHistory(history: readonly LossRecord[]): CompactHistory {
  return {
    step: history.map((r) => r.step),
    loss: history.map((r) => r.loss),
    reconstruction: history.map((r) => r.reconstruction),
    l1: history.map((r) => r.l1),
  };
}

/**
 * Serialises parameters with values rounded to {@link PARAMS_DIGITS} significant digits
 * (enough for heat maps and re-analysis, a third of the JSON of exact float32 values).
 */
export function compactParams(p: ModelParams): SerializedParams {
  const r = (a: Float32Array): number[] => Array.from(a, (x) => roundTo(x, PARAMS_DIGITS));
  return p.kind === 'tied'
    ? { kind: 'tied', n: p.n, m: p.m, W: r(p.W), b: r(p.b) }
    : { kind: 'untied', n: p.n, m: p.m, E: r(p.E), D: r(p.D), b: r(p.b) };
}

/**
 * Parses one results line and checks its format tag and the fields readers rely on.
 *
 * @throws PolytoyError naming the line (when given) and what is wrong.
 * @example
 * const line = parseResultLine(text.split('\n')[0]);
 */
export function parseResultLine(text: string, where = 'result line'): ResultLine {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new PolytoyError(`${where}: not JSON (${(e as Error).message})`);
  }
  return checkResultLine(value, where);
}

const STATUSES: readonly InstanceStatus[] = ['converged', 'capped', 'diverged'];

/** A `/1` line in the `/2` shape: a fixed-step run, so `ok` becomes `capped` at its config's steps. */
function upgradeV1(v: Record<string, unknown>): Record<string, unknown> {
  const { divergedAtStep, ...rest } = v;
  const steps = (v.spec as { config?: { steps?: unknown } } | undefined)?.config?.steps;
  const diverged = v.status === 'diverged';
  return {
    ...rest,
    format: RESULT_FORMAT,
    upgradedFrom: RESULT_FORMAT_V1,
    status: diverged ? 'diverged' : v.status === 'ok' ? 'capped' : v.status,
    step: diverged ? divergedAtStep : steps,
    divergence: diverged
      ? { reason: 'non-finite-loss', message: `diverged at step ${String(divergedAtStep)} (NaN/Inf; ${RESULT_FORMAT_V1} line)` }
      : null,
  };
}

/**
 * Validates an already parsed result line (see {@link parseResultLine}). A `/1` line is read as
 * `/2`: `ok` runs trained a fixed number of steps, so they are `capped` (not converged).
 */
export function checkResultLine(value: unknown, where = 'result line'): ResultLine {
  let v = value as Partial<ResultLine> | null;
  if (v && typeof v === 'object' && (v.format as string) === RESULT_FORMAT_V1) {
    v = upgradeV1(v as Record<string, unknown>) as Partial<ResultLine>;
  }
  if (!v || typeof v !== 'object' || v.format !== RESULT_FORMAT) {
    throw new PolytoyError(
      `${where}: expected format "${RESULT_FORMAT}" (or "${RESULT_FORMAT_V1}"), received ${JSON.stringify(v?.format)}`,
    );
  }
  if (!STATUSES.includes(v.status as InstanceStatus)) {
    throw new PolytoyError(`${where}: expected status "converged" | "capped" | "diverged", received ${JSON.stringify(v.status)}`);
  }
  if (typeof v.step !== 'number' || !Number.isSafeInteger(v.step) || v.step < 0) {
    throw new PolytoyError(`${where}: expected a step (integer >= 0), received ${JSON.stringify(v.step)}`);
  }
  for (const key of ['experiment', 'runId'] as const) {
    if (typeof v[key] !== 'string')
      throw new PolytoyError(`${where}: expected a string ${key}, received ${JSON.stringify(v[key])}`);
  }
  if (!v.spec || typeof v.spec !== 'object' || typeof v.spec.cellKey !== 'string') {
    throw new PolytoyError(`${where}: expected a run spec with a cellKey`);
  }
  // Every field readers use, typed (one line naming the first bad field, never a TypeError later).
  // The spec is checked where it is used (its cellKey above; a grid's own readers for the rest).
  const checked = resultLineSchema.omit({ spec: true }).safeParse(v);
  if (!checked.success) {
    const issue = checked.error.issues[0]!;
    throw new PolytoyError(`${where}: field ${issue.path.join('.') || '(line)'}: ${issue.message}`);
  }
  return withLossMethod(v as ResultLine);
}

/** Lines written before analysis version 3 have an exact loss without `method`: it was enumerated. */
function withLossMethod(line: ResultLine): ResultLine {
  const e = line.exactLoss as (LossComponents & Partial<ExactLoss>) | null;
  if (!e || (e.method && e.standardError)) return line;
  return {
    ...line,
    exactLoss: { ...e, method: e.method ?? 'exact', standardError: e.standardError ?? { loss: 0, reconstruction: 0 } },
  };
}
