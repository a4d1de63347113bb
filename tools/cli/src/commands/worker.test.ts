import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { memoryStore, runExperiment, runIdOf } from '@polytoy/experiments';
import type { ExperimentDefinition, ResultLine } from '@polytoy/experiments';
import { readResultLines } from '@polytoy/experiments/node';
import { resultDifference, runOrder, startRedisServer, submitSweep } from '@polytoy/queue';
import type { RedisServerHandle, SweepStatus } from '@polytoy/queue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, runCli } from '../../test/cli.js';

/** 12 real runs (n = 8, 400 steps) in 4 compatible groups of 3 seeds. */
const faultDef: ExperimentDefinition = {
  name: 'queue-fault',
  version: 1,
  description: 'fault test grid',
  question: 'none',
  defaults: { data: { kind: 'half-split' }, logEvery: 50, model: { init: { kind: 'normal' } } },
  sizes: {
    small: {
      n: [8],
      m: [{ perHalf: 0 }, { perHalf: 1 }],
      lambda: [1e-3],
      lr: [1e-2],
      optimizer: [{ kind: 'adam' }],
      weights: ['tied', 'untied'],
      hiddenActivation: ['none'],
      start: [{ kind: 'random' }],
      seeds: 3,
      steps: 400,
      batchSize: 64,
      params: 'all',
    },
    full: {
      n: [8],
      m: [4],
      lambda: [1e-3],
      lr: [1e-2],
      optimizer: [{ kind: 'adam' }],
      weights: ['tied'],
      hiddenActivation: ['none'],
      start: [{ kind: 'random' }],
      seeds: 1,
      steps: 10,
      batchSize: 8,
      params: 'all',
    },
  },
};

interface Proc {
  child: ChildProcess;
  stderr: () => string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const started: ChildProcess[] = [];

function startWorker(args: string[], onLine?: (line: string, p: Proc) => void): Proc {
  const child = spawn(process.execPath, [CLI, 'worker', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  started.push(child);
  let err = '';
  let partial = '';
  const p: Proc = {
    child,
    stderr: () => err,
    exit: new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal }))),
  };
  child.stdout!.on('data', () => undefined);
  child.stderr!.on('data', (d: Buffer) => {
    err += d.toString();
    partial += d.toString();
    const lines = partial.split('\n');
    partial = lines.pop()!;
    for (const line of lines) onLine?.(line, p);
  });
  return p;
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: () => string): Promise<T> {
  return Promise.race([
    promise,
    new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what()}`)), ms)),
  ]);
}

let redis: RedisServerHandle;
beforeAll(async () => {
  // CI runs as root and gets redis-server from Debian when it is missing; elsewhere a missing
  // server fails this test with the install command.
  redis = await startRedisServer({ installIfMissing: true });
});
afterAll(async () => {
  // Workers left by a failed test (their own children stop when they lose their parent).
  for (const c of started) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await redis?.stop();
});

describe('polytoy worker (bundled CLI, real redis-server)', () => {
  it('loses nothing when a worker is SIGKILLed mid-run: every result once, equal to a single-process run', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'polytoy-queue-'));
    const queue = 'fault';
    const submitted = await submitSweep(faultDef, { redis: redis.url, queue });
    expect(submitted.added).toBe(12);
    // Short locks so a dead worker's runs come back within seconds.
    const common = [
      '--redis',
      redis.url,
      '--queue',
      queue,
      '--lock-duration',
      '3000',
      '--stalled-interval',
      '1000',
      '--batch',
      '2',
    ];

    let killedRuns: string[] = [];
    const victim = startWorker(common, (line, p) => {
      const m = /training \d+ runs? in one call: ([0-9a-f ]+)$/.exec(line);
      if (m && killedRuns.length === 0) {
        killedRuns = m[1]!.trim().split(' ');
        p.child.kill('SIGKILL');
      }
    });
    // Two more worker processes from one command (--concurrency 2), exiting when all is done.
    const pair = startWorker([...common, '--concurrency', '2', '--exit-when-done']);

    const victimExit = await withTimeout(victim.exit, 90_000, () => `victim never trained:\n${victim.stderr()}`);
    expect(victimExit.signal).toBe('SIGKILL');
    expect(killedRuns.length).toBeGreaterThan(0);
    const pairExit = await withTimeout(pair.exit, 100_000, () => pair.stderr());
    expect(pairExit.code, pair.stderr()).toBe(0);

    // The killed runs were started again by the other workers.
    for (const id of killedRuns) expect(pair.stderr()).toMatch(new RegExp(`started ${id} \\(attempt 2\\)`));
    const names = new Set([...pair.stderr().matchAll(/polytoy worker (\S+): started/g)].map((m) => m[1]));
    expect(names.size).toBe(2);

    const status = runCli(['sweep', 'status', '--redis', redis.url, '--queue', queue, '--json']);
    expect(status.code, status.stderr).toBe(0);
    const [s] = JSON.parse(status.stdout) as SweepStatus[];
    expect(s).toMatchObject({ planned: 12, done: 12, running: 0, waiting: 0, failed: 0, missing: 0 });
    expect(s!.retried).toBeGreaterThanOrEqual(killedRuns.length);

    const out = join(dir, 'collected.jsonl');
    const collect = runCli(['sweep', 'collect', 'queue-fault', '--redis', redis.url, '--queue', queue, '--out', out]);
    expect(collect.code, collect.stderr).toBe(0);
    expect(collect.stdout).toContain(`queue-fault@1/small: wrote 12 of 12 runs to ${out}`);
    const lines = await readResultLines([out]);
    const ids = lines.map((l) => l.runId);
    expect(new Set(ids).size).toBe(12);
    expect(ids).toEqual(runOrder(faultDef).map((spec) => runIdOf(spec)));

    // The same grid in this process, single-threaded, with the local runner.
    const local = memoryStore();
    await runExperiment(faultDef, { store: local });
    const byId = new Map(local.lines.map((l) => [l.runId, l]));
    const resultOf = (l: ResultLine) => ({ ...l, createdAt: '', wallSeconds: 0, groupSize: 0, runtime: null });
    for (const line of lines) {
      const ref = byId.get(line.runId)!;
      expect(resultDifference(line, ref, 0)).toBeNull();
      expect(resultOf(line)).toEqual(resultOf(ref));
      expect(line.params).not.toBeNull();
    }
  });

  it('on SIGTERM stops mid-run, hands the run back to the queue and exits 0', async () => {
    const queue = 'term';
    // Long runs, so the signal always lands while one is training (the fused step finishes the
    // 400-step runs in milliseconds).
    const small = { ...faultDef.sizes.small!, steps: 200_000 };
    await submitSweep({ ...faultDef, sizes: { ...faultDef.sizes, small } }, { redis: redis.url, queue });
    let sent = false;
    const w = startWorker(['--redis', redis.url, '--queue', queue, '--batch', '3'], (line, p) => {
      if (!sent && /training \d+ runs? in one call/.test(line)) {
        sent = true;
        p.child.kill('SIGTERM');
      }
    });
    const exit = await withTimeout(w.exit, 90_000, () => w.stderr());
    expect(exit.code, w.stderr()).toBe(0);
    expect(w.stderr()).toMatch(/stopping; the run in progress goes back to the queue/);
    const count = (re: RegExp) => [...w.stderr().matchAll(re)].length;
    const handedBack = count(/stopped [0-9a-f]{16}; it is back in the queue/g);
    const stored = count(/stored [0-9a-f]{16}/g);
    expect(handedBack, w.stderr()).toBeGreaterThan(0);
    expect(handedBack + stored).toBe(count(/started [0-9a-f]{16}/g));
    const status = runCli(['sweep', 'status', 'queue-fault', '--redis', redis.url, '--queue', queue, '--json']);
    const [s] = JSON.parse(status.stdout) as SweepStatus[];
    expect(s).toMatchObject({ planned: 12, done: stored, running: 0, waiting: 12 - stored, failed: 0 });
  });
});
