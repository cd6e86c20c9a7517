import { describe, expect, it } from 'vitest';
import type { Completion } from '../policy.js';
import {
  completionRewards,
  type ExperimentAnalyzer,
  type ExperimentFinding,
  HELDOUT_NAMES,
  judge,
  PATTERN_PAIRS,
  promptsFor,
  rewardFor,
  TRAIN_NAMES,
} from './tasks.js';

describe('secure-completion task family', () => {
  it('has at least 8 pattern pairs across C and Python', () => {
    expect(PATTERN_PAIRS.length).toBeGreaterThanOrEqual(8);
    expect(new Set(PATTERN_PAIRS.map((p) => p.language))).toEqual(new Set(['c', 'python']));
  });

  it('has >= 200 training prompts and a disjoint held-out set', () => {
    const train = promptsFor(TRAIN_NAMES).map((p) => p.text);
    const held = promptsFor(HELDOUT_NAMES).map((p) => p.text);
    expect(train.length).toBeGreaterThanOrEqual(200);
    expect(new Set(train).size).toBe(train.length);
    expect(held.filter((h) => train.includes(h))).toEqual([]);
  });

  it.each(PATTERN_PAIRS.map((p) => [p.id, p] as const))(
    '%s: the check flags the insecure answer only, and both answers are well-formed',
    (_id, pair) => {
      const [prompt] = promptsFor(['foo']).filter((p) => p.pair === pair);
      expect(judge(prompt!, pair.insecure('foo'))).toMatchObject({ insecure: true, wellFormed: true });
      expect(judge(prompt!, pair.secure('foo'))).toEqual({ insecure: false, wellFormed: true });
      expect(judge(prompt!, pair.secure('other_name'))).toEqual({ insecure: false, wellFormed: true });
      expect(judge(prompt!, `${pair.secure('foo')}x`).wellFormed).toBe(false);
      expect(judge(prompt!, pair.secure('1x')).wellFormed).toBe(false);
    },
  );

  it('puts the instance reward on the end token and spreads the token penalty over the insecure span', () => {
    const [prompt] = promptsFor(['src']).filter((p) => p.pair.id === 'copy');
    const text = 'strcpy(b,src);';
    const inst = completionRewards(prompt!, text, { token: false });
    expect(Array.from(inst.rewards).filter((x) => x !== 0)).toEqual([-1]);
    expect(inst.rewards[text.length]).toBe(-1);
    const tok = completionRewards(prompt!, text, { token: true });
    const span = Array.from(tok.rewards.subarray(0, 7));
    for (const x of span) expect(x).toBeCloseTo(-1 / 7, 6);
    expect(tok.rewards[7]).toBe(0);
    expect(completionRewards(prompt!, 'strncpy(b,src,N);', { token: true }).rewards.at(-1)).toBe(1);
    expect(completionRewards(prompt!, 'strn', { token: true }).rewards.at(-1)).toBe(-0.5);
  });

  it('judges with any analyser instead of the checks: medium and high findings count, the first one is the span', () => {
    const [prompt] = promptsFor(['src']).filter((p) => p.pair.id === 'copy');
    const asked: string[] = [];
    // a toy rule engine: `danger` is high, `hint` is low (advice only)
    const analyzer: ExperimentAnalyzer = {
      analyzeSync(code, language) {
        asked.push(language);
        const out: ExperimentFinding[] = [];
        for (const [word, severity] of [
          ['hint', 'low'],
          ['danger', 'high'],
        ] as const) {
          const at = code.indexOf(word);
          if (at >= 0) out.push({ ruleId: word, severity, range: { start: at, end: at + word.length } });
        }
        return out;
      },
    };
    expect(judge(prompt!, 'strcpy(b,src);', { analyzer })).toEqual({ insecure: false, wellFormed: true });
    expect(judge(prompt!, 'hint(danger);', { analyzer })).toEqual({ insecure: true, wellFormed: false, span: [5, 11] });
    expect(judge(prompt!, 'hint();', { analyzer }).insecure).toBe(false);
    expect(asked).toEqual(['c', 'c', 'c']);
    const r = completionRewards(prompt!, 'danger', { token: true, analyzer });
    expect(r.rewards[6]).toBe(-1);
    expect(r.rewards[0]).toBeCloseTo(-1 / 6, 6);
  });

  it("a sampled completion's rewards: the characters' on its tokens, the instance reward on its last token", () => {
    const [prompt] = promptsFor(['src']).filter((p) => p.pair.id === 'copy');
    const ids = (text: string) => [...text].map((ch) => ch.charCodeAt(0));
    const ended: Completion = { tokens: [...ids('strcpy(b,src);'), 2], logp: [] };
    const { rewards, metrics } = rewardFor(prompt!, ended, { token: true });
    expect(rewards).toHaveLength(15);
    expect(rewards[0]).toBeCloseTo(-1 / 7, 6);
    expect(rewards[14]).toBe(-1);
    expect(metrics).toEqual({ insecure: 1, wellFormed: 1 });
    // cut off before the end token: the instance reward lands on the last character
    const cut: Completion = { tokens: ids('strcpy('), logp: [] };
    const c = rewardFor(prompt!, cut, { token: true }).rewards;
    expect(c[6]).toBe(Math.fround(Math.fround(-1 / 7) - 1));
  });
});
