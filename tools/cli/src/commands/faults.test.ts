// Injected faults on the bundled CLI: signals (exit 130 / 143, a last checkpoint), kill -9
// (the checkpoint on disk stays whole), corrupt checkpoints (checksum) and a full disk (ENOSPC
// on a small tmpfs: one line, exit 1, the previous file intact).
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, runCli, signalCli } from '../../test/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'polytoy-faults-'));
const TRAIN = ['train', '--n', '8', '--batch', '16', '--log-every', '50'];

describe('signals', () => {
  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const)('%s stops training with exit %i, a last checkpoint and the resume command', async (signal, code) => {
    const checkpoint = join(dir, `${signal}.ck.json`);
    const r = await signalCli([...TRAIN, '--steps', '2000000', '--checkpoint', checkpoint], /train +\d+%|\d+\/2000000/, signal);
    expect(r.stderr).toMatch(new RegExp(`stopped after step \\d+; resume with: polytoy train --resume ${checkpoint}\\n$`));
    expect(r.code).toBe(code);
    const resumed = runCli([
      'train',
      '--resume',
      checkpoint,
      '--steps',
      String(JSON.parse(readFileSync(checkpoint, 'utf8')).step + 10),
      '--quiet',
    ]);
    expect(resumed.code).toBe(0);
  });

  it('kill -9 leaves the last checkpoint whole: it resumes, and no temporary file is left beside it', async () => {
    const sub = join(dir, 'kill9');
    mkdirSync(sub);
    const checkpoint = join(sub, 'ck.json');
    const child = spawn(process.execPath, [
      CLI,
      ...TRAIN,
      '--steps',
      '2000000',
      '--checkpoint',
      checkpoint,
      '--checkpoint-every',
      '20',
      '--quiet',
    ]);
    // Kill while checkpoints are being written every 20 steps.
    await new Promise<void>((resolve) => {
      const poll = setInterval(() => {
        if (existsSync(checkpoint)) {
          clearInterval(poll);
          setTimeout(resolve, 300);
        }
      }, 20);
    });
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('close', resolve));
    const step = JSON.parse(readFileSync(checkpoint, 'utf8')).step as number;
    expect(step).toBeGreaterThan(0);
    const r = runCli(['train', '--resume', checkpoint, '--steps', String(step + 20), '--quiet']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(readdirSync(sub).filter((f) => f.endsWith('.tmp')).length).toBeLessThanOrEqual(1);
  });
});

describe('corrupt checkpoints', () => {
  const checkpoint = join(dir, 'good.ck.json');
  beforeAll(() => {
    expect(runCli([...TRAIN, '--steps', '30', '--checkpoint', checkpoint, '--quiet']).code).toBe(0);
  });
  const variant = (name: string, edit: (text: string) => string) => {
    const path = join(dir, name);
    writeFileSync(path, edit(readFileSync(checkpoint, 'utf8')));
    return path;
  };

  it.each([
    [
      'a flipped weight',
      (t: string) => t.replace(/"W":\{"f32":"(.)/, (_m, c: string) => `"W":{"f32":"${c === 'A' ? 'B' : 'A'}`),
      'checkpoint.checksum',
    ],
    [
      'a flipped RNG state',
      (t: string) => t.replace(/"data":\[(\d)/, (_m, d: string) => `"data":[${d === '1' ? '2' : '1'}`),
      'checkpoint.checksum',
    ],
    ['an edited config', (t: string) => t.replace('"lambda":0.001', '"lambda":0.002'), 'checkpoint.checksum'],
    ['a truncated file', (t: string) => t.slice(0, Math.floor(t.length / 2)), 'is not JSON'],
  ])('%s is refused with one line and exit 1', (name, edit, what) => {
    const path = variant(`${name.replaceAll(' ', '-')}.json`, edit);
    expect(readFileSync(path, 'utf8')).not.toBe(readFileSync(checkpoint, 'utf8'));
    const r = runCli(['train', '--resume', path, '--quiet']);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(what);
    expect(r.code).toBe(1);
  });
});

// ENOSPC needs a tmpfs mount, which needs root; CI runs these tests as root.
const isRoot = process.getuid?.() === 0;
describe.skipIf(!isRoot)('a full disk (tmpfs of 64 KiB; root only)', () => {
  const mnt = join(dir, 'full');
  const fixtures = fileURLToPath(new URL('../../../../docs/results/', import.meta.url));
  const previous = '{"previous":"file"}\n';
  beforeAll(() => {
    mkdirSync(mnt);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', mnt]);
    for (const f of ['run.json', 'report.html', 'merged.jsonl']) writeFileSync(join(mnt, f), previous);
    // Fill what is left.
    try {
      writeFileSync(join(mnt, 'filler'), Buffer.alloc(64 * 1024));
    } catch {
      // ENOSPC: the disk is full now.
    }
  });
  afterAll(() => {
    execFileSync('umount', [mnt]);
  });

  it.each([
    ['train --out', () => [...TRAIN, '--steps', '20', '--instances', '8', '--quiet', '--out', join(mnt, 'run.json')], 'run.json'],
    ['report --out', () => ['report', join(fixtures, 'stability-small.jsonl'), '--out', join(mnt, 'report.html')], 'report.html'],
    ['merge --out', () => ['merge', join(fixtures, 'stability-small.jsonl'), '--out', join(mnt, 'merged.jsonl')], 'merged.jsonl'],
  ])('%s fails with one ENOSPC line and exit 1, leaving the previous file intact', (_name, args, file) => {
    const r = runCli(args());
    expect(r.stderr.trim().split('\n').at(-1)).toMatch(/^polytoy \w+: ENOSPC: no space left on device/);
    expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
    expect(r.code).toBe(1);
    expect(readFileSync(join(mnt, file), 'utf8')).toBe(previous);
    expect(readdirSync(mnt).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('train --log stops with one line when the disk fills mid-run', () => {
    const r = runCli([
      'train',
      '--n',
      '8',
      '--batch',
      '16',
      '--steps',
      '100000',
      '--log-every',
      '1',
      '--quiet',
      '--log',
      join(mnt, 'log.jsonl'),
    ]);
    expect(r.stderr.trim().split('\n').at(-1)).toMatch(
      /^polytoy train: --log: cannot write ".*log\.jsonl": ENOSPC: no space left on device/,
    );
    expect(r.code).toBe(1);
  });
});
