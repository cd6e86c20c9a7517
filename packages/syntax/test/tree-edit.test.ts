import { createRequire } from 'node:module';
import type Parser from 'tree-sitter';
import { describe, expect, it } from 'vitest';
import { getLanguage, parse } from '../src/index.js';

const TreeSitter = createRequire(import.meta.url)('tree-sitter') as typeof Parser;

// in a file of its own: an edit turns off, for the rest of the process, the end offsets nodes keep
describe('nodes of an edited tree', () => {
  it('keep their end offsets, parents, children and fields until a tree is edited, then follow the edit', () => {
    const code = 'x = 1\ny = foo(x)\n';
    const mine = parse(code, 'python');
    const call = mine.rootNode.descendantsOfType('call')[0];
    expect(call && [call.startIndex, call.endIndex, call.text]).toEqual([10, 16, 'foo(x)']);

    // a tree of the caller's own parser, edited: 3 characters inserted at offset 0
    const parser = new TreeSitter();
    parser.setLanguage(getLanguage('python').grammar);
    const tree = parser.parse(code);
    const node = tree.rootNode.descendantsOfType('call')[0];
    expect(node && [node.startIndex, node.endIndex]).toEqual([10, 16]);
    const args = node?.childForFieldName('arguments');
    expect([args?.endIndex, args?.parent?.endIndex, node?.parent?.endIndex]).toEqual([16, 16, 16]);
    expect(node?.namedChildren.map((c) => c.endIndex)).toEqual([13, 16]);
    const zero = { row: 0, column: 0 };
    tree.edit({
      startIndex: 0,
      oldEndIndex: 0,
      newEndIndex: 3,
      startPosition: zero,
      oldEndPosition: zero,
      newEndPosition: { row: 0, column: 3 },
    });
    expect(node && [node.startIndex, node.endIndex]).toEqual([13, 19]);
    expect([args?.endIndex, node?.childForFieldName('arguments')?.endIndex, node?.parent?.endIndex]).toEqual([19, 19, 19]);
    expect(node?.namedChildren.map((c) => c.endIndex)).toEqual([16, 19]);
    // the read-only tree is untouched by another tree's edit
    expect(call && [call.startIndex, call.endIndex, call.text]).toEqual([10, 16, 'foo(x)']);
  });
});
