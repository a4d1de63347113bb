// `--json` end to end on the bundled CLI: stdout is exactly one JSON document (the progress bar
// and notes stay on stderr), and its numbers are those of the files the command wrote.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseRunRecord } from '@polytoy/core';
import { parseResultLine } from '@polytoy/experiments';
import { describe, expect, it } from 'vitest';
import { runCli } from '../test/cli.js';
import type { ExperimentJson, MergeJson, TrainJson } from './json-output.js';
import { JSON_FORMATS } from './json-output.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'polytoy-json-'));

/** stdout must be one line of JSON and nothing else. */
function onlyJson<T>(stdout: string): T {
  expect(stdout.endsWith('\n')).toBe(true);
  expect(stdout.trimEnd().split('\n')).toHaveLength(1);
  return JSON.parse(stdout) as T;
}

describe('--json', () => {
  it('train: per-instance results and their summary, equal to the run.json it wrote', () => {
    const dir = tmp();
    const out = join(dir, 'run.json');
    const args = ['train', '--n', '8', '--steps', '200', '--batch', '32', '--instances', '3', '--out', out, '--json'];
    const r = runCli(args);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/train .*100%/); // the bar is drawn, on stderr
    const doc = onlyJson<TrainJson>(r.stdout);
    expect(doc.format).toBe(JSON_FORMATS.train);
    expect(doc.out).toBe(out);
    expect(doc.instances.map((i) => i.seed)).toEqual([0, 1, 2]);
    const run = parseRunRecord(JSON.parse(readFileSync(out, 'utf8')));
    const saved = (run.record.analysis as { summary: { instances: { finalLoss: number; label: string }[] } }).summary;
    expect(doc.instances.map((i) => i.finalLoss)).toEqual(saved.instances.map((i) => i.finalLoss));
    expect(doc.instances.map((i) => i.finalLoss)).toEqual(run.record.instances.map((i) => i.finalLoss.loss));
    const losses = doc.instances.map((i) => i.finalLoss);
    expect(doc.summary.finalLoss.min).toBe(Math.min(...losses));
    expect(doc.summary.finalLoss.max).toBe(Math.max(...losses));
    expect(Object.values(doc.summary.labels).reduce((a, b) => a + b, 0)).toBe(3);
    expect(doc.summary.labels[saved.instances[0]!.label]).toBeGreaterThanOrEqual(1);
    expect(doc.config.model.n).toBe(8);
  });

  it('experiment and merge: the run report, cell summaries and merge counts', () => {
    const dir = tmp();
    const out = join(dir, 's.jsonl');
    const r = runCli(['experiment', 'stability', '--shard', '1/40', '--out', out, '--json']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/runs \d+\/\d+/);
    const doc = onlyJson<ExperimentJson>(r.stdout);
    const lines = readFileSync(out, 'utf8')
      .trim()
      .split('\n')
      .map((l) => parseResultLine(l));
    expect(doc.format).toBe(JSON_FORMATS.experiment);
    expect(doc.report.ran).toBe(lines.length);
    expect(doc.report.planned).toBe(lines.length);
    expect(doc.cells.reduce((a, c) => a + c.runs, 0)).toBe(lines.length);

    const again = runCli(['experiment', 'stability', '--shard', '1/40', '--out', out, '--json', '--quiet']);
    const resumed = onlyJson<ExperimentJson>(again.stdout);
    expect(resumed.report.ran).toBe(0);
    expect(resumed.report.skipped).toBe(lines.length);
    expect(resumed.cells).toEqual(doc.cells);

    const merged = join(dir, 'm.jsonl');
    const m = runCli(['merge', out, out, '--out', merged, '--partial', '--json']);
    expect(m.code).toBe(0);
    const md = onlyJson<MergeJson>(m.stdout);
    expect(md).toMatchObject({ format: JSON_FORMATS.merge, experiment: 'stability', runs: lines.length, out: merged });
    expect(md.inputLines).toBe(2 * lines.length);
    expect(md.duplicates).toBe(lines.length);
    expect(md.missing!.length).toBeGreaterThan(0); // the other 39 shards
    const refused = runCli(['merge', out, '--out', join(dir, 'x.jsonl'), '--json']);
    expect(refused.code).toBe(1);
    expect(onlyJson<MergeJson>(refused.stdout).out).toBeNull();
  });
});
