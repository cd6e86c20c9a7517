import { describe, expect, it } from 'vitest';
import { getLanguage } from './registry.js';
import { parse } from './parse.js';
import { type PlainNode, plainTree } from './plain.js';
import type { SyntaxNode } from './nodes.js';

const SOURCES: [string, string][] = [
  [
    'python',
    [
      'import os  # a comment',
      '@app.route("/x")',
      'def f(a, b=2, *args, **kw) -> int:',
      '    """doc"""',
      '    x = a.b(c, d=e)[0] + f"{a!r} é ✓"',
      '    if x not in ALLOWED and not y:',
      '        return {"k": [1, 2.5, None]}',
      '    elif z: pass',
      '    else:',
      '        raise ValueError(x) from None',
      '    for i, (j, k) in enumerate(zip(a, b)): print(i)',
      '    with open(p) as fh, lock: data = fh.read()',
      '    return lambda q: q % 2 if q else [w for w in x if w]',
      '',
    ].join('\r\n'),
  ],
  ['python', 'def broken(:\n    x = (1,\n    if y\n        z(\n'],
  ['c', 'int main(int argc, char **argv) {\n  char buf[8]; /* c */\n  strcpy(buf, argv[1]);\n  return buf[0] ? 1 : 0;\n}\n'],
  ['c', 'int f( { return 0 }\nvoid g(void) { h(1, ; }\n'],
];

/** The plain node and the binding's node read alike, for every member the copy has (recursively). */
function same(plain: PlainNode, node: SyntaxNode, fields: readonly string[]): void {
  const where = `${node.type}@${node.startIndex}`;
  expect([plain.type, plain.isNamed, plain.isMissing, plain.startIndex, plain.endIndex, plain.text], where).toEqual([
    node.type,
    node.isNamed,
    node.isMissing,
    node.startIndex,
    node.endIndex,
    node.text,
  ]);
  expect([plain.startPosition.row, plain.endPosition.row], where).toEqual([node.startPosition.row, node.endPosition.row]);
  const key = (n: { type: string; startIndex: number; endIndex: number } | null | undefined) =>
    n ? `${n.type}@${n.startIndex}-${n.endIndex}` : null;
  expect(plain.children.map(key), where).toEqual(node.children.map(key));
  expect(plain.namedChildren.map(key), where).toEqual(node.namedChildren.map(key));
  expect([plain.childCount, plain.namedChildCount], where).toEqual([node.childCount, node.namedChildCount]);
  expect([plain.firstChild, plain.lastChild, plain.firstNamedChild, plain.lastNamedChild].map(key), where).toEqual(
    [node.firstChild, node.lastChild, node.firstNamedChild, node.lastNamedChild].map(key),
  );
  expect([key(plain.child(1)), key(plain.namedChild(1))], where).toEqual([key(node.child(1)), key(node.namedChild(1))]);
  for (const f of fields) {
    expect(key(plain.childForFieldName(f)), `${where} ${f}`).toBe(key(node.childForFieldName(f)));
    // under an ERROR node the binding finds no child by field name, yet lists some by field: the copy gives none
    if (node.type !== 'ERROR')
      expect(plain.childrenForFieldName(f).map(key), `${where} ${f}`).toEqual(node.childrenForFieldName(f).map(key));
  }
  plain.children.forEach((c, i) => {
    expect(c.parent, where).toBe(plain);
    expect(key(c.nextSibling)).toBe(key(plain.children[i + 1]));
    same(c, node.children[i] as SyntaxNode, fields);
  });
}

describe('plainTree', () => {
  it.each(SOURCES.map(([lang, code], i) => [`${lang} #${i}`, lang, code] as const))(
    'copies every node, field and offset of the tree (%s)',
    (_, lang, code) => {
      const tree = parse(code, lang);
      const info = (getLanguage(lang).grammar.nodeTypeInfo ?? []) as { fields?: object }[];
      const fields = [...new Set(info.flatMap((t) => Object.keys(t.fields ?? {})))];
      expect(fields.length).toBeGreaterThan(5);
      const { rootNode } = plainTree(tree, code);
      same(rootNode, tree.rootNode, fields);
      expect(rootNode.tree.rootNode).toBe(rootNode);
      expect(rootNode.parent).toBeNull();
    },
  );

  it('lists descendants of given types in document order, the node itself included', () => {
    const code = SOURCES[0]?.[1] as string;
    const tree = parse(code, 'python');
    const plain = plainTree(tree, code).rootNode;
    const key = (n: { type: string; startIndex: number }) => `${n.type}@${n.startIndex}`;
    for (const types of [['call'], ['identifier', 'string', 'comment'], ['module'], ['no_such_type']]) {
      expect(plain.descendantsOfType(types).map(key), types.join()).toEqual(tree.rootNode.descendantsOfType(types).map(key));
    }
    const fn = plain.descendantsOfType('function_definition')[0] as PlainNode;
    expect(fn.descendantsOfType('function_definition')).toEqual([fn]);
  });

  it('finds the descendant at an offset as tree-sitter does', () => {
    for (const [lang, code] of SOURCES) {
      const tree = parse(code, lang);
      const plain = plainTree(tree, code).rootNode;
      for (let s = 0; s <= code.length; s++) {
        for (const e of [s, s + 1, s + 5]) {
          if (e > code.length) continue;
          const a = tree.rootNode.descendantForIndex(s, e);
          const b = plain.descendantForIndex(s, e);
          expect(`${b.type}@${b.startIndex}-${b.endIndex}`, `${lang} ${s},${e}`).toBe(`${a.type}@${a.startIndex}-${a.endIndex}`);
        }
      }
    }
  });

  it('is made once per tree and text', () => {
    const code = 'x = 1\n';
    const tree = parse(code, 'python');
    expect(plainTree(tree, code)).toBe(plainTree(tree, code));
    expect(plainTree(tree, code).code).toBe(code);
  });
});
