import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectSweep } from './collect.js';
import type { RedisServerHandle } from './redis-server.js';
import { submitSweep } from './submit.js';
import { startTestRedis, tinyDef } from './test-utils/fixtures.js';

let redis: RedisServerHandle;
beforeAll(async () => {
  redis = await startTestRedis();
});
afterAll(async () => {
  await redis?.stop();
});

describe('collectSweep', () => {
  it('needs a filter that matches exactly one sweep of the queue', async () => {
    const opts = { redis: redis.url, queue: 'collect-filter' };
    await expect(collectSweep(opts)).rejects.toThrow('no sweep matches any sweep in this queue (sweeps: none)');
    await submitSweep(tinyDef, { ...opts, size: 'small' });
    await submitSweep(tinyDef, { ...opts, size: 'full' });
    await expect(collectSweep(opts, { experiment: 'queue-tiny' })).rejects.toThrow(
      '2 sweeps match experiment=queue-tiny: queue-tiny@1/full, queue-tiny@1/small; name the experiment, --size or --version',
    );
    await expect(collectSweep(opts, { experiment: 'other' })).rejects.toThrow(
      'no sweep matches experiment=other in this queue (sweeps: queue-tiny@1/full, queue-tiny@1/small)',
    );
    const full = await collectSweep(opts, { experiment: 'queue-tiny', size: 'full' });
    expect(full.sweep.key).toBe('queue-tiny@1/full');
    expect(full.lines).toEqual([]);
    expect(full.missing).toHaveLength(2);
  });
});
