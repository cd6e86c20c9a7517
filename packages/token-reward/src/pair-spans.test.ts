import { getLanguage, languageNames, registerLanguage } from '@srcode/syntax';
import { describe, expect, it } from 'vitest';
import { markedPair, spanTexts } from '../test/helpers.js';
import { TokenRewardError } from './errors.js';
import { pairSpans } from './pair-spans.js';

describe('pairSpans', () => {
  it('lifts strcpy -> strncpy(…, sizeof buf) to the whole call on each side', () => {
    const pair = markedPair(
      'strcpy',
      'c',
      'void f(const char *s) {\n  char buf[16];\n  [-strcpy(buf, s)-]{+strncpy(buf, s, sizeof buf)+};\n  puts(buf);\n}\n',
    );
    const spans = pairSpans(pair);
    expect(spanTexts(pair.vulnerableCode, spans.vulnerable)).toEqual(['call_expression: strcpy(buf, s)']);
    expect(spanTexts(pair.fixedCode, spans.fixed)).toEqual(['call_expression: strncpy(buf, s, sizeof buf)']);
    expect(spans.vulnerable[0]).toMatchObject({ polarity: 'vulnerable', weight: -1, source: 'pair' });
    expect(spans.fixed[0]).toMatchObject({ polarity: 'secure', weight: 1, source: 'pair' });
  });

  it('lifts a character-level change inside a call to that call, never to an identifier fragment', () => {
    const pair = markedPair('strncpy', 'c', 'void f(char *d, const char *s) {\n  str{+n+}cpy(d, s{+, 8+});\n}\n');
    const spans = pairSpans(pair);
    expect(spanTexts(pair.fixedCode, spans.fixed)).toEqual(['call_expression: strncpy(d, s, 8)']);
    // the vulnerable side has no deletion: the unit around the insertion point is marked
    expect(spanTexts(pair.vulnerableCode, spans.vulnerable)).toEqual(['call_expression: strcpy(d, s)']);
  });

  it('lifts a change of a condition to the condition', () => {
    const pair = markedPair('cond', 'c', 'int f(int n) {\n  if (n [->-]{+>=+} 16)\n    return -1;\n  return n;\n}\n');
    const spans = pairSpans(pair);
    expect(spanTexts(pair.vulnerableCode, spans.vulnerable)).toEqual(['parenthesized_expression: (n > 16)']);
    expect(spanTexts(pair.fixedCode, spans.fixed)).toEqual(['parenthesized_expression: (n >= 16)']);
  });

  it('lifts a renamed argument to the argument list', () => {
    const pair = markedPair('arg', 'c', 'void f(void) {\n  g({+next_+}image);\n}\n');
    const spans = pairSpans(pair);
    expect(spanTexts(pair.fixedCode, spans.fixed)).toEqual(['argument_list: (next_image)']);
    expect(spanTexts(pair.vulnerableCode, spans.vulnerable)).toEqual(['argument_list: (image)']);
  });

  it('gives each statement an added block touches, and nothing for a point between statements', () => {
    const pair = markedPair('block', 'python', 'def f(path):\n    {+check(path)\n    path = clean(path)\n    +}return open(path)\n');
    const spans = pairSpans(pair);
    expect(spanTexts(pair.fixedCode, spans.fixed)).toEqual([
      'expression_statement: check(path)',
      'expression_statement: path = clean(path)',
    ]);
    expect(spans.vulnerable).toEqual([]);
  });

  it('lifts a Python query change to the argument list', () => {
    const pair = markedPair(
      'sql',
      'python',
      'def q(cur, name):\n    cur.execute("SELECT * FROM t WHERE n = [-\'%s\'" % name-]{+%s", (name,)+})\n',
    );
    const spans = pairSpans(pair);
    expect(spanTexts(pair.vulnerableCode, spans.vulnerable)).toEqual([`argument_list: ("SELECT * FROM t WHERE n = '%s'" % name)`]);
    expect(spanTexts(pair.fixedCode, spans.fixed)).toEqual(['argument_list: ("SELECT * FROM t WHERE n = %s", (name,))']);
  });

  it('ignores whitespace-only changes', () => {
    const pair = markedPair('ws', 'c', 'int f(void) {\n{+  +}return 0;\n}\n');
    expect(pairSpans(pair)).toMatchObject({ vulnerable: [], fixed: [] });
  });

  it('takes reward magnitudes from named options', () => {
    const pair = markedPair('w', 'c', 'void f(void) { [-gets(b)-]{+fgets(b, 8, stdin)+}; }');
    const spans = pairSpans(pair, { secureReward: 0.5, vulnerableReward: -2 });
    expect(spans.fixed.map((s) => s.weight)).toEqual([0.5]);
    expect(spans.vulnerable.map((s) => s.weight)).toEqual([-2]);
  });

  it('throws unknown-language for a language without a grammar', () => {
    const pair = { ...markedPair('cpp', 'c', 'int x;'), language: 'rust' as const };
    expect(() => pairSpans(pair)).toThrowError(TokenRewardError);
    expect(() => pairSpans(pair)).toThrowError(/unknown language "rust"; registered: c, python/);
  });

  it('accepts a new language with one registration', () => {
    registerLanguage({ ...getLanguage('c').spec, name: 'c-no-calls', unitTypes: ['expression_statement'] });
    expect(languageNames()).toContain('c-no-calls');
    const pair = { ...markedPair('x', 'c', 'void f(void) { g({+1+}); }'), language: 'c-no-calls' as 'c' };
    expect(spanTexts(pair.fixedCode, pairSpans(pair).fixed)).toEqual(['expression_statement: g(1);']);
  });
});
