/**
 * `polytoy sweep submit|status|collect`: queue mode. `submit` enqueues one job per run of an
 * experiment's grid on Redis (BullMQ; job id = run id, so resubmitting adds nothing), `status`
 * shows progress, `collect` writes the results file a local run writes. `polytoy worker`
 * trains the jobs on any number of machines.
 */
import { ConfigError } from '@polytoy/core';
import { EXPERIMENT_NAMES, EXPERIMENT_SIZES } from '@polytoy/experiments';
import type { ExperimentSize } from '@polytoy/experiments';
import { writeResultLines } from '@polytoy/experiments/node';
import {
  collectSweep,
  DEFAULT_TIMEOUT_MS,
  EXPERIMENT_NAME,
  formatStatus,
  redactUrl,
  submitSweep,
  sweepStatus,
} from '@polytoy/queue';
import type { SweepConnectionOptions, SweepFilter } from '@polytoy/queue';
import type { Command } from '../command.js';
import type { FlagSpec, FlagValues } from '../flags.js';
import { formatHelp, parseFlags } from '../flags.js';
import { experimentFrom, GRID_FLAG } from '../grid-source.js';
import { printJson } from '../json-output.js';
import { checkWritable } from '../output-path.js';

/** Environment variable read when `--redis` is not given. */
export const REDIS_ENV = 'POLYTOY_REDIS';

/** Flags every queue command shares (also used by `polytoy worker`). */
export const CONNECTION_FLAGS: FlagSpec[] = [
  { name: 'redis', type: 'string', placeholder: 'url', help: `Redis URL, e.g. redis://host:6379 (or set ${REDIS_ENV})` },
  { name: 'queue', type: 'string', placeholder: 'name', help: 'BullMQ queue name', defaultText: 'polytoy' },
  {
    name: 'timeout',
    type: 'number',
    integer: true,
    min: 100,
    placeholder: 'ms',
    help: 'Most a Redis round trip may take before the command fails (submit, status, collect)',
    defaultText: String(DEFAULT_TIMEOUT_MS),
  },
];

const SIZE_FLAG: FlagSpec = {
  name: 'size',
  type: 'string',
  placeholder: EXPERIMENT_SIZES.join('|'),
  help: 'Grid size',
  defaultText: 'small',
};

const SUBMIT_FLAGS: FlagSpec[] = [
  ...CONNECTION_FLAGS,
  GRID_FLAG,
  SIZE_FLAG,
  {
    name: 'attempts',
    type: 'number',
    integer: true,
    min: 1,
    max: 100,
    help: 'Attempts per run for transient errors (bad configs and divergence fail at once)',
    defaultText: '3',
  },
  { name: 'retry-failed', type: 'boolean', help: "Re-queue this sweep's failed runs that have no result" },
  { name: 'json', type: 'boolean', help: 'Print what was submitted (sweep, planned, added, already queued/done) as JSON' },
];

const STATUS_FLAGS: FlagSpec[] = [
  ...CONNECTION_FLAGS,
  { ...SIZE_FLAG, defaultText: 'every size' },
  { name: 'version', type: 'number', integer: true, min: 1, help: 'Only this experiment version', defaultText: 'every version' },
  { name: 'json', type: 'boolean', help: 'Print the status as JSON' },
];

const COLLECT_FLAGS: FlagSpec[] = [
  ...STATUS_FLAGS.filter((f) => f.name !== 'json'),
  {
    name: 'out',
    type: 'string',
    placeholder: 'results.jsonl',
    help: 'Where to write the results',
    defaultText: 'results/<experiment>-<size>.jsonl',
  },
  { name: 'partial', type: 'boolean', help: 'Write the results even when some runs have none yet' },
  { name: 'json', type: 'boolean', help: 'Print what was collected (sweep, runs written, missing run ids) as JSON' },
];

const USAGE = [
  'polytoy sweep submit <experiment>|--grid <file> --redis <url> [options]',
  '       polytoy sweep status [experiment] --redis <url> [options]',
  '       polytoy sweep collect [experiment] --redis <url> [options]',
].join('\n');

function help(): string {
  return [
    `Usage: ${USAGE}`,
    '',
    sweepCommand.summary,
    '',
    `Experiments: ${EXPERIMENT_NAMES.join(', ')}`,
    '',
    "Run 'polytoy sweep <submit|status|collect> --help' for each subcommand's options;",
    "'polytoy worker --help' for the workers that train the runs.",
    '',
  ].join('\n');
}

/** The connection from `--redis` (or the environment) and `--queue`. */
export function connectionFrom(values: FlagValues): SweepConnectionOptions {
  const redis = (values.redis as string | undefined) ?? process.env[REDIS_ENV];
  if (!redis) throw new ConfigError('--redis', `a Redis URL (or ${REDIS_ENV} in the environment)`, undefined);
  return {
    redis,
    ...(values.queue !== undefined ? { queue: String(values.queue) } : {}),
    ...(values.timeout !== undefined ? { timeoutMs: values.timeout as number } : {}),
  };
}

function sizeFrom(values: FlagValues): ExperimentSize | undefined {
  const size = values.size as string | undefined;
  if (size === undefined) return undefined;
  if (!(EXPERIMENT_SIZES as readonly string[]).includes(size)) {
    throw new ConfigError('--size', EXPERIMENT_SIZES.map((s) => `"${s}"`).join(' | '), size);
  }
  return size as ExperimentSize;
}

function filterFrom(values: FlagValues, experiment: string | undefined): SweepFilter {
  const size = sizeFrom(values);
  return {
    ...(experiment !== undefined ? { experiment } : {}),
    ...(size !== undefined ? { size } : {}),
    ...(values.version !== undefined ? { version: values.version as number } : {}),
  };
}

async function submit(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags(argv, SUBMIT_FLAGS, { max: Number.POSITIVE_INFINITY, what: 'one experiment name' });
  if (values.help) {
    process.stdout.write(
      formatHelp(
        'polytoy sweep submit <experiment> --redis <url> [options]\n       polytoy sweep submit --grid <file> --redis <url> [options]',
        'Enqueue one job per run of an experiment or a grid file (idempotent)',
        SUBMIT_FLAGS,
      ),
    );
    return 0;
  }
  const [name, ...extra] = positionals;
  if ((!name && values.grid === undefined) || extra.length > 0)
    throw new ConfigError(
      'experiment',
      `one of ${EXPERIMENT_NAMES.join(', ')}, or --grid <file>`,
      positionals.join(' ') || undefined,
    );
  const def = experimentFrom(values.grid as string | undefined, name);
  const conn = connectionFrom(values);
  const attempts = values.attempts as number | undefined;
  if (attempts !== undefined && (!Number.isSafeInteger(attempts) || attempts < 1))
    throw new ConfigError('--attempts', 'a positive integer', attempts);
  const size = sizeFrom(values) ?? 'small';
  const r = await submitSweep(def, {
    ...conn,
    size,
    ...(attempts !== undefined ? { attempts } : {}),
    ...(values['retry-failed'] ? { retryFailed: true } : {}),
  });
  if (values.json) {
    printJson(r);
    return 0;
  }
  const parts = [`${r.added} jobs added`, `${r.alreadyQueued} already queued`, `${r.alreadyStored} already done`];
  if (values['retry-failed']) parts.push(`${r.retried} failed runs re-queued`);
  process.stdout.write(
    `${r.sweep.key}: ${r.planned} runs · ${parts.join(' · ')} (queue ${conn.queue ?? 'polytoy'} on ${redactUrl(conn.redis)})\n`,
  );
  return 0;
}

async function status(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags(argv, STATUS_FLAGS, { max: 1, what: 'at most one experiment name' });
  if (values.help) {
    process.stdout.write(
      formatHelp('polytoy sweep status [experiment] --redis <url> [options]', 'Progress of the sweeps in a queue', STATUS_FLAGS),
    );
    return 0;
  }
  if (positionals.length > 1) throw new ConfigError('arguments', 'at most one experiment name', positionals.join(' '));
  const statuses = await sweepStatus(connectionFrom(values), filterFrom(values, positionals[0]));
  if (values.json) {
    process.stdout.write(`${JSON.stringify(statuses, null, 1)}\n`);
    return 0;
  }
  if (statuses.length === 0) {
    process.stdout.write('no sweeps match in this queue\n');
    return 0;
  }
  process.stdout.write(`${statuses.map((s) => formatStatus(s)).join('\n')}\n`);
  return 0;
}

async function collect(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags(argv, COLLECT_FLAGS, { max: 1, what: 'at most one experiment name' });
  if (values.help) {
    process.stdout.write(
      formatHelp(
        'polytoy sweep collect [experiment] --redis <url> [options]',
        "Write a sweep's results as the JSON-lines file a local run writes",
        COLLECT_FLAGS,
      ),
    );
    return 0;
  }
  if (positionals.length > 1) throw new ConfigError('arguments', 'at most one experiment name', positionals.join(' '));
  const { sweep, lines, missing } = await collectSweep(connectionFrom(values), filterFrom(values, positionals[0]));
  if (missing.length > 0 && !values.partial) {
    process.stderr.write(
      `polytoy sweep collect: ${sweep.key}: ${missing.length} of ${sweep.planned} runs have no result yet ` +
        "(see 'polytoy sweep status'); nothing written (--partial writes what there is)\n",
    );
    return 1;
  }
  // The default path is built from names read from Redis: checked again here (the queue
  // validates them too) so that a crafted entry cannot write outside results/.
  if (!EXPERIMENT_NAME.test(sweep.experiment) || !(EXPERIMENT_SIZES as readonly string[]).includes(sweep.size))
    throw new ConfigError('sweep entry', 'an experiment name of lower-case letters, digits and dashes', sweep.experiment);
  const out = (values.out as string | undefined) ?? `results/${sweep.experiment}-${sweep.size}.jsonl`;
  checkWritable(out, '--out', { createDir: true });
  await writeResultLines(out, lines);
  if (values.json) {
    printJson({ sweep, written: lines.length, missing, out });
    return 0;
  }
  const note = missing.length > 0 ? ` (${missing.length} runs missing)` : '';
  process.stdout.write(`${sweep.key}: wrote ${lines.length} of ${sweep.planned} runs to ${out}${note}\n`);
  return 0;
}

export const sweepCommand: Command = {
  name: 'sweep',
  summary: 'Queue mode: submit an experiment to Redis, watch it, collect its results',
  async run(argv) {
    const [sub, ...rest] = argv;
    if (sub === 'submit') return submit(rest);
    if (sub === 'status') return status(rest);
    if (sub === 'collect') return collect(rest);
    if (sub === undefined || sub === '--help' || sub === '-h') {
      process.stdout.write(help());
      return sub === undefined ? 2 : 0;
    }
    throw new ConfigError('sweep subcommand', '"submit" | "status" | "collect"', sub);
  },
};
