// The committed bin entry (bin/polytoy.mjs): what `npm ci` links as `polytoy`, so it must exist
// before any build, run the bundle, build the bundle when it is missing, and say clearly when it
// cannot. Each case runs a copy of the CLI package in a temporary directory (the real dist/ is
// shared by the other tests and must not be removed under them).
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const cliDir = fileURLToPath(new URL('..', import.meta.url));
const repoRoot = join(cliDir, '../..');
const version = (JSON.parse(readFileSync(join(cliDir, 'package.json'), 'utf8')) as { version: string }).version;

/** A copy of tools/cli without dist/: bin, build script, manifest, and the sources linked in. */
function cliCopy(withNodeModules: boolean): string {
  const root = mkdtempSync(join(tmpdir(), 'polytoy-bin-'));
  const dir = join(root, 'cli');
  mkdirSync(join(dir, 'bin'), { recursive: true });
  copyFileSync(join(cliDir, 'bin/polytoy.mjs'), join(dir, 'bin/polytoy.mjs'));
  copyFileSync(join(cliDir, 'build.mjs'), join(dir, 'build.mjs'));
  copyFileSync(join(cliDir, 'package.json'), join(dir, 'package.json'));
  symlinkSync(join(cliDir, 'src'), join(dir, 'src'));
  if (withNodeModules) symlinkSync(join(repoRoot, 'node_modules'), join(root, 'node_modules'));
  return dir;
}

const run = (bin: string, args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 120_000 });

describe('bin/polytoy.mjs', () => {
  it('is what npm linked as node_modules/.bin/polytoy (so npx never asks the registry)', () => {
    const link = join(repoRoot, 'node_modules/.bin/polytoy');
    expect(realpathSync(link)).toBe(realpathSync(join(cliDir, 'bin/polytoy.mjs')));
    const r = spawnSync('npx', ['--no-install', 'polytoy', '--version'], {
      cwd: repoRoot,
      encoding: 'utf8',
      env: { ...process.env, npm_config_offline: 'true' },
    });
    expect(r.stdout).toBe(`${version}\n`);
    expect(r.status).toBe(0);
  });

  it('builds the bundle when it is missing, saying so on stderr, then runs it', () => {
    const dir = cliCopy(true);
    const first = run(join(dir, 'bin/polytoy.mjs'), ['--version']);
    expect(first.stderr).toBe('polytoy: building the CLI bundle (first run, a few seconds)…\n');
    expect(first.stdout).toBe(`${version}\n`);
    expect(first.status).toBe(0);
    expect(existsSync(join(dir, 'dist/polytoy.mjs'))).toBe(true);
    const second = run(join(dir, 'bin/polytoy.mjs'), ['-V']);
    expect(second.stderr).toBe('');
    expect(second.stdout).toBe(`${version}\n`);
  });

  it('fails with one clear line when esbuild is not installed', () => {
    const dir = cliCopy(false);
    const r = run(join(dir, 'bin/polytoy.mjs'), ['--help']);
    expect(r.stderr).toBe("polytoy: cannot build the CLI: esbuild is not installed (run 'npm ci' in the repository)\n");
    expect(r.status).toBe(1);
    expect(existsSync(join(dir, 'dist'))).toBe(false);
  });
});
