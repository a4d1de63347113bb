import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exactPopulationLoss, sameSignConstruction } from '@polytoy/analytic';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../test/cli.js';

describe('polytoy analyze (bundled CLI)', () => {
  it('prints the construction losses, c* and a verdict, and writes the same report as JSON', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'polytoy-analyze-')), 'a.json');
    const r = runCli(['analyze', '--n', '8', '--lambda', '0.01', '--out', out]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/c\*/);
    expect(r.stdout).toMatch(/Verdict: (STABLE|UNSTABLE|INCONCLUSIVE)/);
    const report = JSON.parse(readFileSync(out, 'utf8'));
    expect(report.format).toBe('polytoy.analysis/1');
    expect(report.n).toBe(8);
    expect(report.lambda).toBe(0.01);
    expect(['stable', 'unstable', 'inconclusive']).toContain(report.verdict.answer);
    // The construction's exact loss in the report equals an independent evaluation.
    const exact = exactPopulationLoss(sameSignConstruction({ n: 8 }), { hiddenActivation: 'none', lambda: 0.01 });
    expect(report.construction.loss.reconstruction).toBeCloseTo(0, 9);
    expect(report.construction.loss.l1).toBeCloseTo(exact.l1, 5);
  });

  it('--json prints parseable JSON; bad input is one line with exit code 2', () => {
    const r = runCli(['analyze', '--n', '8', '--lambda', '0.001', '--no-flow', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).n).toBe(8);
    const bad = runCli(['analyze', '--n', '10']);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toMatch(/n: expected a multiple of 4/);
  });
});
