import { createRequire } from 'node:module';

/**
 * `require` resolving from this package, where tree-sitter and the grammars are installed. The native
 * modules are required on first use only, so importing @srcode/syntax loads no native code.
 */
export const requireInstalled = createRequire(import.meta.url);
