// Bundles the CLI into one CommonJS file. Workspace packages are bundled from source (the
// `@polytoy/source` condition); tfjs stays external so there is exactly one tfjs-core instance
// and the wasm backend finds its .wasm files next to its own dist in node_modules.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));

export async function buildCli(outfile = `${here}dist/polytoy.cjs`) {
  await build({
    entryPoints: [`${here}src/main.ts`],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    conditions: ['@polytoy/source'],
    external: ['@tensorflow/*'],
    banner: { js: '#!/usr/bin/env node' },
    sourcemap: 'inline',
    logLevel: 'warning',
    // The trainer's Node entry checks __filename before import.meta.url, so an empty import.meta is fine in CJS.
    logOverride: { 'empty-import-meta': 'silent' },
  });
  return outfile;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await buildCli();
}
