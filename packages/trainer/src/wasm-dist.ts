/** Where tfjs-backend-wasm's `.wasm` files are installed (Node only). */
import { createRequire } from 'node:module';
import { dirname, sep } from 'node:path';

/**
 * Absolute path (with trailing separator) of `@tensorflow/tfjs-backend-wasm/dist/`, resolved at
 * run time from wherever this module is installed (a relative prefix would be resolved against
 * the working directory and fail).
 *
 * @example
 * wasmDistDir(); // '/app/node_modules/@tensorflow/tfjs-backend-wasm/dist/'
 */
export function wasmDistDir(): string {
  // Bundled to CommonJS, `import.meta.url` is empty but `__filename` exists. (Not the other way
  // round: an eval'd worker defines a global `__filename` of '[worker eval]'.)
  const url: unknown = import.meta.url;
  const from = typeof url === 'string' && url !== '' ? url : __filename;
  const main = createRequire(from).resolve('@tensorflow/tfjs-backend-wasm');
  return dirname(main) + sep;
}
