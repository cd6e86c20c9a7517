import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { normaliseCode } from '../src/dedup.js';
import { dedupPairs, pairStats, splitPairs, type RepairPair } from '../src/index.js';

const mk = (
  id: string,
  project: string,
  vulnerableCode: string,
  fixedCode: string,
  language: RepairPair['language'] = 'c',
): RepairPair => ({
  schemaVersion: 1,
  id,
  language,
  cwes: ['CWE-787'],
  provenance: { dataset: 'test', project },
  vulnerableCode,
  fixedCode,
  changes: { deleted: [], added: [], origin: 'diff' },
});

describe('near-duplicate removal', () => {
  it('treats whitespace and comment edits as the same pair, keeping the first', () => {
    const a = mk('a', 'p', 'int f(char *s) {\n  strcpy(b, s);\n}', 'int f(char *s) {\n  strncpy(b, s, 8);\n}');
    const b = mk('b', 'q', 'int f(char *s)\n{\n    /* copy */ strcpy(b,s); // old\n}', 'int f(char *s){ strncpy(b, s, 8); }');
    const c = mk('c', 'p', 'int f(char *s) {\n  strcpy(b, t);\n}', 'int f(char *s) {\n  strncpy(b, s, 8);\n}');
    const { kept, removed } = dedupPairs([a, b, c]);
    expect(kept.map((p) => p.id)).toEqual(['a', 'c']);
    expect(removed).toEqual([{ pair: b, duplicateOf: 'a' }]);
  });

  it('keeps comment markers and spaces inside string literals', () => {
    expect(normaliseCode('x = "a # b"  # note\ny = 1', 'python')).toBe('x="a # b"y=1');
    expect(normaliseCode('s = "// not a comment"; /* c */ t', 'c')).toBe('s="// not a comment";t');
  });
});

describe('leak-free split', () => {
  const pairs = Array.from({ length: 200 }, (_, i) => mk(`p${i}`, `proj${i % 37}`, `v${i}`, `f${i}`));

  it('never puts one project in two splits', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1000 }), (seed) => {
        const splits = splitPairs(pairs, { seed });
        const home = new Map<string, string>();
        for (const [name, list] of Object.entries(splits))
          for (const p of list) {
            const prev = home.get(p.provenance.project!);
            if (prev && prev !== name) return false;
            home.set(p.provenance.project!, name);
          }
        return Object.values(splits).reduce((s, l) => s + l.length, 0) === pairs.length;
      }),
      { numRuns: 50 },
    );
  });

  it('is deterministic for a seed, differs across seeds, and lands near the ratios', () => {
    const a = splitPairs(pairs, { seed: 7 });
    const b = splitPairs(pairs, { seed: 7 });
    const c = splitPairs(pairs, { seed: 8 });
    expect(a).toEqual(b);
    expect(a.train?.map((p) => p.id)).not.toEqual(c.train?.map((p) => p.id));
    expect(a.train!.length).toBeGreaterThan(150);
    expect(a.val!.length).toBeGreaterThan(10);
    expect(a.test!.length).toBeGreaterThan(10);
  });

  it('rejects nonsensical ratios', () => {
    expect(() => splitPairs(pairs, { ratios: { train: -1 } })).toThrow(/ratios/);
    expect(() => splitPairs(pairs, { ratios: { train: 0.8, val: 0.3, test: 0.2 } })).toThrow(/sum to 1, .*sum 1\.3/);
    expect(() => splitPairs(pairs, { ratios: { train: Number.NaN } })).toThrow(/ratios/);
    expect(Object.keys(splitPairs(pairs, { ratios: { train: 0.7, val: 0.2, test: 0.1 } })).sort()).toEqual(['test', 'train', 'val']);
  });
});

describe('statistics', () => {
  it('counts by CWE, language, source and summarises sizes', () => {
    const s = pairStats([mk('a', 'p', 'a\nb\nc\n', 'a'), { ...mk('b', 'q', 'x', 'y', 'python'), cwes: ['CWE-89', 'CWE-787'] }]);
    expect(s).toMatchObject({
      pairs: 2,
      byCwe: { 'CWE-787': 2, 'CWE-89': 1 },
      byLanguage: { c: 1, python: 1 },
      bySource: { test: 2 },
      projects: 2,
      sizes: { vulnerableLines: { min: 1, max: 3, median: 2 } },
    });
  });
});
