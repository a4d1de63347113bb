/**
 * Test-only backend setup: the wasm backend (what polytoy trains on) and the cpu backend (a
 * second implementation to compare against). Library code never imports a backend.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';

// Silences the cpu backend's "install tfjs-node" banner.
tf.env().set('IS_TEST', true);

let wasmPathsSet = false;

/** The test backends, in the order suites run over them. */
export const BACKENDS = ['wasm', 'cpu'] as const;
export type BackendName = (typeof BACKENDS)[number];

/** Activates a backend and checks it is really the active one. */
export async function useBackend(name: BackendName): Promise<void> {
  if (name === 'wasm' && !wasmPathsSet) {
    const pkg = createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm/package.json');
    setWasmPaths(join(dirname(pkg), 'dist') + '/');
    wasmPathsSet = true;
  }
  const ok = await tf.setBackend(name);
  if (!ok || tf.getBackend() !== name) throw new Error(`backend ${name} failed to initialise (active: ${tf.getBackend()})`);
}

/** Activates the wasm backend (the default for tests). */
export async function useWasm(): Promise<void> {
  await useBackend('wasm');
}
