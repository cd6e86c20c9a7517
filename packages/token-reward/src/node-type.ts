import type { SyntaxNode } from '@srcode/syntax';

/**
 * A node's type. The native binding (tree-sitter 0.22) gives each named node type of a grammar its
 * own subclass, so the type is read from the binding for the first nodes of a subclass and then
 * remembered; nodes of the base class (ERROR and anonymous types), or of a subclass seen with two
 * types, always ask the binding.
 */
export function typeOf(node: SyntaxNode): string {
  const cls = node.constructor;
  const known = typeByClass.get(cls);
  if (known !== undefined && known.seen >= 2) return known.type ?? node.type;
  const type = node.type;
  if (known === undefined) {
    const subclass = Object.getPrototypeOf(cls.prototype) !== Object.prototype;
    typeByClass.set(cls, { type: subclass ? type : undefined, seen: 1 });
  } else {
    if (known.type !== type) known.type = undefined;
    known.seen++;
  }
  return type;
}

const typeByClass = new WeakMap<object, { type: string | undefined; seen: number }>();
