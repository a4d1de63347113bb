/**
 * Where `trainParallel`'s worker threads start from: the worker entry module, found from source
 * (tsx), from the compiled package, or from a bundle (Node).
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { KernelChoice } from './backend.js';
import type { WorkerInit } from './worker-protocol.js';
import { WORKER_MARK } from './worker-protocol.js';

let entryOverride: URL | null = null;

/**
 * Sets the module worker threads start from (null: automatic). Automatic means: from source
 * (`.ts`, under vitest or tsx) `worker-main.ts` through tsx; from the compiled package
 * `dist/worker-main.js`; otherwise (a bundle) the bundle itself, which must then call
 * `runTrainerWorker()` when `isTrainerWorker()` is true.
 *
 * @example
 * setTrainerWorkerEntry(new URL('./my-worker.js', import.meta.url));
 */
export function setTrainerWorkerEntry(url: URL | string | null): void {
  entryOverride = url === null ? null : new URL(url);
}

/** File URL of tsx's ESM API (`tsx/esm/api`, import condition), resolved from `from`. */
function tsxEsmApi(from: string): string {
  const pkgPath = createRequire(from).resolve('tsx/package.json');
  const pkg = JSON.parse(readFileSync(pkgPath, 'utf8')) as { exports: Record<string, { import: { default: string } }> };
  return pathToFileURL(join(dirname(pkgPath), pkg.exports['./esm/api']!.import.default)).href;
}

/** Starts one trainer worker thread using `kernels`. */
export function spawnTrainerWorker(kernels: KernelChoice): Worker {
  const workerData: WorkerInit = { [WORKER_MARK]: true, kernels };
  if (entryOverride) return new Worker(entryOverride, { workerData });
  const here = import.meta.url;
  if (here.endsWith('.ts')) {
    // From source: the worker registers tsx itself (a worker does not inherit the parent's
    // loader hooks) and resolves workspace packages to their sources.
    const tsx = tsxEsmApi(here);
    const entry = new URL('./worker-main.ts', here).href;
    const code = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); })`;
    return new Worker(code, { eval: true, workerData, execArgv: ['--conditions=@polytoy/source'] });
  }
  const sibling = new URL('./worker-main.js', here);
  if (existsSync(fileURLToPath(sibling))) return new Worker(sibling, { workerData });
  return new Worker(new URL(here), { workerData });
}
