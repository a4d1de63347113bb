/**
 * Builds the playground (both pages: the app and the harness) into a directory, for the browser
 * tests and the benchmark.
 */
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

/** The app's root directory (where vite.config.ts is). */
export const APP_ROOT = fileURLToPath(new URL('..', import.meta.url));

/**
 * `vite build` of the playground into `outDir` (emptied first), quietly.
 *
 * @example
 * await buildApp('/tmp/playground-dist');
 */
export async function buildApp(outDir: string): Promise<void> {
  await build({ root: APP_ROOT, logLevel: 'error', build: { outDir, emptyOutDir: true } });
}
