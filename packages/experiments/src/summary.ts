/**
 * Summaries of result lines per grid cell (or per any subset of the cell's coordinates): how
 * often each solution label occurs (and each label with its per-output counts), the outputs by
 * mechanism, the ±eps neurons by role, success rates, loss statistics, fitted c, polysemantic
 * counts. The report and docs/FINDINGS.md are built from these; {@link taxonomyOf} and
 * {@link nameOf} read one line.
 */
import type { OutputMechanism, TaxonomySummary } from '@polytoy/metrics';
import { OUTPUT_MECHANISMS } from '@polytoy/metrics';
import type { CellCoordinates } from './definition.js';
import type { ResultLine } from './result.js';
import type { ShareInterval } from './stats.js';
import { shareInterval } from './stats.js';

/** A cell coordinate name. */
export type CoordinateName = keyof CellCoordinates;

/** Every coordinate, in grid-expansion order (also the sort order of summaries). */
export const COORDINATES: readonly CoordinateName[] = [
  'n',
  'm',
  'hiddenActivation',
  'weights',
  'optimizer',
  'start',
  'lambda',
  'lr',
  'density',
  'importanceDecay',
];

/** Label used for diverged runs, runs that hit the step cap, and runs without a classification. */
export const DIVERGED_LABEL = 'diverged';
export const CAPPED_LABEL = 'capped';
export const UNCLASSIFIED_LABEL = 'unclassified';

/** Mean and spread of a quantity over the runs of a cell (runs where it is defined). */
export interface Stat {
  mean: number;
  std: number;
  min: number;
  max: number;
  /** Runs that had the quantity. */
  count: number;
}

/** The summary of one cell (or one group of cells sharing the chosen coordinates). */
export interface CellSummary {
  experiment: string;
  version: number;
  /** Values of the grouping coordinates. */
  coordinates: Partial<CellCoordinates>;
  /** Canonical key of `coordinates`. */
  key: string;
  runs: number;
  /** Runs per status: converged, capped (trained to the step cap without converging), diverged. */
  status: { converged: number; capped: number; diverged: number };
  /**
   * Runs per solution label of converged runs; diverged, capped and unclassified runs under
   * their own labels (`diverged`, `capped`, `unclassified`).
   */
  labels: Record<string, number>;
  /**
   * Runs per label with its counts ({@link nameOf}: `mixture (12 same-sign, 4 opposite-sign)`,
   * `distributed (2 opposite-sign, 14 distributed)`, `unmatched (8 other)`, …): the breakdown tables use so that no label pools different structures.
   */
  names: Record<string, number>;
  /** Outputs per mechanism (`OUTPUT_MECHANISMS`: same-sign, opposite-sign, monosemantic, distributed, dead, other), pooled over the runs with a taxonomy; lines analysed before a mechanism existed count 0 for it. */
  outputs: Record<OutputMechanism, number>;
  /**
   * Per mechanism, the mean over converged runs of the share of a run's outputs with it, with a
   * 95% interval over runs ({@link shareInterval}: the run is the unit, its outputs are not
   * independent); null when no converged run has a taxonomy.
   */
  outputShares: Record<OutputMechanism, ShareInterval | null>;
  /** Distance of each run to the family its label names. */
  familyDistance: Stat | null;
  /** Runs with at least one ±eps neuron, and the ±eps neurons by role (disambiguates, partial, cancelled, unread). */
  epsNeurons: { runs: number; roles: Record<string, number> };
  /** Same-sign runs on a linear hidden layer: the all-ones component (0 seed form, 1 m = n/2 form). */
  allOnesRemoved: Stat | null;
  /**
   * Fraction of the runs that ended (converged or diverged; diverged ones count as failures)
   * whose reconstruction is <= the tolerance. Capped runs are left out (see `status.capped`);
   * NaN when every run was capped.
   */
  successRate: number;
  /**
   * Ended runs whose success was decided on a Monte-Carlo estimate within {@link AMBIGUITY_SE}
   * standard errors of the tolerance (`|reconstruction − tolerance| <= 2 SE`): counted by the
   * estimate in `successRate`, and reported here so that none is counted silently.
   */
  ambiguous: number;
  /**
   * Converged runs by how their population loss was computed: `exact` (enumerated, n <= 32),
   * `monteCarlo` (seeded estimate, n > 32), `finalBatch` (no population loss: the last batch's).
   */
  lossMethods: { exact: number; monteCarlo: number; finalBatch: number };
  /** Standard error of the Monte-Carlo reconstruction estimates of converged runs (null without any). */
  reconstructionSE: Stat | null;
  /** Of converged runs (as every statistic below but wall time): reconstruction per sample, the population value (exact or Monte Carlo) when known, else the final batch's. */
  reconstruction: Stat | null;
  /** Total loss (population value, exact or Monte Carlo, when known; else final batch). */
  loss: Stat | null;
  /** Fitted disambiguation strength c. */
  c: Stat | null;
  polysemanticCount: Stat | null;
  /** The paper's n^2/(4m) (the same for every run of a cell). */
  expectedPolysemanticCount: number | null;
  /** Untied: fraction of outputs reading a detected disambiguation neuron (neuron level). */
  disambiguationUse: Stat | null;
  /** Fraction of each run's outputs whose mechanism is same-sign (read their partner and are disambiguated). */
  disambiguatedOutputs: Stat | null;
  wallSeconds: Stat | null;
}

/** Options of {@link summarise}. */
export interface SummariseOptions {
  /** Group by these coordinates (default: all, i.e. one summary per grid cell). */
  by?: readonly CoordinateName[];
  /** A run succeeds when its reconstruction per sample is <= this (default 0.05). */
  successTolerance?: number;
}

function stat(values: number[]): Stat | null {
  const xs = values.filter((v) => Number.isFinite(v));
  if (xs.length === 0) return null;
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const std = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length);
  return { mean, std, min: Math.min(...xs), max: Math.max(...xs), count: xs.length };
}

/**
 * The taxonomy of a line's run (the compact form the analysis stored), or null for lines
 * without one (other data kinds, diverged runs, lines written before the taxonomy).
 *
 * @example
 * taxonomyOf(line)?.outputs.codes; // 'ssssoooo…'
 */
export function taxonomyOf(line: ResultLine): TaxonomySummary | null {
  return line.analysis?.taxonomy ?? null;
}

/**
 * The label of a run with its per-output counts when it has them (`mixture (12 same-sign,
 * 4 opposite-sign)`), else {@link labelOf}.
 */
export function nameOf(line: ResultLine): string {
  const t = taxonomyOf(line);
  return t && labelOf(line) === t.label ? t.name : labelOf(line);
}

/** The label of a run: its classification, or `diverged` / `capped` / `unclassified`. */
export function labelOf(line: ResultLine): string {
  if (line.status === 'diverged') return DIVERGED_LABEL;
  if (line.status === 'capped') return CAPPED_LABEL;
  return line.classification ?? UNCLASSIFIED_LABEL;
}

/** A Monte-Carlo success decision within this many standard errors of the tolerance is ambiguous. */
export const AMBIGUITY_SE = 2;

/**
 * Reconstruction per sample used for success: the population value when known (exact for
 * n <= 32, the Monte-Carlo estimate above), else the final batch's.
 */
export function reconstructionOf(line: ResultLine): number {
  if (line.status === 'diverged') return Number.POSITIVE_INFINITY;
  return line.exactLoss?.reconstruction ?? line.reconstruction ?? Number.POSITIVE_INFINITY;
}

/** How a line's loss was computed: `exact`, `monte-carlo`, or `final-batch` (no population loss). */
export function lossMethodOf(line: ResultLine): 'exact' | 'monte-carlo' | 'final-batch' {
  if (!line.exactLoss) return 'final-batch';
  return line.exactLoss.method ?? 'exact';
}

/** Standard error of the line's reconstruction (0 when exact; NaN for the final batch's). */
export function reconstructionErrorOf(line: ResultLine): number {
  const e = line.exactLoss;
  if (!e) return Number.NaN;
  return e.standardError?.reconstruction ?? 0;
}

/**
 * The ambiguity rule, on plain numbers (the report applies it to its own run records): an
 * estimate within {@link AMBIGUITY_SE} standard errors of the tolerance.
 *
 * @example
 * withinAmbiguity(0.00099, 0.001, 1e-5); // true
 */
export function withinAmbiguity(estimate: number, tolerance: number, standardError: number): boolean {
  return Math.abs(estimate - tolerance) <= AMBIGUITY_SE * standardError;
}

/** Whether a run's success at `tolerance` rests on a Monte-Carlo estimate within {@link AMBIGUITY_SE} SE of it. */
export function isAmbiguous(line: ResultLine, tolerance: number): boolean {
  if (line.status === 'diverged' || lossMethodOf(line) !== 'monte-carlo') return false;
  return withinAmbiguity(reconstructionOf(line), tolerance, reconstructionErrorOf(line));
}

function compareValues(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a).localeCompare(String(b));
}

/**
 * Keeps the last line of each run id (a rerun or an overlapping shard replaces older lines).
 *
 * @example
 * dedupeResults([...fileA, ...fileB]);
 */
export function dedupeResults(results: readonly ResultLine[]): ResultLine[] {
  const byId = new Map<string, ResultLine>();
  for (const r of results) {
    byId.delete(r.runId);
    byId.set(r.runId, r);
  }
  return [...byId.values()];
}

/**
 * Summarises result lines per cell (or per the coordinates in `by`), per experiment and
 * version, sorted by experiment, then by the coordinates in grid order. Duplicate run ids count
 * once (the last line wins).
 *
 * @example
 * summarise(lines); // one CellSummary per grid cell
 * summarise(lines, { by: ['n', 'weights', 'hiddenActivation'] }); // pooled over m, lambda, lr
 */
export function summarise(results: readonly ResultLine[], opts: SummariseOptions = {}): CellSummary[] {
  const by = opts.by ?? COORDINATES;
  const tol = opts.successTolerance ?? 0.05;
  const groups = new Map<string, { lines: ResultLine[]; coordinates: Partial<CellCoordinates> }>();
  for (const line of dedupeResults(results)) {
    const coordinates: Partial<CellCoordinates> = {};
    for (const k of by) (coordinates as Record<string, unknown>)[k] = line.spec.cell[k];
    const key = JSON.stringify([line.experiment, line.version, ...by.map((k) => line.spec.cell[k])]);
    const g = groups.get(key);
    if (g) g.lines.push(line);
    else groups.set(key, { lines: [line], coordinates });
  }
  const out: CellSummary[] = [];
  for (const [key, { lines, coordinates }] of groups) {
    const first = lines[0]!;
    const labels: Record<string, number> = {};
    const names: Record<string, number> = {};
    for (const l of lines) {
      labels[labelOf(l)] = (labels[labelOf(l)] ?? 0) + 1;
      names[nameOf(l)] = (names[nameOf(l)] ?? 0) + 1;
    }
    const ok = lines.filter((l) => l.status === 'converged');
    const ended = lines.filter((l) => l.status !== 'capped');
    const outputs = Object.fromEntries(OUTPUT_MECHANISMS.map((k) => [k, 0])) as Record<OutputMechanism, number>;
    const roles: Record<string, number> = {};
    let epsRuns = 0;
    for (const l of ok) {
      const t = taxonomyOf(l);
      if (!t) continue;
      for (const k of OUTPUT_MECHANISMS) outputs[k] += t.outputs.counts[k] ?? 0;
      if (t.eps.neurons.length > 0) epsRuns++;
      for (const e of t.eps.neurons) roles[e.role] = (roles[e.role] ?? 0) + 1;
    }
    const taxonomies = ok.map(taxonomyOf).filter((t): t is TaxonomySummary => t !== null && t.outputs.codes.length > 0);
    const outputShares = Object.fromEntries(
      OUTPUT_MECHANISMS.map((k) => [
        k,
        taxonomies.length > 0 ? shareInterval(taxonomies.map((t) => (t.outputs.counts[k] ?? 0) / t.outputs.codes.length)) : null,
      ]),
    ) as Record<OutputMechanism, ShareInterval | null>;
    const expected = ok.map((l) => l.analysis?.expectedPolysemanticCount).find((v) => v != null);
    out.push({
      experiment: first.experiment,
      version: first.version,
      coordinates,
      key,
      runs: lines.length,
      status: {
        converged: ok.length,
        capped: lines.length - ended.length,
        diverged: ended.length - ok.length,
      },
      labels,
      names,
      outputs,
      outputShares,
      familyDistance: stat(ok.map((l) => taxonomyOf(l)?.distance ?? Number.NaN)),
      epsNeurons: { runs: epsRuns, roles },
      allOnesRemoved: stat(ok.map((l) => taxonomyOf(l)?.form?.allOnesRemoved ?? Number.NaN)),
      successRate: ended.length > 0 ? ended.filter((l) => reconstructionOf(l) <= tol).length / ended.length : Number.NaN,
      ambiguous: ended.filter((l) => isAmbiguous(l, tol)).length,
      lossMethods: {
        exact: ok.filter((l) => lossMethodOf(l) === 'exact').length,
        monteCarlo: ok.filter((l) => lossMethodOf(l) === 'monte-carlo').length,
        finalBatch: ok.filter((l) => lossMethodOf(l) === 'final-batch').length,
      },
      reconstructionSE: stat(ok.filter((l) => lossMethodOf(l) === 'monte-carlo').map(reconstructionErrorOf)),
      reconstruction: stat(ok.map(reconstructionOf)),
      loss: stat(ok.map((l) => l.exactLoss?.loss ?? l.finalLoss ?? Number.NaN)),
      c: stat(ok.map((l) => l.analysis?.c ?? Number.NaN)),
      polysemanticCount: stat(ok.map((l) => l.analysis?.polysemanticCount ?? Number.NaN)),
      expectedPolysemanticCount: expected ?? null,
      disambiguationUse: stat(ok.map((l) => l.analysis?.disambiguationUse?.fraction ?? Number.NaN)),
      disambiguatedOutputs: stat(
        ok.map((l) => {
          const t = taxonomyOf(l);
          return t ? (t.outputs.counts['same-sign'] ?? 0) / t.outputs.codes.length : Number.NaN;
        }),
      ),
      wallSeconds: stat(lines.map((l) => l.wallSeconds)),
    });
  }
  out.sort((a, b) => {
    if (a.experiment !== b.experiment) return a.experiment.localeCompare(b.experiment);
    if (a.version !== b.version) return a.version - b.version;
    for (const k of by) {
      const d = compareValues(a.coordinates[k], b.coordinates[k]);
      if (d !== 0) return d;
    }
    return 0;
  });
  return out;
}

/**
 * Every label seen in the summaries, most frequent first (ties alphabetical): the columns of
 * a success table.
 */
export function labelsOf(summaries: readonly CellSummary[]): string[] {
  const total = new Map<string, number>();
  for (const s of summaries) for (const [k, v] of Object.entries(s.labels)) total.set(k, (total.get(k) ?? 0) + v);
  return [...total.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([k]) => k);
}
