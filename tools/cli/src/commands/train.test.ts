import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TrainConfig } from '@polytoy/core';
import { parseRunRecord } from '@polytoy/core';
import { analyseModel } from '@polytoy/metrics';
import { describe, expect, it } from 'vitest';
import { interruptCli, runCli } from '../../test/cli.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'polytoy-cli-'));

describe('polytoy train (bundled CLI)', () => {
  it('trains, prints a summary, and writes a run.json that metrics can read back', () => {
    const dir = tmp();
    const out = join(dir, 'run.json');
    const r = runCli([
      'train',
      '--n',
      '8',
      '--steps',
      '300',
      '--batch',
      '64',
      '--lr',
      '0.01',
      '--out',
      out,
      '--log',
      join(dir, 'log.jsonl'),
    ]);
    expect(r.stderr).toContain('backend wasm (SIMD on)');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/final loss/);
    expect(r.stdout).toMatch(/population loss/);
    expect(r.stdout).toMatch(/\(exact\)/);
    const run = parseRunRecord(JSON.parse(readFileSync(out, 'utf8')));
    expect(run.params[0]!.n).toBe(8);
    expect(run.params[0]!.m).toBe(5);
    const analysis = analyseModel(run.params[0]!, run.record.config as TrainConfig);
    expect(typeof analysis.taxonomy!.label).toBe('string');
    const summary = (run.record.analysis as { summary: { instances: { label: string }[] } }).summary;
    expect(summary.instances[0]!.label).toBe(analysis.taxonomy!.name);
    expect(r.stdout).toMatch(/solution/);
    expect(r.stdout).toMatch(/outputs: s same-sign/);
    const log = readFileSync(join(dir, 'log.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(log.length).toBeGreaterThanOrEqual(3);
    expect(log.at(-1).step).toBe(300);
    expect(log[0].loss).toBeGreaterThan(log.at(-1).loss);
  });

  it('reports a diverged instance on stderr and exits 1, writing the healthy instances', () => {
    const dir = tmp();
    const config = join(dir, 'config.json');
    writeFileSync(config, JSON.stringify({ instances: [{ seed: 1 }, { seed: 2, lr: 1000 }, { seed: 3 }] }));
    const out = join(dir, 'run.json');
    const r = runCli(['train', '--config', config, '--n', '8', '--steps', '200', '--batch', '32', '--out', out, '--quiet']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /polytoy train: 1 of 3 instances diverged \(first: instance 1 diverged at step \d+: loss \S+ > 100 × reference \S+ \(lr 1000 may be too large\)\); the others are in the summary and .*run\.json\n$/,
    );
    expect(r.stdout).toMatch(/1 diverged \(not in the table\):\n {2}instance 1 diverged at step/);
    const run = parseRunRecord(JSON.parse(readFileSync(out, 'utf8')));
    expect(run.record.instances.map((i) => [i.instance, i.status, i.step])).toEqual([
      [0, 'capped', 200],
      [2, 'capped', 200],
    ]);
    expect(run.record.diverged.map((d) => [d.instance, d.reason])).toEqual([[1, 'blow-up']]);
  });

  it('--converge stops at convergence and prints the status', () => {
    const r = runCli(['train', '--n', '8', '--steps', '30000', '--batch', '64', '--lr', '0.01', '--converge', '--quiet']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/ steps \(until converged, cap 30000\)/);
    expect(r.stdout).toMatch(/^0 +(converged \d+|capped 30000) /m);
  });

  it.each([
    [['--n', '10'], /data\.n: expected a positive multiple of 4.*received 10/],
    [['--lr', '0'], /optimizer\.lr: expected a learning rate > 0, received 0/],
    [['--m', '0'], /--m: expected an integer >= 1, received "0"/],
    [['--lambda', 'abc'], /--lambda: expected a decimal number >= 0, received "abc"/],
    [['--hidden', 'tanh'], /model\.hiddenActivation: expected "none" \| "relu", received "tanh"/],
    [['--bogus'], /arguments: expected known flags/],
  ])('rejects %j with one clear line and exit code 2', (args, message) => {
    const r = runCli(['train', ...args]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('n = 64 (--config): the population loss is printed as a Monte-Carlo estimate ± SE, never as exact', () => {
    const dir = tmp();
    const file = join(dir, 'cfg.json');
    const out = join(dir, 'run.json');
    writeFileSync(file, JSON.stringify({ data: { kind: 'half-split', n: 64 }, model: { m: 34 }, steps: 50 }));
    const r = runCli(['train', '--config', file, '--out', out]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/population loss/);
    expect(r.stdout).toMatch(/\d ± [\d.e-]+ \(Monte Carlo\)/);
    expect(r.stdout).toMatch(
      /population loss: a seeded Monte-Carlo estimate ± its standard error \(n > 32: 4096 samples; not exact\)/,
    );
    expect(r.stdout).not.toMatch(/\(exact\)|exact loss|n\/a/);
    const summary = (
      parseRunRecord(JSON.parse(readFileSync(out, 'utf8'))).record.analysis as {
        summary: { instances: { exact: { method: string; standardError: { loss: number } } }[] };
      }
    ).summary;
    expect(summary.instances[0]!.exact.method).toBe('monte-carlo');
    expect(summary.instances[0]!.exact.standardError.loss).toBeGreaterThan(0);
  });

  it('reports a bad field in a --config file on one line', () => {
    const dir = tmp();
    const file = join(dir, 'cfg.json');
    writeFileSync(file, JSON.stringify({ steps: 10, model: { l1: { lambda: -1 } } }));
    const r = runCli(['train', '--config', file]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe('polytoy train: model.l1.lambda: expected a finite lambda >= 0, received -1');
    writeFileSync(file, '{ not json');
    const r2 = runCli(['train', '--config', file]);
    expect(r2.code).not.toBe(0);
    expect(r2.stderr).toMatch(/is not valid JSON/);
  });

  it('--workers 2 (worker threads started from the bundle) gives bit-identical instances', () => {
    const dir = tmp();
    const common = ['--n', '8', '--steps', '300', '--batch', '32', '--instances', '4', '--quiet'];
    const one = runCli(['train', ...common, '--out', join(dir, 'one.json')]);
    const two = runCli(['train', ...common, '--workers', '2', '--out', join(dir, 'two.json')]);
    expect(one.code).toBe(0);
    expect(two.stderr).toBe('');
    expect(two.code).toBe(0);
    const a = parseRunRecord(JSON.parse(readFileSync(join(dir, 'one.json'), 'utf8')));
    const b = parseRunRecord(JSON.parse(readFileSync(join(dir, 'two.json'), 'utf8')));
    expect(b.params).toEqual(a.params);
    expect(b.record.instances.map((i) => i.history)).toEqual(a.record.instances.map((i) => i.history));
    expect(runCli(['train', '--split', 'rows']).stderr).toMatch(/--split: expected "instances" \| "batch", received "rows"/);
  });

  it('--help lists the flags', () => {
    const r = runCli(['train', '--help']);
    expect(r.code).toBe(0);
    for (const flag of ['--n', '--m', '--lambda', '--lr', '--instances', '--resume', '--config', '--out'])
      expect(r.stdout).toContain(flag);
  });

  it('Ctrl-C writes a checkpoint, and --resume finishes with the same parameters as an uninterrupted run', async () => {
    const dir = tmp();
    const common = ['--n', '8', '--steps', '400000', '--batch', '32', '--seed', '5', '--log-every', '5000'];
    const straight = runCli(['train', ...common, '--quiet', '--out', join(dir, 'straight.json')]);
    expect(straight.code).toBe(0);
    const ckpt = join(dir, 'ckpt.json');
    const stopped = await interruptCli(
      ['train', ...common, '--checkpoint', ckpt, '--checkpoint-every', '100000'],
      /[1-9]\d*0\/400000/,
      dir,
    );
    expect(stopped.stderr).toMatch(/interrupted/);
    expect(stopped.code).toBe(130);
    const step = Number(/stopped after step (\d+)/.exec(stopped.stderr)?.[1]);
    expect(step).toBeGreaterThan(0);
    expect(step).toBeLessThan(400000);
    const resumed = runCli(['train', '--resume', ckpt, '--quiet', '--out', join(dir, 'resumed.json')]);
    expect(resumed.code).toBe(0);
    const a = parseRunRecord(JSON.parse(readFileSync(join(dir, 'straight.json'), 'utf8')));
    const b = parseRunRecord(JSON.parse(readFileSync(join(dir, 'resumed.json'), 'utf8')));
    expect(b.params[0]).toEqual(a.params[0]);
  });
});
