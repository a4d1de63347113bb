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
  // Dev server: tfjs-backend-wasm ships CommonJS glue (wasm-out/*.js), so it must be pre-bundled,
  // and tfjs-core in the same pass, so that both share one tfjs-core instance (two instances
  // would leave the wasm backend registered in the other one: "backend not found"). Listed
  // explicitly because only the worker imports them, which the dependency scan finds late.
  optimizeDeps: { include: ['@tensorflow/tfjs-core', '@tensorflow/tfjs-backend-wasm'] },
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
