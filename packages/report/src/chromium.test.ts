/**
 * The report as a researcher sees it: rendered from the committed results (docs/results, via
 * the same reader as `polytoy report`) and opened in headless Chromium at 1400 px. Asserts every
 * chart is drawn, nothing is wider than the page, no text is clipped or truncated, no NaN or
 * undefined is shown, hovering a heat-map cell shows its exact value, no console errors or
 * network requests — and that the Content-Security-Policy blocks a script injected into the file.
 * Screenshots go to `.artifacts/` (report.png, report-top.png).
 */
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { readResultLines } from '@polytoy/experiments/node';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderReportWithInfo } from './report.js';
import { openBrowser, openReport } from './test-utils/chromium.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const ARTIFACTS = join(HERE, '..', '.artifacts');
const RESULTS = join(HERE, '..', '..', '..', 'docs', 'results');

let browser: Awaited<ReturnType<typeof openBrowser>>;
let file: string;
let html: string;
let sections: Awaited<ReturnType<typeof renderReportWithInfo>>['sections'];
let answers: string[];

beforeAll(async () => {
  const sources = readdirSync(RESULTS)
    .filter((f) => f.endsWith('.jsonl'))
    .map((f) => join(RESULTS, f));
  expect(sources.length).toBeGreaterThan(0);
  const lines = await readResultLines(sources);
  ({ html, sections, answers } = await renderReportWithInfo(lines, {
    generatedAt: null,
    title: 'polytoy report (docs/results)',
  }));
  mkdirSync(ARTIFACTS, { recursive: true });
  file = join(ARTIFACTS, 'report.html');
  writeFileSync(file, html);
  browser = await openBrowser();
}, 120_000);

afterAll(async () => {
  await browser?.close();
});

/** Layout problems on the page: elements wider than the viewport, clipped HTML text, truncated or out-of-box SVG text. */
function layoutProblems(page: Page) {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    const wide: string[] = [];
    const clipped: string[] = [];
    const describe = (el: Element) =>
      `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}: ${(el.textContent ?? '').slice(0, 60)}`;
    for (const el of Array.from(document.body.querySelectorAll('*'))) {
      if (el.id === 'vg-tooltip-element' || el.closest('#vg-tooltip-element') || el.tagName === 'SCRIPT') continue;
      const r = el.getBoundingClientRect();
      if (r.width === 0 && r.height === 0) continue;
      if (r.right > width + 0.5 || r.left < -0.5) wide.push(`${describe(el)} (${Math.round(r.left)}–${Math.round(r.right)} px)`);
      if (el instanceof HTMLElement && el.closest('details:not([open])') === null) {
        const text = ['P', 'TD', 'TH', 'H1', 'H2', 'H3', 'LI', 'A', 'CODE', 'FIGCAPTION', 'DT', 'DD', 'SUMMARY', 'SPAN'];
        if (text.includes(el.tagName) && el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).display !== 'inline') {
          clipped.push(describe(el));
        }
      }
    }
    // SVG text: never truncated with an ellipsis, and inside its chart.
    for (const svg of Array.from(document.querySelectorAll('figure.chart svg'))) {
      const box = svg.getBoundingClientRect();
      for (const t of Array.from(svg.querySelectorAll('text'))) {
        const content = t.textContent ?? '';
        if (content.includes('…')) clipped.push(`svg text "${content}"`);
        const r = t.getBoundingClientRect();
        if (content && (r.left < box.left - 1 || r.right > box.right + 1))
          clipped.push(`svg text "${content}" outside its chart`);
      }
    }
    return {
      scrollWidth: document.documentElement.scrollWidth,
      width,
      wide,
      clipped,
      // innerText: the text a reader sees (not the JSON data blocks).
      // biome-ignore lint/performance/useDomNodeTextContent: rendered text is the point here
      bad: [document.body.innerText, ...Array.from(document.querySelectorAll('svg')).map((s) => s.textContent ?? '')]
        .join('\n')
        .match(/\bNaN\b|\bundefined\b|\[object Object\]/g),
    };
  });
}

describe('report in headless Chromium at 1400 px (docs/results)', () => {
  it('draws every chart, fits the page, clips no text, shows no NaN, with no console errors or network requests', async () => {
    const { page, log } = await openReport(browser.context, pathToFileURL(file).href);
    const charts = await page.evaluate(() =>
      Array.from(document.querySelectorAll('figure.chart')).map((f) => {
        const target = f.querySelector('.vega-target')!;
        const svg = target.querySelector('svg');
        const r = svg?.getBoundingClientRect();
        return {
          kind: f.getAttribute('data-chart-kind'),
          rendered: target.getAttribute('data-rendered'),
          size: r ? [r.width, r.height] : [0, 0],
          marks: svg ? svg.querySelectorAll('path, line, text').length : 0,
        };
      }),
    );
    const announced = answers.length + sections.reduce((a, s) => a + s.charts.length, 0);
    expect(charts).toHaveLength(announced);
    for (const c of charts) {
      expect(c.rendered, c.kind!).toBe('true');
      expect(c.size[0], c.kind!).toBeGreaterThan(100);
      expect(c.size[1], c.kind!).toBeGreaterThan(50);
      expect(c.marks, c.kind!).toBeGreaterThan(10);
    }
    expect(charts.slice(0, 3).map((c) => c.kind)).toEqual(['phase-diagram', 'stability', 'untied-choice']);

    const layout = await layoutProblems(page);
    expect(layout.wide).toEqual([]);
    expect(layout.scrollWidth).toBeLessThanOrEqual(layout.width);
    expect(layout.clipped).toEqual([]);
    expect(layout.bad).toBeNull();
    // The tables too, once their blocks are opened.
    await page.evaluate(() => {
      for (const d of Array.from(document.querySelectorAll('details'))) d.open = true;
    });
    const opened = await layoutProblems(page);
    expect([opened.wide, opened.clipped, opened.bad]).toEqual([[], [], null]);

    // Heat maps: at least 12 px per cell.
    const cells = await page.evaluate(() =>
      Array.from(document.querySelectorAll('figure[data-chart-kind="weights"] path[aria-roledescription="rect mark"]')).map(
        (p) => p.getBoundingClientRect().width,
      ),
    );
    expect(cells.length).toBeGreaterThan(100);
    expect(Math.min(...cells)).toBeGreaterThanOrEqual(12 - 0.01);

    expect(log.errors).toEqual([]);
    expect(log.cspViolations).toEqual([]);
    expect(log.requests).toEqual([pathToFileURL(file).href]);
    await page.screenshot({ path: join(ARTIFACTS, 'report-top.png') });
    await page.screenshot({ path: join(ARTIFACTS, 'report.png'), fullPage: true });
    await page.close();
  }, 180_000);

  it('hovering a heat-map cell shows a tooltip with its exact stored value', async () => {
    const { page } = await openReport(browser.context, pathToFileURL(file).href);
    // A cell of the first gallery figure; its value as the figure's embedded spec has it.
    const target = await page.evaluate(() => document.querySelector('figure[data-chart-kind="weights"] .vega-target')!.id);
    const path = page.locator(`#${target} path[aria-roledescription="rect mark"]`).nth(6);
    const label = await path.getAttribute('aria-label');
    const [f, r] = /^f: (\d+); r: (\d+);/
      .exec(label ?? '')!
      .slice(1)
      .map(Number);
    const want = await page.evaluate(
      ({ id, f, r }) => {
        const fig = document.getElementById(id)!.closest('figure')!;
        const spec = JSON.parse(fig.querySelector('script[type="application/json"]')!.textContent!) as {
          data: { values?: { r?: number; f?: number; value?: number | string }[] }[];
        };
        const values = spec.data.find((d) => d.values?.[0]?.r !== undefined)!.values!;
        return String(values.find((v) => v.r === r && v.f === f)!.value);
      },
      { id: target, f: f!, r: r! },
    );
    await path.hover();
    const tooltip = page.locator('#vg-tooltip-element');
    await tooltip.waitFor({ state: 'visible' });
    const text = (await tooltip.textContent()) ?? '';
    expect(text).toContain('weight');
    expect(text).toContain(want);
    expect(Number(want)).not.toBeNaN();
    await page.close();
  }, 120_000);

  it('the Content-Security-Policy blocks a script injected into the file, and the charts still draw', async () => {
    const injected = html.replace(
      '</main>',
      '<script>window.__injected = "inline";</script><img src="data:," onerror="window.__injected = \'handler\'"></main>',
    );
    const evil = join(ARTIFACTS, 'report-injected.html');
    writeFileSync(evil, injected);
    const { page, log } = await openReport(browser.context, pathToFileURL(evil).href);
    expect(await page.evaluate(() => (window as unknown as { __injected?: string }).__injected)).toBeUndefined();
    expect(log.cspViolations.length).toBeGreaterThanOrEqual(1);
    expect(log.cspViolations.join('\n')).toMatch(/inline script|script-src/i);
    expect(await page.evaluate(() => document.querySelectorAll('.vega-target[data-rendered="true"]').length)).toBeGreaterThan(3);
    await page.close();
  }, 120_000);
});
