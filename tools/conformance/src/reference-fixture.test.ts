/**
 * The independent reference values are reproducible: rerunning the numpy script beside them
 * prints exactly the committed file. Needs a python3 with numpy (Debian's python3-numpy, which
 * `tools/scripts/ensure-system-deps.sh` installs).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const folder = fileURLToPath(new URL('../fixtures/reference/', import.meta.url));

/** The first python3 that imports numpy (pyenv shims may shadow Debian's). */
function pythonWithNumpy(): string {
  for (const candidate of ['python3', '/usr/bin/python3']) {
    const probe = spawnSync(candidate, ['-c', 'import numpy'], { encoding: 'utf8' });
    if (probe.status === 0) return candidate;
  }
  throw new Error('no python3 with numpy found (install python3-numpy)');
}

describe('tools/conformance/fixtures/reference', () => {
  it('make_reference.py regenerates constructions.json byte for byte', () => {
    const run = spawnSync(pythonWithNumpy(), ['make_reference.py'], { cwd: folder, encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toBe(readFileSync(`${folder}constructions.json`, 'utf8'));
  });

  it('holds the rows the package tests read (n = 4, 8, 16, 32; five constructions each)', () => {
    const rows = (JSON.parse(readFileSync(`${folder}constructions.json`, 'utf8')) as { rows: { n: number }[] }).rows;
    expect(rows.map((r) => r.n)).toEqual([4, 4, 4, 4, 4, 8, 8, 8, 8, 8, 16, 16, 16, 16, 16, 32, 32, 32, 32, 32]);
  });
});
