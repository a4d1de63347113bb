// Test helper: the tfjs wasm backend on Node, loaded from the installed package's dist folder.
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';

let pathsSet = false;

/** Absolute path (with trailing slash) of tfjs-backend-wasm's dist folder holding the .wasm files. */
export function wasmDistDir(): string {
  const require = createRequire(import.meta.url);
  return `${dirname(require.resolve('@tensorflow/tfjs-backend-wasm'))}/`;
}

/** Makes `wasm` the active backend (idempotent per test file). */
export async function useWasmBackend(): Promise<void> {
  if (!pathsSet) {
    setWasmPaths(wasmDistDir());
    pathsSet = true;
  }
  const ok = await tf.setBackend('wasm');
  if (!ok || tf.getBackend() !== 'wasm') throw new Error('could not initialise the tfjs wasm backend');
}
