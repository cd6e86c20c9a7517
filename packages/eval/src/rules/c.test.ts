import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Language } from '@srcode/dataset';
import { describe, expect, it } from 'vitest';
import { DATA, expectedFromMarks, readPairs, rulesAt as rulesOf } from '../../test/rule-cases.js';
import { BuiltinAnalyzer } from '../builtin.js';
import { C_RULES } from './c.js';

const analyzer = new BuiltinAnalyzer();

function rulesAt(code: string, language: Language): string[] {
  return rulesOf(analyzer, code, language);
}

const C_SAMPLE = `#include <stdio.h>
#include <stdlib.h>
#include <string.h>
int handle(char *in, size_t n, FILE *f) {
  char buf[16];
  char line[64];
  strcpy(buf, in); // expect: c.unbounded-copy
  strcpy(buf, "constant");
  strcat(buf, in); // expect: c.unbounded-copy
  sprintf(line, "name=%s", in); // expect: c.sprintf
  sprintf(line, "%d", 42);
  printf(in); // expect: c.format-string
  printf("%s", in);
  fprintf(f, in); // expect: c.format-string
  gets(line); // expect: c.gets
  scanf("%s", buf); // expect: c.scanf-unbounded
  scanf("%15s", buf);
  system(in); // expect: c.command-injection
  system("ls -l");
  char *grown = malloc(n * sizeof(int)); // expect: c.alloc-overflow
  char *fixed = malloc(4 * sizeof(int));
  if (!grown || !fixed) return -1;
  char *p = malloc(32);
  p[0] = 'x'; // expect: c.unchecked-alloc
  char *q = malloc(32);
  if (q == NULL) return -1;
  q[0] = 'y';
  free(q);
  q[1] = 'z'; // expect: c.use-after-free
  char *sized = malloc(n);
  sized[0] = 0; // expect: c.unchecked-alloc-input-size
  memcpy(buf, in, n); // expect: c.stack-buffer-overflow
  size_t m = strlen(in);
  if (m < sizeof line) memcpy(line, in, m);
  MD5((unsigned char *)in, n, (unsigned char *)buf); // expect: c.weak-hash
  EVP_des_ede3_cbc(); // expect: c.weak-cipher
  int r = rand(); // expect: c.insecure-random
  tmpnam(buf); // expect: c.insecure-tempfile
  const char *password = "hunter22"; // expect: c.hardcoded-credential
  chmod("/tmp/shared", 0777); // expect: c.permissive-permissions
  chmod("/tmp/private", 0600);
  int opts = XML_PARSE_NOENT; // expect: c.xxe
  SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL); // expect: c.tls-no-verify
  snprintf(line, sizeof line, "SELECT * FROM users WHERE name = '%s'", in); // expect: c.sql-format
  execl("/bin/sh", "sh", "-c", in, (char *)NULL); // expect: c.exec-shell
  const char *pem = "-----BEGIN RSA PRIVATE KEY-----\\nMIIC..."; // expect: c.embedded-secret
  char *heap = malloc(64);
  if (!heap) return -1;
  memcpy(heap, in, n); // expect: c.unchecked-length-copy
  FILE *cfg = fopen(in, "r");
  fgets(line, sizeof line, cfg); // expect: c.null-dereference
  char *d = malloc(8);
  free(d);
  free(d); // expect: c.double-free
  int idx = atoi(in);
  line[idx] = 0; // expect: c.oob-write
  r += line[idx + 1]; // expect: c.oob-read
  if (idx < (int)sizeof line) line[idx] = 1; // expect: c.index-without-minimum
  for (int i = 0; i <= 64; i++) line[i] = 0; // expect: c.off-by-one
  for (int i = 0; i < 64; i++) line[i] = 0;
  if (access(in, R_OK) == 0) {
    FILE *g = fopen(in, "r"); // expect: c.toctou
    if (g) fclose(g);
  }
  char word[8];
  size_t w = 0;
  while (fgets(line, sizeof line, f)) word[w++] = line[0]; // expect: c.loop-stack-overflow
  size_t k = 0;
  while (fgetc(f) != EOF) in[k++] = 'x'; // expect: c.loop-overflow
  int parts;
  if (scanf("%d", &parts) == 1) r = 100 / parts; // expect: c.divide-by-input
  strncpy(line, in, sizeof line); // expect: c.strncpy-unterminated
  heap = realloc(heap, 128); // expect: c.realloc-leak
  int slen;
  if (scanf("%d", &slen) == 1 && slen <= 64) memcpy(line, in, slen); // expect: c.signed-length
  return r + opts + word[0];
}
char *label(void) {
  char local[16] = "x";
  return local; // expect: c.return-stack-address
}
int tally(void) {
  int total;
  total += 1; // expect: c.uninitialized-variable
  return total;
}
unsigned session_token(void) {
  return (unsigned)rand(); // expect: c.insecure-random-secret
}
int opcode(const unsigned char *code, size_t len) {
  return code[0] | code[1] << 8; // expect: c.read-past-length
}
long long area(int w, int h) {
  long long a = w * h; // expect: c.narrow-product
  return a;
}
void seal(unsigned char *key, unsigned char *salt) {
  unsigned char iv[16];
  memcpy(iv, "0000000000000000", 16); // expect: c.constant-iv
  memset(salt, 0, 16); // expect: c.constant-salt
  use_key(key, iv);
}
#define memset(p, c, n) ((void)(p)) // expect: c.libc-redefined
void chomp(char *s) {
  if (s[strlen(s) - 1] == '\\n') // expect: c.last-char-of-empty-read
    s[strlen(s) - 1] = 0; // expect: c.last-char-of-empty-write
}
int fetch(FILE *f) {
  char got_buf[32];
  ssize_t got = read(0, got_buf, sizeof got_buf);
  if (got < 0) return -1;
  got_buf[got] = 0; // expect: c.read-terminator
  int n;
  if (fscanf(f, "%d", &n) != 1) return -1;
  char tmp[n]; // expect: c.vla-input-size
  memset(tmp, 0, sizeof tmp);
  char slot[8] = {0};
  int k = atoi(got_buf);
  if (k >= 0 && k < 8) slot[k] = 1;
  return tmp[0] + slot[0];
}
char *grow_buf(char *old, size_t cap) {
  char *nb = realloc(old, cap);
  if (!nb) return NULL;
  old[0] = 0; // expect: c.use-after-realloc
  return nb;
}
FILE *old_key(void) {
  return popen("openssl genrsa 1024", "r"); // expect: c.weak-key-size
}
`;

describe('C rules', () => {
  it('flags every dangerous C call and skips the constant or checked ones', () => {
    expect(rulesAt(C_SAMPLE, 'c')).toEqual(expectedFromMarks(C_SAMPLE));
  });

  it('covers every registered C rule in the sample', () => {
    const hit = new Set(expectedFromMarks(C_SAMPLE).map((s) => s.split(':')[1]));
    expect(C_RULES.map((r) => r.id).filter((id) => !hit.has(id))).toEqual([]);
  });

  it('does not flag a free followed by reassignment, or a use on a path that returned', () => {
    const code = `void f(char *p, int e) {
  if (e) { free(p); return; }
  p[0] = 1;
  free(p);
  p = NULL;
}`;
    expect(rulesAt(code, 'c')).toEqual([]);
  });

  it('matches the golden output for the C sample', async () => {
    const out = analyzer.analyzeSync(C_SAMPLE, 'c').map((f) => ({ ...f, text: C_SAMPLE.slice(f.range.start, f.range.end) }));
    await expect(`${JSON.stringify(out, null, 2)}\n`).toMatchFileSnapshot('../../test/fixtures/builtin-c.golden.json');
  });
});

describe.skipIf(!existsSync(DATA))('C rules on real fixes (needs ../shared/data)', () => {
  it('finds a NULL dereference that a SVEN CWE-476 fix removes', () => {
    const pairs = [...readPairs(join(DATA, 'sven/train/cwe-476.jsonl')), ...readPairs(join(DATA, 'sven/val/cwe-476.jsonl'))];
    const removed = pairs.filter((p) => {
      const before = analyzer.analyzeSync(p.before, 'c').filter((f) => f.cwe === 'CWE-476').length;
      const after = analyzer.analyzeSync(p.after, 'c').filter((f) => f.cwe === 'CWE-476').length;
      return before > after;
    });
    expect(removed.length).toBeGreaterThan(0);
  });
});
