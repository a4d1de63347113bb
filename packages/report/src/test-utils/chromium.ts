/**
 * Debian's Chromium for the report's browser tests (headless, fresh profile, no network
 * services), driven by playwright-core. It must exist at /usr/bin/chromium (CI installs it);
 * without it the tests fail with a message saying how to install it.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { chromium } from 'playwright-core';

export const CHROMIUM = process.env.POLYTOY_CHROMIUM ?? '/usr/bin/chromium';

/** A browser context with a fresh profile; `close()` removes the profile. */
export async function openBrowser(): Promise<{ context: BrowserContext; close(): Promise<void> }> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `${CHROMIUM} not found: install Chromium (Debian: apt-get install chromium) to run the report's browser tests`,
    );
  }
  const profile = mkdtempSync(join(tmpdir(), 'polytoy-report-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1400, height: 900 },
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
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** What a page logged while it loaded. */
export interface PageLog {
  errors: string[];
  requests: string[];
  /** Console messages reporting a Content-Security-Policy violation. */
  cspViolations: string[];
}

/** Opens `url` in a new page of `context`, waits until every chart is drawn, and returns the page and its log. */
export async function openReport(context: BrowserContext, url: string): Promise<{ page: Page; log: PageLog }> {
  const page = await context.newPage();
  const log: PageLog = { errors: [], requests: [], cspViolations: [] };
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    if (/Content Security Policy/i.test(m.text())) log.cspViolations.push(m.text());
    else log.errors.push(m.text());
  });
  page.on('pageerror', (e) => log.errors.push(String(e)));
  page.on('request', (r) => log.requests.push(r.url()));
  await page.goto(url, { waitUntil: 'load' });
  await page.waitForFunction(() => document.body.dataset.charts === 'rendered', null, { timeout: 90_000 });
  return { page, log };
}
