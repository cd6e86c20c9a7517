import { describe, expect, it } from 'vitest';
import { BuiltinAnalyzer } from '../builtin.js';

const analyzer = new BuiltinAnalyzer();

/** The rule ids the analyser reports on a program. */
function rules(code: string): string[] {
  return analyzer.analyzeSync(code, 'c').map((f) => f.ruleId);
}

/** A vulnerable program and its fix: the rule fires on the first and not on the second. */
interface Pair {
  rule: string;
  vulnerable: string;
  fixed: string;
}

const MAIN = (body: string) => `#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
${body}`;

const PAIRS: Pair[] = [
  {
    rule: 'c.alloc-overflow',
    vulnerable: MAIN(`int main(void) {
  unsigned n;
  if (scanf("%u", &n) != 1) return 1;
  int *a = malloc(n * sizeof *a);
  if (!a) return 1;
  free(a);
  return 0;
}`),
    fixed: MAIN(`#include <stdint.h>
int main(void) {
  unsigned n;
  if (scanf("%u", &n) != 1) return 1;
  if (n > SIZE_MAX / sizeof(int)) return 1;
  int *a = malloc(n * sizeof *a);
  if (!a) return 1;
  free(a);
  return 0;
}`),
  },
  {
    rule: 'c.alloc-overflow',
    vulnerable: MAIN(`char *pixels(FILE *f) {
  int w, h;
  if (fread(&w, sizeof w, 1, f) != 1 || fread(&h, sizeof h, 1, f) != 1) return NULL;
  int size = w * h * 3;
  return malloc(size);
}`),
    fixed: MAIN(`char *pixels(FILE *f) {
  int w, h;
  if (fread(&w, sizeof w, 1, f) != 1 || fread(&h, sizeof h, 1, f) != 1) return NULL;
  if (w <= 0 || h <= 0 || w > 4096 || h > 4096) return NULL;
  int size = w * h * 3;
  return malloc(size);
}`),
  },
  {
    rule: 'c.unchecked-length-copy',
    vulnerable: MAIN(`struct msg { char body[64]; };
int parse(struct msg *m, const unsigned char *pkt, size_t pkt_len) {
  size_t len = pkt[0];
  memcpy(m->body, pkt + 1, len);
  return (int)pkt_len;
}`),
    fixed: MAIN(`struct msg { char body[64]; };
int parse(struct msg *m, const unsigned char *pkt, size_t pkt_len) {
  size_t len = pkt[0];
  if (len >= sizeof m->body || len + 1 > pkt_len) return -1;
  memcpy(m->body, pkt + 1, len);
  return 0;
}`),
  },
  {
    rule: 'c.stack-buffer-overflow',
    vulnerable: MAIN(`int main(void) {
  char line[64];
  while (fgets(line, 128, stdin)) fputs(line, stdout);
  return 0;
}`),
    fixed: MAIN(`int main(void) {
  char line[64];
  while (fgets(line, sizeof line, stdin)) fputs(line, stdout);
  return 0;
}`),
  },
  {
    rule: 'c.stack-buffer-overflow',
    vulnerable: MAIN(`int main(int argc, char **argv) {
  char buf[32];
  size_t n = strlen(argv[1]);
  memcpy(buf, argv[1], n);
  return buf[0];
}`),
    fixed: MAIN(`int main(int argc, char **argv) {
  char buf[32];
  size_t n = strlen(argv[1]);
  if (n >= sizeof buf) return 1;
  memcpy(buf, argv[1], n);
  return buf[0];
}`),
  },
  {
    rule: 'c.oob-write',
    vulnerable: MAIN(`int main(int argc, char **argv) {
  int votes[5] = {0};
  int i = atoi(argv[1]);
  votes[i]++;
  return votes[0];
}`),
    fixed: MAIN(`int main(int argc, char **argv) {
  int votes[5] = {0};
  int i = atoi(argv[1]);
  if (i < 0 || i >= 5) return 1;
  votes[i]++;
  return votes[0];
}`),
  },
  {
    rule: 'c.oob-read',
    vulnerable: MAIN(`static const int PRICES[] = {1, 2, 3};
int main(void) {
  int i;
  if (scanf("%d", &i) != 1) return 1;
  if (i < 0) return 1;
  printf("%d\\n", PRICES[i]);
  return 0;
}`),
    fixed: MAIN(`static const int PRICES[] = {1, 2, 3};
int main(void) {
  int i;
  if (scanf("%d", &i) != 1) return 1;
  if (i < 0 || i >= 3) return 1;
  printf("%d\\n", PRICES[i]);
  return 0;
}`),
  },
  {
    rule: 'c.off-by-one',
    vulnerable: MAIN(`#define N 10
int main(void) {
  int a[N];
  for (int i = 0; i <= N; i++) a[i] = i;
  return a[0];
}`),
    fixed: MAIN(`#define N 10
int main(void) {
  int a[N];
  for (int i = 0; i < N; i++) a[i] = i;
  return a[0];
}`),
  },
  {
    rule: 'c.off-by-one',
    vulnerable: MAIN(`int main(void) {
  char name[16];
  name[sizeof name] = '\\0';
  return name[0];
}`),
    fixed: MAIN(`int main(void) {
  char name[16];
  name[sizeof name - 1] = '\\0';
  return name[0];
}`),
  },
  {
    rule: 'c.off-by-one',
    vulnerable: MAIN(`char *copy(const char *s) {
  char *c = malloc(strlen(s));
  if (!c) return NULL;
  strcpy(c, s);
  return c;
}`),
    fixed: MAIN(`char *copy(const char *s) {
  char *c = malloc(strlen(s) + 1);
  if (!c) return NULL;
  strcpy(c, s);
  return c;
}`),
  },
  {
    rule: 'c.use-after-free',
    vulnerable: MAIN(`struct node { int v; struct node *next; };
void drop(struct node *head) {
  for (struct node *p = head; p; p = p->next) free(p);
}`),
    fixed: MAIN(`struct node { int v; struct node *next; };
void drop(struct node *head) {
  while (head) {
    struct node *next = head->next;
    free(head);
    head = next;
  }
}`),
  },
  {
    rule: 'c.use-after-free',
    vulnerable: MAIN(`struct item { int value; struct item *below; };
int pop(struct item **top) {
  struct item *it = *top;
  if (!it) return -1;
  *top = it->below;
  free(it);
  return it->value;
}`),
    fixed: MAIN(`struct item { int value; struct item *below; };
int pop(struct item **top) {
  struct item *it = *top;
  if (!it) return -1;
  *top = it->below;
  int v = it->value;
  free(it);
  return v;
}`),
  },
  {
    rule: 'c.double-free',
    vulnerable: MAIN(`char *load(FILE *f) {
  char *buf = malloc(4096);
  if (!buf) return NULL;
  size_t n = fread(buf, 1, 4095, f);
  if (ferror(f)) {
    free(buf);
    goto fail;
  }
  buf[n] = 0;
  return buf;
fail:
  free(buf);
  return NULL;
}`),
    fixed: MAIN(`char *load(FILE *f) {
  char *buf = malloc(4096);
  if (!buf) return NULL;
  size_t n = fread(buf, 1, 4095, f);
  if (ferror(f)) goto fail;
  buf[n] = 0;
  return buf;
fail:
  free(buf);
  return NULL;
}`),
  },
  {
    rule: 'c.toctou',
    vulnerable: MAIN(`int append(const char *path, const char *line) {
  if (access(path, W_OK) != 0) return -1;
  FILE *f = fopen(path, "a");
  if (!f) return -1;
  fputs(line, f);
  return fclose(f);
}`),
    fixed: MAIN(`#include <fcntl.h>
int append(const char *path, const char *line) {
  int fd = open(path, O_WRONLY | O_APPEND | O_NOFOLLOW);
  if (fd < 0) return -1;
  ssize_t n = write(fd, line, strlen(line));
  close(fd);
  return n < 0 ? -1 : 0;
}`),
  },
  {
    rule: 'c.insecure-tempfile',
    vulnerable: MAIN(`int main(void) {
  char name[L_tmpnam];
  if (!tmpnam(name)) return 1;
  FILE *f = fopen(name, "w");
  if (f) fclose(f);
  return 0;
}`),
    fixed: MAIN(`int main(void) {
  char name[] = "/tmp/demoXXXXXX";
  int fd = mkstemp(name);
  if (fd < 0) return 1;
  close(fd);
  return unlink(name);
}`),
  },
  {
    rule: 'c.unchecked-alloc',
    vulnerable: MAIN(`int *make(int n) {
  int *a = malloc(16 * sizeof *a);
  a[0] = n;
  return a;
}`),
    fixed: MAIN(`int *make(int n) {
  int *a = malloc(16 * sizeof *a);
  if (a == NULL) return NULL;
  a[0] = n;
  return a;
}`),
  },
  {
    rule: 'c.null-dereference',
    vulnerable: MAIN(`int main(int argc, char **argv) {
  char line[128];
  FILE *f = fopen(argv[1], "r");
  if (fgets(line, sizeof line, f)) fputs(line, stdout);
  return 0;
}`),
    fixed: MAIN(`int main(int argc, char **argv) {
  char line[128];
  FILE *f = fopen(argv[1], "r");
  if (!f) return 1;
  if (fgets(line, sizeof line, f)) fputs(line, stdout);
  fclose(f);
  return 0;
}`),
  },
  {
    rule: 'c.scanf-unbounded',
    vulnerable: MAIN(`int main(void) {
  char name[32];
  if (scanf("%s", name) != 1) return 1;
  puts(name);
  return 0;
}`),
    fixed: MAIN(`int main(void) {
  char name[32];
  if (scanf("%31s", name) != 1) return 1;
  puts(name);
  return 0;
}`),
  },
  {
    rule: 'c.unbounded-copy',
    vulnerable: MAIN(`int main(int argc, char **argv) {
  char path[64] = "/var/lib/demo/";
  strcat(path, argv[1]);
  puts(path);
  return 0;
}`),
    fixed: MAIN(`int main(int argc, char **argv) {
  char path[64] = "/var/lib/demo/";
  if (strlen(argv[1]) >= sizeof path - strlen(path)) return 1;
  strcat(path, argv[1]);
  puts(path);
  return 0;
}`),
  },
  {
    rule: 'c.sprintf',
    vulnerable: MAIN(`int main(void) {
  char path[64];
  const char *home = getenv("HOME");
  if (!home) return 1;
  sprintf(path, "%s/.history", home);
  puts(path);
  return 0;
}`),
    fixed: MAIN(`int main(void) {
  char path[64];
  const char *home = getenv("HOME");
  if (!home) return 1;
  snprintf(path, sizeof path, "%s/.history", home);
  puts(path);
  return 0;
}`),
  },
];

describe('C memory-safety rules on vulnerable programs and their fixes', () => {
  for (const [i, p] of PAIRS.entries()) {
    it(`${p.rule} (#${i + 1}): fires on the vulnerable version, not on the fix`, () => {
      expect(rules(p.vulnerable)).toContain(p.rule);
      expect(rules(p.fixed)).not.toContain(p.rule);
    });
  }
});

describe('C memory-safety rules stay quiet on the ordinary idioms', () => {
  it('malloc(n * sizeof *p) with a loop counter, a constant or argc', () => {
    const code = MAIN(`int main(int argc, char **argv) {
  int n = argc - 1;
  long *v = malloc(n * sizeof *v);
  char **rows = malloc(8 * sizeof *rows);
  for (int i = 0; i < 8; i++) rows[i] = malloc((i + 1) * sizeof **rows);
  for (int i = 0; i < 8; i++) free(rows[i]);
  free(rows);
  free(v);
  return argv[0][0];
}`);
    expect(rules(code)).toEqual([]);
  });

  it('a copy into malloc(strlen(s) + 1), a literal that fits, and a checked strcpy', () => {
    const code = MAIN(`char *dup(const char *s) {
  char *c = malloc(strlen(s) + 1);
  if (!c) return NULL;
  strcpy(c, s);
  return c;
}
int main(int argc, char **argv) {
  char buf[16];
  strcpy(buf, "fits");
  if (strlen(argv[1]) < sizeof buf) strcpy(buf, argv[1]);
  char *d = dup(argv[1]);
  free(d);
  return buf[0];
}`);
    expect(rules(code)).toEqual([]);
  });

  it('strcpy from a string whose callers all pass literals (a whole program)', () => {
    const code = MAIN(`struct person { char name[32]; };
void set_name(struct person *p, const char *name) { strcpy(p->name, name); }
int main(void) {
  struct person p;
  set_name(&p, "Ada");
  puts(p.name);
  return 0;
}`);
    expect(rules(code)).toEqual([]);
  });

  it('numeric scanf conversions and a width on every %s', () => {
    const code = MAIN(`int main(void) {
  int n; char word[16]; double x;
  if (scanf("%d %15s %lf", &n, word, &x) != 3) return 1;
  return n;
}`);
    expect(rules(code)).toEqual([]);
  });

  it('a sprintf of numbers into a buffer they fit', () => {
    const code = MAIN(`int main(int argc, char **argv) {
  char buf[32];
  sprintf(buf, "%d-%d", argc, atoi(argv[1]));
  puts(buf);
  return 0;
}`);
    expect(rules(code)).toEqual([]);
  });

  it('free then return, free then reassign, and free in an error branch that leaves', () => {
    const code = MAIN(`struct node { int v; struct node *next; };
int f(struct node *n, int e) {
  if (e) { free(n); return -1; }
  int v = n->v;
  free(n);
  n = NULL;
  return v;
}
char **grow(int k) {
  char **rows = malloc(4 * sizeof *rows);
  if (!rows) return NULL;
  for (int i = 0; i < 4; i++) {
    rows[i] = malloc(8);
    if (!rows[i]) {
      while (i > 0) free(rows[--i]);
      free(rows);
      return NULL;
    }
  }
  rows[0][0] = (char)k;
  return rows;
}`);
    expect(rules(code)).toEqual([]);
  });

  it('a bounds-checked table index and a modulo index', () => {
    const code = MAIN(`int main(int argc, char **argv) {
  int t[7] = {0};
  long i = strtol(argv[1], NULL, 10);
  if (i < 0 || i >= 7) return 1;
  t[i]++;
  unsigned h = (unsigned)atoi(argv[1]);
  t[h % 7]++;
  return t[0];
}`);
    expect(rules(code)).toEqual([]);
  });
});

describe('C memory-safety rules: a check counts only where it holds at the sink', () => {
  /** A sink after one of several checks: the rule fires for each dodge and not for the real check. */
  const CASES: { rule: string; sink: string; setup: string; dodges: string[]; check: string }[] = [
    {
      rule: 'c.unbounded-copy',
      setup: 'char path[64] = "/var/lib/";',
      sink: 'strcat(path, argv[1]);',
      dodges: [
        'if (strlen(argv[1]) > strlen(argv[1])) return 1;',
        'if (strlen(argv[1]) >= sizeof path) {}',
        'if (strlen(argv[1]) >= sizeof path) puts("long");',
        'if (argc > 2) { if (strlen(argv[1]) >= sizeof path - 9) return 1; }',
        'if (strlen(argv[1]) < 8) return 1;',
      ],
      check: 'if (strlen(argv[1]) >= sizeof path - 9) return 1;',
    },
    {
      rule: 'c.stack-buffer-overflow',
      setup: 'char buf[64]; size_t n = strtoul(argv[1], NULL, 10);',
      sink: 'memcpy(buf, argv[2], n);',
      dodges: [
        'if (n > n) return 1;',
        'if (n > sizeof buf) {}',
        'size_t m = 8; if (m > sizeof buf) return 1;',
        'if (n < sizeof buf) return 1;',
      ],
      check: 'if (n > sizeof buf) return 1;',
    },
    {
      rule: 'c.alloc-overflow',
      setup: 'size_t n = strtoul(argv[1], NULL, 10);',
      sink: 'int *v = malloc(n * sizeof *v); if (!v) return 1; v[0] = 1; free(v);',
      dodges: ['if (n > n) return 1;', 'if (n > 1024) puts("big");', 'if (argc > 3) { if (n > 1024) return 1; }'],
      check: 'if (n > 1024) { fputs("too many\\n", stderr); return 1; }',
    },
    {
      rule: 'c.oob-write',
      setup: 'int votes[8] = {0}; int i = atoi(argv[1]);',
      sink: 'votes[i] = 1;',
      dodges: ['if (i > i) return 1;', 'if (i >= 8) {}', 'if (i < 8) return 1;', 'if (i >= atoi(argv[2])) return 1;'],
      check: 'if (i < 0 || i >= 8) return 1;',
    },
  ];
  const program = (setup: string, check: string, sink: string) =>
    MAIN(`int main(int argc, char **argv) {\n  ${setup}\n  ${check}\n  ${sink}\n  return 0;\n}`);

  for (const c of CASES) {
    for (const d of c.dodges)
      it(`${c.rule} still fires after \`${d}\``, () => {
        expect(rules(program(c.setup, d, c.sink))).toContain(c.rule);
      });
    it(`${c.rule} is quiet after \`${c.check}\``, () => {
      expect(rules(program(c.setup, c.check, c.sink))).not.toContain(c.rule);
    });
    it(`${c.rule} still fires when the check comes after the sink`, () => {
      expect(rules(program(c.setup, '', `${c.sink}\n  ${c.check}`))).toContain(c.rule);
    });
  }
});
