import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Analyzer, Language, SyncAnalyzer } from '@srcode/dataset';
import { validate } from '@srcode/dataset';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { LexicalAnalyzer } from './lexical.js';
import { LEXICAL_RULES } from './rules/lexical.js';

const analyzer = new LexicalAnalyzer();
const rules = (code: string, lang: Language) => analyzer.analyzeSync(code, lang).map((f) => f.ruleId);

// The repair pair of reflect's tests (test/make-pair.ts there).
const C_BEFORE = `int copy_name(struct user *u, const char *src)
{
    char *buf = malloc(u->len);
    strcpy(buf, src);
    u->name = buf;
    return 0;
}
`;

const C_AFTER = `int copy_name(struct user *u, const char *src)
{
    if (u == NULL || src == NULL)
        return -EINVAL;
    char *buf = malloc(u->len);
    strncpy(buf, src, u->len - 1);
    u->name = buf;
    return 0;
}
`;

const PY_BEFORE = `def find_user(cursor, name):
    """Return the row of the named user."""
    query = "SELECT * FROM users WHERE name = '%s'" % name
    cursor.execute(query)
    return cursor.fetchone()
`;

const PY_AFTER = `def find_user(cursor, name):
    """Return the row of the named user."""
    cursor.execute("SELECT * FROM users WHERE name = %s", (name,))
    return cursor.fetchone()
`;

describe('LexicalAnalyzer', () => {
  it('meets the analyser contract, synchronously too', async () => {
    expectTypeOf(analyzer).toMatchTypeOf<Analyzer>();
    expectTypeOf(analyzer).toMatchTypeOf<SyncAnalyzer>();
    expect(await analyzer.analyze(C_BEFORE, 'c')).toEqual(analyzer.analyzeSync(C_BEFORE, 'c'));
    expect(analyzer.name).toBe('srcode-heuristic');
  });

  it('knows the languages its rules run on, and only those when given fewer rules', () => {
    expect(analyzer.languages).toEqual(['c', 'cpp', 'python', 'javascript', 'typescript', 'ruby', 'go', 'java']);
    const pyOnly = new LexicalAnalyzer({ rules: LEXICAL_RULES.filter((r) => r.id.startsWith('py-')) });
    expect(pyOnly.languages).toEqual(['python']);
    expect(pyOnly.analyzeSync(C_BEFORE, 'c')).toEqual([]);
  });

  it('writes valid findings with lines', () => {
    const findings = analyzer.analyzeSync(C_BEFORE, 'c');
    expect(findings.length).toBeGreaterThan(0);
    for (const f of findings) expect(validate('Finding', f).ok).toBe(true);
    expect(findings.find((f) => f.ruleId === 'c-unsafe-copy')).toMatchObject({ cwe: 'CWE-120', lines: { start: 4, end: 4 } });
  });

  it('flags C calls and unchecked pointers, and ignores comments', () => {
    expect(rules(C_BEFORE, 'c')).toEqual(expect.arrayContaining(['c-unsafe-copy', 'c-unchecked-deref']));
    expect(rules(C_AFTER, 'c')).not.toContain('c-unsafe-copy');
    expect(rules('void f(char *d) {\n  /* strcpy(d, s); */\n  // system(cmd);\n}\n', 'c')).toEqual([]);
  });

  it('flags a use after free but not a free followed by NULL', () => {
    expect(rules('void f(struct s *p) {\n  free(p->buf);\n  use(p->buf);\n}\n', 'c')).toContain('c-use-after-free');
    expect(rules('void f(struct s *p) {\n  free(p->buf);\n  p->buf = NULL;\n  use(p->buf);\n}\n', 'c')).not.toContain('c-use-after-free');
  });

  it('flags an index never compared with a bound', () => {
    expect(rules('int f(int *a, int i) {\n  return a[i];\n}\n', 'c')).toContain('c-unchecked-index');
    expect(rules('int f(int *a, int i, int n) {\n  if (i >= n) return -1;\n  return a[i];\n}\n', 'c')).not.toContain('c-unchecked-index');
  });

  it('flags the Python weaknesses of the data', () => {
    expect(rules('subprocess.call("ls " + d, shell=True)\n', 'python')).toContain('py-shell-true');
    expect(rules('cfg = yaml.load(text)\n', 'python')).toContain('py-yaml-load');
    expect(rules('cfg = yaml.load(text, Loader=yaml.SafeLoader)\n', 'python')).not.toContain('py-yaml-load');
    expect(rules('obj = pickle.loads(blob)\n', 'python')).toContain('py-deserialise');
    expect(rules(PY_BEFORE, 'python')).toContain('py-sql-format');
    expect(rules(PY_AFTER, 'python')).not.toContain('py-sql-format');
    expect(rules('def f(n):\n    return open(os.path.join(ROOT, n))\n', 'python')).toContain('py-path-unchecked');
  });
});

describe('LexicalAnalyzer golden output', () => {
  it('matches the recorded findings for the fixture cases', async () => {
    const cases = JSON.parse(readFileSync(join(import.meta.dirname, '../test/fixtures/lexical-cases.json'), 'utf8')) as {
      language: Language;
      code: string;
    }[];
    const out = cases.map((c) =>
      analyzer
        .analyzeSync(c.code, c.language)
        .map((f) => `${c.language} ${f.lines?.start} ${f.ruleId} ${f.cwe} ${f.severity}: ${f.message}`),
    );
    await expect(`${JSON.stringify(out, null, 2)}\n`).toMatchFileSnapshot('../test/fixtures/lexical-findings.golden.json');
  });
});
