/**
 * `polytoy sweep status`: per sweep, runs done (result stored), running, waiting, failed and
 * retried, from BullMQ's job states and polytoy's results hash.
 */
import type { JobType } from 'bullmq';
import type { SweepConnectionOptions } from './connection.js';
import { asQueueError, openQueue } from './open.js';
import type { OpenQueue } from './open.js';
import { PolytoyError } from '@polytoy/core';
import type { SweepMeta } from './plan.js';
import { parseSweepMeta } from './plan.js';
import { hkeys } from './scripts.js';

/** Which sweeps to look at (every field given must match). */
export interface SweepFilter {
  experiment?: string;
  version?: number;
  size?: string;
}

/** A failed run and why. */
export interface RunFailure {
  runId: string;
  message: string;
  /** Times the job was started. */
  attempts: number;
}

/** Progress of one sweep. */
export interface SweepStatus {
  sweep: SweepMeta;
  planned: number;
  /** Runs with a stored result line (including diverged runs): what `collect` writes. */
  done: number;
  /** Jobs being trained now. */
  running: number;
  /** Jobs waiting for a worker (including ones waiting out a retry backoff). */
  waiting: number;
  /** Jobs that failed for good (bad config, divergence, attempts used up). */
  failed: number;
  /** Of the failed, runs that diverged (their `diverged` result line is stored). */
  diverged: number;
  /** Jobs started more than once (a worker died, or a transient error was retried). */
  retried: number;
  /** Finished attempts that found the result already stored (and wrote nothing). */
  duplicates: number;
  /** Runs with neither a job nor a result (e.g. jobs removed by hand): resubmit to queue them. */
  missing: number;
  failures: RunFailure[];
}

const STATES: { type: JobType; bucket: 'running' | 'waiting' | 'failed' | 'completed' }[] = [
  { type: 'active', bucket: 'running' },
  { type: 'wait', bucket: 'waiting' },
  { type: 'prioritized', bucket: 'waiting' },
  { type: 'paused', bucket: 'waiting' },
  { type: 'delayed', bucket: 'waiting' },
  { type: 'waiting-children', bucket: 'waiting' },
  { type: 'failed', bucket: 'failed' },
  { type: 'completed', bucket: 'completed' },
];

/** The sweeps recorded in a queue, matching a filter, sorted by key. */
export async function listSweeps(q: OpenQueue, filter: SweepFilter = {}): Promise<SweepMeta[]> {
  const all = Object.entries(await q.client.hgetall(q.keys.sweeps)).map(([key, v]) => parseSweepMeta(v, key));
  return all
    .filter((s) => filter.experiment === undefined || s.experiment === filter.experiment)
    .filter((s) => filter.version === undefined || s.version === filter.version)
    .filter((s) => filter.size === undefined || s.size === filter.size)
    .sort((a, b) => a.key.localeCompare(b.key));
}

/** The plan (run ids in local-run order) of a sweep. */
export async function planOf(q: OpenQueue, sweep: SweepMeta): Promise<string[]> {
  const text = await q.client.get(q.keys.plan(sweep.key));
  if (!text) return [];
  let plan: unknown;
  try {
    plan = JSON.parse(text);
  } catch {
    plan = undefined;
  }
  if (!Array.isArray(plan) || !plan.every((id) => typeof id === 'string'))
    throw new PolytoyError(`sweep ${sweep.key}: its stored plan is not a JSON array of run ids`);
  return plan as string[];
}

/**
 * Progress of every sweep in the queue that matches `filter`.
 *
 * @example
 * const [s] = await sweepStatus({ redis: 'redis://127.0.0.1:6379' }, { experiment: 'collisions' });
 * `${s.done}/${s.planned} done, ${s.running} running, ${s.failed} failed, ${s.retried} retried`;
 */
export async function sweepStatus(opts: SweepConnectionOptions, filter: SweepFilter = {}): Promise<SweepStatus[]> {
  const q = await openQueue(opts);
  try {
    const sweeps = await listSweeps(q, filter);
    if (sweeps.length === 0) return [];
    const stored = new Set(await hkeys(q.client, q.keys.results));
    const duplicates = await q.client.hgetall(q.keys.duplicates);
    // One pass over the queue's jobs; a job moving between states while we read may be seen
    // in both: the first state read wins.
    const state = new Map<string, { bucket: string; attempts: number; reason: string }>();
    for (const { type, bucket } of STATES) {
      for (const job of await q.queue.getJobs(type)) {
        if (!job?.id || state.has(job.id)) continue;
        state.set(job.id, { bucket, attempts: job.attemptsStarted, reason: job.failedReason ?? '' });
      }
    }
    const out: SweepStatus[] = [];
    for (const sweep of sweeps) {
      const plan = await planOf(q, sweep);
      const s: SweepStatus = {
        sweep,
        planned: plan.length,
        done: 0,
        running: 0,
        waiting: 0,
        failed: 0,
        diverged: 0,
        retried: 0,
        duplicates: 0,
        missing: 0,
        failures: [],
      };
      for (const id of plan) {
        const isStored = stored.has(id);
        if (isStored) s.done++;
        s.duplicates += Number(duplicates[id] ?? 0);
        const job = state.get(id);
        if (!job) {
          if (!isStored) s.missing++;
          continue;
        }
        if (job.attempts > 1) s.retried++;
        if (job.bucket === 'running') s.running++;
        else if (job.bucket === 'waiting') s.waiting++;
        else if (job.bucket === 'failed') {
          s.failed++;
          if (isStored) s.diverged++;
          s.failures.push({ runId: id, message: job.reason, attempts: job.attempts });
        }
      }
      out.push(s);
    }
    return out;
  } catch (e) {
    throw asQueueError(e, opts.redis);
  } finally {
    await q.close();
  }
}

/**
 * One sweep's status as text for the terminal.
 *
 * @example
 * formatStatus(s); // 'finds-solution@1/small: 700/768 done (91.1%) · running 2 · waiting 63 · failed 3 · retried 5'
 */
export function formatStatus(s: SweepStatus, maxFailures = 10): string {
  const pct = s.planned > 0 ? ((100 * s.done) / s.planned).toFixed(1) : '100.0';
  const parts = [`running ${s.running}`, `waiting ${s.waiting}`, `failed ${s.failed}`, `retried ${s.retried}`];
  if (s.diverged) parts.push(`diverged ${s.diverged}`);
  if (s.duplicates) parts.push(`duplicate results dropped ${s.duplicates}`);
  if (s.missing) parts.push(`not queued ${s.missing}`);
  const lines = [`${s.sweep.key}: ${s.done}/${s.planned} done (${pct}%) · ${parts.join(' · ')}`];
  for (const f of s.failures.slice(0, maxFailures)) lines.push(`  failed ${f.runId} (started ${f.attempts}×): ${f.message}`);
  if (s.failures.length > maxFailures) lines.push(`  … and ${s.failures.length - maxFailures} more failed runs`);
  return lines.join('\n');
}
