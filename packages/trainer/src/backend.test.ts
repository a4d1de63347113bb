import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
// Registers the 'cpu' backend in this test file's worker only, to switch away from wasm.
import '@tensorflow/tfjs-backend-cpu';
import { build } from 'esbuild';
import { BackendError, ConfigError, resolveTrainConfig } from '@polytoy/core';
import { isPolytoyKernelsRegistered } from '@polytoy/kernels';
import { describe, expect, it } from 'vitest';
import { initBackend, verifyBackend } from './backend.js';
import { initNodeBackend, wasmDistDir } from './node.js';
import { chooseEngine } from './train.js';

describe('initBackend', () => {
  it('starts tfjs-backend-wasm with SIMD from the absolute dist path', async () => {
    const dir = wasmDistDir();
    expect(isAbsolute(dir)).toBe(true);
    expect(existsSync(`${dir}tfjs-backend-wasm-simd.wasm`)).toBe(true);
    const info = await initNodeBackend();
    expect(info).toEqual({
      backend: 'wasm',
      simd: true,
      threads: false,
      tfjsVersion: tf.version_core,
      platform: 'node',
      kernels: 'polytoy',
    });
    expect(tf.getBackend()).toBe('wasm');
  });

  it('is idempotent: a second call keeps the same backend instance', async () => {
    await initNodeBackend();
    const first = tf.backend();
    const [a, b] = await Promise.all([initBackend(), initNodeBackend()]);
    expect(a).toEqual(b);
    expect(tf.backend()).toBe(first);
  });

  it('fails with one line when the active backend is not wasm, and initBackend switches back', async () => {
    await initNodeBackend();
    expect(await tf.setBackend('cpu')).toBe(true);
    const error = await verifyBackend().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackendError);
    expect((error as Error).message).toBe("polytoy needs tfjs-backend-wasm with SIMD; backend is 'cpu'");
    const info = await initBackend();
    expect(info.backend).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
  });

  it('fails when SIMD is reported unavailable', async () => {
    await initNodeBackend();
    tf.env().set('WASM_HAS_SIMD_SUPPORT', false);
    try {
      await expect(verifyBackend()).rejects.toThrow(
        "polytoy needs tfjs-backend-wasm with SIMD; backend is 'wasm' but this runtime has no WebAssembly SIMD",
      );
    } finally {
      tf.env().set('WASM_HAS_SIMD_SUPPORT', true);
    }
    await expect(verifyBackend()).resolves.toMatchObject({ simd: true });
  });
});

describe('kernel choice', () => {
  it('registers the polytoy kernels by default, switches to stock and back on request only', async () => {
    await initNodeBackend();
    expect(isPolytoyKernelsRegistered()).toBe(true);
    try {
      expect((await initNodeBackend({ kernels: 'stock' })).kernels).toBe('stock');
      expect(isPolytoyKernelsRegistered()).toBe(false);
      // Omitted: keeps the current choice.
      expect((await initBackend()).kernels).toBe('stock');
      expect((await verifyBackend()).kernels).toBe('stock');
      expect(chooseEngine(resolveTrainConfig({ data: { n: 16 } }))).toBe('tfjs');
    } finally {
      expect((await initNodeBackend({ kernels: 'polytoy' })).kernels).toBe('polytoy');
    }
    expect(isPolytoyKernelsRegistered()).toBe(true);
    expect(chooseEngine(resolveTrainConfig({ data: { n: 16 } }))).toBe('fused');
    // Untied weights and hidden noise train on the fused step too.
    expect(chooseEngine(resolveTrainConfig({ data: { n: 16 }, model: { weights: { kind: 'untied' } } }))).toBe('fused');
    expect(chooseEngine(resolveTrainConfig({ data: { n: 16 }, model: { hiddenNoise: { kind: 'gaussian', std: 0.1 } } }))).toBe(
      'fused',
    );
  });

  it('rejects an unknown kernel choice with one line', async () => {
    await expect(initBackend({ kernels: 'fast' as 'stock' })).rejects.toThrow(ConfigError);
    await expect(initBackend({ kernels: 'fast' as 'stock' })).rejects.toThrow(/kernels/);
  });
});

describe('entry points', () => {
  it('the main entry bundles for the browser without Node built-ins', async () => {
    const entry = fileURLToPath(new URL('./index.ts', import.meta.url));
    const result = await build({
      entryPoints: [entry],
      bundle: true,
      write: false,
      platform: 'browser',
      format: 'esm',
      conditions: ['@polytoy/source'],
      // tfjs is a peer dependency: one shared instance, never bundled twice.
      external: ['@tensorflow/*'],
      logLevel: 'silent',
      metafile: true,
    });
    const inputs = Object.keys(result.metafile.inputs).map((f) => resolve(f));
    const here = (file: string): string => fileURLToPath(new URL(file, import.meta.url));
    expect(inputs).toContain(here('./train.ts'));
    expect(inputs).not.toContain(here('./node.ts'));
    const code = result.outputFiles[0]!.text;
    expect(code).not.toMatch(/from ["']node:|require\(["'](fs|path|module|worker_threads)["']\)/);
  });
});
