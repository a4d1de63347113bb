/**
 * Runs → result lines, exactly as the local runner (`runExperiment`) writes them: the same
 * training config (`groupConfig`, so a construction start gets the same given parameters), the
 * same analysis (`analyseRun`), the same rounding, and the same handling of an instance that
 * diverges (a `diverged` line, and the call repeated without it). Instances are independent
 * in the trainer (a batched instance equals a single one bit for bit), so a worker training a
 * run alone or with other runs gets the parameters a local run gets.
 */
import type { ModelParams, TrainResult } from '@polytoy/core';
import { DivergenceError, PolytoyError } from '@polytoy/core';
import { analyseRun, divergedLine, groupConfig, groupKeyOf, okLine } from '@polytoy/experiments';
import type { ResultLine, RunAnalysis, RunSpec, TrainFunction } from '@polytoy/experiments';
import { train as trainerTrain } from '@polytoy/trainer';

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

/** A run's line, and for a diverged run the trainer's error. */
export interface RunOutcome {
  line: ResultLine;
  /** Set when the run diverged (`line.status === 'diverged'`). */
  divergence: DivergenceError | null;
}

/**
 * Trains compatible runs in one multi-instance call (repeated without any instance that
 * diverges) and builds their result lines, in the order of `specs`.
 *
 * @throws PolytoyError when the runs cannot share a call (different `groupKeyOf`); whatever the
 *   trainer throws other than a `DivergenceError` of one instance (e.g. on abort).
 * @example
 * const [outcome] = await trainRuns([expandGrid(def)[0]]);
 * outcome.line.finalLoss; // same as the local runner's line for this run
 */
export async function trainRuns(specs: readonly RunSpec[], opts: TrainRunOptions = {}): Promise<RunOutcome[]> {
  if (specs.length === 0) return [];
  const key = groupKeyOf(specs[0]!);
  if (specs.some((s) => groupKeyOf(s) !== key))
    throw new PolytoyError('trainRuns: the runs differ in more than seed, lambda and lr');
  const train = opts.train ?? ((config, o) => trainerTrain(config, o));
  const analyse = opts.analyse ?? analyseRun;
  const now = opts.now ?? (() => new Date());
  const outcomes: RunOutcome[] = [];
  // Indices into `specs` of the runs still to train.
  let left = specs.map((_, i) => i);
  while (left.length > 0) {
    let result: TrainResult;
    try {
      result = await train(groupConfig(left.map((k) => specs[k]!)), opts.signal ? { signal: opts.signal } : {});
    } catch (e) {
      if (e instanceof DivergenceError && e.instance >= 0 && e.instance < left.length) {
        const k = left[e.instance]!;
        outcomes[k] = { line: divergedLine(specs[k]!, e.step, now()), divergence: e };
        left = left.filter((_, i) => i !== e.instance);
        continue;
      }
      throw e;
    }
    const perRun = result.wallSeconds / result.instances.length;
    result.instances.forEach((inst, i) => {
      const k = left[i]!;
      const spec = specs[k]!;
      const analysis = analyse(spec, inst.params);
      const line = okLine(spec, inst, analysis, result, perRun, now());
      outcomes[k] = { line, divergence: null };
    });
    left = [];
  }
  return outcomes;
}
