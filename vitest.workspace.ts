import { defineConfig } from 'vitest/config';

// The root test configuration: one project per package (each package's vitest.config.ts).
export default defineConfig({
  test: {
    projects: [
      'packages/*/vitest.config.ts',
      'examples/vitest.config.ts',
      'scripts/vitest.config.ts',
      'common/vitest.config.ts',
      'python/vitest.config.ts',
    ],
  },
});
