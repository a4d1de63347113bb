// `npm test`: typecheck and test every project through nx (cached), then print one closing line
// "N passed, N failed" summed over the projects' vitest JSON reports.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('../..', import.meta.url).pathname;
const projectDirs = ['packages', 'tools', 'benchmarks', 'apps']
  .filter((d) => existsSync(join(root, d)))
  .flatMap((d) =>
    readdirSync(join(root, d), { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => join(root, d, e.name)),
  )
  // benchmarks/ is itself a project (its --smoke test), besides any projects below it.
  .concat([join(root, 'benchmarks')]);
const reports = projectDirs.map((d) => join(d, '.test-results', 'vitest.json'));
for (const r of reports) rmSync(r, { force: true });

// Browser tests need Debian's chromium and the queue tests redis-server: install them when
// missing (as root), or stop here with a clear message.
const deps = spawnSync('bash', [join(root, 'tools/scripts/ensure-system-deps.sh')], { stdio: 'inherit' });
if (deps.status !== 0) process.exit(deps.status ?? 1);

const extra = process.argv.slice(2);
const nx = spawnSync('npx', ['nx', 'run-many', '-t', 'typecheck', 'test', '--outputStyle=stream', ...extra], {
  cwd: root,
  stdio: 'inherit',
  env: { NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false', ...process.env },
});

let passed = 0,
  failed = 0,
  skipped = 0,
  files = 0;
for (const r of reports) {
  if (!existsSync(r)) continue;
  const j = JSON.parse(readFileSync(r, 'utf8'));
  files++;
  passed += j.numPassedTests ?? 0;
  failed += j.numFailedTests ?? 0;
  skipped += (j.numPendingTests ?? 0) + (j.numTodoTests ?? 0);
}
const code = nx.status ?? 1;
if (files === 0 && code === 0) {
  console.error('no test reports found');
  process.exit(1);
}
console.log(`\n${files} projects tested`);
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(code !== 0 ? code : failed > 0 ? 1 : 0);
