#!/usr/bin/env node
// Cross-environment benchmark: steps/s of the reference workloads in Node and in headless
// Chromium (the playground's Web Worker), in one run. Usage: `node benchmarks/browser/run.mjs`
// [--quick]. It runs bench.ts under tsx with the `@polytoy/source` condition, so the workspace
// packages are used from source, exactly as in the tests.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const bench = fileURLToPath(new URL('./bench.ts', import.meta.url));
const root = fileURLToPath(new URL('../..', import.meta.url));
const child = spawnSync(process.execPath, ['--conditions=@polytoy/source', '--import', 'tsx', bench, ...process.argv.slice(2)], {
  cwd: root,
  stdio: 'inherit',
});
process.exit(child.status ?? 1);
