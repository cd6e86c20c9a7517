import { describe, expect, it } from 'vitest';
import { createRequire } from 'node:module';
import type Parser from 'tree-sitter';
import type { SyntaxNode } from './nodes.js';
import { parse } from './parse.js';

const { SyntaxNode: BaseNode } = createRequire(import.meta.url)('tree-sitter') as { SyntaxNode: abstract new () => object };
const nativeGetter = (name: string) => Object.getOwnPropertyDescriptor(BaseNode.prototype, name)?.get as (this: SyntaxNode) => unknown;
const nativeType = nativeGetter('type');
const nativeIsNamed = nativeGetter('isNamed');

interface Seen {
  node: SyntaxNode;
  start: number;
  type: string;
  named: boolean;
  missing: boolean;
}

/** Every node of the tree, named or not, with what the cursor (a native path of its own) says of it. */
function walk(tree: Parser.Tree): Seen[] {
  const seen: Seen[] = [];
  const cursor = tree.walk();
  for (;;) {
    seen.push({
      node: cursor.currentNode,
      start: cursor.startIndex,
      type: cursor.nodeType,
      named: cursor.nodeIsNamed,
      missing: cursor.nodeIsMissing,
    });
    if (cursor.gotoFirstChild()) continue;
    while (!cursor.gotoNextSibling()) if (!cursor.gotoParent()) return seen;
  }
}

const SAMPLES: ReadonlyArray<readonly [language: string, code: string]> = [
  [
    'python',
    [
      'import os, sys as system',
      '@app.route("/x")',
      'def view(a, *args, b: int = 2, **kw) -> str:',
      '    """Doc."""',
      '    x = [i ** 2 for i in range(a) if i % 2]  # squares',
      '    y = {k: v for k, v in kw.items()}',
      '    s = f"{x!r:>10} {y}"',
      '    async def inner(): await g(lambda q: q or None)',
      '    try:\n        raise ValueError(s)\n    except (ValueError, KeyError) as e:\n        pass',
      '    return os.path.join(*args) if b else s[1:-1]',
      'class C(Base, metaclass=M):\n    def m(self): return self.x',
      '',
    ].join('\n'),
  ],
  [
    'c',
    [
      '#include <stdio.h>',
      '#define N 10',
      'typedef struct node { int v; struct node *next; } node_t;',
      'static int sum(const node_t *p) { int s = 0; for (; p; p = p->next) s += p->v; return s; }',
      'int main(int argc, char **argv) { char buf[N]; label: if (argc > 1) strncpy(buf, argv[1], sizeof buf - 1); else goto label;',
      '  switch (argc) { case 1: return 0; default: break; } return sum((node_t *)0) ? 1 : -1; }',
      '',
    ].join('\n'),
  ],
  [
    'cpp',
    [
      '#include <vector>',
      'namespace geo { template <typename T> class Box : public Shape { public: explicit Box(T w) : w_(w) {}',
      '  T area() const override { auto sq = [&](T v) { return v * v; }; return sq(w_); } private: T w_; }; }',
      'int geo::count(const std::vector<int>& xs) try { return static_cast<int>(xs.size()); } catch (...) { throw; }',
      '',
    ].join('\n'),
  ],
];

describe('node classes', () => {
  for (const [language, code] of SAMPLES) {
    it(`give every node of a ${language} parse the type and named-ness the native calls give`, () => {
      const seen = walk(parse(code, language));
      expect(seen.length).toBeGreaterThan(100);
      expect(seen.some((s) => !s.named)).toBe(true);
      const typeOfClass = new Map<unknown, string>();
      for (const { node, start, type, named } of seen) {
        // first read of a class (native, then stored), later reads (the stored value), and the native getter
        expect([node.type, node.type, nativeType.call(node)]).toEqual([type, type, type]);
        expect([node.isNamed, nativeIsNamed.call(node)]).toEqual([named, named]);
        expect(node.startIndex).toBe(start);
        const before = typeOfClass.get(node.constructor);
        expect(before ?? type, `${type} shares its class with ${before}`).toBe(type);
        typeOfClass.set(node.constructor, type);
      }
    });
  }

  it('store the type on the class after its first node, so later nodes make no native call for it', () => {
    const root = parse('def f():\n    return 1\n', 'python').rootNode;
    expect(root.type).toBe('module');
    expect(Object.getOwnPropertyDescriptor(Object.getPrototypeOf(root), 'type')).toMatchObject({ value: 'module' });
    const ret = root.descendantsOfType('return')[0];
    expect(ret?.type).toBe('return');
    expect(ret?.isNamed).toBe(false);
    expect(Object.getOwnPropertyDescriptor(Object.getPrototypeOf(ret), 'type')).toMatchObject({ value: 'return' });
  });

  it('leave ERROR nodes, and MISSING nodes, with their own types', () => {
    for (const [language, code] of [
      ['c', 'int f(void) { return 0; }\n@@@ ### $$$\nint g(void) { return 1 }\n'],
      ['python', 'def f(:\n    return )\nx = [1, 2\n'],
      ['cpp', 'class A { int x; };\n$$$\nint main() { f(1; return 0 }\n'],
    ] as const) {
      const seen = walk(parse(code, language));
      const errors = seen.filter((s) => s.type === 'ERROR');
      expect(errors.length, language).toBeGreaterThan(0);
      for (const { node } of errors) {
        expect(node.type).toBe('ERROR');
        expect(node.isError).toBe(true);
        // the binding builds ERROR nodes from its base class, whose getters stay native
        expect(Object.getPrototypeOf(node)).toBe(BaseNode.prototype);
      }
      for (const { node, type, named } of seen) expect([node.type, node.isNamed]).toEqual([type, named]);
      if (language !== 'python') {
        const missing = seen.filter((s) => s.missing);
        expect(missing.length, language).toBeGreaterThan(0);
        for (const { node, type } of missing) expect([node.isMissing, node.type]).toEqual([true, type]);
      }
    }
  });

  it('leave the types of nodes found by queries and cursors alike', () => {
    const tree = parse('x = 1 + y\n', 'python');
    const ops = tree.rootNode.descendantsOfType('binary_operator');
    expect(ops.map((n) => [n.type, n.childForFieldName('operator')?.type])).toEqual([['binary_operator', '+']]);
    expect(ops[0]?.children.map((c) => c.type)).toEqual(['integer', '+', 'identifier']);
  });

  it('read startIndex from the node itself, in UTF-16 units, as the native call did', () => {
    const code = 's = "é✓😀"  # 😀\nt = f"{s}😀{s}"\n\tu = 1\n';
    const seen = walk(parse(code, 'python'));
    for (const { node, start } of seen) expect(node.startIndex).toBe(start);
    expect(seen.filter((s) => s.type === 'identifier').map((s) => code.slice(s.node.startIndex, s.node.endIndex))).toEqual([
      's',
      't',
      's',
      's',
      'u',
    ]);
    const getter = Object.getOwnPropertyDescriptor(BaseNode.prototype, 'startIndex')?.get;
    expect(getter?.toString()).not.toMatch(/NodeMethods/);
  });
});
