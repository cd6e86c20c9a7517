import type Parser from 'tree-sitter';
import type { Tree } from './parse.js';
import { getLanguage } from './registry.js';

/** A node of a tree-sitter tree. */
export type SyntaxNode = Parser.SyntaxNode;

/** A half-open `[start, end)` range of UTF-16 indices. */
export type Range = [start: number, end: number];

/** The ERROR nodes of a tree (the root too, when it is one), sorted by start; none when it parsed cleanly. */
export function errorNodes(tree: Tree): SyntaxNode[] {
  const root = tree.rootNode;
  if (!root.hasError) return [];
  // descendantsOfType walks natively and includes the node itself
  return root.descendantsOfType('ERROR').sort((a, b) => a.startIndex - b.startIndex);
}

/**
 * The share of `code`'s characters inside ERROR nodes (nested ones counted once, an empty one as one
 * character); a tree whose only errors are MISSING nodes gets one character's worth, a small nonzero ratio.
 */
export function errorRatio(tree: Tree, code: string): number {
  if (!tree.rootNode.hasError) return 0;
  const errors = errorNodes(tree);
  let errorChars = 0;
  let coveredTo = -1;
  for (const node of errors) {
    const from = Math.max(node.startIndex, coveredTo);
    if (node.endIndex > from) errorChars += node.endIndex - from;
    else if (node.endIndex === node.startIndex) errorChars += 1;
    coveredTo = Math.max(coveredTo, node.endIndex);
  }
  if (!errors.length) errorChars = 1;
  return code.length ? errorChars / code.length : 0;
}

/** Whether `node` is a statement holding nothing but a string literal: a docstring, where the language has them. */
export function isDocstring(node: SyntaxNode): boolean {
  return node.type === 'expression_statement' && node.namedChildCount === 1 && node.firstNamedChild?.type === 'string';
}

/**
 * Ranges of the comments of a tree of the registered `language` (its `commentTypes`), then of its
 * docstrings where the language declares them.
 */
export function commentRanges(tree: Tree, language: string): Range[] {
  const { spec } = getLanguage(language);
  const root = tree.rootNode;
  const ranges: Range[] = [];
  for (const node of root.descendantsOfType([...spec.commentTypes])) ranges.push([node.startIndex, node.endIndex]);
  if (spec.docstrings) {
    for (const node of root.descendantsOfType('expression_statement')) if (isDocstring(node)) ranges.push([node.startIndex, node.endIndex]);
  }
  return ranges;
}
