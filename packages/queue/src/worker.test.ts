import type { TrainConfig } from '@polytoy/core';
import { ConfigError } from '@polytoy/core';
import { memoryStore, runExperiment, runIdOf } from '@polytoy/experiments';
import type { ExperimentDefinition, ResultLine } from '@polytoy/experiments';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { collectSweep } from './collect.js';
import { redisConnection } from './connection.js';
import { resultDifference } from './merge.js';
import { runOrder } from './plan.js';
import { trainRuns } from './run-line.js';
import type { RedisServerHandle } from './redis-server.js';
import { sweepStatus } from './status.js';
import { submitSweep } from './submit.js';
import { fakeTrain, startTestRedis, stubAnalyse, tinyDef } from './test-utils/fixtures.js';
import type { WorkerEvent } from './worker.js';
import { runWorker } from './worker.js';

let redis: RedisServerHandle;
let queueNo = 0;
let queue = '';

beforeAll(async () => {
  redis = await startTestRedis();
});
afterAll(async () => {
  await redis?.stop();
});
beforeEach(() => {
  queue = `worker-test-${++queueNo}`;
});

const FAST = { lockDurationMs: 1000, stalledIntervalMs: 500, exitWhenDone: true } as const;

/** The fields a result is made of (not where or when it was trained). */
const resultOf = (l: ResultLine) => ({ ...l, createdAt: '', wallSeconds: 0, groupSize: 0, runtime: null });

describe('runWorker', () => {
  it('trains every submitted run once and collect gives the lines of a local run, in its order', async () => {
    const calls: TrainConfig[] = [];
    const submitted = await submitSweep(tinyDef, { redis: redis.url, queue, backoffMs: 50 });
    expect(submitted).toMatchObject({ planned: 24, added: 24, alreadyQueued: 0, alreadyStored: 0 });
    const events: WorkerEvent[] = [];
    const report = await runWorker({
      redis: redis.url,
      queue,
      ...FAST,
      train: fakeTrain(calls),
      analyse: stubAnalyse,
      onEvent: (e) => events.push(e),
    });
    expect(report).toMatchObject({ started: 24, stored: 24, duplicates: 0, failed: 0 });
    // Every run trained once, possibly several in one call.
    expect(calls.reduce((a, c) => a + c.instances.length, 0)).toBe(24);
    const trained = events.flatMap((e) => (e.kind === 'training' ? e.runIds : []));
    expect(trained.slice().sort()).toEqual(
      runOrder(tinyDef)
        .map((s) => runIdOf(s))
        .sort(),
    );
    expect(events.filter((e) => e.kind === 'started').every((e) => e.kind === 'started' && e.attempt === 1)).toBe(true);

    const local = memoryStore();
    await runExperiment(tinyDef, { store: local, train: fakeTrain(), analyse: stubAnalyse });
    const { lines, missing } = await collectSweep({ redis: redis.url, queue }, { experiment: tinyDef.name });
    expect(missing).toEqual([]);
    expect(lines.map((l) => l.runId)).toEqual(local.lines.map((l) => l.runId));
    lines.forEach((l, i) => {
      expect(resultDifference(l, local.lines[i]!)).toBeNull();
      expect(resultOf(l)).toEqual(resultOf(local.lines[i]!));
    });

    // A second submit adds nothing: every run has a stored result.
    const again = await submitSweep(tinyDef, { redis: redis.url, queue });
    expect(again).toMatchObject({ planned: 24, added: 0, alreadyStored: 24 });
    const [status] = await sweepStatus({ redis: redis.url, queue });
    expect(status).toMatchObject({
      planned: 24,
      done: 24,
      running: 0,
      waiting: 0,
      failed: 0,
      retried: 0,
      duplicates: 0,
      missing: 0,
    });
  });

  it('fails a bad config and a diverged run at once with their messages, and retries a transient error', async () => {
    const specs = runOrder(tinyDef);
    const badConfig = runIdOf(specs[0]!);
    const diverges = runIdOf(specs[1]!);
    const flaky = runIdOf(specs[2]!);
    const attemptsOf = new Map<string, number>();
    const idOf = (c: TrainConfig) =>
      runIdOf(
        specs.find(
          (s) =>
            s.config.instances[0]!.seed === c.instances[0]!.seed &&
            s.config.instances[0]!.lambda === c.instances[0]!.lambda &&
            s.config.model.m === c.model.m &&
            s.config.model.weights.kind === c.model.weights.kind,
        )!,
      );
    const train = fakeTrain([], (config) => {
      const id = idOf(config);
      attemptsOf.set(id, (attemptsOf.get(id) ?? 0) + 1);
      if (id === badConfig) throw new ConfigError('model.m', 'a positive integer', -1);
      if (id === flaky && attemptsOf.get(id) === 1) throw new Error('ECONNRESET while writing a checkpoint');
      return id === diverges ? [0] : [];
    });
    await submitSweep(tinyDef, { redis: redis.url, queue, attempts: 3, backoffMs: 50 });
    const events: WorkerEvent[] = [];
    const report = await runWorker({
      redis: redis.url,
      queue,
      ...FAST,
      batch: 1,
      train,
      analyse: stubAnalyse,
      onEvent: (e) => events.push(e),
    });

    expect(attemptsOf.get(badConfig)).toBe(1);
    expect(attemptsOf.get(diverges)).toBe(1);
    expect(attemptsOf.get(flaky)).toBe(2);
    expect(report).toMatchObject({ started: 25, stored: 23, failed: 3 });
    const failures = events.filter((e) => e.kind === 'failed');
    expect(failures).toEqual([
      expect.objectContaining({ runId: badConfig, final: true, message: 'model.m: expected a positive integer, received -1' }),
      expect.objectContaining({
        runId: diverges,
        final: true,
        message: 'diverged at step 7: instance 0 diverged at step 7: loss is NaN (lr 0.01 may be too large)',
      }),
      expect.objectContaining({ runId: flaky, final: false, message: 'ECONNRESET while writing a checkpoint' }),
    ]);

    const [status] = await sweepStatus({ redis: redis.url, queue });
    expect(status).toMatchObject({ planned: 24, done: 23, failed: 2, diverged: 1, retried: 1, waiting: 0, running: 0 });
    expect(new Map(status!.failures.map((f) => [f.runId, f.message]))).toEqual(
      new Map([
        [badConfig, 'model.m: expected a positive integer, received -1'],
        [diverges, 'diverged at step 7: instance 0 diverged at step 7: loss is NaN (lr 0.01 may be too large)'],
      ]),
    );
    // The diverged run's line is stored like a local run's; the bad config has none.
    const { lines, missing } = await collectSweep({ redis: redis.url, queue });
    expect(missing).toEqual([badConfig]);
    expect(lines.find((l) => l.runId === diverges)).toMatchObject({ status: 'diverged', step: 7, finalLoss: null });
    expect(lines.filter((l) => l.status === 'converged')).toHaveLength(22);

    // --retry-failed re-queues the run that has no result (not the diverged one).
    const retry = await submitSweep(tinyDef, { redis: redis.url, queue, retryFailed: true });
    expect(retry).toMatchObject({ added: 0, alreadyStored: 23, alreadyQueued: 1, retried: 1 });
  });

  it('writes one result per run id: an attempt that finds a stored result completes without training', async () => {
    const specs = runOrder(tinyDef);
    const first = specs[0]!;
    const calls: TrainConfig[] = [];
    // Simulate an attempt that stored its result and died before completing its job.
    const q = new Queue(queue, { connection: redisConnection(redis.url, 'client') });
    await submitSweep(tinyDef, { redis: redis.url, queue });
    const client = await q.client;
    const stored = JSON.stringify({ ...(await fakeLine(first)), createdAt: 'earlier attempt' });
    await client.hset(`bull:${queue}:polytoy:results`, { [runIdOf(first)]: stored });
    const report = await runWorker({ redis: redis.url, queue, ...FAST, train: fakeTrain(calls), analyse: stubAnalyse });
    await q.close();
    expect(report).toMatchObject({ started: 24, stored: 23, duplicates: 1, failed: 0 });
    expect(calls.reduce((n, c) => n + c.instances.length, 0)).toBe(23);
    const { lines } = await collectSweep({ redis: redis.url, queue });
    expect(lines).toHaveLength(24);
    expect(new Set(lines.map((l) => l.runId)).size).toBe(24);
    expect(lines.find((l) => l.runId === runIdOf(first))!.createdAt).toBe('earlier attempt');
  });

  it('on stop, interrupts training and puts the job back untouched for another worker', async () => {
    const one: ExperimentDefinition = {
      ...tinyDef,
      name: 'queue-one',
      sizes: {
        ...tinyDef.sizes,
        small: { ...tinyDef.sizes.small, m: [4], weights: ['tied'], lambda: [1e-3], seeds: 1, steps: 400 },
      },
    };
    await submitSweep(one, { redis: redis.url, queue });
    const stop = new AbortController();
    const events: WorkerEvent[] = [];
    // A trainer that never finishes until aborted.
    const hang = fakeTrain(
      [],
      (_config) =>
        new Promise<void>((_resolve, reject) => {
          if (stop.signal.aborted) reject(new Error('aborted'));
          stop.signal.addEventListener('abort', () => reject(new Error('aborted')));
        }),
    );
    const report = await runWorker({
      redis: redis.url,
      queue,
      lockDurationMs: 1000,
      stalledIntervalMs: 500,
      train: hang,
      analyse: stubAnalyse,
      signal: stop.signal,
      onEvent: (e) => {
        events.push(e);
        if (e.kind === 'started') setTimeout(() => stop.abort(), 50);
      },
    });
    expect(report).toMatchObject({ started: 1, stored: 0, requeued: 1, failed: 0 });
    const [status] = await sweepStatus({ redis: redis.url, queue });
    expect(status).toMatchObject({ planned: 1, done: 0, waiting: 1, running: 0, failed: 0 });
    const q = new Queue(queue, { connection: redisConnection(redis.url, 'client') });
    const job = await q.getJob(runIdOf(runOrder(one)[0]!));
    await q.close();
    expect(job?.attemptsMade).toBe(0);
    // Another worker takes it and finishes it.
    const next = await runWorker({ redis: redis.url, queue, ...FAST, train: fakeTrain(), analyse: stubAnalyse });
    expect(next).toMatchObject({ started: 1, stored: 1 });
  });
});

async function fakeLine(spec: ReturnType<typeof runOrder>[number]): Promise<ResultLine> {
  const [outcome] = await trainRuns([spec], { train: fakeTrain(), analyse: stubAnalyse });
  return outcome!.line;
}
