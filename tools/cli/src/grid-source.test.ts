import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expandGrid, parseResultLine } from '@polytoy/experiments';
import { describe, expect, it } from 'vitest';
import { runCli } from '../test/cli.js';
import { extraBytesOf } from './experiment-output.js';
import { readGridFile } from './grid-source.js';

const examples = fileURLToPath(new URL('../../../examples/grids/', import.meta.url));
const tmp = () => mkdtempSync(join(tmpdir(), 'polytoy-grid-'));

describe('examples/grids', () => {
  const files = readdirSync(examples).filter((f) => /\.(ya?ml|json)$/.test(f));

  it('has YAML and JSON examples', () => {
    expect(files.some((f) => f.endsWith('.yaml'))).toBe(true);
    expect(files.some((f) => f.endsWith('.json'))).toBe(true);
  });

  it.each(files)('%s parses, validates and expands (both sizes)', (file) => {
    const def = readGridFile(join(examples, file));
    expect(def.name).toBe(file.replace(/\.(ya?ml|json)$/, ''));
    for (const size of ['small', 'full'] as const) {
      const specs = expandGrid(def, size);
      expect(specs.length).toBeGreaterThan(0);
      expect(specs.every((s) => s.experiment === def.name && s.version === def.version)).toBe(true);
    }
  });

  it('lambda-lr.yaml expands to its documented 2 × 2 × 2 cells × 3 seeds', () => {
    const specs = expandGrid(readGridFile(join(examples, 'lambda-lr.yaml')));
    expect(specs).toHaveLength(24);
    expect(new Set(specs.map((s) => s.cellKey)).size).toBe(8);
  });

  it('a YAML file and the same grid in JSON are the same experiment version', () => {
    const dir = tmp();
    const grid = { name: 'same', grid: { n: [8], lambda: [0.001, 0.01], steps: 50 } };
    writeFileSync(join(dir, 'a.json'), JSON.stringify(grid));
    writeFileSync(join(dir, 'a.yaml'), 'name: same\ngrid:\n  steps: 50\n  lambda: [0.001, 0.01]\n  n: 8\n');
    expect(readGridFile(join(dir, 'a.yaml')).version).toBe(readGridFile(join(dir, 'a.json')).version);
  });
});

describe('polytoy experiment --grid (bundled CLI)', () => {
  it('runs a grid file with --keep-params all --history full, says the size first, and resumes', () => {
    const dir = tmp();
    const grid = join(dir, 'tiny.yaml');
    writeFileSync(
      grid,
      [
        'name: tiny',
        'defaults: { data: { kind: half-split }, logEvery: 20 }',
        'grid: { n: [8], lambda: [0.001, 0.01], seeds: 2, steps: 100, batchSize: 64, params: none }',
      ].join('\n'),
    );
    const out = join(dir, 'tiny.jsonl');
    const r = runCli(['experiment', '--grid', grid, '--out', out, '--keep-params', 'all', '--history', 'full']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/keeping weights of 4\/4 runs, full histories: ~\d+(\.\d)? kB/);
    expect(r.stdout).toMatch(/^tiny: 4 run\(s\) trained in 1 call\(s\)/);
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    const parsed = lines.map((l) => parseResultLine(l));
    expect(parsed.every((l) => l.experiment === 'tiny' && l.version === readGridFile(grid).version)).toBe(true);
    for (const l of parsed) {
      expect(l.params).not.toBeNull();
      expect(l.history.step).toEqual([0, 20, 40, 60, 80, 100]);
    }
    // The printed estimate is within a factor 2 of what the weights and histories took.
    const actual = parsed.reduce((a, l) => a + JSON.stringify(l.params).length + JSON.stringify(l.history).length, 0);
    const estimate = parsed.reduce((a, l) => a + extraBytesOf({ ...l.spec, keepParams: true }, 'full'), 0);
    expect(actual / estimate).toBeGreaterThan(0.5);
    expect(actual / estimate).toBeLessThan(2);

    const again = runCli(['experiment', '--grid', grid, '--out', out, '--quiet']);
    expect(again.stdout).toMatch(/^tiny: 0 run\(s\) trained in 0 call\(s\), 4 already done/);
  });

  it('rejects a bad grid file with one line naming the file and field', () => {
    const dir = tmp();
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'name: bad\ngrid: { n: [8], steps: 10, lr: [0] }\n');
    const r = runCli(['experiment', '--grid', bad]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('polytoy experiment: bad.yaml.grid.lr.0: expected a learning rate > 0, received 0\n');
    writeFileSync(bad, 'name: [unclosed\n');
    const y = runCli(['experiment', '--grid', bad]);
    expect(y.code).toBe(2);
    expect(y.stderr).toMatch(/^polytoy experiment: --grid: expected a YAML grid file, received .*bad\.yaml: .+\n$/);
    expect(runCli(['experiment', 'stability', '--grid', bad]).stderr).toMatch(/a name or --grid <file>, not both/);
    expect(runCli(['experiment', 'stability', '--keep-params', 'some']).stderr).toMatch(
      /--keep-params: expected all \| first-seed \| none, received "some"/,
    );
  });
});
