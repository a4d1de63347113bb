// Bundles the CLI into one ESM file. Workspace packages are bundled from source (the
// `@polytoy/source` condition); tfjs stays external so there is exactly one tfjs-core instance
// and the wasm backend finds its .wasm files next to its own dist in node_modules; vega stays
// external because it is ESM with top-level await. The banner gives bundled CommonJS code a
// `require`. The CLI's version (`polytoy --version`) is taken from package.json at build time.
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const { version } = JSON.parse(readFileSync(`${here}package.json`, 'utf8'));

export async function buildCli(outfile = `${here}dist/polytoy.mjs`) {
  await build({
    entryPoints: [`${here}src/main.ts`],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    conditions: ['@polytoy/source'],
    define: { __POLYTOY_VERSION__: JSON.stringify(version) },
    external: ['@tensorflow/*', 'vega', 'vega-lite', 'bullmq', 'ioredis'],
    banner: {
      js: "#!/usr/bin/env node\nimport { createRequire as __polytoyCreateRequire } from 'node:module';\nconst require = __polytoyCreateRequire(import.meta.url);",
    },
    sourcemap: 'inline',
    logLevel: 'warning',
  });
  return outfile;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await buildCli();
}
