// `npm run release`: the release flow of the public @polytoy/* packages, up to (not including)
// the registry write.
//   1. `changeset version`: consume .changeset/*.md, bump each package independently, write
//      its CHANGELOG.md, update internal dependency ranges; then sync package-lock.json.
//   2. Build every public package from a clean dist/ (no nx cache).
//   3. Check each package: publishing fields (tools/scripts/release-manifests.mjs: license,
//      engines, publishConfig, files, tfjs peer ranges) and the packed tarball (entry points
//      present, no sources/tests, README with an install line and an example).
//   4. `npm publish --dry-run` for each public package (no registry writes).
//
// `--dry-run-only` skips step 1 (what CI runs: build + pack checks + publish --dry-run).
// After reviewing and committing the versions, the real publish is `npx changeset publish`.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packAll, publicPackages, readReadme, repoRoot, sh, tarballProblems } from '../consumer-tests/lib.mjs';
import { manifestProblems } from './release-manifests.mjs';

const dryRunOnly = process.argv.includes('--dry-run-only');
const step = (title) => console.log(`\n== ${title}`);

if (!dryRunOnly) {
  const pending = readdirSync(join(repoRoot, '.changeset')).filter((f) => f.endsWith('.md') && f !== 'README.md');
  step(`changeset version (${pending.length} changesets)`);
  if (pending.length === 0) {
    console.log('no changesets: nothing to version');
  } else {
    await sh('npx', ['changeset', 'version'], { echo: true });
    // New versions and internal ranges must reach the lockfile, or `npm ci` refuses it.
    await sh('npm', ['install', '--package-lock-only', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts'], {
      echo: true,
    });
    await sh('git', ['--no-pager', 'diff', '--stat'], { echo: true, allowFailure: true });
  }
}

const packages = publicPackages();
const names = packages.map((p) => p.name);

step(`build ${names.length} packages from a clean dist/`);
for (const p of packages) rmSync(join(p.dir, 'dist'), { recursive: true, force: true });
await sh('npx', ['nx', 'run-many', '-t', 'build', `--projects=${names.join(',')}`, '--skip-nx-cache', '--outputStyle=static'], {
  env: { ...process.env, NX_DAEMON: 'false', NX_TUI: 'false', NX_NO_CLOUD: 'true' },
  timeoutMs: 30 * 60_000,
});
console.log('built');

step('pack and check');
const packDir = mkdtempSync(join(tmpdir(), 'polytoy-release-'));
const tarballs = await packAll(packages, packDir);
let bad = 0;
for (const p of packages) {
  const t = tarballs.get(p.name);
  const problems = [...manifestProblems(p, packages), ...tarballProblems(p.manifest, t.files, readReadme(p.dir))];
  console.log(
    `${problems.length === 0 ? 'ok  ' : 'FAIL'} ${p.name}@${t.version}  ${(t.size / 1024).toFixed(1)} kB, ${t.files.length} files`,
  );
  for (const problem of problems) console.log(`       ${problem}`);
  if (problems.length > 0) bad++;
}
rmSync(packDir, { recursive: true, force: true });

step('npm publish --dry-run');
const published = [];
for (const p of packages) {
  const { out } = await sh('npm', ['publish', '--dry-run', '-w', p.name]);
  const line = out.split('\n').find((l) => l.startsWith('+ '));
  const target = out.split('\n').find((l) => l.includes('Publishing to'));
  console.log(`${line ?? `? ${p.name}`}   ${target?.replace(/^npm notice /, '') ?? ''}`);
  if (line) published.push(p.name);
}

console.log(
  `\nrelease ${dryRunOnly ? 'dry run' : '(versioned) dry run'}: ${published.length}/${names.length} packages pass publish --dry-run, ${bad} with packing problems`,
);
if (bad > 0 || published.length !== names.length) process.exit(1);
