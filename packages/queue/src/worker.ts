/**
 * `polytoy worker`: takes runs from the queue (up to `batch` at a time), trains compatible ones
 * together in one multi-instance call and analyses them like a local run, stores each result
 * line once (HSETNX on the run id) and completes each job.
 *
 * Faults: a worker that dies stops renewing its job's lock; another worker's stalled-job check
 * puts the job back in the queue (up to `maxStalledCount` times). A bad config fails at once
 * (BullMQ `UnrecoverableError`) with its message; a diverged run stores its `diverged` line and
 * then fails the same way (so `sweep status` lists it); a converged or capped run completes
 * (its line says which). Other errors are retried
 * with exponential backoff up to the job's `attempts`. A result written by an attempt that
 * then died before completing its job is found by the next attempt, which completes without
 * training again, so every run id gets exactly one result line.
 */
import { hostname } from 'node:os';
import type { ModelParams } from '@polytoy/core';
import { ConfigError, resolveTrainConfig } from '@polytoy/core';
import { parseResultLine, runIdOf } from '@polytoy/experiments';
import type { RunAnalysis, RunSpec, TrainFunction } from '@polytoy/experiments';
import { initNodeBackend } from '@polytoy/trainer/node';
import { Queue, UnrecoverableError, WaitingError, Worker } from 'bullmq';
import type { Job } from 'bullmq';
import type { SweepConnectionOptions } from './connection.js';
import { DEFAULT_PREFIX, DEFAULT_QUEUE, redisConnection, sweepKeys } from './connection.js';
import { createBatcher } from './batcher.js';
import type { RunOutcome } from './run-line.js';
import { trainRuns } from './run-line.js';
import { storeResult } from './scripts.js';
import { withTimeout } from './open.js';
import { EXPERIMENT_NAME, sweepKeyOf } from './plan.js';

/**
 * The largest run a worker accepts from the queue: anyone who can write to the queue chooses
 * the sizes, so a job of n = 4096 or 9e15 steps is refused instead of trained without end.
 */
export interface JobLimits {
  n: number;
  m: number;
  steps: number;
  batchSize: number;
}

/** Limits of {@link checkJob} unless a worker is given others (`polytoy worker --max-n` …). */
export const DEFAULT_JOB_LIMITS: JobLimits = { n: 1024, m: 1024, steps: 10_000_000, batchSize: 65_536 };

/** Options of {@link runWorker}. */
export interface SweepWorkerOptions extends SweepConnectionOptions {
  /** Shown in logs and stored on jobs (default `<hostname>:<pid>`). */
  name?: string;
  /** How long a job's lock lasts without renewal, ms (default 30 000; renewed every half). */
  lockDurationMs?: number;
  /** How often this worker looks for stalled jobs of dead workers, ms (default 30 000). */
  stalledIntervalMs?: number;
  /** How many times a job may stall (its worker died) before it fails (default 3). */
  maxStalledCount?: number;
  /**
   * Most runs held and trained in one multi-instance call (default 32). Only compatible runs
   * (same everything but seed, lambda, lr) share a call; 1 trains every run alone.
   */
  batch?: number;
  /** How long to wait for more compatible runs before training, ms (default 250). */
  gatherMs?: number;
  /** Return once the queue has no waiting, delayed or active job left. */
  exitWhenDone?: boolean;
  /** Graceful stop: training is interrupted and the job goes back to the queue untouched. */
  signal?: AbortSignal;
  /** Replaces the trainer (tests); the Node wasm backend is initialised only without it. */
  train?: TrainFunction;
  /** Replaces the analysis (tests). */
  analyse?: (spec: RunSpec, params: ModelParams) => RunAnalysis;
  /** Receives what the worker does (for logs). */
  onEvent?: (event: WorkerEvent) => void;
  /**
   * The most a Redis round trip of a job (read the stored result, check the sweep, store the
   * line) may take, ms (default 30 000): a server that stops answering fails the attempt (it is
   * retried) instead of holding the worker.
   */
  timeoutMs?: number;
  /** Largest job accepted (default {@link DEFAULT_JOB_LIMITS}; fields given override). */
  limits?: Partial<JobLimits>;
}

/** What a worker reports, one event per step of a job. */
export type WorkerEvent =
  | { kind: 'ready'; worker: string }
  | { kind: 'started'; worker: string; runId: string; attempt: number; spec: RunSpec }
  /** A training call starts with these runs. */
  | { kind: 'training'; worker: string; runIds: string[]; specs: RunSpec[] }
  | { kind: 'stored'; worker: string; runId: string; seconds: number }
  /** The result was already stored (an earlier attempt finished): nothing written. */
  | { kind: 'duplicate'; worker: string; runId: string }
  /** `final`: the job will not be retried (bad config, divergence, attempts used up). */
  | { kind: 'failed'; worker: string; runId: string; message: string; final: boolean }
  /**
   * The run's sweep is no longer in the queue (Redis restarted without persistence, or the
   * queue was emptied): nothing written, the run is reported as lost.
   */
  | { kind: 'lost'; worker: string; runId: string; sweep: string }
  /** Stop requested mid-run: the job went back to the queue. */
  | { kind: 'requeued'; worker: string; runId: string }
  /** A problem outside any job (e.g. Redis errors other than a lost connection). */
  | { kind: 'error'; worker: string; message: string }
  | { kind: 'done'; worker: string };

/** What {@link runWorker} did. */
export interface WorkerReport {
  worker: string;
  /** Jobs started. */
  started: number;
  /** Result lines written by this worker. */
  stored: number;
  duplicates: number;
  failed: number;
  requeued: number;
  /** Runs whose sweep vanished from Redis while they trained (nothing written). */
  lost: number;
}

/** What a completed job returns (BullMQ keeps it as the job's return value). */
export interface RunJobResult {
  stored: boolean;
  worker: string;
}

/**
 * Checks that a job's data is the run its id names (the submitter and worker agree), and that
 * it is a single run within `limits`.
 */
export function checkJob(job: Pick<Job, 'id' | 'data'>, limits: Partial<JobLimits> = {}): RunSpec {
  const lim = { ...DEFAULT_JOB_LIMITS, ...limits };
  const spec = job.data as RunSpec;
  const refuse = (why: string): never => {
    throw new UnrecoverableError(`job ${job.id}: not a valid run spec (${why})`);
  };
  if (!spec || typeof spec !== 'object' || !spec.config || typeof spec.config !== 'object') refuse('no config');
  if (typeof spec.experiment !== 'string' || !EXPERIMENT_NAME.test(spec.experiment))
    refuse(`experiment: expected a name of lower-case letters, digits and dashes, received ${JSON.stringify(spec.experiment)}`);
  // Before resolving: `instances: 1e9` alone would allocate the instance list.
  const instances = (spec.config as { instances?: unknown }).instances;
  if (instances !== undefined && instances !== 1 && !(Array.isArray(instances) && instances.length === 1))
    refuse(`config.instances: expected one instance, received ${JSON.stringify(instances).slice(0, 40)}`);
  let id = '';
  try {
    id = runIdOf(spec);
    const c = resolveTrainConfig(spec.config);
    const sizes: [keyof JobLimits, number][] = [
      ['n', c.model.n],
      ['m', c.model.m],
      ['steps', c.steps],
      ['batchSize', c.batchSize],
    ];
    for (const [k, v] of sizes) if (v > lim[k]) refuse(`${k}: expected at most ${lim[k]} (this worker's limit), received ${v}`);
  } catch (e) {
    if (e instanceof UnrecoverableError) throw e;
    refuse((e as Error).message);
  }
  if (id !== job.id) {
    throw new UnrecoverableError(
      `job ${job.id}: its spec hashes to run id ${id}; the submitter and this worker run different polytoy versions`,
    );
  }
  return spec;
}

/**
 * Runs a worker until `signal` aborts it (or, with `exitWhenDone`, until the queue is empty).
 * One training call at a time: training is CPU-bound, so run one worker process per core.
 *
 * @throws PolytoyError when the backend cannot start; Redis outages are waited out.
 * @example
 * const stop = new AbortController();
 * process.on('SIGTERM', () => stop.abort());
 * await runWorker({ redis: 'redis://queue-host:6379', signal: stop.signal });
 */
export async function runWorker(opts: SweepWorkerOptions): Promise<WorkerReport> {
  const name = opts.name ?? `${hostname()}:${process.pid}`;
  const queueName = opts.queue ?? DEFAULT_QUEUE;
  const prefix = opts.prefix ?? DEFAULT_PREFIX;
  const keys = sweepKeys(queueName, prefix);
  const emit = (e: WorkerEvent) => opts.onEvent?.(e);
  const report: WorkerReport = { worker: name, started: 0, stored: 0, duplicates: 0, failed: 0, requeued: 0, lost: 0 };
  if (!opts.train) await initNodeBackend();

  const connection = redisConnection(opts.redis, 'worker');
  const queue = new Queue(queueName, { connection, prefix });
  queue.on('error', () => undefined);
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  if (opts.signal?.aborted) stop.abort();
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  const batch = opts.batch ?? 32;
  const batcher = createBatcher({
    maxBatch: batch,
    gatherMs: opts.gatherMs ?? 250,
    trainBatch: (specs) =>
      trainRuns(specs, {
        signal: stop.signal,
        ...(opts.train ? { train: opts.train } : {}),
        ...(opts.analyse ? { analyse: opts.analyse } : {}),
      }),
    onBatch: (specs) => emit({ kind: 'training', worker: name, runIds: specs.map((s) => runIdOf(s)), specs }),
  });

  const processor = async (job: Job, token?: string): Promise<RunJobResult> => {
    const spec = checkJob(job, opts.limits);
    const runId = job.id!;
    report.started++;
    emit({ kind: 'started', worker: name, runId, attempt: job.attemptsStarted, spec });
    const client = await worker.client;
    const timeoutMs = opts.timeoutMs ?? 30_000;
    const redis = <T>(p: Promise<T>, what: string) =>
      withTimeout(p, timeoutMs, `Redis did not answer ${what} within ${timeoutMs} ms`);
    const previous = await redis(client.hget(keys.results, runId), 'reading the stored result');
    if (previous !== null) {
      report.duplicates++;
      emit({ kind: 'duplicate', worker: name, runId });
      const line = parseResultLine(previous, `stored result ${runId}`);
      if (line.status === 'diverged') {
        throw new UnrecoverableError(`diverged at step ${line.step} (result stored by an earlier attempt)`);
      }
      return { stored: false, worker: name };
    }
    const t0 = performance.now();
    let outcome: RunOutcome;
    try {
      outcome = await batcher.run(spec);
    } catch (e) {
      if (stop.signal.aborted) {
        await job.moveToWait(token);
        report.requeued++;
        emit({ kind: 'requeued', worker: name, runId });
        throw new WaitingError();
      }
      if (e instanceof ConfigError) throw new UnrecoverableError(e.message);
      throw e;
    }
    // A Redis restart without persistence loses the sweep (and this job) while the run trains:
    // the result would be an orphan that no plan names. Reported as lost, not written.
    const sweepKey = sweepKeyOf(spec.experiment, spec.version, spec.size);
    if (!(await redis(client.hexists(keys.sweeps, sweepKey), 'checking the sweep'))) {
      report.lost++;
      emit({ kind: 'lost', worker: name, runId, sweep: sweepKey });
      throw new UnrecoverableError(
        `sweep ${sweepKey} is no longer in the queue (Redis restarted without persistence?); result not written`,
      );
    }
    const written = await redis(storeResult(client, keys, runId, JSON.stringify(outcome.line)), 'storing the result');
    if (written) {
      report.stored++;
      emit({ kind: 'stored', worker: name, runId, seconds: (performance.now() - t0) / 1000 });
    } else {
      report.duplicates++;
      emit({ kind: 'duplicate', worker: name, runId });
    }
    const { divergence } = outcome.line;
    if (divergence) throw new UnrecoverableError(`diverged at step ${outcome.line.step}: ${divergence.message}`);
    return { stored: written, worker: name };
  };

  const worker: Worker = new Worker(queueName, processor, {
    connection,
    prefix,
    name,
    concurrency: batch,
    lockDuration: opts.lockDurationMs ?? 30_000,
    stalledInterval: opts.stalledIntervalMs ?? 30_000,
    maxStalledCount: opts.maxStalledCount ?? 3,
    autorun: false,
  });
  let lastConnectionError = 0;
  worker.on('error', (e) => {
    // Connection errors are retried by ioredis forever: log them at most every 30 s.
    if (/ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENOTFOUND|EAI_AGAIN|Connection is closed/.test(e.message)) {
      if (Date.now() - lastConnectionError < 30_000) return;
      lastConnectionError = Date.now();
      emit({ kind: 'error', worker: name, message: `Redis unreachable (${e.message}); retrying` });
      return;
    }
    emit({ kind: 'error', worker: name, message: e.message });
  });
  worker.on('failed', (job, e) => {
    if (!job || e instanceof WaitingError || e.name === 'WaitingError') return;
    report.failed++;
    const final = e instanceof UnrecoverableError || job.attemptsMade >= (job.opts.attempts ?? 1);
    emit({ kind: 'failed', worker: name, runId: job.id ?? '?', message: e.message, final });
  });

  const finished = new Promise<void>((resolve) => {
    let checking = false;
    const check = async () => {
      if (checking || stop.signal.aborted) return;
      checking = true;
      try {
        const counts = await queue.getJobCounts('wait', 'active', 'delayed', 'prioritized', 'paused', 'waiting-children');
        if (Object.values(counts).every((c) => c === 0)) stop.abort();
      } catch {
        // Redis unreachable: try again at the next tick.
      } finally {
        checking = false;
      }
    };
    const timer = opts.exitWhenDone ? setInterval(() => void check(), Math.min(opts.stalledIntervalMs ?? 30_000, 5000)) : null;
    if (opts.exitWhenDone) {
      worker.on('drained', () => void check());
      worker.on('completed', () => void check());
      worker.on('failed', () => void check());
    }
    stop.signal.addEventListener(
      'abort',
      () => {
        if (timer) clearInterval(timer);
        resolve();
      },
      { once: true },
    );
  });

  const running = worker.run();
  // A stop request wins over waiting for Redis: a worker that cannot reach the server still
  // stops on the first SIGTERM.
  const ready = await Promise.race([
    worker.waitUntilReady().then(
      () => true,
      () => false,
    ),
    finished.then(() => false),
  ]);
  if (ready) emit({ kind: 'ready', worker: name });
  await finished;
  opts.signal?.removeEventListener('abort', onAbort);
  // Closing waits for the active jobs (interrupted by `stop`, put back in the queue); without a
  // server that never ends, so the connections are dropped after a bound.
  const closed = await bounded(
    (async () => {
      await worker.close(!ready);
      await running.catch(() => undefined);
      await queue.close();
    })(),
    ready ? 30_000 : 1000,
  );
  if (!closed) {
    await bounded(worker.disconnect(), 1000);
    await bounded(queue.disconnect(), 1000);
  }
  emit({ kind: 'done', worker: name });
  return report;
}

/** Whether `p` settled within `ms` (its rejection counts as settled). */
async function bounded(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  const done = p.then(
    () => true,
    () => true,
  );
  const r = await Promise.race([done, timeout]);
  clearTimeout(timer);
  return r;
}
