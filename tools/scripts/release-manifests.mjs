// The publishing fields of every public @polytoy/* package.json, checked (default) or fixed
// (`--write`) with targeted text edits that leave the rest of each file as its owner wrote it:
//   license        "MIT"
//   engines        the root package.json's engines (node >= 20.19)
//   publishConfig  { "access": "public" } (scoped packages are private by default on npm)
//   files          must contain dist, README.md and CHANGELOG.md (extras are kept)
//   peerDependencies  tfjs ranges: `@tensorflow/tfjs-core` for packages that import it or
//                  depend on model/trainer/kernels, plus `@tensorflow/tfjs-backend-wasm` for
//                  those that import it or depend on trainer/kernels; the CLI (an application,
//                  bundled) keeps tfjs as direct dependencies
//   (repository is not checked: see desiredFields)
//
// Usage: node tools/scripts/release-manifests.mjs [--write]
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { publicPackages, repoRoot } from '../consumer-tests/lib.mjs';

const TFJS_RANGE = '^4.22.0';
const CORE = '@tensorflow/tfjs-core';
const WASM = '@tensorflow/tfjs-backend-wasm';
const APPLICATIONS = new Set(['@polytoy/cli']);

/** Which tfjs packages a package's own sources import (not tests). */
function importedTfjs(dir) {
  const found = new Set();
  const walk = (d) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) {
        if (e.name !== 'test-utils') walk(p);
      } else if (/\.ts$/.test(e.name) && !/\.test\.ts$/.test(e.name)) {
        const text = readFileSync(p, 'utf8');
        for (const m of text.matchAll(/from '(@tensorflow\/[\w-]+)'|import '(@tensorflow\/[\w-]+)'/g)) found.add(m[1] ?? m[2]);
      }
    }
  };
  walk(join(dir, 'src'));
  return found;
}

/** The publishing fields a package should have (undefined: leave as is). */
export function desiredFields(pkg, packages) {
  const root = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8'));
  const m = pkg.manifest;
  const want = {
    license: 'MIT',
    engines: root.engines,
    publishConfig: { ...m.publishConfig, access: 'public' },
  };
  const files = [...(m.files ?? [])];
  for (const f of ['dist', 'README.md', 'CHANGELOG.md']) if (!files.includes(f)) files.push(f);
  want.files = files;

  if (!APPLICATIONS.has(pkg.name)) {
    const byName = new Map(packages.map((p) => [p.name, p]));
    const needs = new Set(importedTfjs(pkg.dir));
    const seen = new Set();
    const visit = (name) => {
      if (seen.has(name)) return;
      seen.add(name);
      const dep = byName.get(name);
      if (!dep) return;
      for (const t of importedTfjs(dep.dir)) needs.add(t);
      for (const d of Object.keys(dep.manifest.dependencies ?? {})) if (d.startsWith('@polytoy/')) visit(d);
    };
    for (const d of Object.keys(m.dependencies ?? {})) if (d.startsWith('@polytoy/')) visit(d);
    if (needs.has(WASM)) needs.add(CORE);
    const peers = { ...m.peerDependencies };
    for (const t of [CORE, WASM]) if (needs.has(t) && !peers[t]) peers[t] = TFJS_RANGE;
    if (Object.keys(peers).length > 0) want.peerDependencies = peers;
  }

  // `repository` is not derived from `git remote`: a CI clone's origin is a local path, so the
  // check would fail there; set it in the manifests once the project has a public home.
  return want;
}

/** What is wrong with a manifest's publishing fields (tfjs as a regular dependency included). */
export function manifestProblems(pkg, packages) {
  const want = desiredFields(pkg, packages);
  const problems = [];
  for (const [key, value] of Object.entries(want)) {
    if (JSON.stringify(pkg.manifest[key]) !== JSON.stringify(value)) {
      problems.push(`${key} is ${JSON.stringify(pkg.manifest[key])}, expected ${JSON.stringify(value)}`);
    }
  }
  if (!APPLICATIONS.has(pkg.name)) {
    for (const t of [CORE, WASM]) {
      if (pkg.manifest.dependencies?.[t])
        problems.push(`${t} is a dependency; it must be a peer dependency (one tfjs-core per app)`);
    }
  }
  return problems;
}

/** End index (exclusive) of the JSON value starting at `i` (object, array, string or literal). */
function valueEnd(text, i) {
  if (text[i] === '"') {
    let j = i + 1;
    while (text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
    return j + 1;
  }
  if (text[i] === '{' || text[i] === '[') {
    let depth = 0;
    for (let j = i; j < text.length; j++) {
      const c = text[j];
      if (c === '"') j = valueEnd(text, j) - 1;
      else if (c === '{' || c === '[') depth++;
      else if (c === '}' || c === ']') {
        depth--;
        if (depth === 0) return j + 1;
      }
    }
    throw new Error('unbalanced JSON');
  }
  return i + /^[^,}\]\s]+/.exec(text.slice(i))[0].length;
}

/** Span of a top-level key's value: [start, end), or undefined. */
function topLevelValue(text, key) {
  const re = new RegExp(`\\n  "${key}"\\s*:\\s*`, 'g');
  const m = re.exec(text);
  if (!m) return undefined;
  const start = m.index + m[0].length;
  return [start, valueEnd(text, start)];
}

/** JSON text of a value at nesting level 1 (two-space indentation, like npm writes it). */
const render = (value) => JSON.stringify(value, null, 2).replace(/\n/g, '\n  ');

/** Sets a top-level field with a targeted edit: replaces its value, or inserts it after the first present anchor. */
export function setField(text, key, value, anchors) {
  const span = topLevelValue(text, key);
  if (span) {
    const current = JSON.parse(text.slice(span[0], span[1]));
    if (JSON.stringify(current) === JSON.stringify(value)) return text;
    return text.slice(0, span[0]) + render(value) + text.slice(span[1]);
  }
  for (const anchor of anchors) {
    const a = topLevelValue(text, anchor);
    if (a) return `${text.slice(0, a[1])},\n  "${key}": ${render(value)}${text.slice(a[1])}`;
  }
  throw new Error(`no anchor for ${key}`);
}

const ANCHORS = {
  license: ['description', 'version'],
  repository: ['license', 'description'],
  files: ['types', 'main', 'exports'],
  engines: ['files', 'types', 'main'],
  publishConfig: ['engines', 'files'],
  peerDependencies: ['dependencies', 'scripts'],
};

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const write = process.argv.includes('--write');
  const packages = publicPackages();
  let bad = 0;
  for (const pkg of packages) {
    const path = join(pkg.dir, 'package.json');
    const want = desiredFields(pkg, packages);
    if (write) {
      let text = readFileSync(path, 'utf8');
      for (const [key, value] of Object.entries(want)) text = setField(text, key, value, ANCHORS[key]);
      JSON.parse(text); // still valid JSON
      writeFileSync(path, text);
      pkg.manifest = JSON.parse(text);
    }
    const problems = manifestProblems(pkg, packages);
    console.log(`${problems.length === 0 ? 'ok  ' : 'FAIL'} ${pkg.name}`);
    for (const p of problems) console.log(`       ${p}`);
    if (problems.length > 0) bad++;
  }
  if (bad > 0) process.exit(1);
}
