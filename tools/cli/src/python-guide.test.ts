// docs/PYTHON.md is run as written: its Python blocks, in order, with Debian's /usr/bin/python3
// (numpy, pandas, matplotlib), against a fresh `polytoy export` of the committed phase-diagram
// results. The table it prints must equal the matching columns of FINDINGS §1.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expandGrid, getExperiment } from '@polytoy/experiments';
import { describe, expect, it } from 'vitest';
import { runCli } from '../test/cli.js';

const docs = fileURLToPath(new URL('../../../docs/', import.meta.url));

/** The rows of the first markdown table after `heading` in `text`, as cells. */
function tableAfter(text: string, heading: string): { header: string[]; rows: string[][] } {
  const rest = text.slice(text.indexOf(heading));
  const lines = rest.split('\n').filter((l) => l.startsWith('|'));
  const cells = (l: string) =>
    l
      .split('|')
      .slice(1, -1)
      .map((c) => c.trim());
  const start = rest.split('\n').findIndex((l) => l.startsWith('|'));
  const block: string[] = [];
  for (const l of rest.split('\n').slice(start)) {
    if (!l.startsWith('|')) break;
    block.push(l);
  }
  expect(lines.length).toBeGreaterThan(2);
  return { header: cells(block[0]!), rows: block.slice(2).map(cells) };
}

describe('docs/PYTHON.md', () => {
  it('reproduces the FINDINGS §1 success table and writes the heat map', () => {
    const dir = mkdtempSync(join(tmpdir(), 'polytoy-python-'));
    const exported = runCli(['export', join(docs, 'results/phase-diagram-small.jsonl'), '--out', join(dir, 'phase.npz')]);
    expect(exported.code, exported.stderr).toBe(0);
    const guide = readFileSync(join(docs, 'PYTHON.md'), 'utf8');
    const blocks = [...guide.matchAll(/```python\n([\s\S]*?)```/g)].map((m) => m[1]!);
    expect(blocks.length).toBeGreaterThanOrEqual(3);
    writeFileSync(join(dir, 'guide.py'), blocks.join('\n'));
    const out = execFileSync('/usr/bin/python3', ['guide.py'], { cwd: dir, encoding: 'utf8' });

    const printed = out
      .split('\n')
      .filter((l) => /^\| \d/.test(l))
      .map((l) =>
        l
          .split('|')
          .slice(1, -1)
          .map((c) => c.trim()),
      );
    const findings = tableAfter(readFileSync(join(docs, 'FINDINGS.md'), 'utf8'), '## 1.');
    // The column named exactly (`loss`, not `loss SE`), or with its parenthesis (`success (≤ 0.001)`).
    const col = (name: string) => findings.header.findIndex((h) => h === name || h.startsWith(`${name} (`));
    const wanted = ['n', 'm', 'hiddenActivation', 'optimizer', 'lr', 'lambda', 'runs', 'success', 'loss'].map(col);
    expect(wanted.every((i) => i >= 0)).toBe(true);
    expect(printed).toEqual(findings.rows.map((r) => wanted.map((i) => r[i]!)));
    // Every cell of the phase diagram's small slice (the definition's base product and `also`).
    const cells = new Set(expandGrid(getExperiment('phase-diagram'), 'small').map((s) => s.cellKey)).size;
    expect(printed).toHaveLength(cells);

    expect(out).toMatch(new RegExp(`^${cells * 64} runs, ${cells} tied weight matrices$`, 'm'));
    expect(out).toMatch(/^heatmap\.png \(5, 8\) [0-9a-f]{16}$/m);
    const png = readFileSync(join(dir, 'heatmap.png'));
    expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    // The history ends where the run stopped (its convergence step, or the cap).
    const history = /^history points: \d+ last step: (\d+) run step: (\d+)$/m.exec(out);
    expect(history?.[1]).toBe(history?.[2]);
  });
});
