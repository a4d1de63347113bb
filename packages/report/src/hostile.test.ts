/**
 * A crafted results file must not run anything in the reader's browser: every string of every
 * result line (and the numbers the HTML prints, such as the version) is replaced by markup and
 * script payloads, the report is rendered, and Chromium opens it. No payload may execute, no
 * Content-Security-Policy violation may even be needed (everything is escaped), and the HTML
 * outside the report's own scripts contains none of the payloads' markup.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { ResultLine } from '@polytoy/experiments';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reportScripts } from './embed.js';
import { renderReportWithInfo } from './report.js';
import { openBrowser, openReport } from './test-utils/chromium.js';
import { syntheticResults } from './test-utils/synthetic.js';

const ARTIFACTS = join(dirname(fileURLToPath(import.meta.url)), '..', '.artifacts');

/** Payloads for every context a value could land in: element content, attributes, script blocks, comments, Vega expressions. */
const PAYLOADS = [
  '<script>window.__pwned = "script"</script>',
  '"><img src=x onerror="window.__pwned=\'img\'">',
  "'><svg onload=window.__pwned='svg'>",
  '</script><script>window.__pwned="breakout"</script>',
  '<!--<script>window.__pwned="comment"</script>-->',
  '" + (window.__pwned = "expr") + "',
  "datum.x === 1 || (window.__pwned = 'vega')",
  '\u2028\u2029<style>body{display:none}</style>',
];

/** Replaces (mode 'replace') or extends (mode 'append') every string leaf of a value with a payload. */
function poison(value: unknown, mode: 'replace' | 'append', k: { i: number }): unknown {
  if (typeof value === 'string') {
    const p = PAYLOADS[k.i++ % PAYLOADS.length]!;
    return mode === 'replace' ? p : `${value}${p}`;
  }
  if (Array.isArray(value)) return value.map((v) => poison(v, mode, k));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, v]) => [key, poison(v, mode, k)]));
  }
  return value;
}

function hostileLines(): ResultLine[] {
  const k = { i: 0 };
  return syntheticResults().flatMap((line, n) =>
    (['replace', 'append'] as const).map((mode) => {
      const bad = poison(line, mode, k) as Record<string, unknown>;
      // Fields the HTML prints as numbers get payloads too; run ids stay distinct.
      return {
        ...bad,
        runId: `${PAYLOADS[n % PAYLOADS.length]}-${mode}-${n}`,
        version: PAYLOADS[(n + 1) % PAYLOADS.length],
        wallSeconds: PAYLOADS[(n + 2) % PAYLOADS.length],
      } as unknown as ResultLine;
    }),
  );
}

let browser: Awaited<ReturnType<typeof openBrowser>>;
let html: string;

beforeAll(async () => {
  const lines = hostileLines();
  ({ html } = await renderReportWithInfo(lines, {
    generatedAt: PAYLOADS[0]!,
    title: PAYLOADS[1]!,
    sources: [PAYLOADS[2]!, PAYLOADS[3]!],
  }));
  browser = await openBrowser();
}, 120_000);

afterAll(async () => {
  await browser?.close();
});

describe('hostile values in every field of the results', () => {
  it('are escaped: outside the report’s own scripts the HTML has no markup from them', () => {
    const scripts = reportScripts();
    const executable = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]);
    expect(executable).toEqual(scripts);
    const page = html.replace(/<script>[\s\S]*?<\/script>/g, '');
    // No payload opens a tag or a comment (their text is there, escaped: `&lt;img …`).
    expect(page).not.toMatch(/<img|<svg|<style>body|<!--|<script(?! type="application\/json")/i);
    expect(page).toContain('&quot;&gt;&lt;img src=x onerror=&quot;');
    // Data blocks hold the payloads as JSON with <, > and & escaped: they cannot close the block.
    for (const block of page.matchAll(/<script type="application\/json"[^>]*>([\s\S]*?)<\/script>/g)) {
      expect(block[1]).not.toMatch(/[<>]/);
      expect(() => JSON.parse(block[1]!)).not.toThrow();
    }
    expect(page).toContain('&lt;script&gt;window.__pwned');
  });

  it('run nothing in Chromium, need no CSP intervention, and the page still draws its charts', async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    const file = join(ARTIFACTS, 'report-hostile.html');
    writeFileSync(file, html);
    let dialogs = 0;
    browser.context.on('dialog', (d) => {
      dialogs++;
      void d.dismiss();
    });
    const { page, log } = await openReport(browser.context, pathToFileURL(file).href);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: string }).__pwned)).toBeUndefined();
    expect(dialogs).toBe(0);
    expect(log.cspViolations).toEqual([]);
    expect(log.errors).toEqual([]);
    expect(log.requests).toEqual([pathToFileURL(file).href]);
    const drawn = await page.evaluate(() => document.querySelectorAll('.vega-target[data-rendered="true"]').length);
    expect(drawn).toBeGreaterThan(0);
    // The payload text is shown as text.
    expect(await page.evaluate(() => document.title)).toBe('"><img src=x onerror="window.__pwned=\'img\'">');
    await page.close();
  }, 120_000);
});
