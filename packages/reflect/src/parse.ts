import type { Language } from '@srcode/dataset';
import { commentRanges, errorRatio, languageNames, parse, type Range, type Tree } from '@srcode/syntax';

/** What the pre-filters read from a parse. */
export interface CodeSyntax {
  /** Characters inside ERROR or MISSING nodes, as a fraction of the code's length. */
  errorRatio: number;
  /** `[start, end)` UTF-16 ranges of comments (and docstrings where the language has them). */
  comments: Range[];
}

/** The tree of `code` from @srcode/syntax (cached there); `undefined` when the language has no registered grammar. */
export function parseTree(code: string, language: Language): Tree | undefined {
  return languageNames().includes(language) ? parse(code, language) : undefined;
}

/** Error ratio and comment ranges of `code`; `undefined` when the language has no registered grammar. */
export function codeSyntax(code: string, language: Language): CodeSyntax | undefined {
  const tree = parseTree(code, language);
  if (!tree) return undefined;
  return { errorRatio: errorRatio(tree, code), comments: commentRanges(tree, language) };
}
