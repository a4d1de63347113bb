import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TrainResult } from '@polytoy/core';
import { getExperiment, memoryStore, runExperiment } from '@polytoy/experiments';
import type { ResultLine, RunAnalysis, TrainFunction } from '@polytoy/experiments';
import { jsonlStore, readResultLines } from '@polytoy/experiments/node';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../test/cli.js';

// The merge command only moves lines: a fake trainer and analysis make a real experiment's
// results files in milliseconds (the union-equals-unsharded property with real training is
// tested in @polytoy/queue).
const fakeTrain: TrainFunction = (config) => {
  const { n, m } = config.model;
  const result: TrainResult = {
    config,
    runtime: { backend: 'fake', simd: false, threads: false, tfjsVersion: '0', platform: 'node' },
    wallSeconds: 1,
    diverged: [],
    stepsRun: config.steps,
    instances: config.instances.map((s, i) => {
      const rec = { step: config.steps, instance: i, loss: s.seed + s.lambda, reconstruction: s.seed, l1: s.lambda };
      return {
        instance: i,
        seed: s.seed,
        lambda: s.lambda,
        lr: s.lr,
        status: 'capped' as const,
        step: config.steps,
        params: { kind: 'tied', n, m, W: new Float32Array(n * m).fill(s.seed), b: new Float32Array(n) },
        finalLoss: rec,
        history: [rec],
      };
    }),
  };
  return Promise.resolve(result);
};
const analyse = (): RunAnalysis => ({
  exactLoss: null,
  classification: 'fake',
  evidence: null,
  details: { c: null, biasMean: 0, polysemanticCount: 0, expectedPolysemanticCount: null, disambiguationUse: null },
});

const def = getExperiment('stability');
const tmp = () => mkdtempSync(join(tmpdir(), 'polytoy-merge-'));

async function shardFiles(dir: string, count: number): Promise<string[]> {
  const files: string[] = [];
  for (let index = 1; index <= count; index++) {
    const file = join(dir, `shard-${index}.jsonl`);
    await runExperiment(def, { store: jsonlStore(file), shard: { index, count }, train: fakeTrain, analyse });
    files.push(file);
  }
  return files;
}

const strip = (l: ResultLine) => ({ ...l, createdAt: '' });

describe('polytoy merge (bundled CLI)', () => {
  it('combines shards into the unsharded results, in local-run order, dropping repeated lines', async () => {
    const dir = tmp();
    const whole = memoryStore();
    await runExperiment(def, { store: whole, train: fakeTrain, analyse });
    const files = await shardFiles(dir, 3);
    const out = join(dir, 'merged.jsonl');
    // The first shard twice: its lines are identical repeats.
    const r = runCli(['merge', ...files, files[0]!, '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const repeated = (await readResultLines([files[0]!])).length;
    const n = whole.lines.length;
    expect(r.stdout.trim()).toBe(
      `stability v3 (small): ${n} of ${n} planned runs from ${n + repeated} lines in 4 files (${repeated} duplicates dropped) → ${out}`,
    );
    const merged = await readResultLines([out]);
    expect(merged.map(strip)).toEqual(whole.lines.map(strip));
  });

  it('refuses a merge with a shard missing unless --partial', async () => {
    const dir = tmp();
    const files = await shardFiles(dir, 3);
    const out = join(dir, 'merged.jsonl');
    const missing = (await readResultLines([files[2]!])).length;
    const r = runCli(['merge', files[0]!, files[1]!, '--out', out]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(
      `polytoy merge: stability v3 (small): ${missing} planned runs are in none of the files (a shard missing or unfinished?); nothing written (--partial writes what there is)`,
    );
    const p = runCli(['merge', files[0]!, files[1]!, '--out', out, '--partial']);
    expect(p.code, p.stderr).toBe(0);
    expect(readFileSync(out, 'utf8').trim().split('\n')).toHaveLength((await readResultLines([files[0]!, files[1]!])).length);
  });

  it('fails on a run id with two different results, and on files of different experiments', async () => {
    const dir = tmp();
    const [a] = await shardFiles(dir, 1);
    const lines = await readResultLines([a!]);
    const tampered = join(dir, 'tampered.jsonl');
    writeFileSync(tampered, `${JSON.stringify({ ...lines[3]!, finalLoss: 123 })}\n`);
    const r = runCli(['merge', a!, tampered, '--out', join(dir, 'm.jsonl')]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toMatch(
      new RegExp(
        `^polytoy merge: run ${lines[3]!.runId} \\(n=\\d+ m=\\d+ seed=\\d\\) has different results in .*shard-1\\.jsonl:4 and .*tampered\\.jsonl:1 \\(field finalLoss\\)`,
      ),
    );
    const other = join(dir, 'other.jsonl');
    writeFileSync(other, `${JSON.stringify({ ...lines[0]!, experiment: 'collisions' })}\n`);
    const mixed = runCli(['merge', a!, other, '--out', join(dir, 'm.jsonl')]);
    expect(mixed.code).toBe(1);
    expect(mixed.stderr).toMatch(
      /other\.jsonl:1 is collisions v3 \(small\) but .*shard-1\.jsonl:1 is stability v3 \(small\): merge one experiment version and size at a time/,
    );
  });

  it.each([
    [['merge'], 'polytoy merge: files: expected one or more results files, received undefined'],
    [['merge', 'a.jsonl'], 'polytoy merge: --out: expected the merged file to write, received undefined'],
    [
      ['merge', 'a.jsonl', '--out', 'a.jsonl'],
      'polytoy merge: --out: expected a file other than the inputs (a.jsonl is one), received "a.jsonl"',
    ],
  ])('%j exits 2 with one line', (args, message) => {
    const r = runCli(args);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(message);
  });
});
