/**
 * The report's one input interface: {@link ReportRun}, what every figure reads, and
 * {@link toReportRuns}, the only code that knows how result lines store it. When the result
 * format grows (convergence status, a new taxonomy of families), only this file changes.
 *
 * Result lines come from files anyone can hand us: every field is read defensively (a wrong
 * type becomes null or a string, never an exception or a NaN in a chart) and every string is
 * treated as untrusted text (the HTML layer escapes it).
 */
import type { ModelParams } from '@polytoy/core';
import { deserializeParams } from '@polytoy/core';
import type { ResultLine } from '@polytoy/experiments';

/**
 * How a run ended: `converged` (met the convergence criterion), `capped` (hit the step cap
 * without converging: shown apart, never counted in rates), `diverged`, or `unrecorded` (the
 * result format predates convergence tracking).
 */
export type Convergence = 'converged' | 'capped' | 'diverged' | 'unrecorded';

/** Per-output mechanism counts of a run (basis-free reading of the function). */
export interface OutputMechanisms {
  /** One code per output: `d` disambiguated, `i` inhibited, `0` dead. */
  codes: string;
  disambiguated: number;
  inhibited: number;
  dead: number;
}

/** The grid coordinates of a run's cell, as the report shows them. */
export interface ReportCell {
  n: number;
  m: number;
  hidden: string;
  weights: string;
  optimizer: string;
  lambda: number;
  lr: number;
  /** The start, short: `random`, or `c=0.5 δ=0` for the construction with c and perturbation std δ. */
  start: string;
}

/** Everything the report's figures read about one run. */
export interface ReportRun {
  id: string;
  experiment: string;
  /** The experiment version as text. */
  version: string;
  cell: ReportCell;
  seed: number;
  /** `half-split`, `basis`, `sparse-uniform`, or what the line says. */
  data: string;
  start: { kind: 'random' } | { kind: 'construction'; c: number; perturbation: number } | { kind: 'other'; label: string };
  convergence: Convergence;
  /** The solution family (one labelling system), `diverged`, or null when the data has none. */
  family: string | null;
  /** Distance to the family's nearest member, when the analysis reports one. */
  familyDistance: number | null;
  outputs: OutputMechanisms | null;
  /** Neuron-aligned ±eps (disambiguation) neurons. */
  epsNeurons: number[];
  /** Fitted disambiguation strength c of the ±eps neuron(s), null without one. */
  c: number | null;
  /** Mean output bias. */
  biasMean: number | null;
  /** Construction starts: the analytic end point of the symmetric gradient flow (c), else null. */
  predictedC: number | null;
  /** Construction starts: the exact loss and the local verdict at the start, else null. */
  startAnalysis: { loss: number | null; verdict: string } | null;
  /** Total loss: the population loss (exact, or Monte Carlo: see `lossMethod`) when the line has one, else the final batch's. */
  loss: number | null;
  reconstruction: number | null;
  /** The loss is the exact population loss (enumerated support). */
  exact: boolean;
  /** How `loss` and `reconstruction` were computed: `exact`, `monte-carlo` (n > 32, with `lossSE`) or `final-batch`. */
  lossMethod: 'exact' | 'monte-carlo' | 'final-batch';
  /** Monte Carlo: standard errors of `loss` and `reconstruction`; else null. */
  lossSE: { loss: number; reconstruction: number } | null;
  /** Untied: per output, the shift from the ±eps neurons and whether it reads them. */
  readsEps: { shift: number[]; fraction: number } | null;
  polysemanticCount: number | null;
  expectedPolysemanticCount: number | null;
  params: ModelParams | null;
  history: { step: number[]; loss: number[] };
  wallSeconds: number;
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const obj = (v: unknown): Record<string, unknown> => (isObject(v) ? v : {});
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const text = (v: unknown, fallback = '—'): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : fallback);
const numbers = (v: unknown): number[] => (Array.isArray(v) ? v.map((x) => (typeof x === 'number' ? x : Number.NaN)) : []);

function convergenceOf(line: Record<string, unknown>): Convergence {
  if (line.status === 'diverged') return 'diverged';
  // Lines read from the format before convergence tracking trained a fixed number of steps.
  if (line.upgradedFrom !== undefined) return 'unrecorded';
  const status = line.status;
  if (status === 'converged' || status === 'capped') return status;
  return 'unrecorded';
}

function startOf(spec: Record<string, unknown>): ReportRun['start'] {
  const s = obj(spec.start);
  if (s.kind === 'random') return { kind: 'random' };
  const c = num(s.c);
  const perturbation = num(s.perturbation);
  if (s.kind === 'construction' && c !== null && perturbation !== null) return { kind: 'construction', c, perturbation };
  return { kind: 'other', label: text(s.kind) };
}

function startText(start: ReportRun['start'], raw: unknown): string {
  if (start.kind === 'random') return 'random';
  if (start.kind === 'construction') return `c=${start.c} δ=${start.perturbation}`;
  return text(raw);
}

function paramsOf(v: unknown): ModelParams | null {
  if (!isObject(v)) return null;
  try {
    return deserializeParams(v);
  } catch {
    return null;
  }
}

/**
 * Per-output mechanisms of the taxonomy (analysis version 2: codes s/o/m/0/x; version 3 adds d,
 * distributed) in the report's three kinds: same-sign outputs are disambiguated; opposite-sign
 * and monosemantic ones are inhibited (nothing in the other half excites them); a distributed or
 * `other` output counts by its measured partner weight (>= 1/2: an other-half feature excites
 * it, as disambiguated outputs have), so a line reads the same in either version.
 */
function taxonomyOutputsOf(taxonomy: Record<string, unknown>): OutputMechanisms | null {
  const outputs = obj(taxonomy.outputs);
  const raw = outputs.codes;
  const pw = numbers(outputs.partnerWeight);
  if (typeof raw !== 'string' || !/^[somd0x]+$/.test(raw)) return null;
  const codes = [...raw]
    .map((ch, i) => (ch === 's' ? 'd' : ch === '0' ? '0' : (ch === 'x' || ch === 'd') && (pw[i] ?? 0) >= 0.5 ? 'd' : 'i'))
    .join('');
  return outputsOf({ outputs: codes });
}

function outputsOf(functional: Record<string, unknown>): OutputMechanisms | null {
  const codes = functional.outputs;
  if (typeof codes !== 'string' || !/^[di0]*$/.test(codes) || codes.length === 0) return null;
  const count = (ch: string) => [...codes].filter((c) => c === ch).length;
  return { codes, disambiguated: count('d'), inhibited: count('i'), dead: count('0') };
}

function epsNeuronsOf(
  evidence: Record<string, unknown>,
  analysis: Record<string, unknown>,
  taxonomy: Record<string, unknown>,
): number[] {
  const fromEvidence = Array.isArray(evidence.disambiguationNeurons)
    ? evidence.disambiguationNeurons.map((d) => num(obj(d).neuron))
    : [];
  const fromUse = numbers(obj(analysis.disambiguationUse).neurons);
  const eps = obj(taxonomy.eps).neurons;
  const fromTaxonomy = Array.isArray(eps) ? eps.map((d) => num(obj(d).neuron)) : [];
  const all = [...fromEvidence, ...fromUse, ...fromTaxonomy].filter(
    (j): j is number => j !== null && Number.isInteger(j) && j >= 0,
  );
  return [...new Set(all)];
}

/**
 * One result line as the report reads it.
 *
 * @example
 * const run = toReportRun(line);
 * run.family;      // e.g. 'disambiguation' (the basis-free mechanism of the old format)
 * run.convergence; // 'unrecorded' for lines without convergence tracking
 */
export function toReportRun(line: ResultLine): ReportRun {
  const l = line as unknown as Record<string, unknown>;
  const spec = obj(l.spec);
  const cell = obj(spec.cell);
  const analysis = obj(l.analysis);
  const functional = obj(analysis.functional);
  const taxonomy = obj(analysis.taxonomy);
  const evidence = obj(l.evidence);
  const exactLoss = obj(l.exactLoss);
  const convergence = convergenceOf(l);
  const population = num(exactLoss.loss) !== null;
  // Lines of analysis version <= 2 carry no method: their population loss was enumerated.
  const lossMethod = !population ? 'final-batch' : exactLoss.method === 'monte-carlo' ? 'monte-carlo' : 'exact';
  const se = obj(exactLoss.standardError);
  const exact = lossMethod === 'exact';
  const classification = typeof l.classification === 'string' ? l.classification : null;
  const mechanism = typeof functional.label === 'string' ? functional.label : null;
  const use = obj(analysis.disambiguationUse);
  const shift = numbers(use.shift).filter(Number.isFinite);
  const history = obj(l.history);
  const step = numbers(history.step);
  const loss = numbers(history.loss);
  const len = Math.min(step.length, loss.length);
  return {
    id: text(l.runId),
    experiment: text(l.experiment),
    version: text(l.version),
    cell: {
      n: num(cell.n) ?? 0,
      m: num(cell.m) ?? 0,
      hidden: text(cell.hiddenActivation),
      weights: text(cell.weights),
      optimizer: text(cell.optimizer),
      lambda: num(cell.lambda) ?? 0,
      lr: num(cell.lr) ?? 0,
      start: startText(startOf(spec), cell.start),
    },
    seed: num(spec.seed) ?? 0,
    data: text(obj(obj(spec.config).data).kind),
    start: startOf(spec),
    convergence,
    // One labelling system: the basis-free mechanism where the line has it, else the classifier's label.
    family: convergence === 'diverged' ? 'diverged' : (mechanism ?? classification),
    familyDistance: num(taxonomy.distance) ?? num(obj(analysis.family).distance),
    outputs: taxonomyOutputsOf(taxonomy) ?? outputsOf(functional),
    epsNeurons: epsNeuronsOf(evidence, analysis, taxonomy),
    c: num(analysis.c),
    biasMean: num(analysis.biasMean),
    predictedC: num(obj(obj(analysis.start).predicted).c),
    startAnalysis: isObject(analysis.start)
      ? { loss: num(obj(analysis.start.exactLoss).loss), verdict: text(analysis.start.verdict) }
      : null,
    loss: num(exactLoss.loss) ?? num(l.finalLoss),
    reconstruction: num(exactLoss.reconstruction) ?? num(l.reconstruction),
    exact,
    lossMethod,
    lossSE:
      lossMethod === 'monte-carlo'
        ? { loss: num(se.loss) ?? Number.NaN, reconstruction: num(se.reconstruction) ?? Number.NaN }
        : null,
    readsEps: Object.keys(use).length ? { shift, fraction: num(use.fraction) ?? 0 } : null,
    polysemanticCount: num(analysis.polysemanticCount),
    expectedPolysemanticCount: num(analysis.expectedPolysemanticCount),
    params: paramsOf(l.params),
    history: { step: step.slice(0, len), loss: loss.slice(0, len) },
    wallSeconds: num(l.wallSeconds) ?? 0,
  };
}

/**
 * The report's runs: one per run id (the last line of an id wins, as in `dedupeResults`).
 *
 * @example
 * const runs = toReportRuns(await readResultLines(['finds-solution.jsonl']));
 */
export function toReportRuns(lines: readonly ResultLine[]): ReportRun[] {
  const byId = new Map<string, ReportRun>();
  for (const line of lines) {
    const run = toReportRun(line);
    byId.delete(run.id);
    byId.set(run.id, run);
  }
  return [...byId.values()];
}

/** Whether a run counts in rates: every finished run except capped (unconverged) ones. */
export function countsInRates(run: ReportRun): boolean {
  return run.convergence !== 'capped';
}
