/**
 * Vite config of the playground. Two things are specific to polytoy:
 * - workspace packages resolve to their TypeScript sources (`@polytoy/source` condition), so the
 *   app needs no build of the libraries first;
 * - tfjs-backend-wasm's `.wasm` binaries are served from `/wasm/` (dev and preview: straight from
 *   `node_modules`; build: copied into `dist/wasm/`). Never from a CDN.
 */
import { fileURLToPath } from 'node:url';
import { defaultClientConditions, defineConfig } from 'vite';
import { wasmAssets } from './harness/wasm-assets.js';

export default defineConfig({
  resolve: { conditions: ['@polytoy/source', ...defaultClientConditions] },
  // Pre-bundling tfjs separately for the page and the worker can give two tfjs-core instances
  // (one without the wasm backend registered); the ESM builds need no pre-bundling.
  optimizeDeps: { exclude: ['@tensorflow/tfjs-core', '@tensorflow/tfjs-backend-wasm'] },
  worker: { format: 'es' },
  plugins: [wasmAssets()],
  build: {
    target: 'es2022',
    rollupOptions: {
      // Absolute, so that builds started from another working directory (the benchmark) work.
      input: {
        main: fileURLToPath(new URL('./index.html', import.meta.url)),
        harness: fileURLToPath(new URL('./harness.html', import.meta.url)),
      },
      onwarn(warning, warn) {
        // zod's sources carry comments Rollup cannot place; harmless.
        if (warning.code === 'INVALID_ANNOTATION' && warning.id?.includes('node_modules')) return;
        warn(warning);
      },
    },
  },
  server: { host: '127.0.0.1' },
  preview: { host: '127.0.0.1' },
});
