// Queue mode with a grid file: submit --grid, a worker trains the jobs, collect writes the same
// lines a local `experiment --grid` writes; --json on submit and collect.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseResultLine } from '@polytoy/experiments';
import { startRedisServer } from '@polytoy/queue';
import type { RedisServerHandle } from '@polytoy/queue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../test/cli.js';
import { readGridFile } from '../grid-source.js';

let redis: RedisServerHandle;
beforeAll(async () => {
  redis = await startRedisServer({ installIfMissing: true });
});
afterAll(async () => {
  await redis?.stop();
});

describe('polytoy sweep submit --grid (bundled CLI, real redis-server)', () => {
  it('queues a grid file, a worker trains it, collect equals the local run', () => {
    const dir = mkdtempSync(join(tmpdir(), 'polytoy-sweep-grid-'));
    const grid = join(dir, 'queued.json');
    const file = {
      name: 'queued',
      defaults: { data: { kind: 'half-split' }, logEvery: 25 },
      grid: { n: [8], lambda: [0.001, 0.01], seeds: 2, steps: 50, batchSize: 32 },
    };
    writeFileSync(grid, JSON.stringify(file));
    const version = readGridFile(grid).version;
    const args = ['--redis', redis.url, '--queue', 'cli-grid'];

    const submit = runCli(['sweep', 'submit', '--grid', grid, ...args, '--json']);
    expect(submit.code, submit.stderr).toBe(0);
    const report = JSON.parse(submit.stdout) as { planned: number; added: number; sweep: { key: string } };
    expect(report).toMatchObject({ planned: 4, added: 4, sweep: { key: `queued@${version}/small` } });

    const worker = runCli(['worker', ...args, '--exit-when-done', '--quiet']);
    expect(worker.code, worker.stderr).toBe(0);

    const collected = join(dir, 'c.jsonl');
    const collect = runCli(['sweep', 'collect', 'queued', ...args, '--out', collected, '--json']);
    expect(collect.code, collect.stderr).toBe(0);
    expect(JSON.parse(collect.stdout)).toMatchObject({ written: 4, missing: [], out: collected });

    const local = join(dir, 'l.jsonl');
    expect(runCli(['experiment', '--grid', grid, '--out', local, '--quiet']).code).toBe(0);
    const strip = (path: string) =>
      readFileSync(path, 'utf8')
        .trim()
        .split('\n')
        .map((l) => parseResultLine(l))
        .map((l) => [l.runId, l.finalLoss, l.params]);
    expect(strip(collected)).toEqual(strip(local));
  });
});
