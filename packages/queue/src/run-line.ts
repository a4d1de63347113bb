/**
 * Runs → result lines, exactly as the local runner (`runExperiment`) writes them: both call
 * `trainRunGroup` of `@polytoy/experiments` (the same training config, analysis, rounding, and
 * per-instance outcomes: converged, capped or diverged). Instances are independent in the
 * trainer (a batched instance equals a single one bit for bit, whatever its neighbours do), so
 * a worker training a run alone or with other runs writes the line a local run writes.
 */
import type { ModelParams } from '@polytoy/core';
import { trainRunGroup } from '@polytoy/experiments';
import type { ResultLine, RunAnalysis, RunSpec, TrainFunction } from '@polytoy/experiments';

/** Options of {@link trainRuns}. */
export interface TrainRunOptions {
  /** Replaces the trainer (tests); default `train` from `@polytoy/trainer`. */
  train?: TrainFunction;
  /** Replaces the analysis (tests); default `analyseRun`. */
  analyse?: (spec: RunSpec, params: ModelParams) => RunAnalysis;
  /** Stops training (the trainer throws `TrainingAbortedError`). */
  signal?: AbortSignal;
  /** Clock for `createdAt` (tests). */
  now?: () => Date;
}

/** A run's line (`line.status` says whether it converged, was capped or diverged). */
export interface RunOutcome {
  line: ResultLine;
}

/**
 * Trains compatible runs in one multi-instance call and builds their result lines, in the
 * order of `specs`.
 *
 * @throws PolytoyError when the runs cannot share a call (different `groupKeyOf`); whatever the
 *   trainer throws (e.g. on abort).
 * @example
 * const [outcome] = await trainRuns([expandGrid(def)[0]]);
 * outcome.line.status; // 'converged' | 'capped' | 'diverged', as in the local runner's line
 */
export async function trainRuns(specs: readonly RunSpec[], opts: TrainRunOptions = {}): Promise<RunOutcome[]> {
  const lines = await trainRunGroup(specs, opts);
  return lines.map((line) => ({ line }));
}
