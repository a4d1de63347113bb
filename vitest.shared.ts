// One shared vitest configuration; each package's vitest.config.ts only names its project.
// The `@polytoy/source` condition makes workspace imports resolve to `src/*.ts`, so tests and
// typecheck run without building dependencies first.
import { defineConfig } from 'vitest/config';

const conditions = ['@polytoy/source', 'module', 'node', 'import', 'default'];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: [] } },
  test: {
    environment: 'node',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // The JSON report feeds the repo-wide "N passed, N failed" line (tools/scripts/test.mjs).
    reporters: ['default', ['json', { outputFile: '.test-results/vitest.json' }]],
  },
});
