import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Worker-thread tests sleep in Atomics.wait and contend for both cores: run files in child processes,
    // one per core, and give contention tests room without ever timing a result.
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 30_000,
    projects: [
      {
        extends: true,
        test: { name: 'primitives', include: ['packages/primitives/test/**/*.test.ts'] },
      },
      {
        extends: true,
        test: { name: 'analyzer', include: ['packages/analyzer/test/**/*.test.ts'] },
      },
      {
        extends: true,
        test: {
          name: 'eslint-plugin',
          include: ['packages/eslint-plugin/test/**/*.test.ts'],
          setupFiles: ['packages/eslint-plugin/test/setup.ts'],
        },
      },
      {
        extends: true,
        test: { name: 'e2e', include: ['test/**/*.test.ts'] },
      },
    ],
  },
});
