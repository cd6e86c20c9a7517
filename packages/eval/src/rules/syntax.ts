import type { SyntaxNode } from './rule.js';

/**
 * Named children that are not comments. `type` is a plain value on each node class (@srcode/syntax
 * settles it), so the scan costs no native call per child; the binding's fresh array is returned as it
 * is when no child is a comment, the usual case.
 */
export function namedArgs(node: SyntaxNode | null | undefined): SyntaxNode[] {
  if (!node) return [];
  const children = node.namedChildren;
  for (let i = 0; i < children.length; i++) {
    if (children[i]?.type === 'comment') return children.filter((c) => c.type !== 'comment');
  }
  return children;
}

/** The nearest ancestor (or the node itself) of one of the given types. */
export function ancestor(node: SyntaxNode, types: ReadonlySet<string>): SyntaxNode | null {
  let cur: SyntaxNode | null = node;
  while (cur) {
    if (types.has(cur.type)) return cur;
    cur = cur.parent;
  }
  return null;
}

export function contains(outer: SyntaxNode, inner: SyntaxNode): boolean {
  return inner.startIndex >= outer.startIndex && inner.endIndex <= outer.endIndex;
}

/**
 * The first identifier named `name` inside `scope` at or after `from`: found by a text search,
 * then confirmed in the tree (so words in comments and strings do not count).
 */
export function firstIdentifierAfter(scope: SyntaxNode, name: string, from: number, code: string): SyntaxNode | undefined {
  if (!/^\w+$/.test(name)) return undefined;
  const re = new RegExp(`\\b${name}\\b`, 'g');
  re.lastIndex = Math.max(from, scope.startIndex);
  for (let m = re.exec(code); m && m.index < scope.endIndex; m = re.exec(code)) {
    const node = scope.descendantForIndex(m.index, m.index + name.length);
    if (node.type === 'identifier' && node.startIndex === m.index) return node;
  }
  return undefined;
}
