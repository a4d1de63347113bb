// Consumer tests (`npm run test:consumers` at the root): build every public @polytoy package,
// `npm pack` it, and install the tarballs into fresh projects outside the repository:
//   (a) trainer-node      Node training with only @polytoy/trainer (+ its dependencies, tfjs)
//   (b) analytic-alone    @polytoy/analytic alone: no tfjs installed, exact losses
//   (c) browser-vite      Vite bundle of trainer + analytic, run in headless Chromium on wasm
//
// Flags: --skip-build (use the existing dist/), --only=a,c (or case names), --keep (leave the
// temporary projects for inspection).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyticAlone, browserWithVite, trainerInNode } from './cases.mjs';
import { packAll, publicPackages, readReadme, sh, tarballProblems } from './lib.mjs';

const args = process.argv.slice(2);
const flag = (name) => args.includes(`--${name}`);
const only = args
  .find((a) => a.startsWith('--only='))
  ?.slice('--only='.length)
  .split(',');

const cases = [
  { key: 'a', name: 'trainer-node', title: '(a) Node training with only @polytoy/trainer', run: trainerInNode },
  { key: 'b', name: 'analytic-alone', title: '(b) @polytoy/analytic alone, no tfjs', run: analyticAlone },
  { key: 'c', name: 'browser-vite', title: '(c) Vite bundle in headless Chromium', run: browserWithVite },
].filter((c) => !only || only.includes(c.key) || only.includes(c.name));

const seconds = (t0) => ((Date.now() - t0) / 1000).toFixed(1);
const packages = publicPackages();
const names = packages.map((p) => p.name);

if (!flag('skip-build')) {
  const t0 = Date.now();
  console.log(`building ${names.join(', ')}`);
  await sh('npx', ['nx', 'run-many', '-t', 'build', `--projects=${names.join(',')}`, '--outputStyle=static'], {
    env: { ...process.env, NX_DAEMON: 'false', NX_TUI: 'false', NX_NO_CLOUD: 'true' },
    timeoutMs: 20 * 60_000,
  });
  console.log(`built in ${seconds(t0)} s`);
}

const packDir = mkdtempSync(join(tmpdir(), 'polytoy-tarballs-'));
const tarballs = await packAll(packages, packDir);
console.log(`packed ${tarballs.size} packages into ${packDir}:`);
let badTarballs = 0;
for (const [name, t] of tarballs) {
  console.log(`  ${name}@${t.version}  ${(t.size / 1024).toFixed(1)} kB, ${t.files.length} files`);
  const pkg = packages.find((p) => p.name === name);
  const problems = tarballProblems(pkg.manifest, t.files, readReadme(pkg.dir));
  for (const problem of problems) console.error(`  FAIL ${name}: ${problem}`);
  if (problems.length > 0) badTarballs++;
}

const results = [];
for (const c of cases) {
  const t0 = Date.now();
  console.log(`\n${c.title} ...`);
  try {
    const r = await c.run({ tarballs, packages });
    for (const line of r.lines) console.log(`  ${line}`);
    results.push({ c, ok: true, s: seconds(t0) });
    if (!flag('keep')) rmSync(r.dir, { recursive: true, force: true });
    else console.log(`  kept ${r.dir}`);
  } catch (error) {
    console.error(`  ${error instanceof Error ? error.message : String(error)}`);
    results.push({ c, ok: false, s: seconds(t0) });
  }
}
if (!flag('keep')) rmSync(packDir, { recursive: true, force: true });

console.log('\nconsumer tests:');
console.log(`  ${badTarballs === 0 ? 'PASS' : 'FAIL'}  tarball contents match the manifests (${tarballs.size} packages)`);
results.unshift({ c: { title: 'tarball contents' }, ok: badTarballs === 0, s: '-' });
for (const r of results.slice(1)) console.log(`  ${r.ok ? 'PASS' : 'FAIL'}  ${r.c.title}  (${r.s} s)`);
const failed = results.filter((r) => !r.ok).length;
console.log(`${results.length - failed} passed, ${failed} failed`);
if (failed > 0) process.exitCode = 1;
