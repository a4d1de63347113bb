/**
 * Runs an experiment: expands the grid, drops runs the store already holds (resume), groups
 * the rest into multi-instance training calls, trains them one call at a time, analyses every
 * instance and appends one result line per run.
 */
import type { DivergedInstance, InstanceResult, ModelParams, Progress, TrainConfig, TrainResult } from '@polytoy/core';
import { PolytoyError } from '@polytoy/core';
import { train as trainerTrain } from '@polytoy/trainer';
import type { TrainOptions } from '@polytoy/trainer';
import { analyseRun } from './analyse.js';
import type { ExperimentDefinition, ExperimentSize, RunSpec } from './definition.js';
import type { RunGroup, Shard } from './grid.js';
import { expandGrid, groupKeyOf, groupRuns, inShard, runIdOf } from './grid.js';
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
  /** Trained now (converged, capped and diverged). */
  ran: number;
  converged: number;
  /** Trained to the step cap without converging (not converged results). */
  capped: number;
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

/** Options of {@link trainRunGroup}. */
export interface TrainRunGroupOptions {
  /** The trainer (default: `train` of `@polytoy/trainer`). */
  train?: TrainFunction;
  /** The analysis of final parameters (default: `analyseRun`). */
  analyse?: (spec: RunSpec, params: ModelParams) => RunAnalysis;
  onProgress?: (p: Progress) => void;
  /** Stops training (the trainer throws `TrainingAbortedError`). */
  signal?: AbortSignal;
  /** Clock for `createdAt`. */
  now?: () => Date;
  /** How much loss history each line keeps (default `compact`). */
  history?: HistoryResolution;
}

/**
 * Trains compatible runs in one multi-instance call and turns the call's per-instance outcomes
 * into result lines, in the order of `specs`: a `converged` or `capped` instance gets its
 * analysed line ({@link okLine}), a diverged one its {@link divergedLine}. The one place that
 * does this: the local runner and queue workers both call it. Instances are independent in the
 * trainer (an instance's result does not depend on which others share its call, nor on one of
 * them diverging), so a line is the same whatever group the run was trained in.
 *
 * @throws PolytoyError when the runs cannot share a call (different `groupKeyOf`) or the trainer
 *   does not report every instance; whatever the trainer throws (e.g. on abort).
 * @example
 * const lines = await trainRunGroup(groupRuns(expandGrid(def))[0]!.specs);
 * lines.map((l) => l.status); // e.g. ['converged', 'capped', …]
 */
export async function trainRunGroup(specs: readonly RunSpec[], opts: TrainRunGroupOptions = {}): Promise<ResultLine[]> {
  if (specs.length === 0) return [];
  const key = groupKeyOf(specs[0]!);
  if (specs.some((s) => groupKeyOf(s) !== key)) {
    throw new PolytoyError('trainRunGroup: the runs differ in more than seed, lambda and lr');
  }
  const train = opts.train ?? ((config, o) => trainerTrain(config, o));
  const analyse = opts.analyse ?? analyseRun;
  const now = opts.now ?? (() => new Date());
  const result = await train(groupConfig(specs), {
    ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
  const trained = new Map<number, InstanceResult>(result.instances.map((r) => [r.instance, r]));
  const diverged = new Map<number, DivergedInstance>(result.diverged.map((d) => [d.instance, d]));
  if (trained.size + diverged.size !== specs.length || specs.some((_, i) => !trained.has(i) && !diverged.has(i))) {
    throw new PolytoyError(`trainRunGroup: the trainer reported ${trained.size + diverged.size} of ${specs.length} instances`);
  }
  const perRun = result.wallSeconds / specs.length;
  return specs.map((spec, i) => {
    const inst = trained.get(i);
    if (inst) return okLine(spec, inst, analyse(spec, inst.params), result, perRun, now(), opts.history);
    return divergedLine(spec, diverged.get(i)!, result, perRun, now(), opts.history);
  });
}

/**
 * Runs (or resumes) an experiment.
 *
 * Runs whose id the store already holds are skipped. The rest are grouped into multi-instance
 * training calls (same n, m, model, optimizer kind, steps, batch; instances differ in seed,
 * lambda and lr) and each call's result lines are appended as soon as it finishes, so an
 * interrupted experiment loses at most the call in progress. Every run trains until converged
 * (the definitions' `convergence`, by default the plateau criterion) or to its grid's `steps`
 * (the cap); its line records `converged`, `capped` or `diverged` with the step (see
 * {@link trainRunGroup}).
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
    converged: 0,
    capped: 0,
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
    report.calls++;
    const lines = await trainRunGroup(group.specs, {
      train,
      analyse,
      now,
      ...(opts.history ? { history: opts.history } : {}),
      onProgress: (p) => progress(p.total > 0 ? p.done / p.total : 0, group, p.loss),
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
    await opts.store.append(lines);
    for (const line of lines) report[line.status]++;
    report.ran += lines.length;
    workDone += costOf(group.specs);
    progress(0, null);
  }
  report.wallSeconds = (globalThis.performance.now() - started) / 1000;
  return report;
}

/**
 * The result line of a run that did not diverge: what the local runner appends, and what queue
 * workers store (one definition, so a queue result equals a local one).
 */
export function okLine(
  spec: RunSpec,
  inst: InstanceResult,
  analysis: RunAnalysis,
  call: Pick<TrainResult, 'instances' | 'diverged' | 'runtime'>,
  wallSeconds: number,
  at: Date,
  history: HistoryResolution = 'compact',
): ResultLine {
  return {
    ...lineHead(spec),
    status: inst.status,
    step: inst.step,
    divergence: null,
    finalLoss: inst.finalLoss.loss,
    reconstruction: inst.finalLoss.reconstruction,
    l1: inst.finalLoss.l1,
    exactLoss: roundDeep(analysis.exactLoss),
    classification: analysis.classification,
    evidence: roundDeep(analysis.evidence),
    analysis: roundDeep(analysis.details),
    params: spec.keepParams ? compactParams(inst.params) : null,
    ...lineTail(inst.history, call, wallSeconds, at, history),
  };
}

/** The result line of a run whose instance diverged (also written by queue workers). */
export function divergedLine(
  spec: RunSpec,
  d: Pick<DivergedInstance, 'step' | 'reason' | 'message' | 'history'>,
  call: Pick<TrainResult, 'instances' | 'diverged' | 'runtime'>,
  wallSeconds: number,
  at: Date,
  history: HistoryResolution = 'compact',
): ResultLine {
  return {
    ...lineHead(spec),
    status: 'diverged',
    step: d.step,
    divergence: { reason: d.reason, message: d.message },
    finalLoss: null,
    reconstruction: null,
    l1: null,
    exactLoss: null,
    classification: null,
    evidence: null,
    analysis: null,
    params: null,
    ...lineTail(d.history, call, wallSeconds, at, history),
  };
}

/** The fields every result line starts with: what the run is. */
function lineHead(spec: RunSpec): Pick<ResultLine, 'format' | 'experiment' | 'version' | 'runId' | 'spec'> {
  return { format: RESULT_FORMAT, experiment: spec.experiment, version: spec.version, runId: runIdOf(spec), spec };
}

/** The fields every result line ends with: its history and how and when it was trained. */
function lineTail(
  h: InstanceResult['history'],
  call: Pick<TrainResult, 'instances' | 'diverged' | 'runtime'>,
  wallSeconds: number,
  at: Date,
  history: HistoryResolution,
): Pick<ResultLine, 'history' | 'wallSeconds' | 'groupSize' | 'runtime' | 'createdAt'> {
  return {
    history: history === 'full' ? fullHistory(h) : compactHistory(h),
    wallSeconds,
    groupSize: call.instances.length + call.diverged.length,
    runtime: call.runtime,
    createdAt: at.toISOString(),
  };
}
