/**
 * Parity: the same config and seed trained in Node and in headless Chromium (the playground's
 * Web Worker) give bit-identical loss trajectories and final parameters. Both run the same
 * `tfjs-backend-wasm-simd.wasm`, single-threaded, fed by the same xoshiro128** streams, and
 * WebAssembly arithmetic (including SIMD, without relaxed-SIMD) is deterministic IEEE-754, so
 * there is no tolerance: any difference is a bug.
 *
 * The browser must report backend 'wasm' with SIMD, or the test fails; two more tests show that
 * the app refuses to train (instead of falling back) when the wasm binaries or SIMD are missing.
 */
import { readFileSync } from 'node:fs';
import type { RunRecord, TrainConfigInput } from '@polytoy/core';
import { parseRunRecord, resolveTrainConfig, toRunRecord } from '@polytoy/core';
import { train } from '@polytoy/trainer';
import { initNodeBackend } from '@polytoy/trainer/node';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { CHROMIUM_ARGS, ensureChromium, launchChromium } from '../harness/chromium.js';
import type { Settings } from '../src/settings.js';
import { DEFAULT_SETTINGS, settingsToConfig, settingsToQuery } from '../src/settings.js';
import { bitDifferences } from './compare.js';
import { chromium } from 'playwright-core';

const appUrl = inject('appUrl');

/** The parity run: the seed's model, n = 16, m = 9, batch 64, 200 Adam steps, seed 3. */
const PARITY: Settings = {
  ...DEFAULT_SETTINGS,
  n: 16,
  m: 9,
  batchSize: 64,
  steps: 200,
  logEvery: 10,
  seed: 3,
  optimizer: 'adam',
  lr: 1e-2,
  lambda: 1e-3,
  weights: 'tied',
  init: 'random',
};

/**
 * A second config through the harness page: untied (decoder normalisation), Gaussian hidden
 * noise, AdamW, cosine schedule — the fused step's untied, noise and k-hot paths.
 */
const UNTIED: TrainConfigInput = {
  seed: 11,
  steps: 120,
  batchSize: 96,
  logEvery: 5,
  data: { kind: 'half-split', n: 32 },
  model: { m: 17, weights: { kind: 'untied' }, l1: { lambda: 3e-3 }, hiddenNoise: { kind: 'gaussian', std: 0.05 } },
  optimizer: { kind: 'adamw', lr: 5e-3 },
  schedule: { kind: 'cosine', warmupSteps: 10 },
};

async function nodeRun(config: TrainConfigInput): Promise<RunRecord> {
  // Through JSON, exactly as the CLI writes it and as the browser exports it.
  return JSON.parse(JSON.stringify(toRunRecord(await train(config)))) as RunRecord;
}

async function stateOf(page: Page, states: string[]): Promise<string> {
  await page.waitForFunction((s) => s.includes(document.body.dataset.state ?? ''), states);
  return (await page.evaluate(() => document.body.dataset.state)) ?? '';
}

function describeDifferences(a: RunRecord, b: RunRecord): string {
  const diffs = bitDifferences(a, b);
  if (diffs.length === 0) return 'identical';
  const worst = diffs.reduce((w, d) => Math.max(w, Math.abs(d.a - d.b) / Math.max(Math.abs(d.a), 1e-30)), 0);
  return `${diffs.length} numbers differ (first ${diffs[0]!.path}: node ${diffs[0]!.a} vs browser ${diffs[0]!.b}; max relative ${worst.toExponential(2)})`;
}

let browser: Browser;
let nodeParity: RunRecord;

beforeAll(async () => {
  browser = await launchChromium();
  const runtime = await initNodeBackend();
  expect(runtime).toMatchObject({ backend: 'wasm', simd: true, threads: false, platform: 'node' });
  nodeParity = await nodeRun(settingsToConfig(PARITY));
});

afterAll(async () => {
  await browser?.close();
});

describe('Node ↔ Chromium parity', () => {
  it('the playground UI trains n=16 m=9 batch 64, 200 Adam steps, seed 3 bit-identically to Node and exports the same run JSON', async () => {
    const context = await browser.newContext({ acceptDownloads: true });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${appUrl}?${settingsToQuery(PARITY).toString()}`);
    expect(await stateOf(page, ['ready', 'error'])).toBe('ready');
    // The status line the user sees, and its machine-readable twin.
    const status = page.locator('#status');
    expect(await status.getAttribute('data-backend')).toBe('wasm');
    expect(await status.getAttribute('data-simd')).toBe('true');
    expect(await status.getAttribute('data-worker')).toBe('true');
    expect(await status.textContent()).toContain('backend wasm · SIMD on · single-threaded');

    await page.click('#train');
    expect(await stateOf(page, ['done', 'error', 'stopped'])).toBe('done');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export')]);
    expect(download.suggestedFilename()).toBe('polytoy-run-n16-m9-seed3.json');
    const exported = JSON.parse(readFileSync((await download.path())!, 'utf8')) as RunRecord;
    await context.close();
    expect(errors).toEqual([]);

    // The export is a valid polytoy.run/1 record from wasm + SIMD in a browser...
    const { record, params } = parseRunRecord(exported);
    expect(record.runtime).toEqual({
      backend: 'wasm',
      simd: true,
      threads: false,
      tfjsVersion: nodeParity.runtime.tfjsVersion,
      platform: 'browser',
      // polytoy's own GEMM kernels, registered by the trainer in the browser as in Node.
      kernels: 'polytoy',
    });
    expect(params).toHaveLength(1);
    // ...of the same config...
    expect(record.config).toEqual(nodeParity.config);
    expect(resolveTrainConfig(settingsToConfig(PARITY)).steps).toBe(200);
    // ...with the same 21 logs (steps 0, 10, …, 190, final evaluation at 200) and parameters, bit for bit.
    expect(record.instances[0]!.history.map((r) => r.step)).toEqual([...Array.from({ length: 20 }, (_, k) => 10 * k), 200]);
    expect(nodeParity.instances[0]!.finalLoss.loss).toBeLessThan(nodeParity.instances[0]!.history[0]!.loss / 5);
    expect(describeDifferences(nodeParity, record)).toBe('identical');
  });

  it('the harness worker trains an untied, noisy AdamW run with a cosine schedule bit-identically to Node', async () => {
    const page = await browser.newPage();
    await page.goto(`${appUrl}harness.html`);
    const ready = await page.evaluate(() => window.polytoyHarness!.ready);
    expect(ready.runtime).toMatchObject({ backend: 'wasm', simd: true, threads: false, platform: 'browser' });
    expect(ready.inWorker).toBe(true);
    const browserRecord = await page.evaluate((config) => window.polytoyHarness!.train(config), UNTIED);
    await page.close();
    const nodeRecord = await nodeRun(UNTIED);
    expect(browserRecord.config).toEqual(nodeRecord.config);
    expect(describeDifferences(nodeRecord, browserRecord)).toBe('identical');
  });
});

describe('no silent fallback', () => {
  it('refuses to train when the .wasm binaries cannot be loaded (no other backend takes over)', async () => {
    const context = await browser.newContext();
    await context.route('**/*.wasm', (route) => route.abort());
    const page = await context.newPage();
    await page.goto(appUrl);
    expect(await stateOf(page, ['ready', 'error'])).toBe('error');
    expect(await page.textContent('#status')).toMatch(
      /^BackendError: polytoy needs tfjs-backend-wasm with SIMD; it failed to start/,
    );
    expect(await page.isDisabled('#train')).toBe(true);
    await context.close();
  });

  it('refuses to train when the browser has no WebAssembly SIMD (V8 without SSE4.1, x64)', async () => {
    // V8 implements wasm SIMD on x64 only with SSE4.1; switching that off removes SIMD.
    const noSimd = await chromium.launch({
      executablePath: ensureChromium(),
      args: [...CHROMIUM_ARGS, '--js-flags=--no-enable-sse4-1'],
    });
    try {
      const page = await noSimd.newPage();
      await page.goto(appUrl);
      const simdBytes = [0, 97, 115, 109, 1, 0, 0, 0, 1, 4, 1, 96, 0, 0, 3, 2, 1, 0, 10, 9, 1, 7, 0, 65, 0, 253, 15, 26, 11];
      const validates = await page.evaluate((b) => WebAssembly.validate(new Uint8Array(b)), simdBytes);
      expect(validates, `precondition: --no-enable-sse4-1 disables wasm SIMD (arch ${process.arch})`).toBe(false);
      expect(await stateOf(page, ['ready', 'error'])).toBe('error');
      expect(await page.textContent('#status')).toBe(
        "BackendError: polytoy needs tfjs-backend-wasm with SIMD; backend is 'wasm' but this runtime has no WebAssembly SIMD",
      );
    } finally {
      await noSimd.close();
    }
  });
});
