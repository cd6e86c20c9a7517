import { describe, expect, it } from 'vitest';
import { SyntaxLayerError } from './errors.js';
import { parse } from './parse.js';

describe('parse', () => {
  it('parses C and Python with their grammars', () => {
    expect(parse('int f(int x) { return x + 1; }\n', 'c').rootNode.toString()).toMatch(/^\(translation_unit \(function_definition/);
    expect(parse('def f(x):\n    return x + 1\n', 'python').rootNode.toString()).toMatch(/^\(module \(function_definition/);
  });

  it('parses C++ classes, namespaces, templates and lambdas without errors', () => {
    const code = [
      '#include <vector>',
      'namespace geo {',
      'template <typename T> class Box : public Shape {',
      ' public:',
      '  explicit Box(T w) : w_(w) {}',
      '  T area() const { auto sq = [&](T v) { return v * v; }; return sq(w_); }',
      ' private:',
      '  T w_;',
      '};',
      '}  // namespace geo',
      'int geo::count(const std::vector<int>& xs) try { return static_cast<int>(xs.size()); } catch (...) { throw; }',
      '',
    ].join('\n');
    const root = parse(code, 'cpp').rootNode;
    expect(root.hasError).toBe(false);
    for (const type of [
      'namespace_definition',
      'template_declaration',
      'class_specifier',
      'lambda_expression',
      'field_initializer',
      'catch_clause',
    ]) {
      expect(root.descendantsOfType(type).length, type).toBeGreaterThan(0);
    }
  });

  it('tolerates code that does not parse', () => {
    const root = parse('int f( { return', 'c').rootNode;
    expect(root.hasError).toBe(true);
  });

  it('gives the same tree for the same text and language, and another for another language', () => {
    const code = 'x = 1\n';
    const tree = parse(code, 'python');
    expect(parse(code, 'python')).toBe(tree);
    expect(parse(code, 'c')).not.toBe(tree);
  });

  it('parses texts longer than the native default buffer whole', () => {
    const code = Array.from({ length: 2000 }, (_, i) => `int f${i}(int x) { return x * ${i}; }\n`).join('');
    expect(code.length).toBeGreaterThan(64 * 1024);
    const root = parse(code, 'c').rootNode;
    expect(root.hasError).toBe(false);
    expect(root.namedChildCount).toBe(2000);
    expect(root.endIndex).toBe(code.length);
  });

  it('indexes UTF-16 code units', () => {
    const code = 's = "é✓😀"\nt = 1\n';
    const tree = parse(code, 'python');
    const second = tree.rootNode.namedChildren[1];
    expect(second && code.slice(second.startIndex, second.endIndex)).toBe('t = 1');
  });

  it('throws unknown-language for an unregistered language', () => {
    expect(() => parse('fn main() {}', 'rust')).toThrowError(SyntaxLayerError);
  });
});
