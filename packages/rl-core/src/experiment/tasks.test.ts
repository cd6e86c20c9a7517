import { describe, expect, it } from 'vitest';
import { completionRewards, HELDOUT_NAMES, judge, PATTERN_PAIRS, promptsFor, TRAIN_NAMES } from './tasks.js';

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
});
