/**
 * A sweep's plan: its runs in the order a local `runExperiment` writes them (its training calls
 * in order, each call's runs in grid order), so collected and merged files line up with a
 * local results file.
 */
import { expandGrid, groupRuns } from '@polytoy/experiments';
import type { ExperimentDefinition, ExperimentSize, RunSpec } from '@polytoy/experiments';

/** What identifies a sweep in a queue: experiment, version, size. */
export interface SweepMeta {
  /** `<experiment>@<version>/<size>`, e.g. `finds-solution@1/small`. */
  key: string;
  experiment: string;
  version: number;
  size: ExperimentSize;
  /** Runs in the plan. */
  planned: number;
  /** ISO time of the first submission. */
  submittedAt: string;
}

/**
 * The sweep key of an experiment version and size.
 *
 * @example
 * sweepKeyOf('collisions', 1, 'small'); // 'collisions@1/small'
 */
export function sweepKeyOf(experiment: string, version: number, size: ExperimentSize): string {
  return `${experiment}@${version}/${size}`;
}

/**
 * The runs of an experiment in local-run order (the order `runExperiment` appends them to a
 * fresh results file with its default of 64 instances per call).
 *
 * @example
 * runOrder(getExperiment('collisions'), 'small').length; // = expandGrid(...).length
 */
export function runOrder(def: ExperimentDefinition, size: ExperimentSize = 'small'): RunSpec[] {
  return groupRuns(expandGrid(def, size)).flatMap((g) => g.specs);
}
