/**
 * Renders a report from real (small) results — tiny versions of the four experiments, trained
 * and analysed for real — and opens it in headless Chromium: every section shows the SVG
 * charts it announces, each with a non-empty box, no console errors, no network requests.
 * A screenshot goes to `.artifacts/report.png`. Chromium must exist at /usr/bin/chromium (CI
 * installs it); without it this test fails.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { renderReportWithInfo } from './report.js';
import { realResults } from './test-utils/real-results.js';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = join(dirname(fileURLToPath(import.meta.url)), '..', '.artifacts');

describe('report in headless Chromium (real results)', () => {
  it('shows every announced chart as an SVG, without console errors or network requests', async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(
        `${CHROMIUM} not found: install Chromium (Debian: apt-get install chromium) to run the report rendering test`,
      );
    }
    const lines = await realResults();
    expect(lines.length).toBeGreaterThan(40);
    const { html, sections } = await renderReportWithInfo(lines, { generatedAt: null, title: 'polytoy report (test)' });
    mkdirSync(ARTIFACTS, { recursive: true });
    const file = join(ARTIFACTS, 'report.html');
    writeFileSync(file, html);

    const profile = mkdtempSync(join(tmpdir(), 'polytoy-chromium-'));
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    try {
      const page = await context.newPage();
      const errors: string[] = [];
      const requests: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(m.text());
      });
      page.on('pageerror', (e) => errors.push(String(e)));
      page.on('request', (r) => requests.push(r.url()));
      await page.setViewportSize({ width: 1300, height: 900 });
      const url = pathToFileURL(file).href;
      await page.goto(url, { waitUntil: 'load' });

      const seen = await page.evaluate(() =>
        Array.from(document.querySelectorAll('section.experiment')).map((s) => ({
          id: s.id,
          svgs: s.querySelectorAll('figure.chart > svg').length,
          allSvgs: s.querySelectorAll('svg').length,
          empty: Array.from(s.querySelectorAll('figure.chart > svg')).filter((svg) => {
            const r = svg.getBoundingClientRect();
            return !(r.width > 50 && r.height > 30) || svg.querySelectorAll('path, rect, line, text').length < 5;
          }).length,
        })),
      );
      expect(seen.map((s) => s.id)).toEqual(sections.map((s) => s.id));
      for (const [k, s] of seen.entries()) {
        expect(s.svgs, s.id).toBe(sections[k]!.charts.length);
        expect(s.allSvgs, s.id).toBe(s.svgs);
        expect(s.empty, s.id).toBe(0);
      }
      // The collisions plot is there, and the other experiments have their main charts.
      const charts = Object.fromEntries(sections.map((s) => [s.experiment, s.charts]));
      expect(charts.collisions).toContain('collisions');
      expect(charts['finds-solution']).toEqual(
        expect.arrayContaining(['solutions', 'success-heatmap', 'loss-curves', 'weights']),
      );
      expect(charts.stability).toContain('stability');
      expect(charts['untied-choice']).toEqual(expect.arrayContaining(['untied-use', 'untied-shift']));
      expect(errors).toEqual([]);
      expect(requests).toEqual([url]);
      await page.screenshot({ path: join(ARTIFACTS, 'report.png'), fullPage: true });
      expect(existsSync(join(ARTIFACTS, 'report.png'))).toBe(true);
    } finally {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    }
  }, 120_000);
});
