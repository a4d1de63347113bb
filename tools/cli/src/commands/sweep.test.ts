import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expandGrid, getExperiment } from '@polytoy/experiments';
import { freeLoopbackPort, startRedisServer } from '@polytoy/queue';
import type { RedisServerHandle, SweepStatus } from '@polytoy/queue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, runCli } from '../../test/cli.js';

let redis: RedisServerHandle;
beforeAll(async () => {
  redis = await startRedisServer({ installIfMissing: true });
});
afterAll(async () => {
  await redis?.stop();
});

describe('polytoy sweep (bundled CLI, real redis-server)', () => {
  it('submit enqueues every run once (a second submit adds nothing) and status counts them', () => {
    const planned = expandGrid(getExperiment('stability'), 'small').length;
    const args = ['--redis', redis.url, '--queue', 'cli-submit'];
    const first = runCli(['sweep', 'submit', 'stability', ...args]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout.trim()).toBe(
      `stability@3/small: ${planned} runs · ${planned} jobs added · 0 already queued · 0 already done (queue cli-submit on ${redis.url})`,
    );
    const second = runCli(['sweep', 'submit', 'stability', ...args]);
    expect(second.stdout).toContain(`${planned} runs · 0 jobs added · ${planned} already queued · 0 already done`);

    const status = runCli(['sweep', 'status', ...args]);
    expect(status.stdout.trim()).toBe(
      `stability@3/small: 0/${planned} done (0.0%) · running 0 · waiting ${planned} · failed 0 · retried 0`,
    );
    const json = JSON.parse(
      runCli(['sweep', 'status', 'stability', '--size', 'small', ...args, '--json']).stdout,
    ) as SweepStatus[];
    expect(json).toHaveLength(1);
    expect(json[0]).toMatchObject({ planned, done: 0, waiting: planned, running: 0, failed: 0, retried: 0 });
    expect(runCli(['sweep', 'status', 'collisions', ...args]).stdout).toBe('no sweeps match in this queue\n');

    // Nothing has run: collect refuses unless --partial.
    const dir = mkdtempSync(join(tmpdir(), 'polytoy-sweep-'));
    const out = join(dir, 'r.jsonl');
    const refused = runCli(['sweep', 'collect', 'stability', ...args, '--out', out]);
    expect(refused.code).toBe(1);
    expect(refused.stderr.trim()).toBe(
      `polytoy sweep collect: stability@3/small: ${planned} of ${planned} runs have no result yet (see 'polytoy sweep status'); nothing written (--partial writes what there is)`,
    );
    expect(existsSync(out)).toBe(false);
    const partial = runCli(['sweep', 'collect', ...args, '--out', out, '--partial']);
    expect(partial.code, partial.stderr).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe('');
  });

  it('reads the Redis URL from POLYTOY_REDIS', () => {
    const r = spawnSync(process.execPath, [CLI, 'sweep', 'status', '--queue', 'nothing-here'], {
      encoding: 'utf8',
      env: { ...process.env, POLYTOY_REDIS: redis.url },
    });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe('no sweeps match in this queue\n');
  });

  it.each([
    [
      ['sweep', 'submit', 'stability'],
      2,
      'polytoy sweep: --redis: expected a Redis URL (or POLYTOY_REDIS in the environment), received undefined',
    ],
    [
      ['sweep', 'submit', 'nope', '--redis', 'redis://127.0.0.1:1'],
      2,
      'polytoy sweep: experiment: expected "phase-diagram" | "finds-solution" | "stability" | "collisions" | "untied-choice", received "nope"',
    ],
    [
      ['sweep', 'submit', 'stability', '--redis', 'redis://127.0.0.1:1', '--size', 'huge'],
      2,
      'polytoy sweep: --size: expected "small" | "full", received "huge"',
    ],
    [
      ['sweep', 'submit', 'stability', '--redis', 'localhost:6379'],
      2,
      'polytoy sweep: --redis: expected a redis:// or rediss:// URL, received "localhost:6379"',
    ],
    [['sweep', 'launch'], 2, 'polytoy sweep: sweep subcommand: expected "submit" | "status" | "collect", received "launch"'],
    [
      ['worker', '--redis', 'redis://127.0.0.1:1', '--batch', '0'],
      2,
      'polytoy worker: --batch: expected an integer in [1, 4096], received "0"',
    ],
  ])('%j exits %i with one line', (args, code, message) => {
    const env = { ...process.env };
    delete env.POLYTOY_REDIS;
    const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env });
    expect(r.status).toBe(code);
    expect(r.stderr.trim()).toBe(message);
  });

  it('fails with one line when Redis is unreachable', async () => {
    const port = await freeLoopbackPort();
    const r = runCli(['sweep', 'status', '--redis', `redis://127.0.0.1:${port}`]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toMatch(
      new RegExp(`^polytoy sweep: cannot reach Redis at redis://127\\.0\\.0\\.1:${port}: .*ECONNREFUSED`),
    );
  });
});
