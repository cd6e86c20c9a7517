import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Finding, Language } from '@srcode/dataset';
import { validate } from '@srcode/dataset';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { C_AFTER, C_BEFORE, PY_AFTER, PY_BEFORE } from '../test/make-pair.js';
import { type AnalyzerLike, collectEvidence } from './analyzer.js';
import { HeuristicAnalyzer } from './heuristic-analyzer.js';

const analyzer = new HeuristicAnalyzer();
const rules = (code: string, lang: Language) => analyzer.analyze(code, lang).map((f) => f.ruleId);

describe('HeuristicAnalyzer', () => {
  it('has the analyser shape the judge accepts', () => {
    expectTypeOf(analyzer).toMatchTypeOf<AnalyzerLike>();
  });

  it('writes valid findings with lines', () => {
    const findings = analyzer.analyze(C_BEFORE, 'c');
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

describe('collectEvidence', () => {
  it('marks findings the fix removes and keeps the ones it leaves', async () => {
    const r = await collectEvidence([analyzer], C_BEFORE, C_AFTER, 'c');
    expect(r.evidence).toContainEqual({ analyzer: 'srcode-heuristic', ruleId: 'c-unsafe-copy', cwe: 'CWE-120', removedByFix: true });
    expect(r.removed.map((f) => f.ruleId)).toContain('c-unsafe-copy');
  });

  it('reports findings only the fix has as introduced', async () => {
    const r = await collectEvidence([analyzer], 'x = 1\n', 'x = eval(s)\n', 'python');
    expect(r.evidence).toEqual([]);
    expect(r.introduced.map((f) => f.ruleId)).toEqual(['py-eval']);
  });

  it('accepts any analyser of the shape, with either method spelling, and skips other languages', async () => {
    const finding = (code: string): Finding[] =>
      code.includes('bad')
        ? [
            {
              schemaVersion: 1,
              analyzer: 'ext',
              ruleId: 'R1',
              severity: 'low',
              range: { start: 0, end: 1 },
              message: `bad at line ${code.length}`,
            },
          ]
        : [];
    const async_ = { name: 'ext', languages: ['python'] as const, analyze: async (code: string) => finding(code) };
    const cOnly = {
      name: 'c-only',
      languages: ['c'] as const,
      analyze: () => {
        throw new Error('must not run');
      },
    };
    const r = await collectEvidence([async_, cOnly], 'bad()\n', 'good()\n', 'python');
    expect(r.evidence).toEqual([{ analyzer: 'ext', ruleId: 'R1', removedByFix: true }]);
  });

  it('matches findings across versions by rule and message, ignoring line numbers', async () => {
    const moving = {
      name: 'm',
      languages: ['python'] as const,
      analyze: (code: string): Finding[] => [
        {
          schemaVersion: 1,
          analyzer: 'm',
          ruleId: 'R',
          severity: 'low',
          range: { start: 0, end: 1 },
          message: `issue at line ${code.split('\n').length}`,
        },
      ],
    };
    const r = await collectEvidence([moving], 'a\n', 'a\nb\nc\n', 'python');
    expect(r.evidence).toEqual([{ analyzer: 'm', ruleId: 'R', removedByFix: false }]);
  });
});

describe('HeuristicAnalyzer golden output', () => {
  it('matches the recorded findings for the fixture cases', async () => {
    const cases = JSON.parse(readFileSync(join(import.meta.dirname, '../test/fixtures/heuristic-cases.json'), 'utf8')) as {
      language: Language;
      code: string;
    }[];
    const out = cases.map((c) =>
      analyzer.analyze(c.code, c.language).map((f) => `${c.language} ${f.lines?.start} ${f.ruleId} ${f.cwe} ${f.severity}: ${f.message}`),
    );
    await expect(`${JSON.stringify(out, null, 2)}\n`).toMatchFileSnapshot('../test/fixtures/heuristic-findings.golden.json');
  });
});
