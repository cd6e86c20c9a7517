import { describe, expect, it } from 'vitest';
import { SyntaxLayerError } from './errors.js';
import { parse } from './parse.js';
import { compileQuery } from './query.js';

describe('compileQuery', () => {
  it('compiles a query against a registered grammar', () => {
    const query = compileQuery('cpp', '(call_expression function: (identifier) @fn) @call');
    const tree = parse('void f() { strcpy(a, b); g(); }', 'cpp');
    expect(query.matches(tree.rootNode).map((m) => m.captures.find((c) => c.name === 'fn')?.node.text)).toEqual(['strcpy', 'g']);
  });

  it('rejects a query the grammar does not know, as invalid input', () => {
    expect(() => compileQuery('c', '(not_a_node) @x')).toThrowError(SyntaxLayerError);
    try {
      compileQuery('c', '(not_a_node) @x');
    } catch (e) {
      expect((e as SyntaxLayerError).code).toBe('invalid-input');
    }
  });
});
