import { describe, expect, expectTypeOf, it } from 'vitest';
import type { Analyzer } from './analyzer.js';
import { BuiltinAnalyzer } from './builtin.js';
import { EvaluationError } from './errors.js';
import { C_LANGUAGE, C_RULES } from './rules/c.js';

const analyzer = new BuiltinAnalyzer();

describe('BuiltinAnalyzer', () => {
  it('satisfies the Analyzer interface', () => {
    expectTypeOf(analyzer).toMatchTypeOf<Analyzer>();
    expect(analyzer.languages).toEqual(['c', 'python']);
  });

  it('throws a coded error for a language it has no rules for', () => {
    expect(() => analyzer.analyzeSync('fn main() {}', 'rust')).toThrow(EvaluationError);
    try {
      analyzer.analyzeSync('fn main() {}', 'rust');
    } catch (e) {
      expect((e as EvaluationError).code).toBe('unknown-language');
    }
  });

  it('runs rules for any language the syntax registry has, with no grammar of its own', () => {
    const copy = C_RULES.find((r) => r.id === 'c.unbounded-copy');
    if (!copy) throw new Error('no c.unbounded-copy rule');
    const cpp = new BuiltinAnalyzer({ languages: [{ language: 'cpp', rules: [copy] }] });
    const code = 'namespace n {\nvoid A::f(const char *s) {\n  char b[4];\n  strcpy(b, s);\n}\n}\n';
    expect(cpp.analyzeSync(code, 'cpp').map((f) => `${f.lines?.start}:${f.ruleId}`)).toEqual(['4:c.unbounded-copy']);
  });

  it('throws unknown-language for rules of a language without a registered grammar', () => {
    const rust = new BuiltinAnalyzer({ languages: [{ language: 'rust', rules: C_RULES.slice(0, 1) }] });
    expect(() => rust.analyzeSync('fn main() {}', 'rust')).toThrowError(/no grammar/);
    try {
      rust.analyzeSync('fn main() {}', 'rust');
    } catch (e) {
      expect((e as EvaluationError).code).toBe('unknown-language');
    }
  });

  it('reports a rule whose query tree-sitter rejects', () => {
    const first = C_RULES[0];
    if (!first) throw new Error('no C rules');
    const bad = new BuiltinAnalyzer({ languages: [{ ...C_LANGUAGE, rules: [{ ...first, query: '(not_a_node) @finding' }] }] });
    expect(() => bad.analyzeSync('int x;', 'c')).toThrow(/rule c.gets has a query/);
  });
});
