import type { Language } from '@srcode/dataset';
import { errorRatio, languageNames, parse, type Tree } from '@srcode/syntax';

/** The tree of `code` from @srcode/syntax (cached there); `undefined` when the language has no registered grammar. */
export function parseTree(code: string, language: Language): Tree | undefined {
  return languageNames().includes(language) ? parse(code, language) : undefined;
}

/**
 * The share of `code`'s characters inside ERROR or MISSING nodes; `undefined` when the language has no
 * registered grammar.
 */
export function parseErrorRatio(code: string, language: Language): number | undefined {
  const tree = parseTree(code, language);
  return tree ? errorRatio(tree, code) : undefined;
}
