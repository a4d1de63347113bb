/**
 * The playground in headless Chromium at 1400 px: deterministic runs (seed + fixed step count)
 * compared with committed screenshots; heat-map pixels and the family readout checked against
 * the same computation in Node; the UI stays responsive while the worker trains; Stop aborts;
 * "Load construction" starts from the zero-loss construction; run files load by file picker and
 * by drag and drop (a bad file gives a one-line error) and export again; the subtitle says what
 * is selected; no text is clipped and nothing is wider than the page; no console errors.
 * Screenshots go to apps/playground/.artifacts/.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ModelParams, RunRecord } from '@polytoy/core';
import { parseRunRecord, toRunRecord } from '@polytoy/core';
import { train } from '@polytoy/trainer';
import { divergingColor, heatmapLayout } from '@polytoy/viz';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchChromium } from '../harness/chromium.js';
import { HEATMAP_ORIGIN } from '../src/heatmap.js';
import { readModel } from '../src/readout.js';
import type { Settings } from '../src/settings.js';
import { DEFAULT_SETTINGS, settingsToConfig, settingsToQuery } from '../src/settings.js';
import { BASELINES, baseline, comparePngs } from './screenshot.js';

const appUrl = inject('appUrl');
const ARTIFACTS = join(dirname(fileURLToPath(import.meta.url)), '..', '.artifacts');
export const SCREENSHOT = join(ARTIFACTS, 'playground-mid-training.png');

let browser: Browser;

beforeAll(async () => {
  browser = await launchChromium();
  mkdirSync(ARTIFACTS, { recursive: true });
});

afterAll(async () => {
  await browser?.close();
});

/** A page at 1400 × 1000 whose console errors and page errors are collected. */
async function open(settings: Settings | URLSearchParams): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 }, acceptDownloads: true });
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(String(e)));
  const query = settings instanceof URLSearchParams ? settings : settingsToQuery(settings);
  await page.goto(`${appUrl}?${query.toString()}`);
  await page.waitForFunction(() => document.body.dataset.state !== 'loading');
  expect(await page.evaluate(() => document.body.dataset.state)).toBe('ready');
  return { page, errors };
}

const stateIs = (page: Page, ...states: string[]) =>
  page
    .waitForFunction((s) => s.includes(document.body.dataset.state ?? ''), states)
    .then(() => page.evaluate(() => document.body.dataset.state));

/** Waits until every card's readout belongs to `step`. */
const readoutsAt = (page: Page, count: number, step: number) =>
  page.waitForFunction(
    ({ count, step }) =>
      Array.from({ length: count }, (_, k) => document.querySelector<HTMLElement>(`#readout-${k}`)?.dataset.step).every(
        (s) => s === String(step),
      ),
    { count, step },
  );

/** Pixels of a canvas that are clearly blue (positive weights) and clearly red (negative). */
function colouredPixels(page: Page, selector: string): Promise<{ red: number; blue: number }> {
  return page.evaluate((sel) => {
    const canvas = document.querySelector<HTMLCanvasElement>(sel)!;
    const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
    let red = 0;
    let blue = 0;
    for (let i = 0; i < data.length; i += 4) {
      const [r, g, b] = [data[i]!, data[i + 1]!, data[i + 2]!];
      if (r > 150 && g < 120 && b < 120) red++;
      if (b > 150 && r < 120) blue++;
    }
    return { red, blue };
  }, selector);
}

/** Elements wider than the page and text that does not fit its box. */
function layoutProblems(page: Page) {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    const out: string[] = [];
    for (const el of Array.from(document.body.querySelectorAll<HTMLElement>('*'))) {
      if (el.closest('[hidden]') || el.tagName === 'OPTION') continue;
      const r = el.getBoundingClientRect();
      if (r.width === 0 && r.height === 0) continue;
      if (r.right > width + 0.5) out.push(`wide: ${el.tagName} ${el.id} ${Math.round(r.right)}`);
      const text = ['P', 'H1', 'H2', 'LABEL', 'LEGEND', 'BUTTON', 'FIGCAPTION', 'SPAN'];
      if (
        text.includes(el.tagName) &&
        (el.scrollWidth > el.clientWidth + 1 || el.scrollHeight > el.clientHeight + 2) &&
        getComputedStyle(el).display !== 'inline'
      ) {
        out.push(`clipped: ${el.tagName} "${(el.textContent ?? '').slice(0, 50)}"`);
      }
    }
    // Selects: the chosen option's text fits the control.
    const probe = document.createElement('span');
    probe.style.cssText = 'position:absolute;visibility:hidden;white-space:nowrap;font-size:0.85rem';
    document.body.append(probe);
    for (const s of Array.from(document.querySelectorAll('select'))) {
      if (s.closest('[hidden]')) continue;
      for (const o of Array.from(s.options)) {
        probe.textContent = o.text;
        if (probe.getBoundingClientRect().width > s.clientWidth - 22) out.push(`clipped option: ${s.name} "${o.text}"`);
      }
    }
    probe.remove();
    if (document.documentElement.scrollWidth > width) out.push(`page scrolls sideways: ${document.documentElement.scrollWidth}`);
    return out;
  });
}

/** The deterministic run of the screenshot test: 2 instances, 300 steps, not paced. */
const FIXED: Settings = {
  ...DEFAULT_SETTINGS,
  n: 8,
  m: 5,
  steps: 300,
  batchSize: 64,
  logEvery: 10,
  lr: 1e-2,
  lambda: 1e-2,
  instances: 2,
  seed: 2,
  pace: 0,
};

describe('playground UI at 1400 px', () => {
  it('a fixed run (seed, 300 steps) matches the committed screenshots; heat-map pixels and readouts match Node', async () => {
    const nodeRun = await train(settingsToConfig(FIXED));
    const nodeParams: ModelParams[] = nodeRun.instances.map((i) => i.params);
    const nodeReadouts = nodeParams.map((p) => readModel(p, { data: 'half-split', hidden: 'none' }));

    const { page, errors } = await open(FIXED);
    await page.click('#train');
    expect(await stateIs(page, 'done', 'error')).toBe('done');
    await readoutsAt(page, 2, 300);
    // Let the last frame draw.
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));

    // The readout is the metrics' reading of the very same parameters.
    for (const [k, want] of nodeReadouts.entries()) {
      const got = await page.evaluate((i) => ({ ...document.querySelector<HTMLElement>(`#readout-${i}`)!.dataset }), k);
      expect(got.family).toBe(want.family);
      expect(got.eps).toBe(want.epsNeurons.join(','));
      expect(Number(got.distance)).toBe(want.distance);
      expect(await page.textContent(`#readout-${k}`)).toContain(want.family);
    }

    // Heat map: the layout of @polytoy/viz, every W cell in the shared diverging colour.
    const layout = heatmapLayout(nodeParams[0]!, { marked: nodeReadouts[0]!.epsNeurons });
    const W = layout.panels[0]!;
    const canvas = await page.evaluate(() => ({ ...document.querySelector<HTMLCanvasElement>('#heatmap-0')!.dataset }));
    expect(Number(canvas.vmax)).toBe(W.range.vmax);
    expect(canvas.marked).toBe(layout.marked.join(','));
    const cell = Number(canvas.cell);
    expect(cell).toBeGreaterThanOrEqual(12);
    const pixels = await page.evaluate(
      ({ cell, left, top, rows, cols }) => {
        const ctx = document.querySelector<HTMLCanvasElement>('#heatmap-0')!.getContext('2d')!;
        const out: number[][] = [];
        for (let r = 0; r < rows; r++)
          for (let c = 0; c < cols; c++) {
            // A quarter into the cell: clear of the × of a clipped value.
            const d = ctx.getImageData(left + c * cell + Math.floor(cell / 4), top + r * cell + Math.floor(cell / 4), 1, 1).data;
            out.push([d[0]!, d[1]!, d[2]!]);
          }
        return out;
      },
      { cell, left: HEATMAP_ORIGIN.left, top: HEATMAP_ORIGIN.top, rows: W.rows, cols: W.cols },
    );
    pixels.forEach((rgb, i) => expect(rgb, `cell ${i}`).toEqual([...divergingColor(W.values[i]!, W.range.vmax)]));

    // Screenshots of the deterministic parts (the progress line has a wall time) against the baselines.
    for (const [name, selector] of [
      ['instances-n8-m5-seed2.png', '#instances'],
      ['loss-n8-m5-seed2.png', '#loss'],
    ] as const) {
      const shot = await page.locator(selector).screenshot();
      writeFileSync(join(ARTIFACTS, name), shot);
      const diff = await comparePngs(page, shot, baseline(name, shot), 24);
      expect([diff.width, diff.height], name).toEqual([diff.baselineWidth, diff.baselineHeight]);
      expect(diff.differing, `${name}: fraction of differing pixels`).toBeLessThanOrEqual(0.002);
    }
    // The comparison itself can fail: another picture does not match.
    const cards = await page.locator('#instances').screenshot();
    expect((await comparePngs(page, cards, readFileSync(join(BASELINES, 'loss-n8-m5-seed2.png')), 24)).differing).toBe(1);
    await page.screenshot({ path: join(ARTIFACTS, 'playground-fixed-run.png'), fullPage: true });
    expect(await layoutProblems(page)).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('stays responsive while the worker trains, draws heat map and loss chart live, and stops on request', async () => {
    // Long enough to be stopped mid-way: n = 32, m = 17, batch 256, 50 000 steps, not paced.
    const { page, errors } = await open({
      ...DEFAULT_SETTINGS,
      n: 32,
      m: 17,
      steps: 50_000,
      logEvery: 25,
      lr: 5e-3,
      seed: 7,
      pace: 0,
    });
    expect(await page.isDisabled('#export')).toBe(true);
    await page.evaluate(() => {
      const w = window as unknown as { frames_: number[] };
      w.frames_ = [];
      const tick = (t: number): void => {
        w.frames_.push(t);
        requestAnimationFrame(tick);
      };
      requestAnimationFrame(tick);
    });
    await page.click('#train');
    await page.waitForFunction(() => Number(document.querySelector<HTMLElement>('#progress')!.dataset.done) > 0);
    const caption = () => page.evaluate(() => document.querySelector<HTMLElement>('#heatmap-0')!.dataset.caption ?? '');
    const heatmapImage = () => page.evaluate(() => document.querySelector<HTMLCanvasElement>('#heatmap-0')!.toDataURL());
    await page.waitForFunction(() => /^step \d+$/.test(document.querySelector<HTMLElement>('#heatmap-0')!.dataset.caption ?? ''));
    const [firstCaption, firstImage] = [await caption(), await heatmapImage()];
    const t0 = await page.evaluate(() => performance.now());
    const done0 = Number(await page.getAttribute('#progress', 'data-done'));
    await page.waitForFunction((t) => performance.now() - t > 2000, t0, { polling: 100 });
    const window_ = await page.evaluate((t) => {
      const frames = (window as unknown as { frames_: number[] }).frames_.filter((f) => f >= t);
      const gaps = frames
        .slice(1)
        .map((f, i) => f - frames[i]!)
        .sort((a, b) => a - b);
      return { frames: frames.length, medianGap: gaps[Math.floor(gaps.length / 2)] ?? Infinity };
    }, t0);
    const done1 = Number(await page.getAttribute('#progress', 'data-done'));

    expect(await caption()).not.toBe(firstCaption);
    expect(await heatmapImage()).not.toBe(firstImage);
    expect(await page.evaluate(() => document.body.dataset.state)).toBe('training');
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    console.log(`playground screenshot (mid-training, step ~${done1}): ${SCREENSHOT}`);
    console.log(
      `while training (steps ${done0}→${done1}): ${window_.frames} animation frames in 2 s, median gap ${window_.medianGap.toFixed(1)} ms`,
    );
    // The worker made progress while the page kept painting (≥ 20 fps; training on the page would allow ~10).
    expect(done1).toBeGreaterThan(done0);
    expect(window_.frames).toBeGreaterThanOrEqual(30);
    expect(window_.medianGap).toBeLessThanOrEqual(50);
    // The readout follows the live weights.
    await page.waitForFunction(() => (document.querySelector<HTMLElement>('#readout-0')!.dataset.family ?? '') !== '');

    const heat = await colouredPixels(page, '#heatmap-0');
    expect(heat.red).toBeGreaterThan(500);
    expect(heat.blue).toBeGreaterThan(500);
    expect((await colouredPixels(page, '#loss')).blue).toBeGreaterThan(50);
    expect(await page.textContent('#progress')).toMatch(/^step \d+ \/ 50000 · loss \d/);

    await page.click('#stop');
    expect(await stateIs(page, 'stopped', 'done', 'error')).toBe('stopped');
    expect(await page.textContent('#progress')).toMatch(/^stopped after step \d+$/);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('"Load construction" shows the construction, its ±eps neuron marked, read as same-sign at distance 0; training starts at zero loss', async () => {
    // m = 5 is too small for the construction (it needs n/2 + 1 = 9): the button raises it.
    const { page, errors } = await open({
      ...DEFAULT_SETTINGS,
      n: 16,
      m: 5,
      lambda: 0,
      steps: 40,
      logEvery: 10,
      seed: 1,
      pace: 0,
    });
    await page.click('#construction');
    expect(await page.inputValue('[name=m]')).toBe('9');
    expect(await page.inputValue('[name=init]')).toBe('construction');
    await page.waitForFunction(() =>
      document.querySelector<HTMLElement>('#heatmap-0')!.dataset.caption!.startsWith('same-sign construction'),
    );
    await page.waitForFunction(() => document.querySelector<HTMLElement>('#readout-0')!.dataset.step === '0');
    const readout = await page.evaluate(() => ({ ...document.querySelector<HTMLElement>('#readout-0')!.dataset }));
    expect(readout.eps).toBe('0');
    expect(Number(readout.distance)).toBeLessThan(1e-6);
    expect(await page.textContent('#readout-0')).toContain('nearest construction: same-sign');
    expect(await page.getAttribute('#heatmap-0', 'data-marked')).toBe('0');
    // Pair weights +1 are blue; the ±eps neuron's −eps on half B and the biases −1/2 are red.
    const heat = await colouredPixels(page, '#heatmap-0');
    expect(heat.blue).toBeGreaterThan(100);
    expect(heat.red).toBeGreaterThan(100);

    await page.click('#train');
    expect(await stateIs(page, 'done', 'error')).toBe('done');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export')]);
    const { record } = parseRunRecord(JSON.parse(readFileSync((await download.path())!, 'utf8')) as RunRecord);
    const config = record.config as { model: { m: number; init: { kind: string } } };
    expect(config.model.m).toBe(9);
    expect(config.model.init.kind).toBe('given');
    expect(record.instances[0]!.history[0]!.step).toBe(0);
    // float32 rounding of eps = sqrt(2/n) leaves ~1e-14; a random init starts near 7.
    expect(record.instances[0]!.history[0]!.reconstruction).toBeLessThan(1e-6);
    expect(record.instances[0]!.finalLoss.reconstruction).toBeLessThan(1e-4);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('loads a run.json by file picker and by drag and drop, exports it again, and reports a bad file in one line', async () => {
    const run = toRunRecord(
      await train(
        settingsToConfig({ ...DEFAULT_SETTINGS, n: 8, m: 6, steps: 60, logEvery: 10, instances: 3, weights: 'untied', seed: 4 }),
      ),
    );
    const dir = mkdtempSync(join(tmpdir(), 'polytoy-run-'));
    const file = join(dir, 'three-untied.json');
    writeFileSync(file, JSON.stringify(run));
    const { page, errors } = await open(DEFAULT_SETTINGS);

    await page.setInputFiles('#load-file', file);
    await page.waitForFunction(() => document.querySelectorAll('.instance').length === 3);
    await readoutsAt(page, 3, 60);
    expect(await page.textContent('#status')).toBe('loaded three-untied.json: 3 instance(s), n=8 m=6');
    expect(await page.inputValue('[name=weights]')).toBe('untied');
    expect(await page.inputValue('[name=instances]')).toBe('3');
    expect(await page.textContent('#subtitle')).toMatch(/^untied autoencoder y = ReLU\(D E x \+ b\)/);
    expect(await page.getAttribute('#heatmap-2', 'data-caption')).toBe('loaded from three-untied.json');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export')]);
    expect(JSON.parse(readFileSync((await download.path())!, 'utf8'))).toEqual(JSON.parse(JSON.stringify(run)));

    // Drag and drop: a broken file gives one line naming the file and what is wrong, and changes nothing.
    const drop = (name: string, text: string) =>
      page.evaluate(
        ({ name, text }) => {
          const dt = new DataTransfer();
          dt.items.add(new File([text], name, { type: 'application/json' }));
          document.body.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
        },
        { name, text },
      );
    await drop('broken.json', '{"format": "polytoy.run/1", "instances": [');
    await page.waitForFunction(() => document.querySelector('#status')!.textContent!.includes('broken.json'));
    const message = (await page.textContent('#status'))!;
    expect(message).toMatch(/^PolytoyError: broken\.json: not JSON \(/);
    expect(message).not.toContain('\n');
    expect(await page.evaluate(() => document.querySelectorAll('.instance').length)).toBe(3);
    await drop('notarun.json', '{"format": "polytoy.checkpoint/1"}');
    await page.waitForFunction(() => document.querySelector('#status')!.textContent!.includes('notarun.json'));
    expect(await page.textContent('#status')).toBe(
      'PolytoyError: notarun.json: not a polytoy run record: expected format "polytoy.run/2" (or "polytoy.run/1"), received "polytoy.checkpoint/1"',
    );
    // A good file by drag and drop.
    await drop('again.json', JSON.stringify(run));
    await page.waitForFunction(() => document.querySelector('#status')!.textContent!.startsWith('loaded again.json'));
    expect(errors).toEqual([]);
    await page.close();
  });

  it('the subtitle says what is selected, the controls show the options that apply, and nothing is clipped', async () => {
    const { page, errors } = await open(new URLSearchParams('weights=untied'));
    expect(await page.textContent('#subtitle')).toMatch(
      /^untied autoencoder y = ReLU\(D E x \+ b\), unit-norm decoder columns, on half-split data/,
    );
    expect(await page.isVisible('[name=decoderNorm]')).toBe(true);
    await page.selectOption('[name=weights]', 'tied');
    await page.selectOption('[name=hidden]', 'relu');
    expect(await page.textContent('#subtitle')).toMatch(/^tied autoencoder y = ReLU\(Wᵀ ReLU\(W x\) \+ b\)/);
    expect(await page.isVisible('[name=decoderNorm]')).toBe(false);
    expect(await page.isVisible('[name=momentum]')).toBe(false);
    await page.selectOption('[name=optimizer]', 'sgd');
    expect(await page.isVisible('[name=momentum]')).toBe(true);
    await page.selectOption('[name=data]', 'sparse-uniform');
    expect(await page.isVisible('[name=density]')).toBe(true);
    expect(await page.textContent('#subtitle')).toContain('sparse-uniform features (n = 16, density 0.1');
    await page.selectOption('[name=noise]', 'gaussian');
    expect(await page.isVisible('[name=noiseLevel]')).toBe(true);
    expect(await layoutProblems(page)).toEqual([]);
    await page.screenshot({ path: join(ARTIFACTS, 'playground-controls.png'), fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  });
});
