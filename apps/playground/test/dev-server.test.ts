/**
 * `npm run playground` is the Vite dev server, which serves tfjs through its dependency
 * pre-bundler instead of the production bundle: check that it, too, starts wasm + SIMD in the
 * worker and trains bit-identically to Node.
 */
import type { RunRecord, TrainConfigInput } from '@polytoy/core';
import { toRunRecord } from '@polytoy/core';
import { train } from '@polytoy/trainer';
import { initNodeBackend } from '@polytoy/trainer/node';
import type { Browser } from 'playwright-core';
import type { ViteDevServer } from 'vite';
import { createServer } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APP_ROOT } from '../harness/build-app.js';
import { launchChromium } from '../harness/chromium.js';
import { bitDifferences } from './compare.js';

const CONFIG: TrainConfigInput = {
  seed: 5,
  steps: 60,
  batchSize: 32,
  logEvery: 10,
  data: { kind: 'half-split', n: 16 },
  model: { m: 9, l1: { lambda: 1e-3 } },
  optimizer: { kind: 'sgd', lr: 5e-2, momentum: 0.9 },
};

let server: ViteDevServer;
let browser: Browser;

beforeAll(async () => {
  server = await createServer({
    root: APP_ROOT,
    logLevel: 'error',
    server: { host: '127.0.0.1', port: 0, strictPort: false, hmr: false },
  });
  await server.listen();
  browser = await launchChromium();
  await initNodeBackend();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('the dev server (npm run playground)', () => {
  it('serves a page whose worker runs wasm + SIMD and trains bit-identically to Node', async () => {
    const url = server.resolvedUrls?.local[0];
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const page = await browser.newPage();
    await page.goto(`${url}harness.html`);
    const { runtime, inWorker } = await page.evaluate(() => window.polytoyHarness!.ready);
    expect(runtime).toMatchObject({ backend: 'wasm', simd: true, threads: false, platform: 'browser' });
    expect(inWorker).toBe(true);
    const browserRecord = await page.evaluate((c) => window.polytoyHarness!.train(c), CONFIG);
    await page.close();
    const nodeRecord = JSON.parse(JSON.stringify(toRunRecord(await train(CONFIG)))) as RunRecord;
    expect(bitDifferences(nodeRecord, browserRecord)).toEqual([]);
    expect(browserRecord.instances[0]!.history).toHaveLength(7);
  });
});
