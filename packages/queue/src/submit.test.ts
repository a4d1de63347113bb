import { runIdOf } from '@polytoy/experiments';
import type { RunSpec } from '@polytoy/experiments';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisConnection } from './connection.js';
import { runOrder, sweepKeyOf } from './plan.js';
import type { RedisServerHandle } from './redis-server.js';
import { sweepStatus } from './status.js';
import { submitSweep } from './submit.js';
import { startTestRedis, tinyDef } from './test-utils/fixtures.js';

let redis: RedisServerHandle;
beforeAll(async () => {
  redis = await startTestRedis();
});
afterAll(async () => {
  await redis?.stop();
});

describe('submitSweep', () => {
  it('enqueues one job per run with the run id as job id and the spec as data; resubmitting adds nothing', async () => {
    const queue = 'submit-ids';
    const first = await submitSweep(tinyDef, { redis: redis.url, queue, attempts: 4, backoffMs: 1000 });
    expect(first).toMatchObject({ planned: 24, added: 24, alreadyQueued: 0, alreadyStored: 0, retried: 0 });
    expect(first.sweep).toMatchObject({
      key: 'queue-tiny@1/small',
      experiment: 'queue-tiny',
      version: 1,
      size: 'small',
      planned: 24,
    });
    const second = await submitSweep(tinyDef, { redis: redis.url, queue });
    expect(second).toMatchObject({ planned: 24, added: 0, alreadyQueued: 24, alreadyStored: 0 });

    const q = new Queue(queue, { connection: redisConnection(redis.url, 'client') });
    try {
      expect(await q.count()).toBe(24);
      const specs = runOrder(tinyDef);
      const job = await q.getJob(runIdOf(specs[5]!));
      expect(job!.data as RunSpec).toEqual(specs[5]);
      expect(job!.name).toBe(sweepKeyOf('queue-tiny', 1, 'small'));
      expect(job!.opts).toMatchObject({ attempts: 4, backoff: { type: 'exponential', delay: 1000 } });
      // The other size is another sweep in the same queue.
      const full = await submitSweep(tinyDef, { redis: redis.url, queue, size: 'full' });
      expect(full).toMatchObject({ planned: 2, added: 2 });
      expect(await q.count()).toBe(26);
    } finally {
      await q.close();
    }
    const status = await sweepStatus({ redis: redis.url, queue });
    expect(status.map((s) => [s.sweep.key, s.planned, s.waiting, s.done])).toEqual([
      ['queue-tiny@1/full', 2, 2, 0],
      ['queue-tiny@1/small', 24, 24, 0],
    ]);
    expect(await sweepStatus({ redis: redis.url, queue }, { size: 'full' })).toHaveLength(1);
    expect(await sweepStatus({ redis: redis.url, queue }, { experiment: 'other' })).toEqual([]);
  });

  it('refuses a plan that differs from the one the queue holds for the same experiment version', async () => {
    const queue = 'submit-plan';
    await submitSweep(tinyDef, { redis: redis.url, queue });
    const changed = { ...tinyDef, sizes: { ...tinyDef.sizes, small: { ...tinyDef.sizes.small, seeds: 4 } } };
    await expect(submitSweep(changed, { redis: redis.url, queue })).rejects.toThrow(
      'sweep queue-tiny@1/small: the queue holds a plan of 24 runs that differs from this one (32 runs); submitters disagree on the grid: bump the experiment version or use another --queue',
    );
    // A new version is a new sweep.
    const next = await submitSweep({ ...changed, version: 2 }, { redis: redis.url, queue });
    expect(next).toMatchObject({ planned: 32, added: 32 });
  });

  it('fails with one line when Redis cannot be reached', async () => {
    const { freeLoopbackPort } = await import('./redis-server.js');
    const port = await freeLoopbackPort();
    await expect(submitSweep(tinyDef, { redis: `redis://127.0.0.1:${port}` })).rejects.toThrow(
      new RegExp(`^cannot reach Redis at redis://127\\.0\\.0\\.1:${port}: .*ECONNREFUSED`),
    );
  });
});
