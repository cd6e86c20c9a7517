import { describe, expect, it } from 'vitest';
import { BuiltinAnalyzer } from '../builtin.js';

const analyzer = new BuiltinAnalyzer();

/** The rule ids the analyser reports on a program. */
function rules(code: string): string[] {
  return analyzer.analyzeSync(code, 'c').map((f) => f.ruleId);
}

const HEAD = '#include <stdio.h>\n#include <stdlib.h>\n#include <string.h>\n';

/**
 * One unsafe call and its safe counterpart, each as function name and argument list, inside a function
 * with `in` (a string from the caller), `n` (a length from the caller) and `buf` (16 bytes on the stack).
 */
interface CallCase {
  rule: string;
  /** The function pointer type of both functions (return type and parameters). */
  ret: string;
  params: string;
  vulnerable: [name: string, args: string];
  fixed: [name: string, args: string];
}

const CASES: CallCase[] = [
  {
    rule: 'c.unbounded-copy',
    ret: 'char *',
    params: 'char *, const char *',
    vulnerable: ['strcpy', 'buf, in'],
    fixed: ['strcpy', 'buf, "short"'],
  },
  {
    rule: 'c.sprintf',
    ret: 'int',
    params: 'char *, const char *, ...',
    vulnerable: ['sprintf', 'buf, "name=%s", in'],
    fixed: ['sprintf', 'buf, "%d", 42'],
  },
  { rule: 'c.gets', ret: 'char *', params: 'char *', vulnerable: ['gets', 'buf'], fixed: ['puts', 'buf'] },
  { rule: 'c.command-injection', ret: 'int', params: 'const char *', vulnerable: ['system', 'in'], fixed: ['system', '"ls -l"'] },
  {
    rule: 'c.stack-buffer-overflow',
    ret: 'void *',
    params: 'void *, const void *, size_t',
    vulnerable: ['memcpy', 'buf, in, n'],
    fixed: ['memcpy', 'buf, in, sizeof buf'],
  },
];

/** A spelling of the call `name(args)` that reaches the same function: declarations first, then the call. */
type Spelling = (c: CallCase, name: string, args: string) => { top?: string; local?: string; call: string };

const SPELLINGS: [string, Spelling][] = [
  ['a plain call', (_c, name, args) => ({ call: `${name}(${args})` })],
  ['an object-like macro', (_c, name, args) => ({ top: `#define CALL_IT ${name}`, call: `CALL_IT(${args})` })],
  [
    'a chain of object-like macros',
    (_c, name, args) => ({ top: `#define CALL_A ${name}\n#define CALL_B CALL_A`, call: `CALL_B(${args})` }),
  ],
  ['a variadic function-like macro', (_c, name, args) => ({ top: `#define CALL_IT(...) ${name}(__VA_ARGS__)`, call: `CALL_IT(${args})` })],
  [
    'a function-like macro that reverses its parameters',
    (_c, name, args) => {
      const list = args.split(/,\s*(?=(?:[^"]*"[^"]*")*[^"]*$)/);
      const ps = list.map((_, i) => `p${i}`);
      return {
        top: `#define CALL_IT(${[...ps].reverse().join(', ')}) ${name}(${ps.join(', ')})`,
        call: `CALL_IT(${[...list].reverse().join(', ')})`,
      };
    },
  ],
  [
    'a macro calling a macro',
    (_c, name, args) => ({ top: `#define INNER(...) ${name}(__VA_ARGS__)\n#define OUTER(...) INNER(__VA_ARGS__)`, call: `OUTER(${args})` }),
  ],
  ['a macro taking the function', (_c, name, args) => ({ top: '#define APPLY(f, ...) f(__VA_ARGS__)', call: `APPLY(${name}, ${args})` })],
  [
    'token pasting',
    (_c, name, args) => ({ top: '#define PASTE(a, b) a##b', call: `PASTE(${name.slice(0, 2)}, ${name.slice(2)})(${args})` }),
  ],
  [
    'parentheses',
    (_c, name, args) => ({
      call: `(${name})(${args
        .split(', ')
        .map((a) => `(${a})`)
        .join(', ')})`,
    }),
  ],
  ['a cast of the callee', (c, name, args) => ({ top: `typedef ${c.ret} (*fn_t)(${c.params});`, call: `((fn_t)${name})(${args})` })],
  ['a comma expression', (_c, name, args) => ({ call: `(0, ${name})(${args})` })],
  ['a local function pointer', (c, name, args) => ({ local: `${c.ret} (*fp)(${c.params}) = ${name};`, call: `fp(${args})` })],
  ['a dereferenced function pointer', (c, name, args) => ({ local: `${c.ret} (*fp)(${c.params}) = &${name};`, call: `(*fp)(${args})` })],
  [
    'a pointer assigned later, then copied',
    (c, name, args) => ({
      local: `${c.ret} (*fp)(${c.params});\n  ${c.ret} (*gp)(${c.params});\n  fp = ${name};\n  gp = fp;`,
      call: `gp(${args})`,
    }),
  ],
  [
    'a file-level pointer array',
    (c, name, args) => ({ top: `typedef ${c.ret} (*fn_t)(${c.params});\nstatic fn_t table[] = { ${name} };`, call: `table[0](${args})` }),
  ],
  [
    'a struct field of a designated initialiser',
    (c, name, args) => ({
      top: `typedef ${c.ret} (*fn_t)(${c.params});\nstruct ops { fn_t run; };\nstatic struct ops ops = { .run = ${name} };`,
      call: `ops.run(${args})`,
    }),
  ],
  [
    'a struct field assigned through a pointer',
    (c, name, args) => ({
      top: `typedef ${c.ret} (*fn_t)(${c.params});\nstruct ops { fn_t run; };`,
      local: `struct ops o;\n  struct ops *op = &o;\n  op->run = ${name};`,
      call: `op->run(${args})`,
    }),
  ],
  [
    'a pointer from dlsym',
    (c, name, args) => ({
      local: `${c.ret} (*fp)(${c.params}) = (${c.ret} (*)(${c.params}))dlsym(RTLD_DEFAULT, "${name}");`,
      call: `fp(${args})`,
    }),
  ],
];

function program(c: CallCase, spell: Spelling, [name, args]: [string, string]): string {
  const s = spell(c, name, args);
  return `${HEAD}${s.top ? `${s.top}\n` : ''}void handle(const char *in, size_t n) {
  char buf[16];
  ${s.local ?? ''}
  ${s.call};
  puts(buf);
}
`;
}

describe('C call rules see through the spellings of a call', () => {
  for (const c of CASES) {
    it.each(SPELLINGS)(`${c.rule} through %s: the unsafe call is reported, the safe one is not`, (_name, spell) => {
      expect(rules(program(c, spell, c.vulnerable))).toContain(c.rule);
      expect(rules(program(c, spell, c.fixed))).not.toContain(c.rule);
    });
  }

  it('reports the unsafe call a safe-looking name is redefined to, and the redefinition', () => {
    const fixed = `${HEAD}void copy(char *dst, size_t len, const char *src) {
  char tmp[32];
  snprintf(dst, len, "%s", src);
  strncpy(tmp, src, sizeof tmp - 1);
  tmp[sizeof tmp - 1] = 0;
  puts(tmp);
}
`;
    expect(rules(fixed)).toEqual([]);
    const macro = `#define snprintf(d, n, f, s) strcpy(d, s)\n${fixed}`;
    expect(rules(macro)).toEqual(['c.libc-redefined', 'c.unbounded-copy']);
    const variadic = `#define snprintf(d, n, ...) sprintf(d, __VA_ARGS__)\n${fixed}`;
    expect(rules(variadic)).toEqual(['c.libc-redefined', 'c.sprintf']);
    const object = `#define strncpy(d, s, n) strcpy(d, s)\n${fixed}`;
    expect(rules(object)).toEqual(['c.libc-redefined', 'c.unbounded-copy']);
  });

  it('reports a function pointer declared or assigned under a library name', () => {
    const local = `${HEAD}static char *copy_all(char *d, const char *s, size_t n) { (void)n; return strcpy(d, s); }
void f(char *dst, const char *src) {
  char *(*strncpy)(char *, const char *, size_t) = copy_all;
  strncpy(dst, src, 8);
}
`;
    expect(rules(local)).toContain('c.libc-redefined');
    const assigned = `${HEAD}typedef void *(*set_fn)(void *, int, size_t);
static void *keep(void *p, int c, size_t n) { (void)c; (void)n; return p; }
set_fn memset_;
void wipe(char *key, size_t n) {
  set_fn memset;
  memset = keep;
  memset(key, 0, n);
}
`;
    expect(rules(assigned)).toContain('c.libc-redefined');
  });

  it('leaves ordinary macros, variables and identity wrappers alone', () => {
    const code = `${HEAD}#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define COPY_FIELD(d, s) strncpy(d, s, sizeof(d) - 1)
#define LOG(...) fprintf(stderr, __VA_ARGS__)
#define memcpy memcpy
int total(int read, int open) { return MIN(read, open); }
void f(const char *in) {
  char name[32];
  COPY_FIELD(name, in);
  name[sizeof name - 1] = 0;
  LOG("%s\\n", name);
  LOG("done\\n");
}
`;
    expect(rules(code)).toEqual([]);
  });
});
