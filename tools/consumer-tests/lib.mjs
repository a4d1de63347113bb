// Helpers of the consumer tests: child processes, packing the workspace, and fresh consumer
// projects (outside the repository) that install the packed tarballs like an npm user would.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const repoRoot = resolve(new URL('../..', import.meta.url).pathname);

/** Environment for child processes: without the `npm_*` variables of the outer `npm run` (they would put the inner npm into workspace mode). */
export function cleanEnv(extra = {}) {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!/^npm_/i.test(k) && k !== 'INIT_CWD') env[k] = v;
  }
  return { ...env, NO_UPDATE_NOTIFIER: '1', ...extra };
}

/**
 * Runs a command; resolves with its exit code and output, rejects on a non-zero exit (unless
 * `allowFailure`) with the output's tail in the message.
 */
export function sh(
  cmd,
  args,
  { cwd = repoRoot, env = cleanEnv(), timeoutMs = 10 * 60_000, allowFailure = false, echo = false } = {},
) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const onData = (chunk) => {
      out += chunk;
      if (echo) process.stdout.write(chunk);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const result = { code: code ?? 1, out };
      if (code === 0 || allowFailure) resolvePromise(result);
      else {
        const why = signal ? `killed by ${signal}` : `exit code ${code}`;
        reject(new Error(`${cmd} ${args.join(' ')} (in ${cwd}): ${why}\n${tail(out, 60)}`));
      }
    });
  });
}

/** The last `lines` lines of a text. */
export function tail(text, lines = 20) {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

/** Every public (not `private`) workspace package: name, directory, manifest. */
export function publicPackages() {
  const dirs = ['packages', 'tools'].flatMap((d) =>
    readdirSync(join(repoRoot, d), { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => join(repoRoot, d, e.name)),
  );
  return dirs
    .filter((dir) => existsSync(join(dir, 'package.json')))
    .map((dir) => ({ dir, manifest: JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) }))
    .filter((p) => p.manifest.private !== true && p.manifest.name?.startsWith('@polytoy/'))
    .map((p) => ({ name: p.manifest.name, dir: p.dir, manifest: p.manifest }));
}

/**
 * `npm pack` of the given workspace packages into `dest`.
 * @returns Map name → { file (absolute tarball path), version, files (paths in the tarball) }
 */
export async function packAll(packages, dest) {
  const args = ['pack', '--json', '--pack-destination', dest, ...packages.flatMap((p) => ['-w', p.name])];
  const { out } = await sh('npm', args);
  const json = JSON.parse(out.slice(out.indexOf('[')));
  const tarballs = new Map();
  for (const entry of json) {
    tarballs.set(entry.name, {
      file: join(dest, entry.filename),
      version: entry.version,
      size: entry.size,
      files: entry.files.map((f) => f.path),
    });
  }
  return tarballs;
}

/** The `@polytoy/*` packages `name` needs at run time, itself included (from the manifests). */
export function polytoyClosure(name, packages) {
  const byName = new Map(packages.map((p) => [p.name, p]));
  const seen = new Set();
  const visit = (n) => {
    if (seen.has(n)) return;
    const p = byName.get(n);
    if (!p) throw new Error(`${n} is not a public workspace package`);
    seen.add(n);
    for (const dep of Object.keys({ ...p.manifest.dependencies, ...p.manifest.peerDependencies })) {
      if (dep.startsWith('@polytoy/')) visit(dep);
    }
  };
  visit(name);
  return [...seen].sort();
}

/**
 * A fresh consumer project in a new temporary directory outside the repository. `direct` are
 * the packages the consumer asks for (the @polytoy ones by tarball); every other @polytoy
 * package resolves to its tarball through `overrides`, so nothing @polytoy comes from the
 * registry. Third-party packages (zod, tfjs, vite) come from the registry (cache first).
 */
export async function consumerProject(label, { tarballs, polytoy, thirdParty = {}, files = {} }) {
  const dir = mkdtempSync(join(tmpdir(), `polytoy-consumer-${label}-`));
  const dependencies = { ...thirdParty };
  for (const name of polytoy) dependencies[name] = `file:${tarballs.get(name).file}`;
  const overrides = {};
  for (const [name, t] of tarballs) if (!polytoy.includes(name)) overrides[name] = `file:${t.file}`;
  const manifest = {
    name: `polytoy-consumer-${label}`,
    version: '0.0.0',
    private: true,
    type: 'module',
    dependencies,
    overrides,
  };
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  for (const [rel, text] of Object.entries(files)) writeFileSync(join(dir, rel), text);
  const started = Date.now();
  await sh('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: dir });
  return { dir, installSeconds: (Date.now() - started) / 1000 };
}

/** Names of the packages installed under `dir/node_modules` (scoped ones as `@scope/name`). */
export function installedPackages(dir) {
  const root = join(dir, 'node_modules');
  const names = [];
  for (const e of readdirSync(root, { withFileTypes: true })) {
    if (e.name.startsWith('.')) continue;
    if (e.name.startsWith('@')) {
      for (const s of readdirSync(join(root, e.name))) names.push(`${e.name}/${s}`);
    } else names.push(e.name);
  }
  return names.sort();
}

/** Version of a package installed in the repository (the versions the workspace is tested with). */
export function repoVersion(name) {
  return JSON.parse(readFileSync(join(repoRoot, 'node_modules', name, 'package.json'), 'utf8')).version;
}

/**
 * The first fenced code block of a README whose text contains every string of `mustContain`,
 * transpiled from TypeScript to plain ESM (type annotations removed; README examples are
 * tagged `ts` but must run as written).
 */
export async function readmeExample(readmePath, mustContain) {
  const text = readFileSync(readmePath, 'utf8');
  const blocks = [...text.matchAll(/```(?:ts|js|typescript|javascript|mjs)\n([\s\S]*?)```/g)].map((m) => m[1]);
  const code = blocks.find((b) => mustContain.every((s) => b.includes(s)));
  if (!code) throw new Error(`${readmePath}: no code example containing ${mustContain.join(', ')}`);
  const ts = (await import('typescript')).default;
  const js = ts.transpileModule(code, {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: false },
  }).outputText;
  return { code, js };
}

/** Throws with `message` unless `condition`. */
export function assert(condition, message) {
  if (!condition) throw new Error(`assertion failed: ${message}`);
}

/** Every path an `exports` map points at, except through the monorepo-only `@polytoy/source` condition. */
function exportTargets(exp) {
  if (typeof exp === 'string') return [exp];
  if (exp === null || typeof exp !== 'object') return [];
  return Object.entries(exp).flatMap(([key, value]) => (key === '@polytoy/source' ? [] : exportTargets(value)));
}

/**
 * What is wrong with a packed tarball, given its manifest and file list: entry points
 * (`exports` targets, `main`, `types`, `bin`) missing from it, sources or tests shipped,
 * no license field, a README without an install line or example.
 */
export function tarballProblems(manifest, files, readmeText) {
  const problems = [];
  const have = new Set(files);
  const bins = typeof manifest.bin === 'string' ? [manifest.bin] : Object.values(manifest.bin ?? {});
  const entries = [...exportTargets(manifest.exports ?? {}), manifest.main, manifest.types, ...bins].filter(Boolean);
  for (const entry of new Set(entries.map((e) => e.replace(/^\.\//, '')))) {
    if (!have.has(entry)) problems.push(`entry point ${entry} is not in the tarball (not built?)`);
  }
  const leaked = files.filter((f) => f.startsWith('src/') || /(^|\/)test-utils\/|\.test\.[cm]?[jt]sx?$/.test(f));
  if (leaked.length > 0) problems.push(`ships sources or tests: ${leaked.slice(0, 5).join(', ')}`);
  if (!manifest.license) problems.push('no license field');
  if (readmeText !== undefined && !have.has('README.md')) problems.push('README.md is not in the tarball');
  problems.push(...readmeProblems(manifest.name, readmeText));
  return [...new Set(problems)];
}

/** A package's README.md text, or undefined. */
export function readReadme(dir) {
  const path = join(dir, 'README.md');
  return existsSync(path) ? readFileSync(path, 'utf8') : undefined;
}

/** What a package README lacks: an install line for the package and a code example. */
export function readmeProblems(name, text) {
  if (text === undefined) return ['no README.md'];
  const problems = [];
  const escaped = name.replace(/[/.]/g, (c) => `\\${c}`);
  if (!new RegExp(`npm (?:install|i)\\b[^\\n]*${escaped}(?![\\w/-])`).test(text))
    problems.push(`README has no \`npm install ${name}\` line`);
  const blocks = [...text.matchAll(/```(\w*)\n([\s\S]*?)```/g)].filter((m) => !/^\s*npm (?:install|i)\b[^\n]*\s*$/.test(m[2]));
  if (blocks.length === 0) problems.push('README has no code example');
  return problems;
}
