/**
 * A Vite plugin that serves tfjs-backend-wasm's `.wasm` binaries under `<base>wasm/`: in dev and
 * preview from `node_modules/@tensorflow/tfjs-backend-wasm/dist/`, and in a build as copies in
 * `dist/wasm/`. The worker passes that URL to `initBackend({ wasmPaths })`.
 */
import { readFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Connect, Plugin } from 'vite';

/** The binaries tfjs-backend-wasm 4.x may ask for (SIMD is the one polytoy uses). */
export const WASM_FILES = [
  'tfjs-backend-wasm.wasm',
  'tfjs-backend-wasm-simd.wasm',
  'tfjs-backend-wasm-threaded-simd.wasm',
] as const;

/** Directory of the installed tfjs-backend-wasm binaries. */
export function wasmSourceDir(): string {
  return dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm'));
}

/**
 * The plugin; see the module comment.
 *
 * @example
 * export default defineConfig({ plugins: [wasmAssets()] });
 */
export function wasmAssets(): Plugin {
  const dir = wasmSourceDir();
  let base = '/';
  const middleware: Connect.NextHandleFunction = (req, res: ServerResponse, next) => {
    const path = (req.url ?? '').split('?')[0] ?? '';
    const name = path.startsWith(`${base}wasm/`) ? path.slice(base.length + 'wasm/'.length) : '';
    if (!(WASM_FILES as readonly string[]).includes(name)) return next();
    res.setHeader('Content-Type', 'application/wasm');
    res.end(readFileSync(join(dir, name)));
  };
  return {
    name: 'polytoy-wasm-assets',
    configResolved(config) {
      base = config.base;
    },
    configureServer(server) {
      server.middlewares.use(middleware);
    },
    configurePreviewServer(server) {
      server.middlewares.use(middleware);
    },
    generateBundle() {
      for (const name of WASM_FILES) {
        this.emitFile({ type: 'asset', fileName: `wasm/${name}`, source: readFileSync(join(dir, name)) });
      }
    },
  };
}
