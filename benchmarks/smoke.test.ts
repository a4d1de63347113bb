/**
 * `npm run bench -- --smoke` end to end, so the harness cannot rot: every workload gets its
 * polytoy, baseline and (when torch is installed) native PyTorch rows, and every target line is
 * printed. Tiny sizes; nothing here asserts a speed.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { findTorch } from './lib/torch.js';
import { WORKLOADS } from './lib/workloads.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'polytoy-bench-smoke-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Results {
  smoke: boolean;
  rows: { workload: string; implementation: string; stepsPerSec: number; gflops: number }[];
  issueTargets: { what: string; status: string }[];
  torch: { results: unknown[]; missing?: string };
}

describe('npm run bench -- --smoke', () => {
  it('runs every workload through every row and prints the target lines', { timeout: 300_000 }, async () => {
    const json = join(dir, 'smoke.json');
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--conditions=@polytoy/source', '--import', 'tsx', 'run.ts', '--smoke', `--json=${json}`],
      { cwd: here, maxBuffer: 1 << 24 },
    );
    const r = JSON.parse(readFileSync(json, 'utf8')) as Results;
    expect(r.smoke).toBe(true);
    const torch = 'python' in findTorch();
    for (const w of WORKLOADS) {
      const rows = r.rows.filter((x) => x.workload === w.name);
      const names = rows.map((x) => x.implementation);
      expect(names.filter((x) => /^polytoy \((fused step|tfjs ops)\), 1 thread$/.test(x))).toHaveLength(1);
      expect(names.some((x) => x.startsWith('stock tfjs-backend-wasm'))).toBe(true);
      expect(names.some((x) => x.startsWith('tfjs-backend-cpu'))).toBe(true);
      expect(names.some((x) => x.startsWith('native PyTorch'))).toBe(torch);
      for (const x of rows) {
        expect(x.stepsPerSec).toBeGreaterThan(0);
        expect(Number.isFinite(x.gflops)).toBe(true);
      }
      expect(stdout).toMatch(new RegExp(`\\| ${w.name} \\| polytoy \\((fused step|tfjs ops)\\), 1 thread \\|`));
    }
    expect(r.torch.results).toHaveLength(torch ? WORKLOADS.length : 0);
    if (!torch) expect(stdout).toContain('Native PyTorch: skipped');
    // One line per issue-14 target: 4 torch ratios, untied and ReLU vs tied, Chromium (not run: n/a).
    const whats = r.issueTargets.map((t) => t.what);
    for (const name of ['seed-64', 'seed-256', 'paper-256', 'sweep-16×seed-64'])
      expect(whats).toContain(`polytoy ≥ 1.0× native PyTorch on ${name}`);
    expect(whats).toContain('untied-64 within 1.5× of tied (seed-64)');
    expect(whats).toContain('relu-64 within 1.5× of tied (seed-64)');
    expect(r.issueTargets.find((t) => t.what.startsWith('Chromium'))?.status).toBe('n/a');
    for (const t of r.issueTargets) {
      expect(['PASS', 'MISS', 'n/a']).toContain(t.status);
      expect(stdout).toContain(`${t.status.padEnd(4)} ${t.what}`);
    }
    if (!torch) for (const t of r.issueTargets.slice(0, 4)) expect(t.status).toBe('n/a');
  });
});
