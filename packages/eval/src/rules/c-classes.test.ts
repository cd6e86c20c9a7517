import { describe, expect, it } from 'vitest';
import { BuiltinAnalyzer } from '../builtin.js';

const analyzer = new BuiltinAnalyzer();

/** The rule ids the analyser reports at medium or high on a program. */
function rules(code: string): string[] {
  return analyzer
    .analyzeSync(code, 'c')
    .filter((f) => f.severity === 'medium' || f.severity === 'high')
    .map((f) => f.ruleId);
}

const MAIN = (body: string) => `#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <fcntl.h>
#include <sys/stat.h>
${body}`;

interface Pair {
  name: string;
  rule: string;
  vulnerable: string;
  fixed: string;
}

const PAIRS: Pair[] = [
  {
    name: 'read() filling the buffer, then its count as the terminator index',
    rule: 'c.read-terminator',
    vulnerable: MAIN(`int main(void) {
  char buf[64];
  ssize_t n = read(0, buf, sizeof buf);
  if (n < 0) return 1;
  buf[n] = '\\0';
  puts(buf);
  return 0;
}`),
    fixed: MAIN(`int main(void) {
  char buf[64];
  ssize_t n = read(0, buf, sizeof buf - 1);
  if (n < 0) return 1;
  buf[n] = '\\0';
  puts(buf);
  return 0;
}`),
  },
  {
    name: 'fread() of the whole buffer',
    rule: 'c.read-terminator',
    vulnerable: MAIN(`#define CAP 128
int main(void) {
  char buf[CAP];
  size_t got = fread(buf, 1, CAP, stdin);
  buf[got] = 0;
  fputs(buf, stdout);
  return 0;
}`),
    fixed: MAIN(`#define CAP 128
int main(void) {
  char buf[CAP];
  size_t got = fread(buf, 1, CAP, stdin);
  if (got == CAP) got--;
  buf[got] = 0;
  fputs(buf, stdout);
  return 0;
}`),
  },
  {
    name: 'readlink() into the whole buffer',
    rule: 'c.read-terminator',
    vulnerable: MAIN(`void show(const char *link) {
  char target[256];
  ssize_t len = readlink(link, target, sizeof(target));
  if (len == -1) return;
  target[len] = '\\0';
  puts(target);
}`),
    fixed: MAIN(`void show(const char *link) {
  char target[256];
  ssize_t len = readlink(link, target, sizeof(target));
  if (len == -1 || len >= (ssize_t)sizeof(target)) return;
  target[len] = '\\0';
  puts(target);
}`),
  },
  {
    name: 'strncat bounded by the whole destination',
    rule: 'c.stack-buffer-overflow',
    vulnerable: MAIN(`int main(int argc, char **argv) {
  char line[32] = "user:";
  if (argc < 2) return 1;
  strncat(line, argv[1], sizeof line);
  puts(line);
  return 0;
}`),
    fixed: MAIN(`int main(int argc, char **argv) {
  char line[32] = "user:";
  if (argc < 2) return 1;
  strncat(line, argv[1], sizeof line - strlen(line) - 1);
  puts(line);
  return 0;
}`),
  },
  {
    name: 'lstat() deciding on a link, then fopen() of the same path',
    rule: 'c.toctou',
    vulnerable: MAIN(`int save(const char *path, const char *data) {
  struct stat st;
  if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode)) return -1;
  FILE *f = fopen(path, "w");
  if (!f) return -1;
  fputs(data, f);
  return fclose(f);
}`),
    fixed: MAIN(`int save(const char *path, const char *data) {
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW, 0600);
  if (fd < 0) return -1;
  FILE *f = fdopen(fd, "w");
  if (!f) { close(fd); return -1; }
  fputs(data, f);
  return fclose(f);
}`),
  },
  {
    name: 'a signed index from input checked against the upper bound only',
    rule: 'c.index-without-minimum',
    vulnerable: MAIN(`int counts[10];
int main(int argc, char **argv) {
  if (argc < 2) return 1;
  int bucket = atoi(argv[1]);
  if (bucket >= 10) return 1;
  counts[bucket]++;
  printf("%d\\n", counts[bucket]);
  return 0;
}`),
    fixed: MAIN(`int counts[10];
int main(int argc, char **argv) {
  if (argc < 2) return 1;
  int bucket = atoi(argv[1]);
  if (bucket < 0 || bucket >= 10) return 1;
  counts[bucket]++;
  printf("%d\\n", counts[bucket]);
  return 0;
}`),
  },
  {
    name: 'scanf %d into an int, upper bound only',
    rule: 'c.index-without-minimum',
    vulnerable: MAIN(`static const char *names[4] = {"a", "b", "c", "d"};
int main(void) {
  int i;
  if (scanf("%d", &i) != 1) return 1;
  if (i > 3) return 1;
  puts(names[i]);
  return 0;
}`),
    fixed: MAIN(`static const char *names[4] = {"a", "b", "c", "d"};
int main(void) {
  int i;
  if (scanf("%d", &i) != 1) return 1;
  if ((unsigned)i > 3) return 1;
  puts(names[i]);
  return 0;
}`),
  },
  {
    name: 'malloc of a length taken with strlen, without room for the terminator',
    rule: 'c.off-by-one',
    vulnerable: MAIN(`char *copy_arg(const char *arg) {
  size_t n = strlen(arg);
  char *p = malloc(n);
  if (!p) return NULL;
  strcpy(p, arg);
  return p;
}`),
    fixed: MAIN(`char *copy_arg(const char *arg) {
  size_t n = strlen(arg);
  n++;
  char *p = malloc(n);
  if (!p) return NULL;
  strcpy(p, arg);
  return p;
}`),
  },
  {
    name: 'a variable-length array sized by input',
    rule: 'c.vla-input-size',
    vulnerable: MAIN(`int main(void) {
  int n;
  if (scanf("%d", &n) != 1) return 1;
  int squares[n];
  for (int i = 0; i < n; i++) squares[i] = i * i;
  printf("%d\\n", squares[n - 1]);
  return 0;
}`),
    fixed: MAIN(`int main(void) {
  int n;
  if (scanf("%d", &n) != 1) return 1;
  if (n <= 0 || n > 1024) return 1;
  int squares[n];
  for (int i = 0; i < n; i++) squares[i] = i * i;
  printf("%d\\n", squares[n - 1]);
  return 0;
}`),
  },
  {
    name: 'the old pointer used after a successful realloc',
    rule: 'c.use-after-realloc',
    vulnerable: MAIN(`char *append(char *buf, size_t len, const char *s) {
  size_t n = strlen(s);
  char *nb = realloc(buf, len + n + 1);
  if (!nb) return NULL;
  memcpy(buf + len, s, n + 1);
  return nb;
}`),
    fixed: MAIN(`char *append(char *buf, size_t len, const char *s) {
  size_t n = strlen(s);
  char *nb = realloc(buf, len + n + 1);
  if (!nb) {
    free(buf);
    return NULL;
  }
  buf = nb;
  memcpy(buf + len, s, n + 1);
  return buf;
}`),
  },
  {
    name: 'an RSA key of 1024 bits through the EVP API',
    rule: 'c.weak-key-size',
    vulnerable: MAIN(`#include <openssl/evp.h>
EVP_PKEY *make_key(void) {
  EVP_PKEY *key = NULL;
  EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_id(EVP_PKEY_RSA, NULL);
  if (!ctx || EVP_PKEY_keygen_init(ctx) <= 0) return NULL;
  EVP_PKEY_CTX_set_rsa_keygen_bits(ctx, 1024);
  EVP_PKEY_keygen(ctx, &key);
  EVP_PKEY_CTX_free(ctx);
  return key;
}`),
    fixed: MAIN(`#include <openssl/evp.h>
EVP_PKEY *make_key(void) {
  EVP_PKEY *key = NULL;
  EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_id(EVP_PKEY_RSA, NULL);
  if (!ctx || EVP_PKEY_keygen_init(ctx) <= 0) return NULL;
  EVP_PKEY_CTX_set_rsa_keygen_bits(ctx, 3072);
  EVP_PKEY_keygen(ctx, &key);
  EVP_PKEY_CTX_free(ctx);
  return key;
}`),
  },
  {
    name: 'DSA parameters of 1024 bits through the openssl command line',
    rule: 'c.weak-key-size',
    vulnerable: MAIN(`int make_params(const char *path) {
  char cmd[256];
  snprintf(cmd, sizeof cmd, "openssl dsaparam -out %s 1024", path);
  return system(cmd);
}`),
    fixed: MAIN(`int make_params(const char *path) {
  char cmd[256];
  snprintf(cmd, sizeof cmd, "openssl dsaparam -out %s 2048", path);
  return system(cmd);
}`),
  },
];

describe('C rules for bounds, reads and checks', () => {
  for (const p of PAIRS) {
    it(`${p.rule}: ${p.name}`, () => {
      expect(rules(p.vulnerable)).toContain(p.rule);
      expect(rules(p.fixed)).not.toContain(p.rule);
    });
  }

  it('a read that leaves room, in a loop, is clean', () => {
    const code = MAIN(`void pump(int fd) {
  char buf[512];
  ssize_t n;
  while ((n = read(fd, buf, sizeof buf - 1)) > 0) {
    buf[n] = 0;
    fputs(buf, stdout);
  }
}`);
    expect(rules(code)).not.toContain('c.read-terminator');
  });

  it('stat() read for the size, then the file opened to read it, is not a TOCTOU finding', () => {
    const code = MAIN(`char *slurp(const char *path) {
  struct stat st;
  if (stat(path, &st) != 0) return NULL;
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  char *buf = malloc((size_t)st.st_size + 1);
  if (!buf) { fclose(f); return NULL; }
  size_t n = fread(buf, 1, (size_t)st.st_size, f);
  buf[n] = 0;
  fclose(f);
  return buf;
}`);
    expect(rules(code)).not.toContain('c.toctou');
    expect(rules(code)).not.toContain('c.read-terminator');
  });

  it('a variable-length array sized by a parameter no caller in view sets is clean', () => {
    const code = MAIN(`double mean(const double *v, int n) {
  double tmp[n];
  double s = 0;
  for (int i = 0; i < n; i++) { tmp[i] = v[i]; s += tmp[i]; }
  return n ? s / n : 0;
}`);
    expect(rules(code)).not.toContain('c.vla-input-size');
  });

  it('an unsigned index from input is left to the bound rules', () => {
    const code = MAIN(`int counts[10];
int main(void) {
  unsigned i;
  if (scanf("%u", &i) != 1) return 1;
  if (i >= 10) return 1;
  counts[i]++;
  return 0;
}`);
    expect(rules(code)).not.toContain('c.index-without-minimum');
  });
});

describe('a block allocated from the lengths it will hold', () => {
  const CLEAN: [string, string][] = [
    [
      'strcpy then strcat into the sum of both lengths',
      `char *concat(const char *a, const char *b) {
  char *p = malloc(strlen(a) + strlen(b) + 1);
  if (!p) return NULL;
  strcpy(p, a);
  strcat(p, b);
  return p;
}`,
    ],
    [
      'the sum held in a name first',
      `char *concat(const char *a, const char *b) {
  size_t total = strlen(a) + strlen(b) + 1;
  char *p = malloc(total);
  if (!p) return NULL;
  strcpy(p, a);
  strcat(p, b);
  return p;
}`,
    ],
    [
      'sprintf with room for its literal text',
      `char *greet(const char *name) {
  char *p = malloc(strlen(name) + 7);
  if (!p) return NULL;
  sprintf(p, "hello %s", name);
  return p;
}`,
    ],
  ];
  const main = `
int main(int argc, char **argv) {
  if (argc < 3) return 1;
  char *s = concat(argv[1], argv[2]);
  if (s) puts(s);
  free(s);
  return 0;
}`;
  for (const [name, fn] of CLEAN) {
    it(`is clean: ${name}`, () => {
      const code = MAIN(fn + (fn.includes('concat') ? main : ''));
      expect(rules(code)).toEqual([]);
    });
  }

  it('still flags sprintf into a block one byte short of its literal text', () => {
    const code = MAIN(`char *greet(const char *name) {
  char *p = malloc(strlen(name) + 6);
  if (!p) return NULL;
  sprintf(p, "hello %s", name);
  return p;
}
int main(int argc, char **argv) {
  if (argc < 2) return 1;
  char *s = greet(argv[1]);
  if (s) puts(s);
  free(s);
  return 0;
}`);
    expect(rules(code)).toContain('c.sprintf');
  });

  it('still flags strcat of a string the allocation did not count', () => {
    const code = MAIN(`char *concat(const char *a, const char *b) {
  char *p = malloc(strlen(a) + 1);
  if (!p) return NULL;
  strcpy(p, a);
  strcat(p, b);
  return p;
}
int main(int argc, char **argv) {
  if (argc < 3) return 1;
  char *s = concat(argv[1], argv[2]);
  if (s) puts(s);
  free(s);
  return 0;
}`);
    expect(rules(code)).toContain('c.unbounded-copy');
  });
});

describe('a local pointer holding one string literal', () => {
  it('is a constant command and a constant format', () => {
    const code = MAIN(`int main(void) {
  const char *cmd = "ls -l /var/log";
  const char *banner = "listing:\\n";
  printf(banner);
  return system(cmd);
}`);
    expect(rules(code)).toEqual([]);
  });

  it('is not when input may replace it, or its address is handed out', () => {
    const replaced = MAIN(`int main(int argc, char **argv) {
  const char *cmd = "ls -l";
  if (argc > 1) cmd = argv[1];
  return system(cmd);
}`);
    expect(rules(replaced)).toContain('c.command-injection');
    const handed = MAIN(`void pick(const char **out);
int main(void) {
  const char *fmt = "%d\\n";
  pick(&fmt);
  printf(fmt);
  return 0;
}`);
    expect(rules(handed)).toContain('c.format-string');
  });
});
