#!/usr/bin/env node
// The `polytoy` command's bin entry. It is committed (not built) so that `npm ci` links it into
// node_modules/.bin on a fresh clone: a bin pointing into dist/ would not exist at install time,
// npm would link nothing, and `npx polytoy` would fall back to the public registry. It runs the
// bundle in ../dist, building it first when it is missing (in a clone; published packages ship
// the bundle).
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const bundle = fileURLToPath(new URL('../dist/polytoy.mjs', import.meta.url));
const builder = fileURLToPath(new URL('../build.mjs', import.meta.url));

if (!existsSync(bundle)) {
  if (!existsSync(builder)) {
    process.stderr.write(`polytoy: ${bundle} is missing and this install has no build script; reinstall @polytoy/cli\n`);
    process.exit(1);
  }
  try {
    await import('esbuild');
  } catch {
    process.stderr.write("polytoy: cannot build the CLI: esbuild is not installed (run 'npm ci' in the repository)\n");
    process.exit(1);
  }
  process.stderr.write('polytoy: building the CLI bundle (first run, a few seconds)…\n');
  const { buildCli } = await import(pathToFileURL(builder).href);
  await buildCli(bundle);
}

await import(pathToFileURL(bundle).href);
