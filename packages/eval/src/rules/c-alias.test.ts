import { describe, expect, it } from 'vitest';
import { BuiltinAnalyzer } from '../builtin.js';

const analyzer = new BuiltinAnalyzer();

function rules(code: string): string[] {
  return analyzer.analyzeSync(code, 'c').map((f) => f.ruleId);
}

const HEAD = '#include <stdlib.h>\n#include <string.h>\nstruct s { char *f; };\n';

// every spelling of an aliasing the syntax tree resolves: the same block freed under one name, used under the other
const ALIASINGS: [string, string][] = [
  ['q = p;', 'char *q;\n  q = p;'],
  ['cast', 'char *q = (char *)p;'],
  ['nested cast and parentheses', 'char *q = ((char *)(p));'],
  ['comma', 'char *q, *r;\n  q = p, r = 0;\n  (void)r;'],
  ['assignment in a condition', 'char *q;\n  if ((q = p)) {}'],
];

describe('use after free through an alias', () => {
  for (const [name, alias] of ALIASINGS) {
    it(`follows ${name}`, () => {
      const code = `${HEAD}void f(size_t n) {\n  char *p = malloc(n + 1);\n  if (!p) return;\n  ${alias}\n  free(p);\n  q[0] = 0;\n}\n`;
      expect(rules(code)).toContain('c.use-after-free');
      expect(rules(code.replace('  free(p);\n  q[0] = 0;', '  q[0] = 0;\n  free(p);'))).not.toContain('c.use-after-free');
    });
  }

  it('follows a field set from the freed pointer and a pointer set from a field', () => {
    const field = `${HEAD}void f(struct s *o, size_t n) {\n  char *p = malloc(n + 1);\n  if (!p) return;\n  o->f = p;\n  free(p);\n  o->f[0] = 0;\n}\n`;
    expect(rules(field)).toContain('c.use-after-free');
    const back = `${HEAD}void f(struct s *o) {\n  char *p = o->f;\n  free(p);\n  o->f[0] = 0;\n}\n`;
    expect(rules(back)).toContain('c.use-after-free');
    expect(rules(field.replace('o->f = p;', 'o -> f = p;'))).toContain('c.use-after-free');
  });
});

describe('narrow products: a local shadows a global of another width', () => {
  const prog = (local: string) =>
    `#include <stdio.h>\n#include <stdlib.h>\nsize_t total;\nint main(void) {\n  unsigned w, h;\n  if (scanf("%u %u", &w, &h) != 2) return 1;\n  ${local}\n  total = w * h;\n  printf("%zu\\n", (size_t)total);\n  return 0;\n}\n`;
  it('flags a 32-bit product stored in the wide global', () => {
    expect(rules(prog(''))).toContain('c.narrow-product');
  });
  it('does not flag it when a 32-bit local of the same name is what is set', () => {
    expect(rules(prog('unsigned total;'))).not.toContain('c.narrow-product');
  });
  it('uses the global when the local of that name is declared only after', () => {
    const code = prog('').replace('  printf(', '  { unsigned total = 0; (void)total; }\n  printf(');
    expect(rules(code)).toContain('c.narrow-product');
  });
});
