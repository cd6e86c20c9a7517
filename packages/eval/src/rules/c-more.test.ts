import { describe, expect, it } from 'vitest';
import { BuiltinAnalyzer } from '../builtin.js';

const analyzer = new BuiltinAnalyzer();

/** The rule ids the analyser reports on a program. */
function rules(code: string): string[] {
  return analyzer.analyzeSync(code, 'c').map((f) => f.ruleId);
}

const MAIN = (body: string) => `#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
${body}`;

/** A vulnerable program and its fix: the rule fires on the first and not on the second. */
const PAIRS: { rule: string; vulnerable: string; fixed: string }[] = [
  {
    rule: 'c.loop-overflow',
    vulnerable: MAIN(`int read_line(int fd, char *buf, int size) {
  int i = 0;
  char c;
  while (read(fd, &c, 1) == 1) {
    if (c == '\\n') break;
    buf[i++] = c;
  }
  buf[i] = '\\0';
  return i;
}`),
    fixed: MAIN(`int read_line(int fd, char *buf, int size) {
  int i = 0;
  char c;
  while (i < size - 1 && read(fd, &c, 1) == 1) {
    if (c == '\\n') break;
    buf[i++] = c;
  }
  buf[i] = '\\0';
  return i;
}`),
  },
  {
    rule: 'c.loop-overflow',
    vulnerable: MAIN(`#define MAX 100
int stack[MAX];
int top = 0;
void push(int x) { stack[top++] = x; }`),
    fixed: MAIN(`#define MAX 100
int stack[MAX];
int top = 0;
int push(int x) {
  if (top >= MAX) return -1;
  stack[top++] = x;
  return 0;
}`),
  },
  {
    rule: 'c.loop-stack-overflow',
    vulnerable: MAIN(`typedef struct { char name[50]; int grade; } student;
int main(void) {
  student s[100];
  int n = 0, grade;
  char name[50];
  while (scanf("%49s %d", name, &grade) == 2) {
    strcpy(s[n].name, name);
    s[n].grade = grade;
    n++;
  }
  return n;
}`),
    fixed: MAIN(`typedef struct { char name[50]; int grade; } student;
int main(void) {
  student s[100];
  int n = 0, grade;
  char name[50];
  while (n < 100 && scanf("%49s %d", name, &grade) == 2) {
    strcpy(s[n].name, name);
    s[n].grade = grade;
    n++;
  }
  return n;
}`),
  },
  {
    rule: 'c.signed-length',
    vulnerable: MAIN(`#define MAXLEN 128
int main(void) {
  char out[MAXLEN + 1], in[512];
  int len;
  if (scanf("%d", &len) != 1 || fread(in, 1, sizeof in, stdin) == 0) return 1;
  if (len > MAXLEN) return 1;
  memcpy(out, in, len);
  return out[0];
}`),
    fixed: MAIN(`#define MAXLEN 128
int main(void) {
  char out[MAXLEN + 1], in[512];
  int len;
  if (scanf("%d", &len) != 1 || fread(in, 1, sizeof in, stdin) == 0) return 1;
  if (len < 0 || len > MAXLEN) return 1;
  memcpy(out, in, len);
  return out[0];
}`),
  },
  {
    rule: 'c.return-stack-address',
    vulnerable: MAIN(`char *format_temp(double c) {
  char buf[32];
  snprintf(buf, sizeof buf, "%.1f C", c);
  return buf;
}`),
    fixed: MAIN(`char *format_temp(double c) {
  static char buf[32];
  snprintf(buf, sizeof buf, "%.1f C", c);
  return buf;
}`),
  },
  {
    rule: 'c.uninitialized-variable',
    vulnerable: MAIN(`double average(const double *xs, int n) {
  double sum;
  for (int i = 0; i < n; i++) sum += xs[i];
  return n ? sum / n : 0.0;
}`),
    fixed: MAIN(`double average(const double *xs, int n) {
  double sum = 0;
  for (int i = 0; i < n; i++) sum += xs[i];
  return n ? sum / n : 0.0;
}`),
  },
  {
    rule: 'c.divide-by-input',
    vulnerable: MAIN(`int main(void) {
  int total, people;
  if (scanf("%d %d", &total, &people) != 2) return 1;
  printf("%d\\n", total / people);
  return 0;
}`),
    fixed: MAIN(`int main(void) {
  int total, people;
  if (scanf("%d %d", &total, &people) != 2 || people == 0) return 1;
  printf("%d\\n", total / people);
  return 0;
}`),
  },
  {
    rule: 'c.realloc-leak',
    vulnerable: MAIN(`int *grow(int *buf, size_t cap) {
  buf = realloc(buf, cap * 2 * sizeof *buf);
  return buf;
}`),
    fixed: MAIN(`int *grow(int *buf, size_t cap) {
  int *tmp = realloc(buf, cap * 2 * sizeof *buf);
  if (!tmp) { free(buf); return NULL; }
  return tmp;
}`),
  },
  {
    rule: 'c.strncpy-unterminated',
    vulnerable: MAIN(`struct user { char name[16]; };
void set_name(struct user *u, const char *name) {
  strncpy(u->name, name, sizeof u->name);
}`),
    fixed: MAIN(`struct user { char name[16]; };
void set_name(struct user *u, const char *name) {
  strncpy(u->name, name, sizeof u->name - 1);
  u->name[sizeof u->name - 1] = '\\0';
}`),
  },
  {
    rule: 'c.insecure-random-secret',
    vulnerable: MAIN(`void make_token(char out[33]) {
  static const char hex[] = "0123456789abcdef";
  for (int i = 0; i < 32; i++) out[i] = hex[rand() % 16];
  out[32] = '\\0';
}`),
    fixed: MAIN(`int make_token(char out[33]) {
  static const char hex[] = "0123456789abcdef";
  unsigned char raw[16];
  FILE *f = fopen("/dev/urandom", "rb");
  if (!f || fread(raw, 1, sizeof raw, f) != sizeof raw) return -1;
  fclose(f);
  for (int i = 0; i < 16; i++) { out[2 * i] = hex[raw[i] >> 4]; out[2 * i + 1] = hex[raw[i] & 15]; }
  out[32] = '\\0';
  return 0;
}`),
  },
  {
    rule: 'c.constant-iv',
    vulnerable: MAIN(`#include <openssl/rand.h>
struct sealed { unsigned char iv[16]; unsigned char *data; };
int seal_init(struct sealed *s) {
  memcpy(s->iv, "0123456789abcdef", 16);
  return 0;
}`),
    fixed: MAIN(`#include <openssl/rand.h>
struct sealed { unsigned char iv[16]; unsigned char *data; };
int seal_init(struct sealed *s) {
  memset(s->iv, 0, sizeof s->iv);
  return RAND_bytes(s->iv, sizeof s->iv) == 1 ? 0 : -1;
}`),
  },
  {
    rule: 'c.constant-salt',
    vulnerable: MAIN(`#include <openssl/evp.h>
int hash_password(const char *pw, unsigned char out[32]) {
  unsigned char salt[16];
  memset(salt, 0, sizeof salt);
  return PKCS5_PBKDF2_HMAC(pw, (int)strlen(pw), salt, sizeof salt, 100000, EVP_sha256(), 32, out);
}`),
    fixed: MAIN(`#include <openssl/evp.h>
#include <openssl/rand.h>
int hash_password(const char *pw, unsigned char salt[16], unsigned char out[32]) {
  if (RAND_bytes(salt, 16) != 1) return 0;
  return PKCS5_PBKDF2_HMAC(pw, (int)strlen(pw), salt, 16, 100000, EVP_sha256(), 32, out);
}`),
  },
  {
    rule: 'c.permissive-permissions',
    vulnerable: MAIN(`#include <fcntl.h>
#include <sys/stat.h>
int save_private_key(const char *path, const char *pem) {
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, S_IRUSR | S_IWUSR | S_IRGRP | S_IROTH);
  if (fd < 0) return -1;
  ssize_t w = write(fd, pem, strlen(pem));
  close(fd);
  return w < 0 ? -1 : 0;
}`),
    fixed: MAIN(`#include <fcntl.h>
#include <sys/stat.h>
int save_private_key(const char *path, const char *pem) {
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, S_IRUSR | S_IWUSR);
  if (fd < 0) return -1;
  ssize_t w = write(fd, pem, strlen(pem));
  close(fd);
  return w < 0 ? -1 : 0;
}`),
  },
  {
    rule: 'c.permissive-permissions',
    vulnerable: MAIN(`#include <fcntl.h>
#include <sys/stat.h>
int make_log(const char *path) {
  return open(path, O_WRONLY | O_CREAT | O_APPEND, S_IRUSR | S_IWUSR | S_IWOTH);
}`),
    fixed: MAIN(`#include <fcntl.h>
#include <sys/stat.h>
int make_log(const char *path) {
  return open(path, O_WRONLY | O_CREAT | O_APPEND, S_IRUSR | S_IWUSR | S_IRGRP | S_IROTH);
}`),
  },
  {
    rule: 'c.use-after-free',
    vulnerable: MAIN(`struct user { char *name; };
void rename_user(struct user *u, const char *s) {
  char *copy = strdup(s);
  if (!copy) return;
  u->name = copy;
  free(copy);
  printf("renamed to %s\\n", u->name);
}`),
    fixed: MAIN(`struct user { char *name; };
void rename_user(struct user *u, const char *s) {
  char *copy = strdup(s);
  if (!copy) return;
  free(u->name);
  u->name = copy;
  printf("renamed to %s\\n", u->name);
}`),
  },
  {
    rule: 'c.use-after-free',
    vulnerable: MAIN(`void fill(size_t len) {
  char *buf = malloc(len + 1);
  if (!buf) return;
  char *cur = buf;
  free(buf);
  cur[0] = 0;
}`),
    fixed: MAIN(`void fill(size_t len) {
  char *buf = malloc(len + 1);
  if (!buf) return;
  char *cur = buf;
  cur[0] = 0;
  free(buf);
}`),
  },
  {
    rule: 'c.use-after-free',
    vulnerable: MAIN(`struct conn { char *line; };
void drop_line(struct conn *c) {
  char *p = c->line;
  free(p);
  c->line[0] = 0;
}`),
    fixed: MAIN(`struct conn { char *line; };
void drop_line(struct conn *c) {
  char *p = c->line;
  free(p);
  c->line = NULL;
}`),
  },
  {
    rule: 'c.narrow-product',
    vulnerable: MAIN(`#include <stdint.h>
struct ring { unsigned char *data; uint32_t elem_size; };
int ring_pop(struct ring *r, void *out, uint32_t count) {
  memcpy(out, r->data, count * r->elem_size);
  return 0;
}`),
    fixed: MAIN(`#include <stdint.h>
struct ring { unsigned char *data; uint32_t elem_size; };
int ring_pop(struct ring *r, void *out, uint32_t count) {
  memcpy(out, r->data, (size_t)count * r->elem_size);
  return 0;
}`),
  },
  {
    rule: 'c.narrow-product',
    vulnerable: MAIN(`unsigned char *image(FILE *f) {
  int w, h;
  if (fscanf(f, "%d %d", &w, &h) != 2 || w <= 0 || h <= 0 || w > 30000 || h > 30000) return NULL;
  unsigned char *px = malloc((size_t)(w * h * 4));
  if (!px) return NULL;
  fread(px, 1, (size_t)w * h * 4, f);
  return px;
}`),
    fixed: MAIN(`unsigned char *image(FILE *f) {
  int w, h;
  if (fscanf(f, "%d %d", &w, &h) != 2 || w <= 0 || h <= 0 || w > 8192 || h > 8192) return NULL;
  unsigned char *px = malloc((size_t)(w * h * 4));
  if (!px) return NULL;
  fread(px, 1, (size_t)w * h * 4, f);
  return px;
}`),
  },
  {
    rule: 'c.narrow-product',
    vulnerable: MAIN(`long long frames(int blocks, int per_block) {
  long long total = blocks * per_block;
  return total;
}`),
    fixed: MAIN(`long long frames(int blocks, int per_block) {
  long long total = (long long)blocks * per_block;
  return total;
}`),
  },
];

describe('C rules for the mistakes models make: vulnerable programs and their fixes', () => {
  for (const [i, p] of PAIRS.entries()) {
    it(`${p.rule} (#${i + 1}): fires on the vulnerable version, not on the fix`, () => {
      expect(rules(p.vulnerable)).toContain(p.rule);
      expect(rules(p.fixed)).not.toContain(p.rule);
    });
  }
});

describe('C loop writes: what bounds a counter and what does not', () => {
  const loop = (guard: string) =>
    MAIN(`int read_line(int fd, char *buf, int size) {
  int i = 0;
  char c;
  while (read(fd, &c, 1) == 1) {
    ${guard}
    buf[i++] = c;
  }
  return i;
}`);

  it('a comparison of the counter with itself bounds nothing', () => {
    expect(rules(loop('if (i > i) break;'))).toContain('c.loop-overflow');
  });

  it('a comparison of an element the counter indexes is no bound on the counter', () => {
    expect(rules(loop("if (buf[i] == '\\n') break;"))).toContain('c.loop-overflow');
  });

  it('a capacity check in the loop is', () => {
    expect(rules(loop('if (i + 1 >= size) break;'))).not.toContain('c.loop-overflow');
  });

  it('a counted loop and a buffer the loop grows are not flagged', () => {
    const counted = MAIN(`void rev(char *r, const char *s, size_t n) { for (size_t i = 0; i < n; i++) r[i] = s[n - 1 - i]; }`);
    const grown = MAIN(`char *read_all(FILE *f) {
  size_t len = 0, cap = 16;
  char *buf = malloc(cap);
  int c;
  if (!buf) return NULL;
  while ((c = fgetc(f)) != EOF) {
    if (len + 1 == cap) {
      char *p = realloc(buf, cap * 2);
      if (!p) { free(buf); return NULL; }
      buf = p;
      cap *= 2;
    }
    buf[len++] = (char)c;
  }
  buf[len] = '\\0';
  return buf;
}`);
    expect(rules(counted)).not.toContain('c.loop-overflow');
    expect(rules(grown)).toEqual([]);
  });
});

describe('C rules for model mistakes stay quiet on the ordinary idioms', () => {
  it('a variable set through its address or on every branch, a float division, rand() for a game', () => {
    const code = MAIN(`int main(void) {
  int n;
  if (scanf("%d", &n) != 1) return 1;
  int sign;
  if (n < 0) sign = -1; else sign = 1;
  double d;
  if (scanf("%lf", &d) != 1) return 1;
  double q = 1.0 / d;
  int dice = rand() % 6 + 1;
  printf("%d %d %f %d\\n", n, sign, q, dice);
  return 0;
}`);
    expect(rules(code).filter((r) => r !== 'c.insecure-random')).toEqual([]);
  });
});

describe('c.unbounded-copy on a source of unknown length', () => {
  const prog = (check: string) =>
    MAIN(`const char *get_name(void);
void show(void) {
  char buf[16];
  const char *s = get_name();
  ${check}
  strcpy(buf, s);
  puts(buf);
}`);

  it('fires for a fixed buffer and a string nothing measures, even when no input is in view', () => {
    expect(rules(prog(''))).toContain('c.unbounded-copy');
    expect(rules(prog('if (strlen(s) > sizeof buf) {}'))).toContain('c.unbounded-copy');
  });

  it('is quiet once the length is checked against the buffer', () => {
    expect(rules(prog('if (strlen(s) >= sizeof buf) return;'))).not.toContain('c.unbounded-copy');
  });
});

describe('c.insecure-random-secret reads the context by word', () => {
  it('a key or token is a secret; a keyboard, a monkey or an author is not', () => {
    const of = (fn: string) => rules(MAIN(`int ${fn}(void) { return rand() % 100; }`));
    expect(of('gen_key')).toContain('c.insecure-random-secret');
    expect(of('new_session_id')).toContain('c.insecure-random-secret');
    for (const name of ['keyboard_jitter', 'monkey_move', 'author_pick']) {
      expect(of(name)).toContain('c.insecure-random');
      expect(of(name)).not.toContain('c.insecure-random-secret');
    }
  });
});
