/**
 * `polytoy merge`: combines the results files of shards (`--shard i/N`), resumed runs or
 * collected sweeps into one file. Lines are deduplicated by run id; two lines for one run id
 * must agree on everything training and analysis determine, or the merge fails.
 */
import { PolytoyError } from '@polytoy/core';
import { runIdOf } from '@polytoy/experiments';
import type { ExperimentDefinition, ResultLine } from '@polytoy/experiments';
import { runOrder } from './plan.js';

/** One input: a name for messages (e.g. the file path) and its lines. */
export interface MergeSource {
  name: string;
  lines: readonly ResultLine[];
}

/** Options of {@link mergeResults}. */
export interface MergeOptions {
  /**
   * The experiment's definition, when known and of the same version: lines are then put in
   * local-run order and `missing` lists the planned runs no input has.
   */
  definition?: ExperimentDefinition;
  /** Relative tolerance for the exact population loss (float64 analysis), default 1e-9. */
  tolerance?: number;
}

/** What {@link mergeResults} produced. */
export interface MergeResult {
  experiment: string;
  version: number;
  size: string;
  /** One line per run id (the first seen), in local-run order when the definition is given. */
  lines: ResultLine[];
  /** Input lines in total. */
  inputLines: number;
  /** Lines dropped as repeats of an identical result. */
  duplicates: number;
  /** Planned run ids with no line (only with `definition`; otherwise null). */
  missing: string[] | null;
}

/** Fields that training and analysis determine; all must agree between two lines of a run. */
const EXACT_FIELDS = [
  'spec',
  'status',
  'step',
  'divergence',
  'finalLoss',
  'reconstruction',
  'l1',
  'classification',
  'params',
  'history',
] as const;

function deepEqual(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
  const kb = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

function close(a: number | undefined, b: number | undefined, tol: number): boolean {
  if (a === undefined || b === undefined) return a === b;
  return Math.abs(a - b) <= tol * Math.max(1, Math.abs(a), Math.abs(b));
}

/**
 * The first field in which two lines of the same run disagree, or null when they are the same
 * result. Wall time, group size, runtime and creation time may differ (they describe where
 * and when the run was trained, not its result).
 *
 * @example
 * resultDifference(shardLine, localLine); // null
 */
export function resultDifference(a: ResultLine, b: ResultLine, tolerance = 1e-9): string | null {
  for (const f of EXACT_FIELDS) if (!deepEqual(a[f], b[f])) return f;
  const ea = a.exactLoss,
    eb = b.exactLoss;
  if ((ea === null) !== (eb === null)) return 'exactLoss';
  if (ea && eb && !(['loss', 'reconstruction', 'l1'] as const).every((k) => close(ea[k], eb[k], tolerance))) return 'exactLoss';
  return null;
}

/**
 * Merges result lines from several sources into one list with one line per run id.
 *
 * @throws PolytoyError when the sources mix experiments, versions or sizes, or when a run id
 *   has two different results (naming the run, both sources and the first differing field).
 * @example
 * const merged = mergeResults([{ name: 'a.jsonl', lines: a }, { name: 'b.jsonl', lines: b }]);
 * merged.lines.length; // distinct runs
 */
export function mergeResults(sources: readonly MergeSource[], opts: MergeOptions = {}): MergeResult {
  let first: { line: ResultLine; where: string } | null = null;
  const byId = new Map<string, { line: ResultLine; where: string }>();
  let inputLines = 0;
  let duplicates = 0;
  for (const source of sources) {
    for (const [k, line] of source.lines.entries()) {
      inputLines++;
      const where = `${source.name}:${k + 1}`;
      first ??= { line, where };
      const ours = `${line.experiment} v${line.version} (${line.spec.size})`;
      const theirs = `${first.line.experiment} v${first.line.version} (${first.line.spec.size})`;
      if (ours !== theirs) {
        throw new PolytoyError(
          `${where} is ${ours} but ${first.where} is ${theirs}: merge one experiment version and size at a time`,
        );
      }
      const seen = byId.get(line.runId);
      if (!seen) {
        byId.set(line.runId, { line, where });
        continue;
      }
      const diff = resultDifference(seen.line, line, opts.tolerance);
      if (diff !== null) {
        const cell = `n=${line.spec.cell.n} m=${line.spec.cell.m} seed=${line.spec.seed}`;
        throw new PolytoyError(
          `run ${line.runId} (${cell}) has different results in ${seen.where} and ${where} (field ${diff}): ` +
            'the inputs come from different code or configs',
        );
      }
      duplicates++;
    }
  }
  if (!first) throw new PolytoyError('nothing to merge: the inputs hold no result lines');
  const head = first;
  const { experiment, version } = head.line;
  const size = head.line.spec.size;
  let lines = [...byId.values()].map((v) => v.line);
  let missing: string[] | null = null;
  const def = opts.definition;
  if (def && def.name === experiment && def.version === version) {
    const plan = runOrder(def, size).map((s) => runIdOf(s));
    const position = new Map(plan.map((id, i) => [id, i]));
    missing = plan.filter((id) => !byId.has(id));
    // Planned runs in plan order; anything else (not in this definition) after them, as seen.
    lines = lines
      .map((line, i) => ({ line, key: position.get(line.runId) ?? plan.length + i }))
      .sort((a, b) => a.key - b.key)
      .map((x) => x.line);
  }
  return { experiment, version, size, lines, inputLines, duplicates, missing };
}
