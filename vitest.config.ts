import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

export default defineConfig({
  resolve: {
    // graphql 16 ships index.js (CommonJS, what Node loads) and index.mjs (its
    // "module" field, what Vite would pick for our source files). Two copies
    // break `instanceof GraphQLError` inside yoga, which then masks every error
    // as INTERNAL_SERVER_ERROR in tests only. Load the one Node loads.
    alias: [{ find: /^graphql$/, replacement: require.resolve('graphql') }],
  },
  test: {
    include: ['server/**/*.test.ts', 'tests/**/*.test.ts'],
    globalSetup: ['tests/support/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Integration suites start real servers; two workers fit a 2-core machine.
    pool: 'forks',
    maxWorkers: 2,
  },
});
