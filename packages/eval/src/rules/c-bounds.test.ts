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
#include <stdint.h>
${body}`;

/** A vulnerable program and its fix: the rule fires on the first and not on the second. */
const PAIRS: { name: string; rule: string; vulnerable: string; fixed: string }[] = [
  {
    name: 'a copy length checked against a bound larger than the stack buffer',
    rule: 'c.stack-buffer-overflow',
    vulnerable: MAIN(`int main(int argc, char **argv) {
  char buf[64];
  size_t n = strtoul(argv[2], 0, 10);
  if (n > 1024) return 1;
  memcpy(buf, argv[1], n);
  return buf[0];
}`),
    fixed: MAIN(`int main(int argc, char **argv) {
  char buf[64];
  size_t n = strtoul(argv[2], 0, 10);
  if (n > sizeof buf) return 1;
  memcpy(buf, argv[1], n);
  return buf[0];
}`),
  },
  {
    name: 'a copy length checked only against SIZE_MAX',
    rule: 'c.stack-buffer-overflow',
    vulnerable: MAIN(`int main(int argc, char **argv) {
  char buf[64];
  size_t n = strtoul(argv[2], 0, 10);
  if (n > SIZE_MAX) return 1;
  memcpy(buf, argv[1], n);
  return buf[0];
}`),
    fixed: MAIN(`int main(int argc, char **argv) {
  char buf[64];
  size_t n = strtoul(argv[2], 0, 10);
  if (n >= 64) return 1;
  memcpy(buf, argv[1], n);
  return buf[0];
}`),
  },
  {
    name: 'a length into a global buffer, checked against a larger bound',
    rule: 'c.unchecked-length-copy',
    vulnerable: MAIN(`static char packet[128];
void store(const char *src, size_t len) {
  if (len > 4096) return;
  memcpy(packet, src, len);
}`),
    fixed: MAIN(`static char packet[128];
void store(const char *src, size_t len) {
  if (len > 128) return;
  memcpy(packet, src, len);
}`),
  },
  {
    name: 'an index checked with > where >= was needed (one past the end)',
    rule: 'c.oob-read',
    vulnerable: MAIN(`static const int table[16] = {0};
int lookup(int i) {
  if (i < 0 || i > 16) return -1;
  return table[i];
}`),
    fixed: MAIN(`static const int table[16] = {0};
int lookup(int i) {
  if (i < 0 || i >= 16) return -1;
  return table[i];
}`),
  },
  {
    name: 'an index in the branch where a bound past the array holds',
    rule: 'c.oob-write',
    vulnerable: MAIN(`int main(int argc, char **argv) {
  int counts[10] = {0};
  int i = atoi(argv[1]);
  if (i >= 0 && i <= 10) counts[i] = 1;
  return counts[0];
}`),
    fixed: MAIN(`int main(int argc, char **argv) {
  int counts[10] = {0};
  int i = atoi(argv[1]);
  if (i >= 0 && i < 10) counts[i] = 1;
  return counts[0];
}`),
  },
  {
    name: 'sprintf of a string of unknown length into an array of a fixed size',
    rule: 'c.sprintf',
    vulnerable: MAIN(`struct entry { const char *name; };
void label(const struct entry *e) {
  char text[32];
  sprintf(text, "entry: %s", e->name);
  puts(text);
}`),
    fixed: MAIN(`struct entry { const char *name; };
void label(const struct entry *e) {
  char text[32];
  snprintf(text, sizeof text, "entry: %s", e->name);
  puts(text);
}`),
  },
  {
    name: 'strcpy of a string of unknown length into an array sized by a macro',
    rule: 'c.unbounded-copy',
    vulnerable: MAIN(`#define CODE_SIZE 24
struct node { const char *code; };
void describe(const struct node *n) {
  char code[CODE_SIZE];
  strcpy(code, n->code);
  puts(code);
}`),
    fixed: MAIN(`#define CODE_SIZE 24
struct node { const char *code; };
void describe(const struct node *n) {
  char code[CODE_SIZE];
  snprintf(code, sizeof code, "%s", n->code);
  puts(code);
}`),
  },
  {
    name: 'an allocation of a size input sets, used without a NULL check',
    rule: 'c.unchecked-alloc-input-size',
    vulnerable: MAIN(`char *copy_field(const char *src, size_t len) {
  char *out = malloc(len);
  out[0] = 0;
  strncat(out, src, len - 1);
  return out;
}`),
    fixed: MAIN(`char *copy_field(const char *src, size_t len) {
  char *out = malloc(len);
  if (out == NULL) return NULL;
  out[0] = 0;
  strncat(out, src, len - 1);
  return out;
}`),
  },
  {
    name: 'a byte read at a fixed offset of a buffer whose passed length is never compared',
    rule: 'c.read-past-length',
    vulnerable: MAIN(`int decode_op(const unsigned char *buf, int len) {
  if (!buf) return -1;
  return buf[0] | (buf[1] << 8);
}`),
    fixed: MAIN(`int decode_op(const unsigned char *buf, int len) {
  if (!buf || len < 2) return -1;
  return buf[0] | (buf[1] << 8);
}`),
  },
  {
    name: 'a length field of a header read straight out of the bytes the caller passed',
    rule: 'c.stack-buffer-overflow',
    vulnerable: MAIN(`struct header { uint16_t type; uint16_t len; };
int parse(const uint8_t *packet, size_t size) {
  char body[64];
  if (size < sizeof(struct header)) return -1;
  const struct header *h = (const struct header *)packet;
  memcpy(body, packet + sizeof *h, h->len);
  return body[0];
}`),
    fixed: MAIN(`struct header { uint16_t type; uint16_t len; };
int parse(const uint8_t *packet, size_t size) {
  char body[64];
  if (size < sizeof(struct header)) return -1;
  const struct header *h = (const struct header *)packet;
  if (h->len > sizeof body || h->len > size - sizeof *h) return -1;
  memcpy(body, packet + sizeof *h, h->len);
  return body[0];
}`),
  },
  {
    name: 'a scanf width equal to the buffer size, leaving no room for the terminator',
    rule: 'c.scanf-unbounded',
    vulnerable: MAIN(`int read_unit(FILE *f, double *v) {
  char unit[10];
  if (fscanf(f, "%lf%10s", v, unit) != 2) return -1;
  return strcmp(unit, "GHz") == 0;
}`),
    fixed: MAIN(`int read_unit(FILE *f, double *v) {
  char unit[11];
  if (fscanf(f, "%lf%10s", v, unit) != 2) return -1;
  return strcmp(unit, "GHz") == 0;
}`),
  },
  {
    name: 'a field indexed at its own sizeof, one past its end',
    rule: 'c.off-by-one',
    vulnerable: MAIN(`struct bookmark { char name[32]; int page; };
void set_name(struct bookmark *b, const char *name) {
  strncpy(b->name, name, sizeof(b->name));
  b->name[sizeof(b->name)] = '\\0';
}`),
    fixed: MAIN(`struct bookmark { char name[32]; int page; };
void set_name(struct bookmark *b, const char *name) {
  strncpy(b->name, name, sizeof(b->name));
  b->name[sizeof(b->name) - 1] = '\\0';
}`),
  },
  {
    name: 'a length field of a struct the caller passes, compared with nothing, into a stack buffer',
    rule: 'c.stack-buffer-overflow',
    vulnerable: MAIN(`struct packet { const char *data; size_t len; };
int handle(const struct packet *p) {
  char body[64];
  memcpy(body, p->data, p->len);
  return body[0];
}`),
    fixed: MAIN(`struct packet { const char *data; size_t len; };
int handle(const struct packet *p) {
  char body[64];
  if (p->len > sizeof body) return -1;
  memcpy(body, p->data, p->len);
  return body[0];
}`),
  },
  {
    name: 'the last character of a line cut without a test that the line is not empty',
    rule: 'c.last-char-of-empty-write',
    vulnerable: MAIN(`int main(void) {
  char line[128];
  while (fgets(line, sizeof line, stdin)) {
    line[strlen(line) - 1] = '\\0';
    puts(line);
  }
  return 0;
}`),
    fixed: MAIN(`int main(void) {
  char line[128];
  while (fgets(line, sizeof line, stdin)) {
    size_t n = strlen(line);
    if (n > 0 && line[n - 1] == '\\n') line[n - 1] = '\\0';
    puts(line);
  }
  return 0;
}`),
  },
  {
    name: 'crypt() used on the spot, though it returns NULL for a salt it rejects',
    rule: 'c.null-dereference',
    vulnerable: MAIN(`#include <crypt.h>
int check_password(const char *password, const char *stored) {
  return strcmp(stored, crypt(password, stored)) == 0;
}`),
    fixed: MAIN(`#include <crypt.h>
int check_password(const char *password, const char *stored) {
  const char *hashed = crypt(password, stored);
  if (hashed == NULL) return 0;
  return strcmp(stored, hashed) == 0;
}`),
  },
  {
    name: 'getenv() read through on the spot',
    rule: 'c.null-dereference',
    vulnerable: MAIN(`size_t home_length(void) {
  return strlen(getenv("HOME"));
}`),
    fixed: MAIN(`size_t home_length(void) {
  const char *home = getenv("HOME");
  return home ? strlen(home) : 0;
}`),
  },
];

describe('C rules: bounds that do not bound, and sizes input sets', () => {
  it.each(PAIRS.map((p) => [p.name, p] as const))('%s', (_, p) => {
    expect(rules(p.vulnerable)).toContain(p.rule);
    expect(rules(p.fixed)).not.toContain(p.rule);
  });

  it('a constant string formatted or copied into a fixed array stays unflagged', () => {
    const code = MAIN(`#define GREETING "hello"
void greet(void) {
  char text[32];
  sprintf(text, "%s, world", GREETING);
  strcpy(text, GREETING);
  puts(text);
}`);
    expect(rules(code)).not.toContain('c.sprintf');
    expect(rules(code)).not.toContain('c.unbounded-copy');
  });

  it('a buffer parameter without a length beside it, or read at offset 0, is left alone', () => {
    expect(rules(MAIN('int first(const unsigned char *buf) { return buf[1]; }'))).not.toContain('c.read-past-length');
    expect(rules(MAIN('int first(const unsigned char *buf, size_t len) { return buf[0]; }'))).not.toContain('c.read-past-length');
    expect(rules(MAIN('int second(const unsigned char *buf, size_t len) { if (len > 1) return buf[1]; return -1; }'))).not.toContain(
      'c.read-past-length',
    );
  });

  it('a struct the caller passes keeps its fields as the library state, not input', () => {
    const code = MAIN(`struct ring { size_t len; char *data; };
int head(struct ring *r, void *opaque, char *out) {
  struct ring *other = (struct ring *)opaque;
  memcpy(out, r->data, r->len);
  memcpy(out, other->data, other->len);
  return out[0];
}`);
    expect(rules(code)).not.toContain('c.unchecked-length-copy');
  });

  it('a loose check does not hide a tight one made on every way since', () => {
    const code = MAIN(`int main(int argc, char **argv) {
  char buf[64];
  size_t n = strtoul(argv[2], 0, 10);
  if (n > 1024) return 1;
  if (argc > 3) {
    if (n > 64) return 1;
  } else {
    if (n > 32) return 2;
  }
  memcpy(buf, argv[1], n);
  return buf[0];
}`);
    expect(rules(code)).not.toContain('c.stack-buffer-overflow');
  });

  it('a field length the function sets itself is not the caller’s', () => {
    const code = MAIN(`struct packet { const char *data; size_t len; };
int handle(struct packet *p) {
  char body[64];
  p->len = 16;
  memcpy(body, p->data, p->len);
  return body[0];
}`);
    expect(rules(code)).not.toContain('c.stack-buffer-overflow');
  });

  it('the last character read of a string that can be empty is a low finding, cleared by a test of its first byte', () => {
    const read = analyzer.analyzeSync(MAIN('int dotted(const char *s) { return s[strlen(s) - 1] == 46; }'), 'c');
    expect(read.find((f) => f.ruleId === 'c.last-char-of-empty-read')?.severity).toBe('low');
    expect(rules(MAIN('int dotted(const char *s) { if (*s == 0) return 0; return s[strlen(s) - 1] == 46; }'))).not.toContain(
      'c.last-char-of-empty-read',
    );
  });

  it('a pointer indexed at its own sizeof is its width, not past an array', () => {
    expect(rules(MAIN('void clear(char *p) { p[sizeof p] = 0; }'))).not.toContain('c.off-by-one');
  });

  it('a constant size allocated unchecked stays a low finding, not the input-size one', () => {
    const code = MAIN(`int *make(void) {
  int *a = malloc(16 * sizeof *a);
  a[0] = 1;
  return a;
}`);
    const found = analyzer.analyzeSync(code, 'c');
    expect(found.map((f) => f.ruleId)).toContain('c.unchecked-alloc');
    expect(found.map((f) => f.ruleId)).not.toContain('c.unchecked-alloc-input-size');
    expect(found.find((f) => f.ruleId === 'c.unchecked-alloc')?.severity).toBe('low');
  });
});
