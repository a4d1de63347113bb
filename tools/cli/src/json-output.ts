/**
 * The `--json` documents of the commands: one JSON document on stdout per command, with a
 * `format` tag, built here so that the commands only choose between it and their text. The
 * progress bar and notes go to stderr, so stdout stays parseable.
 */
import type { RuntimeInfo, TrainConfig, TrainResult } from '@polytoy/core';
import { summarise } from '@polytoy/experiments';
import type { CellSummary, ExperimentRunReport, ResultLine } from '@polytoy/experiments';
import type { MergeResult } from '@polytoy/queue';
import type { InstanceSummary, RunSummary } from './summary.js';

/** Format tags of the documents (readers check them). */
export const JSON_FORMATS = {
  train: 'polytoy.train-output/1',
  experiment: 'polytoy.experiment-output/1',
  merge: 'polytoy.merge-output/1',
} as const;

/** `polytoy train --json`. */
export interface TrainJson {
  format: typeof JSON_FORMATS.train;
  config: TrainConfig;
  runtime: RuntimeInfo;
  wallSeconds: number;
  /** One entry per instance: losses, exact loss, labels, disambiguation, polysemantic count. */
  instances: InstanceSummary[];
  /** Over the instances: how often each label occurs, and the final-loss range. */
  summary: {
    instances: number;
    labels: Record<string, number>;
    finalLoss: { min: number; mean: number; max: number };
  };
  /** The `--out` file, when written. */
  out: string | null;
}

function countBy(values: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const v of values) out[v] = (out[v] ?? 0) + 1;
  return out;
}

/**
 * The document `polytoy train --json` prints.
 *
 * @example
 * process.stdout.write(`${JSON.stringify(trainJson(result, summariseRun(result), null))}\n`);
 */
export function trainJson(result: TrainResult, analysis: RunSummary, out: string | null): TrainJson {
  const losses = analysis.instances.map((i) => i.finalLoss);
  return {
    format: JSON_FORMATS.train,
    config: JSON.parse(JSON.stringify(result.config)) as TrainConfig,
    runtime: result.runtime,
    wallSeconds: result.wallSeconds,
    instances: analysis.instances,
    summary: {
      instances: analysis.instances.length,
      labels: countBy(analysis.instances.flatMap((i) => (i.label === null ? [] : [i.label]))),
      finalLoss: {
        min: Math.min(...losses),
        mean: losses.reduce((a, b) => a + b, 0) / losses.length,
        max: Math.max(...losses),
      },
    },
    out,
  };
}

/** `polytoy experiment --json`: what ran, and the per-cell summaries of the whole results file. */
export interface ExperimentJson {
  format: typeof JSON_FORMATS.experiment;
  report: ExperimentRunReport;
  out: string;
  cells: CellSummary[];
}

/**
 * The document `polytoy experiment --json` prints (summaries over every line of the results
 * file, resumed ones included).
 *
 * @example
 * experimentJson(report, 'results.jsonl', await readResultLines(['results.jsonl'])).cells.length;
 */
export function experimentJson(report: ExperimentRunReport, out: string, lines: readonly ResultLine[]): ExperimentJson {
  return { format: JSON_FORMATS.experiment, report, out, cells: summarise(lines) };
}

/** `polytoy merge --json`. */
export interface MergeJson {
  format: typeof JSON_FORMATS.merge;
  experiment: string;
  version: number;
  size: string;
  inputs: string[];
  inputLines: number;
  runs: number;
  duplicates: number;
  /** Planned runs in none of the inputs (null when the experiment's definition is unknown). */
  missing: string[] | null;
  /** The merged file, or null when nothing was written (missing runs without --partial). */
  out: string | null;
}

/**
 * The document `polytoy merge --json` prints.
 *
 * @example
 * mergeJson(mergeResults(sources), ['a.jsonl', 'b.jsonl'], 'merged.jsonl').runs;
 */
export function mergeJson(merged: MergeResult, inputs: readonly string[], out: string | null): MergeJson {
  return {
    format: JSON_FORMATS.merge,
    experiment: merged.experiment,
    version: merged.version,
    size: merged.size,
    inputs: [...inputs],
    inputLines: merged.inputLines,
    runs: merged.lines.length,
    duplicates: merged.duplicates,
    missing: merged.missing,
    out,
  };
}

/** Prints a document as one line of JSON on stdout. */
export function printJson(doc: unknown): void {
  process.stdout.write(`${JSON.stringify(doc)}\n`);
}
