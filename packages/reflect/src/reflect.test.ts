import { existsSync } from 'node:fs';
import { validate } from '@srcode/dataset';
import { LexicalAnalyzer } from '@srcode/eval';
import { describe, expect, it } from 'vitest';
import { C_AFTER, C_BEFORE, PY_AFTER, PY_BEFORE, makePair } from '../test/make-pair.js';
import { DATA_DIR, loadSvenAndSafeCoder } from '../test/sven.js';
import { HeuristicJudge } from './heuristic-judge.js';
import { reflectPair } from './reflect.js';

const judge = new HeuristicJudge();
const analyzers = [new LexicalAnalyzer()];

describe('reflectPair with the heuristic judge', () => {
  it('accepts a focused fix that adds a guard and removes a finding, with a valid verdict', async () => {
    const v = await reflectPair(makePair(C_BEFORE, C_AFTER), { judge, analyzers });
    expect(validate('ReflectionVerdict', v)).toMatchObject({ ok: true });
    expect(v).toMatchObject({ accepted: true, confidence: 1, votes: { accept: 4, reject: 0, samples: 4 }, rejectReasons: [] });
    expect(v.judge).toMatchObject({ kind: 'heuristic', model: 'srcode-heuristic-judge@2' });
    expect(v.judge.promptHash).toMatch(/^[0-9a-f]{16}$/);
    expect(v.evidence).toContainEqual(expect.objectContaining({ ruleId: 'c-unsafe-copy', removedByFix: true }));
    expect(v.fixingLines).toEqual([3, 4, 6]);
    expect(v.vulnerableLines).toEqual([4]);
  });

  it('accepts the parameterised-query fix of a SQL injection', async () => {
    const v = await reflectPair(makePair(PY_BEFORE, PY_AFTER, 'python', ['CWE-89']), { judge, analyzers });
    expect(v.accepted).toBe(true);
    expect(v.evidence).toContainEqual(expect.objectContaining({ ruleId: 'py-sql-format', removedByFix: true }));
  });

  it('rejects an unrelated change with the reasons of each failed check', async () => {
    const after = C_BEFORE.replace('return 0;', 'return 1;');
    const v = await reflectPair(makePair(C_BEFORE, after), { judge, analyzers });
    expect(v.accepted).toBe(false);
    expect(v.rejectReasons).toEqual(expect.arrayContaining(['judge:no-guard-added', expect.stringMatching(/^low-confidence:/)]));
    expect(validate('ReflectionVerdict', v).ok).toBe(true);
  });

  it('rejects in the pre-filter without running the judge', async () => {
    const v = await reflectPair(makePair(C_BEFORE, `${C_BEFORE}\n\n`), { judge, analyzers });
    expect(v).toMatchObject({ accepted: false, confidence: 0, votes: { samples: 0 }, rejectReasons: ['prefilter:whitespace-only'] });
    expect(validate('ReflectionVerdict', v).ok).toBe(true);
  });

  it('lets the threshold and the evidence bonus decide', async () => {
    const strict = await reflectPair(makePair(C_BEFORE, C_AFTER), { judge, analyzers, threshold: 1.01 });
    expect(strict.accepted).toBe(false);
    const noEvidence = await reflectPair(makePair(C_BEFORE, C_AFTER), { judge, analyzers: [] });
    expect(noEvidence.evidence).toEqual([]);
  });

  it('runs no analyser unless given some: reflect keeps no rules of its own', async () => {
    const v = await reflectPair(makePair(C_BEFORE, C_AFTER), { judge });
    expect(v.evidence).toEqual([]);
    expect(v.votes).toEqual({ accept: 3, reject: 0, samples: 3 });
  });
});

describe.skipIf(!existsSync(DATA_DIR))('reflectPair on real SVEN pairs (needs ../shared/data)', () => {
  it('writes a schema-valid verdict for the first pair of every SVEN CWE file', async () => {
    const pairs = loadSvenAndSafeCoder().filter((p) => p.provenance.dataset === 'sven' && /:1$/.test(p.provenance.origin ?? ''));
    expect(pairs.length).toBeGreaterThanOrEqual(9);
    for (const pair of pairs) {
      const v = await reflectPair(pair, { judge, analyzers });
      expect(validate('ReflectionVerdict', v)).toMatchObject({ ok: true });
    }
  });
});

describe('heuristic evidence vote', () => {
  it('counts a removed finding as an accepting check only when there is one', async () => {
    const before = 'def get(ns, key):\n    return store.get(os.path.join(ns, key))\n';
    const after = 'def get(ns, key):\n    return store.get(absolute_key(ns, key))\n';
    const v = await reflectPair(makePair(before, after, 'python', ['CWE-22']), { judge, analyzers });
    expect(v.evidence).toContainEqual(expect.objectContaining({ ruleId: 'py-path-unchecked', removedByFix: true }));
    expect(v.votes).toEqual({ accept: 2, reject: 2, samples: 4 });
    expect(v).toMatchObject({ accepted: true, confidence: 0.7 });
    const noEvidence = await reflectPair(makePair(before, after, 'python', ['CWE-22']), { judge, analyzers: [] });
    expect(noEvidence.votes).toEqual({ accept: 1, reject: 2, samples: 3 });
  });
});
