import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { canonicalCompletion, loadProProblems, proProgram, runProProblem } from './codeeval-pro.js';

const DIR = fileURLToPath(new URL('../../../../shared/data/codeeval-pro', import.meta.url));

describe.skipIf(!existsSync(DIR))('HumanEval Pro and MBPP Pro (needs ../shared/data)', () => {
  const he = existsSync(DIR) ? loadProProblems(join(DIR, 'humaneval_pro.json')) : [];
  const mbpp = existsSync(DIR) ? loadProProblems(join(DIR, 'mbpp_pro.json')) : [];

  it('loads 164 and 378 problems', () => {
    expect(he).toHaveLength(164);
    expect(mbpp).toHaveLength(378);
  });

  it('passes the canonical solutions of a sample of problems in the sandbox', async () => {
    const sample = [...he.filter((_, i) => i % 55 === 0), ...mbpp.filter((_, i) => i % 126 === 0)];
    const outcomes = await Promise.all(sample.map((p) => runProProblem(p, canonicalCompletion(p))));
    expect(outcomes.filter((o) => !o.passed).map((o) => `${o.problemId}: ${o.error}`)).toEqual([]);
    expect(new Set(outcomes.map((o) => o.outcome))).toEqual(new Set(['passed']));
  });

  it('fails a wrong completion and reports the assertion', async () => {
    const p = he[0];
    if (!p) throw new Error('no problem');
    const out = await runProProblem(p, '    return [42]\n');
    expect(out.passed).toBe(false);
    expect(out.outcome).toBe('failed');
    expect(out.error).toMatch(/^assertion failed/);
  });

  it('takes a completion that defines the new function as the whole program', () => {
    const p = he[0];
    if (!p) throw new Error('no problem');
    const whole = '```python\ndef has_close_elements(n, t):\n    return False\n\ndef find_close_elements_lists(l, t):\n    return []\n```';
    expect(proProgram(p, whole).startsWith('def has_close_elements')).toBe(true);
    expect(proProgram(p, '    return []\n').startsWith(p.rawProblem)).toBe(true);
  });
});
