import { defineProject } from 'vitest/config';

// The Python package's pytest suite, run once from vitest so `pnpm test` covers it. Only the .ts
// driver lives under test/: the Python sources are outside tsc and biome's TypeScript checks.
export default defineProject({
  test: {
    name: 'python',
    include: ['test/**/*.test.ts'],
    testTimeout: 300_000,
    hookTimeout: 60_000,
  },
});
