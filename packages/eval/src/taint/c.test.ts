import { parse } from '@srcode/syntax';
import { describe, expect, it } from 'vitest';
import { BuiltinAnalyzer } from '../builtin.js';
import type { SyntaxNode } from '../rules/rule.js';
import { taintAt } from './c.js';

/** The last identifier `name` in the code (the use the test asks about). */
function lastUse(code: string, name: string): SyntaxNode {
  const tree = parse(code, 'c');
  const ids = tree.rootNode.descendantsOfType('identifier').filter((n) => n.text === name);
  const last = ids[ids.length - 1];
  if (!last) throw new Error(`no ${name} in the code`);
  return last;
}

/** Whether `name` at its last use is tainted. */
function tainted(code: string, name = 'x'): boolean {
  return taintAt(lastUse(code, name)) !== undefined;
}

describe('C taint: sources', () => {
  it.each([
    ['argv', 'int main(int argc, char **argv) { int x = atoi(argv[1]); use(x); }'],
    ['getenv', 'int main(void) { char *x = getenv("HOME"); use(x); }'],
    ['fgets', 'int main(void) { char x[64]; fgets(x, sizeof x, stdin); use(x); }'],
    ['scanf output', 'int main(void) { int x; scanf("%d", &x); use(x); }'],
    [
      'fread into a struct field',
      'struct h { int len; }; int main(void) { struct h hd; fread(&hd, sizeof hd, 1, stdin); int x = hd.len; use(x); }',
    ],
    ['read-like project call', 'int main(void) { unsigned x; ReadFromServer(conn, (char *)&x, 4); use(x); }'],
    ['a byte-stream decoder', 'int main(void) { int x = avio_rb32(pb); use(x); }'],
    ['parameter of a library function', 'size_t f(size_t x) { return use(x); }'],
    ['parameter of an uncalled static function', 'static int f(int x) { return use(x); }'],
    ['a name declared outside a snippet', 'if (ok) { use(x); }'],
  ])('%s', (_, code) => {
    expect(tainted(code)).toBe(true);
  });

  it('argc is not a source', () => {
    expect(tainted('int main(int argc, char **argv) { int x = argc - 1; use(x); }')).toBe(false);
  });

  it('in a whole program, a parameter takes its callers’ taint', () => {
    const clean = 'int g(int x) { return use(x); }\nint main(void) { return g(4); }';
    const dirty = 'int g(int x) { return use(x); }\nint main(int argc, char **argv) { return g(atoi(argv[1])); }';
    expect(tainted(clean)).toBe(false);
    expect(tainted(dirty)).toBe(true);
  });

  it('a field of a parameter struct is the library’s state, not input', () => {
    expect(tainted('int f(struct s *p) { int x = p->count; return use(x); }')).toBe(false);
  });
});

describe('C taint: propagation and sanitisers', () => {
  it.each([
    ['arithmetic and casts', 'int main(int c, char **argv) { long n = atol(argv[1]); int x = (int)(n * 2 + 1); use(x); }', true],
    ['a copy carries the source', 'int main(int c, char **argv) { char b[8]; strcpy(b, argv[1]); char *x = b; use(x); }', true],
    ['strlen of input', 'int main(int c, char **argv) { size_t x = strlen(argv[1]); use(x); }', true],
    ['a bound check before the use', 'int main(int c, char **argv) { int x = atoi(argv[1]); if (x > 100) return 1; use(x); }', false],
    ['a check against sizeof', 'int main(int c, char **argv) { char b[8]; size_t x = strlen(argv[1]); if (x < sizeof b) use(x); }', false],
    ['a sign test is not a bound', 'int main(int c, char **argv) { int x = atoi(argv[1]); if (x < 0) return 1; use(x); }', true],
    ['min()', 'int main(int c, char **argv) { int x = MIN(atoi(argv[1]), 10); use(x); }', false],
    ['%=', 'int main(int c, char **argv) { int x = atoi(argv[1]); x %= 16; use(x); }', false],
    [
      'a clamp by the conditional operator',
      'int main(int c, char **argv) { int n = atoi(argv[1]); int x = n > 9 ? 9 : n; use(x); }',
      false,
    ],
    ['reassignment with a constant', 'int main(int c, char **argv) { int x = atoi(argv[1]); x = 3; use(x); }', false],
    [
      'a loop condition bounds only the loop variable',
      'int main(int c, char **argv) { int x = atoi(argv[1]); for (int i = 0; i < x; i++) ; use(x); }',
      true,
    ],
  ])('%s', (_, code, expected) => {
    expect(tainted(code as string)).toBe(expected);
  });

  it('kinds: strlen gives a length, atoi a value', () => {
    const len = taintAt(lastUse('int main(int c, char **argv) { size_t x = strlen(argv[1]) + 1; use(x); }', 'x'));
    const val = taintAt(lastUse('int main(int c, char **argv) { size_t x = atoi(argv[1]) + 1; use(x); }', 'x'));
    expect(len?.kind).toBe('length');
    expect(val?.kind).toBe('value');
  });
});

describe('C taint: flows', () => {
  const code = `#include <stdlib.h>
#include <string.h>
int main(int argc, char **argv) {
  int votes[4] = {0};
  int i = atoi(argv[1]);
  votes[i] = 1;
  return votes[0];
}`;

  it('a finding’s flow starts at the source and ends at the sink, in order', () => {
    const f = new BuiltinAnalyzer().analyzeSync(code, 'c').find((x) => x.ruleId === 'c.oob-write');
    const flow = f?.flow ?? [];
    expect(flow.map((s) => code.slice(s.range.start, s.range.end))).toEqual(['argv', 'atoi(argv[1])', 'i = atoi(argv[1])', 'votes[i]']);
    expect(flow[0]?.message).toMatch(/argv/);
    expect(flow[flow.length - 1]?.message).toMatch(/index of a write into votes/);
    expect(flow[flow.length - 1]?.range).toEqual(f?.range);
  });

  it('offsets stay right when the text starts with blank lines', () => {
    const shifted = `\n\n${code.replace('return votes[0];', 'int *p = malloc(4);\n  free(p);\n  free(p);\n  return votes[0];')}`;
    expect(new BuiltinAnalyzer().analyzeSync(shifted, 'c').map((f) => f.ruleId)).toEqual(
      expect.arrayContaining(['c.oob-write', 'c.double-free']),
    );
  });
});

describe('C taint: a bound check sanitises only where it holds', () => {
  const prog = (body: string) => `int main(int c, char **argv) { size_t x = strtoul(argv[1], 0, 10); ${body} }`;
  it.each([
    // dodges: each compares the value somewhere, but nothing bounds it at the use
    ['a comparison with itself', 'if (x > x) return 1; use(x);', true],
    ['a sum compared with itself', 'if (x + 1 > x) return 1; use(x);', true],
    ['a check whose branch does nothing', 'if (x > 64) {} use(x);', true],
    ['a check whose branch falls through', 'if (x > 64) puts("big"); use(x);', true],
    ['a check after the use', 'use(x); if (x > 64) return 1;', true],
    ['a check on another variable', 'size_t y = 3; if (y > 64) return 1; use(x);', true],
    ['a check in a branch not always taken', 'if (c > 2) { if (x > 64) return 1; } use(x);', true],
    ['the wrong direction', 'if (x < 64) return 1; use(x);', true],
    ['the wrong branch', 'if (x < 64) { puts("ok"); } else { use(x); }', true],
    ['a bound input sets', 'size_t m = strtoul(argv[2], 0, 10); if (x > m) return 1; use(x);', true],
    ['a comparison kept in a variable', 'int big = x > 64; use(x);', true],
    ['a lower bound only', 'if (x < 1) return 1; use(x);', true],
    ['a clamp the wrong way round', 'size_t y = x > 64 ? x : 64; use(y);', true],
    ['a vacuous clamp', 'if (x > x) x = 64; use(x);', true],
    ['a loop whose condition bounds another variable', 'for (size_t i = 0; x < 64; i++) use(i); use(x);', true],
    ['the else branch of a check that holds only in the then branch', 'if (x <= 64) puts("ok"); else use(x);', true],
    ['a check against SIZE_MAX, which no size fails', 'if (x > SIZE_MAX) return 1; use(x);', true],
    ['a check against INT_MAX', 'if (x >= INT_MAX) return 1; use(x);', true],
    ['a check against (size_t)-1', 'if (x == (size_t)-1 || x > (size_t)-1) return 1; use(x);', true],
    ['a check against ~0', 'if (x > ~0u) return 1; use(x);', true],
    ['a check against a literal of 32 bits', 'if (x > 0xffffffff) return 1; use(x);', true],
    // real checks
    ['an early return', 'if (x > 64) return 1; use(x);', false],
    ['an early return in a block', 'if (x >= 64) { puts("too big"); return 1; } use(x);', false],
    ['the branch where the check holds', 'if (x < 64) { use(x); }', false],
    ['the else branch of a failing check', 'if (x >= 64) { return 1; } else { use(x); }', false],
    ['a check under !', 'if (!(x < 64)) return 1; use(x);', false],
    ['one of several conditions that leave', 'if (c < 2 || x > 64) return 1; use(x);', false],
    ['the right operand of &&', 'if (x < 64 && use(x)) return 0;', false],
    ['assert', 'assert(x <= 64); use(x);', false],
    ['goto to an error label after the use', 'if (x > 64) goto fail; use(x); return 0; fail: return 1;', false],
    ['break out of a loop', 'for (;;) { if (x > 64) break; use(x); }', false],
    ['a clamp', 'if (x > 64) x = 64; use(x);', false],
    ['a clamp by ?:', 'size_t y = x > 64 ? 64 : x; use(y);', false],
    ['a check on every way', 'if (c > 2) { if (x > 64) return 1; } else { if (x > 32) return 1; } use(x);', false],
    ['an overflow check against a quotient', 'if (x > SIZE_MAX / 8) return 1; use(x);', false],
    ['a check of a sum', 'size_t off = 4; if (off + x > 64) return 1; use(x);', false],
    ['an equality with a constant', 'if (x != 3) return 1; use(x);', false],
    ['likely()', 'if (unlikely(x > 64)) return 1; use(x);', false],
  ])('%s', (_, body, expected) => {
    expect(tainted(prog(body as string))).toBe(expected);
  });

  it('a bound that is the value’s own source is no bound (a library function, whose parameters are the caller’s)', () => {
    expect(tainted('int f(char *d, const char *s, size_t x) { size_t m = x; if (x > m) return 1; return use(x); }')).toBe(true);
    expect(tainted('int f(char *d, const char *s, size_t x, size_t cap) { if (x > cap) return 1; return use(x); }')).toBe(false);
  });

  it('a later definition in a loop body reaches an earlier use on the next round, unless a check in the body holds there', () => {
    const loop = (check: string) =>
      `int main(int c, char **argv) { size_t idx = 0; while (c-- > 0) { ${check} use(idx); idx += strtoul(argv[c], 0, 10); } }`;
    // the argument of use(), not the later `idx +=`
    const atUse = (code: string) => {
      const call = parse(code, 'c')
        .rootNode.descendantsOfType('call_expression')
        .find((n) => n.childForFieldName('function')?.text === 'use');
      return taintAt(call?.childForFieldName('arguments')?.namedChildren[0]) !== undefined;
    };
    expect(atUse(loop(''))).toBe(true);
    expect(atUse(loop('if (idx > 63) return 1;'))).toBe(false);
    expect(atUse(loop('if (idx > idx) return 1;'))).toBe(true);
  });

  it('a definition in a branch joins the value that goes around it', () => {
    expect(tainted(prog('size_t y = 4; if (c > 2) y = 8; else y = x; use(y);'), 'y')).toBe(true);
    expect(tainted(prog('size_t y = x; if (c > 2) y = 8; use(y);'), 'y')).toBe(true);
    expect(tainted(prog('size_t y = x; if (c > 2) y = 8; else y = 4; use(y);'), 'y')).toBe(false);
    expect(tainted(prog('size_t y = 4; if (c > 2) { y = x; return 1; } use(y);'), 'y')).toBe(false);
  });
});
