import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['{shared,client,coordinator,simulations,bin,bench}/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
