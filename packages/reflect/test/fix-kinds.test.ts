import { LexicalAnalyzer } from '@srcode/eval';
import { describe, expect, it } from 'vitest';
import { HeuristicJudge } from '../src/heuristic-judge.js';
import { prefilter } from '../src/prefilter.js';
import { reflectPair } from '../src/reflect.js';
import { FIX_CASES, casePair } from './fixtures/fix-kinds/index.js';

const judge = new HeuristicJudge();
const analyzers = [new LexicalAnalyzer()];
const verdicts = Promise.all(FIX_CASES.map(async (c) => ({ c, v: await reflectPair(casePair(c), { judge, analyzers }) })));

describe('the offline judge on the labelled fix-kind set', () => {
  it('has dozens of genuine fixes of each kind in C and Python, and every case parses', () => {
    for (const kind of ['redos', 'tls', 'toctou', 'injection'] as const) {
      const cases = FIX_CASES.filter((c) => c.genuine && c.kind === kind);
      expect(cases.length).toBeGreaterThanOrEqual(15);
      expect(new Set(cases.map((c) => c.language))).toEqual(new Set(['c', 'python']));
    }
    expect(FIX_CASES.filter((c) => !c.genuine).length).toBeGreaterThanOrEqual(30);
    for (const c of FIX_CASES)
      expect(
        prefilter(casePair(c)).reasons.filter((r) => r.startsWith('parse-')),
        c.id,
      ).toEqual([]);
  });

  it('keeps at least 97% of the genuine fixes, and at least 90% of each kind', async () => {
    const genuine = (await verdicts).filter(({ c }) => c.genuine);
    const kept = genuine.filter(({ v }) => v.accepted);
    expect(kept.length / genuine.length).toBeGreaterThanOrEqual(0.97);
    for (const kind of ['redos', 'tls', 'toctou', 'injection', 'format']) {
      const ofKind = genuine.filter(({ c }) => c.kind === kind);
      expect(ofKind.filter(({ v }) => v.accepted).length / ofKind.length, kind).toBeGreaterThanOrEqual(0.9);
    }
  });

  it('accepts the CWE-134 fix fprintf(f, msg) -> fprintf(f, "%s", msg) instead of calling it logging', async () => {
    const { v } = (await verdicts).find(({ c }) => c.id === 'format-c-fprintf')!;
    expect(v.accepted).toBe(true);
    expect(v.rationale).toContain('-data-as-format');
  });

  it('rejects every cosmetic or unrelated change but one (a changed condition line, as before)', async () => {
    const accepted = (await verdicts).filter(({ c, v }) => !c.genuine && v.accepted).map(({ c }) => c.id);
    expect(accepted).toEqual(['unrelated-regex-flag-added']);
  });
});
