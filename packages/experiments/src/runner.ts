/**
 * Runs an experiment: expands the grid, drops runs the store already holds (resume), groups
 * the rest into multi-instance training calls, trains them one call at a time, analyses every
 * instance and appends one result line per run.
 */
import type { ModelParams, Progress, TrainConfig, TrainResult } from '@polytoy/core';
import { DivergenceError } from '@polytoy/core';
import { train as trainerTrain } from '@polytoy/trainer';
import type { TrainOptions } from '@polytoy/trainer';
import { analyseRun } from './analyse.js';
import type { ExperimentDefinition, ExperimentSize, RunSpec } from './definition.js';
import type { RunGroup, Shard } from './grid.js';
import { expandGrid, groupRuns, inShard, runIdOf } from './grid.js';
import type { ResultLine, RunAnalysis } from './result.js';
import { compactHistory, compactParams, fullHistory, RESULT_FORMAT, roundDeep } from './result.js';
import { startParams } from './start.js';
import type { ResultStore } from './store.js';

/** The training function the runner calls (the trainer's `train` by default). */
export type TrainFunction = (config: TrainConfig, opts: Pick<TrainOptions, 'onProgress' | 'signal'>) => Promise<TrainResult>;

/** Progress of an experiment. `done`/`total` are work units (∝ FLOPs), so an ETA from them is fair. */
export interface ExperimentProgress extends Progress {
  runsDone: number;
  runsTotal: number;
  /** Runs skipped because the store already held them. */
  runsSkipped: number;
  callsDone: number;
  callsTotal: number;
}

/** Options of {@link runExperiment}. */
export interface RunExperimentOptions {
  /** Grid size (default `small`). */
  size?: ExperimentSize;
  /** Where result lines go and which runs are done. */
  store: ResultStore;
  onProgress?: (p: ExperimentProgress) => void;
  /** Stops between and inside training calls; finished calls are already stored. */
  signal?: AbortSignal;
  /** Run only this shard's training calls (see `parseShard`). */
  shard?: Shard;
  /** Most instances per training call (default 64). */
  maxInstancesPerCall?: number;
  /** Replaces the trainer (tests). */
  train?: TrainFunction;
  /** Replaces the analysis of final parameters (tests). */
  analyse?: (spec: RunSpec, params: ModelParams) => RunAnalysis;
  /** Clock for `createdAt` (tests). */
  now?: () => Date;
  /**
   * `compact` (default): about `HISTORY_POINTS` records per run, rounded; `full`: every logged
   * record at full precision (the config's `logEvery` sets the resolution).
   */
  history?: HistoryResolution;
}

/** How much loss history a result line keeps. */
export type HistoryResolution = 'compact' | 'full';

/** What {@link runExperiment} did. */
export interface ExperimentRunReport {
  experiment: string;
  version: number;
  size: ExperimentSize;
  /** Runs in this shard's part of the grid. */
  planned: number;
  /** Of those, already in the store. */
  skipped: number;
  /** Trained now (including diverged ones). */
  ran: number;
  diverged: number;
  /** Training calls made. */
  calls: number;
  wallSeconds: number;
}

/** Work units of a group: instances × steps × batch × n × m. */
function costOf(specs: readonly RunSpec[]): number {
  const c = specs[0]!.config;
  return specs.length * Math.max(1, c.steps) * c.batchSize * c.model.n * c.model.m;
}

/**
 * The training config of a group: the first run's config with every run's instance, and for a
 * construction start the given parameters and perturbation.
 */
export function groupConfig(specs: readonly RunSpec[]): TrainConfig {
  const first = specs[0]!;
  const config: TrainConfig = { ...first.config, instances: specs.map((s) => ({ ...s.config.instances[0]! })) };
  const params = startParams(first);
  if (params && first.start.kind === 'construction') {
    config.model = { ...config.model, init: { kind: 'given', params, perturbation: first.start.perturbation } };
  }
  return config;
}

function abortError(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('experiment aborted', 'AbortError');
}

/**
 * Runs (or resumes) an experiment.
 *
 * Runs whose id the store already holds are skipped. The rest are grouped into multi-instance
 * training calls (same n, m, model, optimizer kind, steps, batch; instances differ in seed,
 * lambda and lr) and each call's result lines are appended as soon as it finishes, so an
 * interrupted experiment loses at most the call in progress. An instance that diverges is
 * recorded with `status: 'diverged'` and the call is repeated without it (instances are
 * independent, so the others' results do not change).
 *
 * @param def - the experiment definition (e.g. `EXPERIMENTS['finds-solution']`).
 * @param opts - size, store, progress callback, abort signal, shard.
 * @returns counts of planned, skipped and trained runs.
 * @throws whatever aborted the run (the signal's reason, or the trainer's TrainingAbortedError)
 *   when `signal` fires; ConfigError for a bad grid.
 * @example
 * import { EXPERIMENTS, memoryStore, runExperiment } from '@polytoy/experiments';
 * const store = memoryStore();
 * await runExperiment(EXPERIMENTS['stability']!, { store, onProgress: (p) => console.log(p.message) });
 */
export async function runExperiment(def: ExperimentDefinition, opts: RunExperimentOptions): Promise<ExperimentRunReport> {
  const size = opts.size ?? 'small';
  const train = opts.train ?? ((config, o) => trainerTrain(config, o));
  const analyse = opts.analyse ?? analyseRun;
  const now = opts.now ?? (() => new Date());
  const started = globalThis.performance.now();

  const allGroups = groupRuns(expandGrid(def, size), opts.maxInstancesPerCall ?? 64).filter((g) => inShard(g, opts.shard));
  const done = await opts.store.completedRunIds();
  const planned = allGroups.reduce((a, g) => a + g.specs.length, 0);
  const pending: RunGroup[] = [];
  for (const g of allGroups) {
    const specs = g.specs.filter((s) => !done.has(runIdOf(s)));
    if (specs.length > 0) pending.push({ index: g.index, specs });
  }
  const runsTotal = pending.reduce((a, g) => a + g.specs.length, 0);
  const total = pending.reduce((a, g) => a + costOf(g.specs), 0);
  const report: ExperimentRunReport = {
    experiment: def.name,
    version: def.version,
    size,
    planned,
    skipped: planned - runsTotal,
    ran: 0,
    diverged: 0,
    calls: 0,
    wallSeconds: 0,
  };
  let workDone = 0;
  const progress = (fraction: number, group: RunGroup | null, loss?: number) => {
    const cell = group?.specs[0]?.cell;
    const where = cell
      ? ` · n=${cell.n} m=${cell.m} ${cell.weights} hidden=${cell.hiddenActivation} ×${group!.specs.length}`
      : '';
    opts.onProgress?.({
      done: workDone + fraction * (group ? costOf(group.specs) : 0),
      total,
      ...(loss !== undefined ? { loss } : {}),
      message: `${report.ran}/${runsTotal} runs${report.skipped ? ` (${report.skipped} already done)` : ''}${where}`,
      runsDone: report.ran,
      runsTotal,
      runsSkipped: report.skipped,
      callsDone: report.calls,
      callsTotal: pending.length,
    });
  };
  progress(0, null);

  for (const group of pending) {
    if (opts.signal?.aborted) throw abortError(opts.signal);
    let specs = group.specs.slice();
    const lines: ResultLine[] = [];
    while (specs.length > 0) {
      const config = groupConfig(specs);
      let result: TrainResult;
      try {
        report.calls++;
        const onProgress = (p: Progress) => progress(p.total > 0 ? p.done / p.total : 0, group, p.loss);
        result = await train(config, { onProgress, ...(opts.signal ? { signal: opts.signal } : {}) });
      } catch (e) {
        if (e instanceof DivergenceError && e.instance >= 0 && e.instance < specs.length) {
          lines.push(divergedLine(specs[e.instance]!, e.step, now()));
          report.diverged++;
          specs = specs.filter((_, i) => i !== e.instance);
          continue;
        }
        throw e;
      }
      const perRun = result.wallSeconds / result.instances.length;
      result.instances.forEach((inst, i) => {
        const spec = specs[i]!;
        const analysis = analyse(spec, inst.params);
        lines.push(okLine(spec, inst, analysis, result, perRun, now(), opts.history));
      });
      specs = [];
    }
    // Keep the grid's order within the call (diverged lines were recorded first).
    const order = new Map(group.specs.map((s, i) => [runIdOf(s), i]));
    lines.sort((a, b) => order.get(a.runId)! - order.get(b.runId)!);
    await opts.store.append(lines);
    report.ran += lines.length;
    workDone += costOf(group.specs);
    progress(0, null);
  }
  report.wallSeconds = (globalThis.performance.now() - started) / 1000;
  return report;
}

/**
 * The result line of a finished run: what the local runner appends, and what queue workers
 * store (one definition, so a queue result equals a local one).
 */
export function okLine(
  spec: RunSpec,
  inst: TrainResult['instances'][number],
  analysis: RunAnalysis,
  call: Pick<TrainResult, 'instances' | 'runtime'>,
  wallSeconds: number,
  at: Date,
  history: HistoryResolution = 'compact',
): ResultLine {
  return {
    format: RESULT_FORMAT,
    experiment: spec.experiment,
    version: spec.version,
    runId: runIdOf(spec),
    spec,
    status: 'ok',
    divergedAtStep: null,
    finalLoss: inst.finalLoss.loss,
    reconstruction: inst.finalLoss.reconstruction,
    l1: inst.finalLoss.l1,
    exactLoss: roundDeep(analysis.exactLoss),
    classification: analysis.classification,
    evidence: roundDeep(analysis.evidence),
    analysis: roundDeep(analysis.details),
    params: spec.keepParams ? compactParams(inst.params) : null,
    history: history === 'full' ? fullHistory(inst.history) : compactHistory(inst.history),
    wallSeconds,
    groupSize: call.instances.length,
    runtime: call.runtime,
    createdAt: at.toISOString(),
  };
}

/** The result line of a run whose instance diverged at `step` (also written by queue workers). */
export function divergedLine(spec: RunSpec, step: number, at: Date): ResultLine {
  return {
    format: RESULT_FORMAT,
    experiment: spec.experiment,
    version: spec.version,
    runId: runIdOf(spec),
    spec,
    status: 'diverged',
    divergedAtStep: step,
    finalLoss: null,
    reconstruction: null,
    l1: null,
    exactLoss: null,
    classification: null,
    evidence: null,
    analysis: null,
    params: null,
    history: { step: [], loss: [], reconstruction: [], l1: [] },
    wallSeconds: 0,
    groupSize: 0,
    runtime: null,
    createdAt: at.toISOString(),
  };
}
