import { fileURLToPath } from 'node:url';
import { defineProject } from 'vitest/config';

const packagesDir = fileURLToPath(new URL('../packages/', import.meta.url));

/** Per-package test project: sibling packages resolve to their sources, so tests never need a prior build. */
export function srcodeVitest(name: string) {
  return defineProject({
    resolve: {
      alias: [{ find: /^@srcode\/([a-z-]+)$/, replacement: `${packagesDir}$1/src/index.ts` }],
    },
    test: {
      name,
      include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
      testTimeout: 60_000,
      hookTimeout: 60_000,
    },
  });
}
