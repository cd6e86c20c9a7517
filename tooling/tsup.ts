import { defineConfig, type Options } from 'tsup';

/**
 * The one tsup configuration every @srcode package builds with: ESM + CJS + .d.ts/.d.cts.
 * `entry` maps output names to sources; entries named `cli` get a shebang and no declarations.
 */
export function srcodeTsup(entry: Record<string, string>, extra: Partial<Options> = {}) {
  const libEntries = Object.fromEntries(Object.entries(entry).filter(([name]) => name !== 'cli'));
  const cli = entry.cli;
  const common: Options = {
    format: ['esm', 'cjs'],
    target: 'node20',
    platform: 'node',
    sourcemap: true,
    splitting: false,
    treeshake: true,
    shims: true,
    ...extra,
  };
  const configs: Options[] = [{ ...common, entry: libEntries, dts: true, clean: true }];
  if (cli) {
    configs.push({ ...common, entry: { cli }, format: ['esm'], dts: false, clean: false, banner: { js: '#!/usr/bin/env node' } });
  }
  return defineConfig(configs);
}
