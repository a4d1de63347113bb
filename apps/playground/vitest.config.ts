import { defineProject, mergeConfig } from 'vitest/config';
import shared from '../../vitest.shared.js';

// Node environment: the browser side runs in Debian's Chromium, driven by playwright-core
// against a build of the app made once in the global setup. Files run one after another so the
// browser tests do not compete with each other for the CPU.
export default mergeConfig(
  shared,
  defineProject({
    test: {
      name: 'playground',
      globalSetup: ['./test/global-setup.ts'],
      fileParallelism: false,
      testTimeout: 90_000,
      hookTimeout: 120_000,
    },
  }),
);
