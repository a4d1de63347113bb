// CLI conventions: `--out -` writes to stdout (the human-readable text goes to stderr), and
// `--resume` with `--steps` extends a run instead of ignoring the flag.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseRunRecord } from '@polytoy/core';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../test/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'polytoy-conventions-'));

describe('--out -', () => {
  it('train prints the run record on stdout and the summary on stderr', () => {
    const r = runCli(['train', '--n', '8', '--steps', '30', '--batch', '16', '--quiet', '--out', '-']);
    expect(r.code).toBe(0);
    const { record } = parseRunRecord(JSON.parse(r.stdout));
    expect(record.stepsRun).toBe(30);
    expect(r.stderr).toMatch(/final loss/);
    expect(r.stdout.trim().split('\n')).toHaveLength(1);
  });

  it('analyze prints the JSON report on stdout', () => {
    const r = runCli(['analyze', '--n', '8', '--no-flow', '--out', '-']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ format: 'polytoy.analysis/1', n: 8 });
  });
});

describe('--resume --steps', () => {
  it('extends a finished run to the new step count, logging on the new interval', () => {
    const checkpoint = join(dir, 'ck.json');
    const first = runCli([
      'train',
      '--n',
      '8',
      '--steps',
      '20',
      '--batch',
      '16',
      '--log-every',
      '10',
      '--checkpoint',
      checkpoint,
      '--quiet',
    ]);
    expect(first.code).toBe(0);
    const r = runCli(['train', '--resume', checkpoint, '--steps', '50', '--log-every', '15', '--quiet', '--out', '-']);
    expect(r.stderr).toMatch(/final loss/);
    expect(r.code).toBe(0);
    const { record } = parseRunRecord(JSON.parse(r.stdout));
    expect(record.stepsRun).toBe(50);
    expect((record.config as { steps: number }).steps).toBe(50);
    const steps = record.instances[0]!.history.map((h) => h.step);
    // The first run's records on its interval (its end-of-run record at step 20 is not kept: the
    // run did not end there), then the new interval's multiples and the new last step.
    expect(steps).toEqual([0, 10, 30, 45, 50]);
  });
});
