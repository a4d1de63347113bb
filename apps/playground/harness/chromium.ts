/**
 * Debian's Chromium for the browser tests and the benchmark, driven by playwright-core. Nothing
 * is downloaded: when the binary is missing it is installed with apt-get if we are root, else
 * we fail with a message saying how to install it.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { chromium } from 'playwright-core';

/** Where Debian's `chromium` package puts the browser; `POLYTOY_CHROMIUM` overrides it. */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/** Flags for a quiet, loopback-only headless browser with a fresh profile. */
export const CHROMIUM_ARGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
] as const;

function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

/**
 * Path of a usable Chromium: `POLYTOY_CHROMIUM`, else `/usr/bin/chromium`, installing Debian's
 * package with apt-get when running as root and it is missing.
 *
 * @throws Error explaining how to install Chromium when it is missing and cannot be installed.
 * @example
 * const path = ensureChromium(); // '/usr/bin/chromium'
 */
export function ensureChromium(): string {
  const path = process.env.POLYTOY_CHROMIUM ?? CHROMIUM_PATH;
  if (existsSync(path)) return path;
  if (process.env.POLYTOY_CHROMIUM === undefined && isRoot() && spawnSync('apt-get', ['--version']).status === 0) {
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    process.stderr.write('chromium is missing: installing Debian package "chromium" with apt-get\n');
    execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
    execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'chromium'], { stdio: 'inherit', env });
    if (existsSync(path)) return path;
  }
  throw new Error(
    `Chromium not found at ${path}: the browser tests need Debian's chromium package ` +
      '(run `apt-get install chromium` as root, or `bash tools/scripts/ensure-system-deps.sh`, or set POLYTOY_CHROMIUM)',
  );
}

/**
 * Launches headless Chromium (fresh profile).
 *
 * @example
 * const browser = await launchChromium();
 * const page = await browser.newPage();
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: ensureChromium(), args: [...CHROMIUM_ARGS] });
}

/**
 * `chromium --version`, e.g. `Chromium 156.0.8078.108 built on Debian GNU/Linux 12 (bookworm)`.
 *
 * @example
 * chromiumVersion(); // 'Chromium 156.0.8078.108 …'
 */
export function chromiumVersion(): string {
  // Debian's wrapper script prints shell noise on stderr; only stdout is the version.
  return execFileSync(ensureChromium(), ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
}
