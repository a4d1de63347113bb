/**
 * A sweep's plan: its runs in the order a local `runExperiment` writes them (its training calls
 * in order, each call's runs in grid order), so collected and merged files line up with a
 * local results file.
 */
import { PolytoyError } from '@polytoy/core';
import { EXPERIMENT_SIZES, expandGrid, groupRuns } from '@polytoy/experiments';
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
 * Experiment names as grids spell them (built-in names and grid files): lower-case letters,
 * digits and dashes. Names read from Redis become file names (`sweep collect`), so anything
 * else (`../../x`, `/etc/passwd`) is refused.
 */
export const EXPERIMENT_NAME = /^[a-z0-9][a-z0-9-]{0,63}$/;

/**
 * Validates a sweep entry read from Redis (JSON text of a {@link SweepMeta}).
 *
 * @throws PolytoyError naming the entry and its first bad field.
 * @example
 * parseSweepMeta('{"key":"collisions@2/small",...}', 'collisions@2/small');
 */
export function parseSweepMeta(text: string, where: string): SweepMeta {
  let v: Partial<SweepMeta>;
  try {
    v = JSON.parse(text) as Partial<SweepMeta>;
  } catch (e) {
    throw new PolytoyError(`sweep entry ${JSON.stringify(where)}: not JSON (${(e as Error).message})`);
  }
  const bad = (field: string, expected: string, received: unknown): never => {
    throw new PolytoyError(
      `sweep entry ${JSON.stringify(where)}: ${field}: expected ${expected}, received ${JSON.stringify(received)}`,
    );
  };
  if (!v || typeof v !== 'object' || Array.isArray(v)) bad('(entry)', 'an object', v);
  if (typeof v.experiment !== 'string' || !EXPERIMENT_NAME.test(v.experiment))
    bad('experiment', 'a name of lower-case letters, digits and dashes', v.experiment);
  if (typeof v.version !== 'number' || !Number.isSafeInteger(v.version) || v.version < 1)
    bad('version', 'a positive integer', v.version);
  if (!(EXPERIMENT_SIZES as readonly unknown[]).includes(v.size)) bad('size', EXPERIMENT_SIZES.join(' | '), v.size);
  if (typeof v.planned !== 'number' || !Number.isSafeInteger(v.planned) || v.planned < 0)
    bad('planned', 'an integer >= 0', v.planned);
  if (typeof v.submittedAt !== 'string') bad('submittedAt', 'an ISO time', v.submittedAt);
  const key = sweepKeyOf(v.experiment!, v.version!, v.size!);
  if (v.key !== key || where !== key) bad('key', JSON.stringify(key), v.key);
  return v as SweepMeta;
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
