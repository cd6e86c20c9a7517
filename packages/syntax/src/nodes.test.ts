import { describe, expect, it } from 'vitest';
import { commentRanges, errorNodes, errorRatio } from './nodes.js';
import { parse } from './parse.js';

const texts = (code: string, ranges: ReadonlyArray<readonly [number, number]>) => ranges.map(([s, e]) => code.slice(s, e));

describe('node helpers', () => {
  it('finds no errors, and a zero ratio, in code that parses', () => {
    const code = 'int f(void) { return 0; }\n';
    const tree = parse(code, 'c');
    expect(errorNodes(tree)).toEqual([]);
    expect(errorRatio(tree, code)).toBe(0);
  });

  it('measures the share of characters inside ERROR nodes, each character once', () => {
    const code = 'int f(void) { return 0; }\n@@@ ### $$$\n';
    const tree = parse(code, 'c');
    const errors = errorNodes(tree);
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.map((n) => n.startIndex)).toEqual([...errors.map((n) => n.startIndex)].sort((a, b) => a - b));
    const ratio = errorRatio(tree, code);
    expect(ratio).toBeGreaterThan(0);
    expect(ratio).toBeLessThan(1);
  });

  it('gives MISSING-only trees a small nonzero ratio', () => {
    const code = 'int f(void) { return 0 }\n';
    const tree = parse(code, 'c');
    expect(tree.rootNode.hasError).toBe(true);
    expect(errorNodes(tree)).toEqual([]);
    expect(errorRatio(tree, code)).toBe(1 / code.length);
  });

  it('lists comments, and docstrings where the language has them', () => {
    const c = '/* head */ int x; // tail\n';
    expect(texts(c, commentRanges(parse(c, 'c'), 'c'))).toEqual(['/* head */', '// tail']);
    const py = 'def f():\n    """Doc."""\n    return 1  # one\n';
    expect(texts(py, commentRanges(parse(py, 'python'), 'python'))).toEqual(['# one', '"""Doc."""']);
    const cpp = '// a\nclass A { /* b */ };\n';
    expect(texts(cpp, commentRanges(parse(cpp, 'cpp'), 'cpp'))).toEqual(['// a', '/* b */']);
  });
});
