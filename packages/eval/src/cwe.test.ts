import { describe, expect, it } from 'vitest';
import type { EvalResult, Finding } from '@srcode/dataset';
import { cweAncestors, cweMatches, cweRelated, isKnownCwe, normaliseCwe } from './cwe.js';
import { summarise } from './metrics.js';
import { BUILTIN_LANGUAGES } from './rules/registry.js';

describe('normaliseCwe', () => {
  it('accepts the spellings the data sets and tools use', () => {
    expect(normaliseCwe('CWE-022')).toBe('CWE-22');
    expect(normaliseCwe('cwe-22')).toBe('CWE-22');
    expect(normaliseCwe('CWE_78')).toBe('CWE-78');
    expect(normaliseCwe(' 89 ')).toBe('CWE-89');
    expect(normaliseCwe(1333)).toBe('CWE-1333');
  });

  it('refuses what is not a CWE id', () => {
    expect(normaliseCwe('CWE-')).toBeUndefined();
    expect(normaliseCwe('CWE-0')).toBeUndefined();
    expect(normaliseCwe('OWASP-A1')).toBeUndefined();
    expect(normaliseCwe(undefined)).toBeUndefined();
    expect(normaliseCwe(2.5)).toBeUndefined();
  });
});

describe('cweAncestors', () => {
  it('follows ChildOf up to the pillar, nearest first', () => {
    expect(cweAncestors('CWE-95')).toEqual(['CWE-94', 'CWE-74', 'CWE-913', 'CWE-707', 'CWE-664']);
    expect(cweAncestors('CWE-78')).toEqual(['CWE-77', 'CWE-74', 'CWE-707']);
    expect(cweAncestors('CWE-89')).toEqual(['CWE-943', 'CWE-74', 'CWE-707']);
  });

  it('keeps every parent of an entry with several', () => {
    const a = cweAncestors('CWE-121');
    expect(a).toEqual(expect.arrayContaining(['CWE-787', 'CWE-788', 'CWE-119', 'CWE-118', 'CWE-664']));
    expect(new Set(a).size).toBe(a.length);
  });

  it('is empty for a pillar and for an entry it does not know', () => {
    expect(cweAncestors('CWE-664')).toEqual([]);
    expect(cweAncestors('CWE-99999')).toEqual([]);
    expect(cweAncestors('nonsense')).toEqual([]);
  });
});

describe('cweMatches', () => {
  it('counts a finding at a descendant for a query at its ancestor', () => {
    expect(cweMatches('CWE-95', 'CWE-94')).toBe(true);
    expect(cweMatches('CWE-78', 'CWE-77')).toBe(true);
    expect(cweMatches('CWE-89', 'CWE-943')).toBe(true);
    expect(cweMatches('CWE-89', 'CWE-74')).toBe(true);
    expect(cweMatches('CWE-120', 'CWE-119')).toBe(true);
    expect(cweMatches('CWE-916', 'CWE-327')).toBe(true);
    expect(cweMatches('cwe-022', 'CWE-22')).toBe(true);
  });

  it('does not count an ancestor for a descendant, nor siblings, nor unknown spellings', () => {
    expect(cweMatches('CWE-94', 'CWE-95')).toBe(false);
    expect(cweMatches('CWE-78', 'CWE-89')).toBe(false);
    expect(cweMatches('CWE-125', 'CWE-787')).toBe(false);
    expect(cweMatches(undefined, 'CWE-79')).toBe(false);
    expect(cweMatches('CWE-79', 'XSS')).toBe(false);
  });

  it('cweRelated holds both ways along one line of the hierarchy only', () => {
    expect(cweRelated('CWE-94', 'CWE-95')).toBe(true);
    expect(cweRelated('CWE-95', 'CWE-94')).toBe(true);
    expect(cweRelated('CWE-120', 'CWE-121')).toBe(false);
  });
});

describe('the hierarchy covers what is used', () => {
  it('knows every CWE the built-in rules name', () => {
    const used = BUILTIN_LANGUAGES.flatMap((l) => l.rules)
      .map((r) => r.cwe)
      .filter((c): c is string => !!c);
    expect(used.length).toBeGreaterThan(10);
    expect(used.filter((c) => !isKnownCwe(c))).toEqual([]);
  });

  it('knows the CWEs of the benchmarks', () => {
    const benchmarks = [
      // CWEval
      20, 22, 78, 79, 95, 113, 117, 1333, 326, 327, 329, 347, 377, 400, 502, 643, 732, 760, 918, 943,
      // CyberSecEval (C and Python)
      120, 121, 680, 338, 328, 119, 1240, 798, 590, 242, 323, 676, 94, 89, 312,
      // SVEN and SafeCoder (C and Python)
      125, 190, 416, 476, 787, 611, 295,
    ];
    expect(benchmarks.filter((n) => !isKnownCwe(n))).toEqual([]);
  });
});

describe('the hierarchy is closed', () => {
  const PILLARS = ['CWE-284', 'CWE-435', 'CWE-664', 'CWE-682', 'CWE-691', 'CWE-693', 'CWE-697', 'CWE-703', 'CWE-707', 'CWE-710'];

  it('knows every ancestor of what it knows, and every walk ends at a pillar', () => {
    const sample = ['CWE-95', 'CWE-121', 'CWE-416', 'CWE-643', 'CWE-918', 'CWE-1333', 'CWE-759', 'CWE-690', 'CWE-798'];
    for (const c of sample) {
      const up = cweAncestors(c);
      expect(up.length).toBeGreaterThan(0);
      expect(up.filter((a) => !isKnownCwe(a))).toEqual([]);
      expect(up.some((a) => PILLARS.includes(a))).toBe(true);
    }
  });

  it('knows the CWEs the external tools report (bandit, flawfinder, cppcheck)', () => {
    const tools = [
      20, 22, 295, 319, 326, 327, 330, 377, 502, 703, 732, 78, 79, 80, 94, 119, 195, 401, 415, 457, 467, 476, 477, 562, 571, 628, 664, 672,
      686, 687, 704, 775, 788, 120, 126, 134, 190, 250, 362, 676, 807,
    ];
    expect(tools.filter((n) => !isKnownCwe(n))).toEqual([]);
  });
});

describe('summarise counts findings at the task CWE through the hierarchy', () => {
  const finding = (cwe: string): Finding => ({
    schemaVersion: 1,
    analyzer: 'builtin',
    ruleId: 'r',
    cwe,
    severity: 'high',
    range: { start: 0, end: 1 },
    message: 'm',
  });
  const result = (taskId: string, findings: Finding[]): EvalResult => ({
    schemaVersion: 1,
    generationId: `g-${taskId}`,
    taskId,
    benchmark: 'cyberseceval-instruct',
    language: 'python',
    secure: findings.length === 0,
    findings,
    durationMs: 1,
  });
  const cwes: Record<string, string> = { a: 'CWE-94', b: 'CWE-95', c: 'CWE-89', d: 'CWE-78' };
  const results = [
    result('a', [finding('CWE-95')]), // more specific than the task's: counts
    result('b', [finding('CWE-94')]), // more general than the task's: does not
    result('c', [finding('CWE-78')]), // another CWE: does not
    result('d', []),
  ];

  it('fills atCwe and the at-CWE rate', () => {
    const s = summarise(results, { cweOf: (id) => cwes[id] });
    const t = s.byAnalyzer?.builtin;
    expect(t?.overall).toMatchObject({ total: 4, vulnerable: 3, atCwe: 1 });
    expect(t?.byCwe.find((r) => r.key === 'CWE-94')?.atCwe).toBe(1);
    expect(t?.byCwe.find((r) => r.key === 'CWE-95')?.atCwe).toBe(0);
    expect(s.metrics['vulnerable-rate-at-cwe:builtin']).toBe(0.25);
  });

  it("leaves them out without the tasks' CWEs", () => {
    const s = summarise(results);
    expect(s.byAnalyzer?.builtin?.overall.atCwe).toBeUndefined();
    expect(s.metrics['vulnerable-rate-at-cwe:builtin']).toBeUndefined();
  });
});
