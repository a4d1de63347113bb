/**
 * `polytoy worker`: trains queued runs (see `polytoy sweep`) until stopped, or with
 * `--exit-when-done` until the queue is empty. Training is CPU-bound and single-threaded, so
 * `--concurrency K` starts K worker processes (one per core is the useful maximum).
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { ConfigError } from '@polytoy/core';
import { DEFAULT_JOB_LIMITS, redactUrl, runWorker } from '@polytoy/queue';
import type { WorkerEvent } from '@polytoy/queue';
import { interruptSignal } from '@polytoy/trainer/node';
import type { Command } from '../command.js';
import type { FlagSpec, FlagValues } from '../flags.js';
import { formatHelp, parseFlags } from '../flags.js';
import { CONNECTION_FLAGS, connectionFrom } from './sweep.js';

const FLAGS: FlagSpec[] = [
  ...CONNECTION_FLAGS,
  {
    name: 'concurrency',
    type: 'number',
    integer: true,
    min: 1,
    max: 256,
    help: 'Worker processes to run (one training call each at a time)',
    defaultText: '1',
  },
  {
    name: 'batch',
    type: 'number',
    integer: true,
    min: 1,
    max: 4096,
    help: 'Most compatible runs a process trains in one call',
    defaultText: '32',
  },
  { name: 'exit-when-done', type: 'boolean', help: 'Exit once no run is waiting, running or due for a retry' },
  { name: 'name', type: 'string', help: 'Worker name in logs and on jobs', defaultText: '<hostname>:<pid>' },
  {
    name: 'lock-duration',
    type: 'number',
    integer: true,
    min: 1,
    placeholder: 'ms',
    help: "A job's lock; a dead worker's job is re-queued after it expires",
    defaultText: '30000',
  },
  {
    name: 'stalled-interval',
    type: 'number',
    integer: true,
    min: 1,
    placeholder: 'ms',
    help: 'How often to look for jobs of dead workers',
    defaultText: '30000',
  },
  {
    name: 'max-stalled',
    type: 'number',
    integer: true,
    min: 1,
    help: 'Times a job may lose its worker before it fails',
    defaultText: '3',
  },
  {
    name: 'max-n',
    type: 'number',
    integer: true,
    min: 1,
    help: 'Largest n of a job this worker trains',
    defaultText: String(DEFAULT_JOB_LIMITS.n),
  },
  {
    name: 'max-m',
    type: 'number',
    integer: true,
    min: 1,
    help: 'Largest m of a job this worker trains',
    defaultText: String(DEFAULT_JOB_LIMITS.m),
  },
  {
    name: 'max-steps',
    type: 'number',
    integer: true,
    min: 1,
    help: 'Most steps of a job this worker trains',
    defaultText: String(DEFAULT_JOB_LIMITS.steps),
  },
  { name: 'quiet', type: 'boolean', help: 'Log failures only' },
];

function positiveInt(values: FlagValues, name: string): number | undefined {
  const v = values[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1) throw new ConfigError(`--${name}`, 'a positive integer', v);
  return v;
}

function describeEvent(e: WorkerEvent): string {
  switch (e.kind) {
    case 'ready':
      return `${e.worker}: waiting for runs`;
    case 'started': {
      const { spec } = e;
      const c = spec.cell;
      const what = `${spec.experiment} n=${c.n} m=${c.m} ${c.weights} hidden=${c.hiddenActivation} ${c.optimizer} lambda=${c.lambda} lr=${c.lr} seed=${spec.seed}`;
      return `${e.worker}: started ${e.runId} (attempt ${e.attempt}): ${what}`;
    }
    case 'training':
      return `${e.worker}: training ${e.runIds.length} run${e.runIds.length === 1 ? '' : 's'} in one call: ${e.runIds.join(' ')}`;
    case 'stored':
      return `${e.worker}: stored ${e.runId} (${e.seconds.toFixed(1)} s)`;
    case 'duplicate':
      return `${e.worker}: ${e.runId} already has a result (an earlier attempt finished it); nothing written`;
    case 'failed':
      return `${e.worker}: failed ${e.runId}: ${e.message}${e.final ? '' : ' (will retry)'}`;
    case 'lost':
      return `${e.worker}: ${e.runId}: sweep ${e.sweep} is no longer in the queue (Redis restarted without persistence?); result not written`;
    case 'requeued':
      return `${e.worker}: stopped ${e.runId}; it is back in the queue`;
    case 'error':
      return `${e.worker}: ${e.message}`;
    case 'done':
      return `${e.worker}: stopped`;
  }
}

/** Runs K copies of this command with `--concurrency 1`, forwarding Ctrl-C; exit code = worst. */
async function runProcesses(k: number, argv: string[]): Promise<number> {
  const args: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--concurrency') i++;
    else if (!a.startsWith('--concurrency=')) args.push(a);
  }
  const script = process.argv[1]!;
  const children: ChildProcess[] = [];
  for (let i = 0; i < k; i++) {
    children.push(
      spawn(process.execPath, [...process.execArgv, script, 'worker', ...args, '--concurrency', '1'], {
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
        // Own process group: a terminal's Ctrl-C reaches the children once, through this
        // process (a second Ctrl-C then quits them at once, as in a single worker).
        detached: true,
      }),
    );
  }
  const forward = (signal: NodeJS.Signals) => () => {
    for (const c of children) if (c.exitCode === null) c.kill(signal);
  };
  const onInt = forward('SIGINT');
  const onTerm = forward('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  const codes = await Promise.all(
    children.map((c) => new Promise<number>((resolve) => c.once('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0))))),
  );
  process.off('SIGINT', onInt);
  process.off('SIGTERM', onTerm);
  return Math.max(...codes);
}

export const workerCommand: Command = {
  name: 'worker',
  summary: 'Train queued sweep runs from Redis (run on any number of machines)',
  async run(argv) {
    const { values, positionals } = parseFlags(argv, FLAGS);
    if (values.help) {
      process.stdout.write(formatHelp('polytoy worker --redis <url> [options]', this.summary, FLAGS));
      return 0;
    }
    if (positionals.length > 0) throw new ConfigError('arguments', 'no positional arguments', positionals.join(' '));
    const conn = connectionFrom(values);
    const concurrency = positiveInt(values, 'concurrency') ?? 1;
    const lockDurationMs = positiveInt(values, 'lock-duration');
    const stalledIntervalMs = positiveInt(values, 'stalled-interval');
    const maxStalledCount = positiveInt(values, 'max-stalled');
    const batch = positiveInt(values, 'batch');
    if (concurrency > 1) return runProcesses(concurrency, argv);

    const interrupt = interruptSignal();
    // Started by `--concurrency K`: stop when the parent goes away (even if it was killed).
    // The IPC channel only watches the parent: it must not keep this process alive.
    if (process.send) {
      process.channel?.unref();
      process.once('disconnect', () => process.kill(process.pid, 'SIGTERM'));
    }
    const quiet = Boolean(values.quiet);
    const log = (e: WorkerEvent) => {
      if (quiet && e.kind !== 'failed' && e.kind !== 'error' && e.kind !== 'lost') return;
      process.stderr.write(`polytoy worker ${describeEvent(e)}\n`);
    };
    interrupt.signal.addEventListener('abort', () => {
      process.stderr.write('polytoy worker: stopping; the run in progress goes back to the queue (again to quit now)\n');
    });
    if (!quiet) process.stderr.write(`polytoy worker: queue ${conn.queue ?? 'polytoy'} on ${redactUrl(conn.redis)}\n`);
    try {
      const report = await runWorker({
        ...conn,
        ...(values.name !== undefined ? { name: String(values.name) } : {}),
        ...(lockDurationMs !== undefined ? { lockDurationMs } : {}),
        ...(stalledIntervalMs !== undefined ? { stalledIntervalMs } : {}),
        ...(maxStalledCount !== undefined ? { maxStalledCount } : {}),
        ...(batch !== undefined ? { batch } : {}),
        exitWhenDone: Boolean(values['exit-when-done']),
        limits: {
          ...(values['max-n'] !== undefined ? { n: values['max-n'] as number } : {}),
          ...(values['max-m'] !== undefined ? { m: values['max-m'] as number } : {}),
          ...(values['max-steps'] !== undefined ? { steps: values['max-steps'] as number } : {}),
        },
        signal: interrupt.signal,
        onEvent: log,
      });
      if (!quiet) {
        process.stderr.write(
          `polytoy worker ${report.worker}: ${report.stored} runs stored, ${report.failed} failures, ` +
            `${report.duplicates} already done, ${report.requeued} handed back\n`,
        );
      }
      if (report.lost > 0) {
        process.stderr.write(
          `polytoy worker ${report.worker}: ${report.lost} run(s) lost: their sweep vanished from Redis while training ` +
            '(a restart without persistence?); resubmit the sweep\n',
        );
        return 1;
      }
      return 0;
    } finally {
      interrupt.dispose();
    }
  },
};
