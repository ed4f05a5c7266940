// The Chromium tests (npm run test:browser): Debian's chromium driven by playwright-core against a
// real `fedrec demo` or coordinator. One file at a time: each starts a browser and a fleet.

import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['{shared,client,coordinator,simulations,demo,bin,bench}/**/*.browser.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    fileParallelism: false,
  },
});
