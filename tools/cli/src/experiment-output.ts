/**
 * What an experiment keeps per run (`--keep-params`, `--history`) and how big that makes the
 * results file, printed before running so a `--keep-params all --history full` sweep does not
 * fill a disk by surprise.
 */
import { ConfigError } from '@polytoy/core';
import { expandGrid, HISTORY_POINTS } from '@polytoy/experiments';
import type { ExperimentDefinition, ExperimentSize, HistoryResolution, ParamsStorage, RunSpec } from '@polytoy/experiments';
import type { FlagSpec } from './flags.js';

/** The flags of `polytoy experiment` that choose what result lines keep. */
export const OUTPUT_FLAGS: FlagSpec[] = [
  {
    name: 'keep-params',
    type: 'string',
    placeholder: 'all|first-seed|none',
    help: "Final weights kept in the result lines: every run's, the first seed's of each cell, or none",
    defaultText: "the grid's choice",
  },
  {
    name: 'history',
    type: 'string',
    placeholder: 'compact|full',
    help: `Loss history per run: about ${HISTORY_POINTS} points, rounded, or every logged step at full precision`,
    defaultText: 'compact',
  },
];

const STORAGE: readonly ParamsStorage[] = ['all', 'first-seed', 'none'];
const HISTORY: readonly HistoryResolution[] = ['compact', 'full'];

/** `--keep-params` and `--history`, checked. */
export function outputChoices(values: Record<string, unknown>): { keepParams?: ParamsStorage; history: HistoryResolution } {
  const keep = values['keep-params'] as string | undefined;
  if (keep !== undefined && !(STORAGE as readonly string[]).includes(keep))
    throw new ConfigError('--keep-params', STORAGE.join(' | '), keep);
  const history = (values.history as string | undefined) ?? 'compact';
  if (!(HISTORY as readonly string[]).includes(history)) throw new ConfigError('--history', HISTORY.join(' | '), history);
  return { ...(keep !== undefined ? { keepParams: keep as ParamsStorage } : {}), history: history as HistoryResolution };
}

/**
 * The definition with every size's `params` replaced (the run ids do not depend on it, so a
 * results file can be resumed with another choice).
 *
 * @example
 * withParamsStorage(getExperiment('finds-solution'), 'all').sizes.small.params; // 'all'
 */
export function withParamsStorage(def: ExperimentDefinition, params: ParamsStorage): ExperimentDefinition {
  return { ...def, sizes: { small: { ...def.sizes.small, params }, full: { ...def.sizes.full, params } } };
}

// Characters per stored number: a 6-digit float with sign, exponent or leading zero, and comma
// (parameters), and a 5-digit one (compact history) or a full double (full history).
const PARAM_CHARS = 11;
const COMPACT_CHARS = 9;
const FULL_CHARS = 21;

/** Bytes that one run's parameters and history add to its result line (an estimate). */
export function extraBytesOf(spec: RunSpec, history: HistoryResolution): number {
  const { n, m, weights, logEvery } = { ...spec.config.model, logEvery: spec.config.logEvery };
  const params = spec.keepParams ? ((weights.kind === 'tied' ? 1 : 2) * n * m + n) * PARAM_CHARS : 0;
  const records =
    history === 'full'
      ? Math.floor(spec.config.steps / Math.max(1, logEvery)) + 2
      : Math.min(HISTORY_POINTS, spec.config.steps + 1);
  return params + 4 * records * (history === 'full' ? FULL_CHARS : COMPACT_CHARS);
}

/** Human-readable bytes: `812 B`, `3.4 kB`, `12.0 MB`, `1.30 GB`. */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${Math.round(bytes)} B`;
  if (bytes < 1e6) return `${(bytes / 1e3).toFixed(1)} kB`;
  if (bytes < 1e9) return `${(bytes / 1e6).toFixed(1)} MB`;
  return `${(bytes / 1e9).toFixed(2)} GB`;
}

/**
 * One line about what the results will keep and its size, e.g.
 * `keeping weights of 96/96 runs, compact histories: ~1.2 MB of parameters and histories`.
 *
 * @example
 * outputSizeLine(getExperiment('stability'), 'small', 'compact');
 */
export function outputSizeLine(def: ExperimentDefinition, size: ExperimentSize, history: HistoryResolution): string {
  const specs = expandGrid(def, size);
  const kept = specs.filter((s) => s.keepParams).length;
  const bytes = specs.reduce((a, s) => a + extraBytesOf(s, history), 0);
  return `keeping weights of ${kept}/${specs.length} runs, ${history} histories: ~${formatBytes(bytes)} of parameters and histories (all runs of the grid)`;
}
