import type { RepairPair, RewardSpan } from '@srcode/dataset';
import { getLanguage } from '@srcode/syntax';
import { describe, expect, it } from 'vitest';
import { matchCompletion, pairSpans, profilePair } from '../src/index.js';
import { markedPair, spanTexts } from './helpers.js';

/** Span node types that are no meaningful unit: names and bare tokens (keywords, braces). */
function junkTypes(pair: RepairPair, spans: readonly RewardSpan[]): string[] {
  const lang = getLanguage(pair.language);
  return spans.map((s) => s.nodeType ?? '').filter((t) => lang.identifiers.has(t) || !/^[a-z_]+$/.test(t) || t === 'def' || t === 'class');
}

const covers = (text: string, spans: readonly RewardSpan[], needle: string) => {
  const at = text.indexOf(needle);
  return spans.some((s) => s.start < at + needle.length && s.end > at);
};

describe('spans stay on the code the fix touched', () => {
  it('matches a completion cut off right after the unit, as a token limit leaves it', () => {
    const pair = markedPair('bounds', 'c', 'int get(int *a, int n, int i) {\n  if (i [->-]{+>=+} n) return -1;\n  return a[i];\n}\n');
    const profile = profilePair(pair);
    // nothing after the check: the text ends there (the code before it is the reference's, as a
    // condition with no API call or string in it needs where nothing else of the pair matched)
    const completion = 'int at(int *xs, int len, int k) {\n  if (k >= len)';
    const found = matchCompletion(profile, completion).spans.map((s) => `${s.polarity} ${completion.slice(s.start, s.end)}`);
    expect(found).toEqual(['secure (k >= len)']);
    // the same check followed by other code than the reference's still has to agree on what it has
    const other = `${completion} { r = 1; }`;
    expect(matchCompletion(profile, other).spans).toEqual([]);
    // and so has the code before it, cut off or not
    expect(matchCompletion(profile, 'int at(int *xs, int len, int k) {\n  int r = 0;\n  if (k >= len)').spans).toEqual([]);
  });

  it('marks a Python condition that the fix extended, not the body of its if (as in C)', () => {
    const py = markedPair('py-if', 'python', 'def f(a, n):\n    if a{+ and n < 16+}:\n        g(a)\n        h(n)\n    return 1\n');
    const spans = pairSpans(py);
    expect(spanTexts(py.vulnerableCode, spans.vulnerable)).toEqual(['if_statement: if a:']);
    expect(spanTexts(py.fixedCode, spans.fixed)).toEqual(['boolean_operator: a and n < 16']);
    const c = markedPair('c-if', 'c', 'int f(int a, int n) {\n  if (a{+ && n < 16+}) {\n    g(a);\n    h(n);\n  }\n  return 1;\n}\n');
    expect(spanTexts(c.vulnerableCode, pairSpans(c).vulnerable)).toEqual(['parenthesized_expression: (a)']);
  });

  it('gives a nested def or class the fix added as one unit, never its name or keyword', () => {
    const pair = markedPair(
      'nested',
      'python',
      'def f(a):\n{+    def clean(x):\n        return x.strip()\n\n    class Box:\n        size = 16\n\n+}    return g({+clean(+}a{+)+})\n',
    );
    const spans = pairSpans(pair);
    expect(spanTexts(pair.fixedCode, spans.fixed)).toEqual([
      'function_definition: def clean(x):\n        return x.strip()',
      'class_definition: class Box:\n        size = 16',
      'call: clean(a)',
    ]);
    expect(junkTypes(pair, [...spans.fixed, ...spans.vulnerable])).toEqual([]);
    // a renamed definition: the part of the definition on its header line, not the bare name
    const renamed = markedPair('renamed', 'python', 'def f(a):\n    def [-h-]{+clean+}(x):\n        return x\n    return x\n');
    const r = pairSpans(renamed);
    expect(spanTexts(renamed.fixedCode, r.fixed)).toEqual(['function_definition: def clean(x):']);
    expect(junkTypes(renamed, [...r.fixed, ...r.vulnerable])).toEqual([]);
  });

  it('marks a C wrap fix as the if around the statements, with no lone brace and no wrapped statement', () => {
    const pair = markedPair('wrap', 'c', 'void f(int n) {\n  {+if (n < 16) {\n    +}g();\n  {+  +}h();\n{+  }\n+}}\n');
    const spans = pairSpans(pair);
    expect(spanTexts(pair.fixedCode, spans.fixed)).toEqual(['if_statement: if (n < 16) {', 'if_statement: }']);
    expect(junkTypes(pair, spans.fixed)).toEqual([]);
    expect(covers(pair.fixedCode, spans.fixed, 'g();')).toBe(false);
    expect(covers(pair.fixedCode, spans.fixed, 'h();')).toBe(false);
    // the statement the new check protects is what the vulnerable side lacked
    expect(spanTexts(pair.vulnerableCode, spans.vulnerable)).toEqual(['expression_statement: g();']);
    // on one line, the whole if is the unit
    const one = markedPair('wrap1', 'c', 'void f(int n) {\n  {+if (n < 16) { +}g(); h();{+ }+}\n}\n');
    expect(spanTexts(one.fixedCode, pairSpans(one).fixed)).toEqual(['if_statement: if (n < 16) { g(); h(); }']);
    // matching compares the condition, never a brace
    const units = profilePair(pair).units.map((u) => `${u.span.polarity} ${u.span.nodeType}`);
    expect(units.sort()).toEqual(['secure parenthesized_expression', 'vulnerable expression_statement']);
  });

  it('anchors an inserted check inside a case on the statement after it, not the whole case', () => {
    const pair = markedPair(
      'case',
      'c',
      'int f(int code, char *p, char *end) {\n  switch (code) {\n  case 1:\n    n = read(p);\n{+    if (p >= end)\n      return 0;\n+}    copy(p, n);\n    p += n;\n    break;\n  }\n  return 1;\n}\n',
    );
    const spans = pairSpans(pair);
    expect(spanTexts(pair.vulnerableCode, spans.vulnerable)).toEqual(['expression_statement: copy(p, n);']);
    expect(spanTexts(pair.fixedCode, spans.fixed)).toEqual(['if_statement: if (p >= end)\n      return 0;']);
  });
});
