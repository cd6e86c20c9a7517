import { createRequire } from 'node:module';
import { SyntaxLayerError } from './errors.js';

/**
 * `require` resolving from this package, where tree-sitter and the grammars are installed. The native
 * modules are required on first use only, so importing @srcode/syntax loads no native code.
 */
export const requireInstalled = createRequire(import.meta.url);

/**
 * The grammar package `pkg` of `language`, an optional peer of this package: when it is not installed,
 * a `SyntaxLayerError` (`unknown-language`) that names the package and version to install. Any other
 * failure (a broken binary, a missing dependency of the grammar) is thrown as it is.
 */
export function requireOptionalGrammar(language: string, pkg: string, version: string): unknown {
  try {
    return requireInstalled(pkg);
  } catch (cause) {
    const missing =
      (cause as NodeJS.ErrnoException | undefined)?.code === 'MODULE_NOT_FOUND' && (cause as Error).message.includes(`'${pkg}'`);
    if (!missing) throw cause;
    throw new SyntaxLayerError(
      'unknown-language',
      `the "${language}" grammar is the optional package ${pkg}, which is not installed: ` +
        `npm install ${pkg}@${version} (pnpm 12 also needs "${pkg}: false" under allowBuilds)`,
      { cause },
    );
  }
}
