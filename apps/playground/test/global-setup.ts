/**
 * Builds the playground once for all browser tests and serves it on 127.0.0.1 (ephemeral port).
 * Browsers are launched by the test files themselves, so a missing Chromium fails as a test.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { buildApp } from '../harness/build-app.js';
import { serveStatic } from '../harness/static-server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Base URL of the built playground, e.g. `http://127.0.0.1:41234/`. */
    appUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const outDir = mkdtempSync(join(tmpdir(), 'polytoy-playground-'));
  await buildApp(outDir);
  const server = await serveStatic(outDir);
  project.provide('appUrl', server.url);
  return async () => {
    await server.close();
    rmSync(outDir, { recursive: true, force: true });
  };
}
