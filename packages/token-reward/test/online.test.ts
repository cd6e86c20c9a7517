import { type Finding, type TokenRewardMap, validate } from '@srcode/dataset';
import { describe, expect, it } from 'vitest';
import { byteTokenizer, matchCompletion, type OnlineOptions, onlineRewardMap, profilePair, SpanCache } from '../src/index.js';
import { markedPair } from './helpers.js';

const cPair = markedPair(
  'c-copy',
  'c',
  `int copy(const char *src, size_t n) {
  char buf[16];
  {+if (n >= sizeof buf)
    return -1;
  +}[-strcpy(buf, src)-]{+strncpy(buf, src, sizeof buf)+};
  return process(buf);
}
`,
);

const pyPair = markedPair(
  'py-sql',
  'python',
  `def find(cursor, name):
    cursor.execute("SELECT id FROM users WHERE name = [-'%s'" % name-]{+%s", (name,)+})
    return cursor.fetchone()
`,
);

function score(completion: string, pair = cPair, findings: Finding[] = [], options: OnlineOptions = {}): TokenRewardMap {
  return onlineRewardMap({ pair, completion, encoding: byteTokenizer.encode(completion), findings, id: 'c1', tokenizer: 'bytes' }, options)
    .map;
}

/** The rewards of the tokens covering the first occurrence of `needle` (all must agree in sign). */
function rewardsOf(map: TokenRewardMap, needle: string): number[] {
  const text = map.text ?? '';
  const at = text.indexOf(needle);
  expect(at, `"${needle}" in the completion`).toBeGreaterThanOrEqual(0);
  return map.rewards.filter((_, i) => {
    const [s = 0, e = 0] = map.offsets[i] ?? [];
    return s < at + needle.length && e > at && /\S/.test(text.slice(s, e));
  });
}

describe('online matching', () => {
  it('profiles a pair into secure and vulnerable units', () => {
    const profile = profilePair(cPair);
    expect(profile.units.map((u) => `${u.span.polarity} ${u.span.nodeType}`).sort()).toEqual([
      'secure call_expression',
      'secure if_statement',
      'vulnerable call_expression',
    ]);
  });

  it('credits the fix written with other variable names', () => {
    const map = score(`int copy_name(const char *input, size_t len) {
  char dst[16];
  if (len >= sizeof dst)
    return -1;
  strncpy(dst, input, sizeof dst);
  return process(dst);
}
`);
    expect(validate('TokenRewardMap', map).ok).toBe(true);
    expect(rewardsOf(map, 'strncpy(dst, input, sizeof dst)').every((r) => r > 0)).toBe(true);
    expect(rewardsOf(map, 'if (len >= sizeof dst)').every((r) => r > 0)).toBe(true);
    expect(rewardsOf(map, 'return process(dst)').every((r) => r === 0)).toBe(true);
  });

  it('keeps penalising the vulnerable call under other names', () => {
    const map = score(`int copy2(const char *in) {
  char out[16];
  strcpy(out, in);
  return process(out);
}
`);
    expect(rewardsOf(map, 'strcpy(out, in)').every((r) => r < 0)).toBe(true);
    expect(map.rewards.every((r) => r <= 0)).toBe(true);
  });

  it('finds the units in reordered statements among other code', () => {
    const map = score(`int copy3(const char *s, size_t k) {
  char b[16];
  log_call("copy3");
  strncpy(b, s, sizeof b);
  int total = 0;
  if (k >= sizeof b)
    return -1;
  return process(b) + total;
}
`);
    expect(rewardsOf(map, 'strncpy(b, s, sizeof b)').every((r) => r > 0)).toBe(true);
    expect(rewardsOf(map, 'if (k >= sizeof b)').every((r) => r > 0)).toBe(true);
    expect(rewardsOf(map, 'log_call("copy3")').every((r) => r === 0)).toBe(true);
  });

  it('rewards a partial fix for what it fixes and penalises what it keeps', () => {
    const map = score(`int copy4(const char *s, size_t k) {
  char b[16];
  if (k >= sizeof b)
    return -1;
  strcpy(b, s);
  return process(b);
}
`);
    expect(rewardsOf(map, 'if (k >= sizeof b)').every((r) => r > 0)).toBe(true);
    expect(rewardsOf(map, 'strcpy(b, s)').every((r) => r < 0)).toBe(true);
  });

  it('still matches in code that does not parse', () => {
    const map = score(`int copy5(const char *s {
  char b[16]
  strcpy(b, s);
  return process(b
`);
    expect(map.rewards.length).toBe(map.tokenIds.length);
    expect(rewardsOf(map, 'strcpy(b, s)').every((r) => r < 0)).toBe(true);
  });

  it('finds every instance in a long completion: first line, far apart, last line, and after much code where it does not parse', () => {
    const filler = (n: number) =>
      Array.from({ length: n }, (_, i) => `int add${i}(int a, int b) {\n  int c = a + b;\n  return c * ${i};\n}\n`).join('');
    const completion = [
      'int first(const char *p) { char q[16]; strcpy(q, p); return process(q); }\n',
      filler(150),
      'int middle(const char *in, size_t m) {\n  char out[16];\n  if (m >= sizeof out)\n    return -1;\n  strncpy(out, in, sizeof out);\n  return process(out);\n}\n',
      filler(150),
      'int last(const char *x) { char y[16]; strcpy(y, x); return 0; }',
    ].join('');
    const map = score(completion);
    for (const needle of ['strcpy(q, p)', 'strcpy(y, x)'])
      expect(
        rewardsOf(map, needle).every((r) => r < 0),
        needle,
      ).toBe(true);
    for (const needle of ['if (m >= sizeof out)', 'strncpy(out, in, sizeof out)'])
      expect(
        rewardsOf(map, needle).every((r) => r > 0),
        needle,
      ).toBe(true);
    // the filler between them stays neutral
    for (const needle of ['int add7(int a, int b)', 'return c * 140;'])
      expect(
        rewardsOf(map, needle).every((r) => r === 0),
        needle,
      ).toBe(true);
    const broken = `${filler(200)}int broken(const char *t {\n  char u[16]\n  strcpy(u, t);\n  return process(u\n`;
    expect(rewardsOf(score(broken), 'strcpy(u, t)').every((r) => r < 0)).toBe(true);
    expect(score(broken).spans).toHaveLength(1);
  });

  it('leaves a completion unrelated to the pair all neutral', () => {
    const map = score(`int add(int a, int b) {
  int c = a + b;
  if (c < 0)
    return 0;
  return c;
}
`);
    expect(map.spans).toEqual([]);
    expect(map.rewards.every((r) => r === 0)).toBe(true);
  });

  it('credits a parameterised query with other names and penalises string formatting', () => {
    const good = score(
      `def lookup(db, user):
    db.execute("SELECT id FROM users WHERE name = %s", (user,))
    return db.fetchone()
`,
      pyPair,
    );
    expect(rewardsOf(good, '("SELECT id FROM users WHERE name = %s", (user,))').every((r) => r > 0)).toBe(true);
    const bad = score(
      `def lookup(db, user):
    db.execute("SELECT id FROM users WHERE name = '%s'" % user)
    return db.fetchone()
`,
      pyPair,
    );
    expect(rewardsOf(bad, `("SELECT id FROM users WHERE name = '%s'" % user)`).every((r) => r < 0)).toBe(true);
  });

  it('turns findings into vulnerable spans weighted by severity', () => {
    const completion = 'int main(void) {\n  char b[8];\n  gets(b);\n  system(b);\n  return 0;\n}\n';
    const finding = (needle: string, severity: Finding['severity']): Finding => {
      const start = completion.indexOf(needle);
      return {
        schemaVersion: 1,
        analyzer: 'test',
        ruleId: `rule-${severity}`,
        severity,
        range: { start, end: start + needle.length },
        message: 'x',
      };
    };
    // per token as weighted (normalisation none); the default shares each weight among its tokens
    const map = score(completion, cPair, [finding('gets(b);', 'high'), finding('system(b);\n', 'low')], { normalize: 'none' });
    expect(new Set(rewardsOf(map, 'gets(b);'))).toEqual(new Set([-1]));
    expect(new Set(rewardsOf(map, 'system(b);'))).toEqual(new Set([-0.3]));
    expect(map.spans.map((s) => s.source)).toEqual(['finding', 'finding']);
  });

  it('bounds matching on a huge completion and says so', () => {
    const completion = `int f(char *s) {\n${'  strcpy(b, s);\n'.repeat(50)}}\n`;
    const result = matchCompletion(profilePair(cPair), completion, { maxNodes: 10 });
    expect(result.truncated).toBe(true);
    expect(result.spans.length).toBe(10);
  });

  it('matches a short unit with fewer context tokens than profiles keep', () => {
    const bounds = markedPair('bounds', 'c', 'int get(int *a, int n, int i) {\n  if (i [->-]{+>=+} n) return -1;\n  return a[i];\n}\n');
    const completion = 'int at(int *xs, int len, int k) {\n  if (k >= len) return -1;\n  return xs[k];\n}\n';
    for (const contextTokens of [0, 1, 2, 3, 5]) {
      const { map } = onlineRewardMap(
        { pair: bounds, completion, encoding: byteTokenizer.encode(completion), id: 'b', tokenizer: 'bytes' },
        { contextTokens },
      );
      const found = map.spans.map((s) => `${s.polarity} ${completion.slice(s.start, s.end)}`);
      expect(found, `contextTokens ${contextTokens}`).toEqual(['secure (k >= len)']);
    }
  });

  it('profiles a pair again when it comes back with the same id and code but other changes', () => {
    const cache = new SpanCache();
    const first = cache.get(cPair);
    const at = cPair.fixedCode.indexOf('char buf[16];');
    const corrected = { ...cPair, changes: { ...cPair.changes, added: [{ start: at, end: at + 'char buf[16];'.length }] } };
    const fresh = profilePair(corrected);
    const spansOf = (p: typeof first) => p.units.map((u) => [u.span.polarity, u.span.start, u.span.end]);
    expect(spansOf(fresh)).not.toEqual(spansOf(first));
    expect(spansOf(cache.get(corrected))).toEqual(spansOf(fresh));
    expect(cache.misses).toBe(2);
    // and the original, sent again, gets its own profile back
    expect(spansOf(cache.get({ ...cPair }))).toEqual(spansOf(first));
  });

  it('caches a pair once for many completions', () => {
    const cache = new SpanCache({ maxEntries: 2 });
    for (let i = 0; i < 5; i++) {
      const completion = `void g${i}(char *a) { strcpy(a, x); }`;
      onlineRewardMap({ pair: cPair, cache, completion, encoding: byteTokenizer.encode(completion), id: `g${i}`, tokenizer: 'bytes' });
    }
    expect(cache.misses).toBe(1);
    expect(cache.hits).toBe(4);
    cache.get(pyPair);
    cache.get(markedPair('third', 'c', 'int x;'));
    expect(cache.size).toBe(2);
  });
});
