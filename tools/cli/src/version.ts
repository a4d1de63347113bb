/**
 * The CLI's version, from tools/cli/package.json. esbuild substitutes `__POLYTOY_VERSION__` when
 * it bundles (build.mjs), so the bundle needs no package.json at run time.
 */
declare const __POLYTOY_VERSION__: string | undefined;

/** The version `polytoy --version` prints (`0.0.0-source` when run unbundled). */
export const CLI_VERSION: string = typeof __POLYTOY_VERSION__ === 'string' ? __POLYTOY_VERSION__ : '0.0.0-source';
