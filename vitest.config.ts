import { defineConfig } from 'vitest/config';

export default defineConfig({
  // One copy of graphql: type-graphql loads its CommonJS build, so tests must too (dual-package hazard).
  resolve: { alias: { graphql: 'graphql/index.js' } },
  test: {
    include: ['server/**/*.test.ts', 'test/**/*.test.ts'],
    setupFiles: ['test/support/setup.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
