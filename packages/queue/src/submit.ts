/**
 * `polytoy sweep submit`: one BullMQ job per run, with the run id as job id, so submitting the
 * same sweep again adds nothing (BullMQ ignores an `add` whose job id exists, and runs whose
 * result is already stored are not enqueued at all).
 */
import { PolytoyError } from '@polytoy/core';
import { runIdOf } from '@polytoy/experiments';
import type { ExperimentDefinition, ExperimentSize, RunSpec } from '@polytoy/experiments';
import type { Job } from 'bullmq';
import type { SweepConnectionOptions } from './connection.js';
import { asQueueError, inChunks, openQueue } from './open.js';
import type { SweepMeta } from './plan.js';
import { runOrder, sweepKeyOf } from './plan.js';
import { hkeys, hsetnx, setPlan } from './scripts.js';

/** Options of {@link submitSweep}. */
export interface SubmitOptions extends SweepConnectionOptions {
  /** Grid size (default `small`). */
  size?: ExperimentSize;
  /**
   * Attempts per job for transient failures (default 3). Bad configs and divergence fail at
   * once; a worker that dies is a stall, not an attempt (see the worker's `maxStalledCount`).
   */
  attempts?: number;
  /** First retry delay in ms, doubling after each failed attempt (default 5000). */
  backoffMs?: number;
  /** Also re-queue this sweep's failed jobs that have no stored result. */
  retryFailed?: boolean;
}

/** What {@link submitSweep} did. */
export interface SubmitReport {
  sweep: SweepMeta;
  /** Runs in the sweep. */
  planned: number;
  /** Jobs enqueued now. */
  added: number;
  /** Runs that already had a job (in any state). */
  alreadyQueued: number;
  /** Runs whose result is already stored (not enqueued). */
  alreadyStored: number;
  /** Failed jobs re-queued (with `retryFailed`). */
  retried: number;
}

/** Job options every run gets. */
function jobOptions(runId: string, attempts: number, backoffMs: number) {
  return {
    jobId: runId,
    attempts,
    backoff: { type: 'exponential', delay: backoffMs },
    // Keep finished jobs: an existing job id is what makes a second submit a no-op.
    removeOnComplete: false,
    removeOnFail: false,
  } as const;
}

/**
 * Enqueues every run of an experiment's grid that has neither a job nor a stored result, and
 * records the sweep's plan (its run ids in local-run order) for `status` and `collect`.
 *
 * @throws PolytoyError when Redis cannot be reached, or when the queue already holds a plan for
 *   this experiment version and size with other run ids (the submitting polytoy differs from
 *   the first one: bump the experiment's version instead).
 * @example
 * const r = await submitSweep(getExperiment('collisions'), { redis: 'redis://127.0.0.1:6379' });
 * r.added; // jobs enqueued now; 0 on a second call
 */
export async function submitSweep(def: ExperimentDefinition, opts: SubmitOptions): Promise<SubmitReport> {
  const size = opts.size ?? 'small';
  const attempts = opts.attempts ?? 3;
  const backoffMs = opts.backoffMs ?? 5000;
  const specs = runOrder(def, size);
  const ids = specs.map((s) => runIdOf(s));
  const key = sweepKeyOf(def.name, def.version, size);
  const q = await openQueue(opts);
  try {
    const { client, keys, queue } = q;
    const planJson = JSON.stringify(ids);
    const existing = await setPlan(client, keys, key, planJson);
    if (existing !== planJson) {
      const count = (JSON.parse(existing) as string[]).length;
      throw new PolytoyError(
        `sweep ${key}: the queue holds a plan of ${count} runs that differs from this one (${ids.length} runs); ` +
          'submitters disagree on the grid: bump the experiment version or use another --queue',
      );
    }
    const meta: SweepMeta = {
      key,
      experiment: def.name,
      version: def.version,
      size,
      planned: ids.length,
      submittedAt: new Date().toISOString(),
    };
    await hsetnx(client, keys.sweeps, key, JSON.stringify(meta));
    const stored = new Set(await hkeys(client, keys.results));
    const open = specs.filter((_, i) => !stored.has(ids[i]!));
    const states = await inChunks(open, 500, (s) => queue.getJobState(runIdOf(s)));
    const toAdd: RunSpec[] = open.filter((_, i) => states[i] === 'unknown');
    for (let i = 0; i < toAdd.length; i += 500) {
      await queue.addBulk(
        toAdd.slice(i, i + 500).map((spec) => ({ name: key, data: spec, opts: jobOptions(runIdOf(spec), attempts, backoffMs) })),
      );
    }
    let retried = 0;
    if (opts.retryFailed) {
      const failed = open.filter((_, i) => states[i] === 'failed');
      await inChunks(failed, 100, async (spec) => {
        const job: Job | undefined = await queue.getJob(runIdOf(spec));
        if (!job) return;
        await job.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
        retried++;
      });
    }
    return {
      sweep: meta,
      planned: ids.length,
      added: toAdd.length,
      alreadyQueued: open.length - toAdd.length,
      alreadyStored: ids.length - open.length,
      retried,
    };
  } catch (e) {
    throw asQueueError(e, opts.redis);
  } finally {
    await q.close();
  }
}
