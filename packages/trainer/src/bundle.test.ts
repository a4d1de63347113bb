/**
 * `trainParallel` from a one-file bundle built like the polytoy CLI (`tools/cli/build.mjs`:
 * esbuild, ESM, `@polytoy/source` condition, tfjs external): there is no `worker-main.js` beside
 * the bundle, so the workers start from the bundle itself, whose entry dispatches with
 * `isTrainerWorker()` / `runTrainerWorker()`.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { TrainConfigInput } from '@polytoy/core';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initNodeBackend } from './node.js';
import { train } from './train.js';

// Inside the repository, so that the external tfjs packages resolve from node_modules.
const dir = fileURLToPath(new URL('../node_modules/.cache/polytoy-bundle-test/', import.meta.url));

const config: TrainConfigInput = {
  data: { n: 16 },
  model: { m: 9 },
  batchSize: 32,
  steps: 30,
  logEvery: 10,
  instances: 3,
  optimizer: { kind: 'adam', lr: 1e-2 },
};

beforeAll(async () => {
  await initNodeBackend();
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    `${dir}entry.ts`,
    `import { isTrainerWorker, runTrainerWorker, trainParallel } from '@polytoy/trainer/node';
if (isTrainerWorker()) {
  await runTrainerWorker();
} else {
  const config = ${JSON.stringify(config)};
  const instances = await trainParallel(config, { workers: 2 });
  const batch = await trainParallel({ ...config, instances: 1 }, { workers: 2, split: 'batch' });
  const W = (r) => r.instances.map((i) => Array.from(i.params.W));
  console.log(JSON.stringify({ instances: W(instances), batch: W(batch), runtime: instances.runtime }));
}
`,
  );
  await build({
    entryPoints: [`${dir}entry.ts`],
    outfile: `${dir}bundle.mjs`,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    conditions: ['@polytoy/source'],
    external: ['@tensorflow/*'],
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
    logLevel: 'silent',
  });
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('trainParallel in a bundle', () => {
  it('starts its workers from the bundle and trains bit-identically', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [`${dir}bundle.mjs`], { cwd: dir, timeout: 120_000 });
    const out = JSON.parse(stdout.trim().split('\n').pop()!) as { instances: number[][]; batch: number[][]; runtime: unknown };
    const single = await train(config);
    expect(out.instances).toEqual(single.instances.map((r) => (r.params.kind === 'tied' ? Array.from(r.params.W) : [])));
    expect(out.runtime).toMatchObject({ kernels: 'polytoy', parallel: { workers: 2, split: 'instances' } });
    expect(out.batch[0]).toHaveLength(9 * 16);
  });
});
