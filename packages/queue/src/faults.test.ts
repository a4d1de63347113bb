// Network faults: a server that never answers, an unreachable server while stopping, hostile
// job payloads and sweep entries, and Redis restarts with and without persistence.
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { Server, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PolytoyError } from '@polytoy/core';
import { runIdOf } from '@polytoy/experiments';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectSweep } from './collect.js';
import { redisConnection } from './connection.js';
import { parseSweepMeta, runOrder } from './plan.js';
import { freeLoopbackPort, startRedisServer } from './redis-server.js';
import type { RedisServerHandle } from './redis-server.js';
import { hkeys, hsetnx } from './scripts.js';
import { sweepStatus } from './status.js';
import { submitSweep } from './submit.js';
import { fakeTrain, startTestRedis, stubAnalyse, tinyDef } from './test-utils/fixtures.js';
import { checkJob, runWorker } from './worker.js';

/** A TCP server that accepts connections and never answers (a hung or wrong service). */
async function silentServer(): Promise<{ url: string; close(): Promise<void> }> {
  const sockets: Socket[] = [];
  const server: Server = createServer((s) => {
    sockets.push(s);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `redis://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

describe('a server that accepts TCP but never answers', () => {
  it.each([
    ['status', (url: string) => sweepStatus({ redis: url, timeoutMs: 500 })],
    ['collect', (url: string) => collectSweep({ redis: url, timeoutMs: 500 })],
    ['submit', (url: string) => submitSweep(tinyDef, { redis: url, timeoutMs: 500 })],
  ])('%s fails within its timeout with one line', async (_name, op) => {
    const server = await silentServer();
    try {
      const t0 = performance.now();
      const error = await op(server.url).then(
        () => null,
        (e: unknown) => e,
      );
      const seconds = (performance.now() - t0) / 1000;
      expect(error).toBeInstanceOf(PolytoyError);
      expect((error as Error).message).toMatch(new RegExp(`^cannot reach Redis at ${server.url}/?: `));
      expect((error as Error).message).not.toContain('\n');
      expect(seconds).toBeLessThan(3);
    } finally {
      await server.close();
    }
  });
});

describe('a worker that cannot reach Redis', () => {
  it.each([
    ['nothing listens', async () => ({ url: `redis://127.0.0.1:${await freeLoopbackPort()}`, close: async () => undefined })],
    ['the server never answers', silentServer],
  ])('stops on the first stop request (%s)', async (_name, serve) => {
    const server = await serve();
    try {
      const stop = new AbortController();
      setTimeout(() => stop.abort(), 300);
      const t0 = performance.now();
      const report = await runWorker({
        redis: server.url,
        queue: 'unreachable',
        signal: stop.signal,
        train: fakeTrain(),
        analyse: stubAnalyse,
      });
      expect((performance.now() - t0) / 1000).toBeLessThan(8);
      expect(report).toMatchObject({ started: 0, stored: 0, lost: 0 });
    } finally {
      await server.close();
    }
  });
});

describe('hostile payloads', () => {
  const spec = runOrder(tinyDef)[0]!;
  const job = (patch: (s: typeof spec) => unknown) => ({ id: runIdOf(spec), data: patch(structuredClone(spec)) });
  const withConfig = (c: Record<string, unknown>) => job((s) => ({ ...s, config: { ...s.config, ...c } }));

  it.each([
    [
      job((s) => ({
        ...s,
        config: { ...s.config, data: { kind: 'half-split', n: 4096 }, model: { ...s.config.model, n: 4096 } },
      })),
      "n: expected at most 1024 (this worker's limit), received 4096",
    ],
    [withConfig({ steps: 9e15 }), "steps: expected at most 10000000 (this worker's limit), received 9000000000000000"],
    [withConfig({ batchSize: 1e6 }), "batchSize: expected at most 65536 (this worker's limit), received 1000000"],
    [withConfig({ instances: 1e9 }), 'config.instances: expected one instance, received 1000000000'],
    [
      job((s) => ({ ...s, experiment: '../../x' })),
      'experiment: expected a name of lower-case letters, digits and dashes, received "../../x"',
    ],
    [job(() => null), 'no config'],
  ])('a job is refused before training: %#', (j, message) => {
    expect(() => checkJob(j)).toThrow(`job ${runIdOf(spec)}: not a valid run spec (${message})`);
  });

  it('limits are configurable, and a job within them is accepted', () => {
    expect(checkJob(job((s) => s))).toEqual(spec);
    expect(() =>
      checkJob(
        job((s) => s),
        { n: 4 },
      ),
    ).toThrow("n: expected at most 4 (this worker's limit), received 8");
  });

  it.each([
    ['{"key":', 'sweep entry "k": not JSON'],
    [
      JSON.stringify({ key: '../../x@1/small', experiment: '../../x', version: 1, size: 'small', planned: 1, submittedAt: '' }),
      'sweep entry "k": experiment: expected a name of lower-case letters, digits and dashes, received "../../x"',
    ],
    [
      JSON.stringify({ key: 'a@1/huge', experiment: 'a', version: 1, size: 'huge', planned: 1, submittedAt: '' }),
      'sweep entry "k": size: expected small | full, received "huge"',
    ],
    [
      JSON.stringify({ key: 'a@1/small', experiment: 'a', version: 1, size: 'small', planned: 1, submittedAt: '' }),
      'sweep entry "k": key: expected "a@1/small", received "a@1/small"',
    ],
  ])('a sweep entry from Redis is validated: %s', (text, message) => {
    expect(() => parseSweepMeta(text, 'k')).toThrow(message);
  });

  it('sweep status refuses a crafted sweep entry with one line', async () => {
    const redis = await startTestRedis();
    try {
      const q = new Queue('crafted', { connection: redisConnection(redis.url, 'client') });
      const client = await q.client;
      await hsetnx(client, 'bull:crafted:polytoy:sweeps', 'x', '{"experiment": "../../etc"');
      await q.close();
      await expect(sweepStatus({ redis: redis.url, queue: 'crafted' })).rejects.toThrow('sweep entry "x": not JSON');
    } finally {
      await redis.stop();
    }
  });
});

describe('Redis restarted under a working worker', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'polytoy-redis-persist-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it.each([
    ['without persistence: the sweep is lost, reported, and nothing is written', false],
    ['with persistence: every run is stored once', true],
  ])('%s', async (_name, persistent) => {
    const persistDir = persistent ? join(dir, 'data') : undefined;
    if (persistDir) await rm(persistDir, { recursive: true, force: true });
    if (persistDir) await import('node:fs/promises').then((fs) => fs.mkdir(persistDir, { recursive: true }));
    let redis: RedisServerHandle = await startRedisServer(persistDir ? { persistDir } : {});
    const port = redis.port;
    try {
      await submitSweep(tinyDef, { redis: redis.url, queue: 'restart', backoffMs: 50 });
      let restarted = false;
      const train = fakeTrain([], async () => {
        if (restarted) return;
        restarted = true;
        await redis.stop();
        redis = await startRedisServer({ port, ...(persistDir ? { persistDir } : {}) });
      });
      const report = await runWorker({
        redis: redis.url,
        queue: 'restart',
        lockDurationMs: 2000,
        stalledIntervalMs: 500,
        exitWhenDone: true,
        batch: 4,
        train,
        analyse: stubAnalyse,
      });
      expect(restarted).toBe(true);
      if (persistent) {
        expect(report.lost).toBe(0);
        const { lines, missing } = await collectSweep({ redis: redis.url, queue: 'restart' });
        expect(missing).toEqual([]);
        expect(lines.map((l) => l.runId)).toEqual(runOrder(tinyDef).map((s) => runIdOf(s)));
      } else {
        expect(report.lost).toBeGreaterThan(0);
        expect(report.stored).toBe(0);
        // Nothing orphaned: the restarted server holds no results.
        const q = new Queue('restart', { connection: redisConnection(redis.url, 'client') });
        const client = await q.client;
        expect(await hkeys(client, 'bull:restart:polytoy:results')).toEqual([]);
        await q.close();
        await expect(collectSweep({ redis: redis.url, queue: 'restart' })).rejects.toThrow(/no sweep matches any sweep/);
      }
    } finally {
      await redis.stop();
    }
  });
});
