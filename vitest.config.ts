import { defineConfig } from 'vitest/config';

// Root entry: runs every package's project (each has its own vitest.config.ts).
export default defineConfig({
  test: { projects: ['packages/*', 'tools/*', 'apps/*', 'benchmarks'] },
});
