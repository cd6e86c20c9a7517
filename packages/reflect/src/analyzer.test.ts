import type { Finding } from '@srcode/dataset';
import { LexicalAnalyzer } from '@srcode/eval';
import { describe, expect, it } from 'vitest';
import { C_AFTER, C_BEFORE } from '../test/make-pair.js';
import { collectEvidence } from './analyzer.js';

const analyzer = new LexicalAnalyzer();

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
