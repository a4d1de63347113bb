import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseResultLine } from '@polytoy/experiments';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../test/cli.js';

describe('polytoy experiment + report (bundled CLI)', () => {
  it('lists experiments and rejects unknown names and sizes with one line', () => {
    const list = runCli(['experiment', '--list']);
    expect(list.code).toBe(0);
    for (const name of ['finds-solution', 'stability', 'collisions', 'untied-choice']) expect(list.stdout).toContain(name);
    const bad = runCli(['experiment', 'nope']);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    const size = runCli(['experiment', 'stability', '--size', 'huge']);
    expect(size.code).toBe(2);
    expect(size.stderr).toMatch(/--size: expected small \| full, received "huge"/);
  });

  it('runs a shard of the stability grid, resumes without retraining, and renders a report', () => {
    const dir = mkdtempSync(join(tmpdir(), 'polytoy-exp-'));
    const out = join(dir, 's.jsonl');
    const first = runCli(['experiment', 'stability', '--shard', '1/40', '--out', out, '--quiet']);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const lines = readFileSync(out, 'utf8')
      .trim()
      .split('\n')
      .map((l) => parseResultLine(l));
    expect(lines.length).toBeGreaterThan(0);
    expect(new Set(lines.map((l) => l.runId)).size).toBe(lines.length);
    const again = runCli(['experiment', 'stability', '--shard', '1/40', '--out', out, '--quiet']);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(new RegExp(`0 run\\(s\\) trained in 0 call\\(s\\), ${lines.length} already done`));
    expect(readFileSync(out, 'utf8').trim().split('\n')).toHaveLength(lines.length);

    const html = join(dir, 'r.html');
    const rep = runCli(['report', out, '--out', html]);
    expect(rep.code).toBe(0);
    expect(rep.stdout).toMatch(/stability v3: \d+ runs/);
    const text = readFileSync(html, 'utf8');
    expect(text.startsWith('<!DOCTYPE html>') || text.startsWith('<!doctype html>')).toBe(true);
    // Interactive charts: one spec block each, drawn by the inlined Vega under a hash-based CSP.
    expect((text.match(/<script type="application\/json" data-chart=/g) ?? []).length).toBeGreaterThan(1);
    expect(text).toMatch(
      /<meta http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;; script-src &#39;sha256-/,
    );
    expect(runCli(['report', join(dir, 'missing.jsonl')]).code).not.toBe(0);
  });
});
