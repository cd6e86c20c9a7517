import type { RewardSpan } from '@srcode/dataset';
import { describe, expect, it } from 'vitest';
import { TokenRewardError } from './errors.js';
import { projectRewards, unitTotals } from './project.js';
import { byteTokenizer, type TokenEncoding } from './tokenizer.js';

const span = (start: number, end: number, weight: number): RewardSpan => ({
  start,
  end,
  weight,
  polarity: weight > 0 ? 'secure' : 'vulnerable',
  source: 'pair',
});

/** Tokens given as [start, end) pairs; ids are their indices. */
function enc(pairs: Array<[number, number]>, special?: number[]): TokenEncoding {
  const e: TokenEncoding = { ids: pairs.map((_, i) => i), offsets: pairs.flat() };
  return special ? { ...e, special } : e;
}

const r = (a: Float32Array) => Array.from(a, (x) => Math.round(x * 1000) / 1000);

describe('projectRewards', () => {
  // text: "ab cd ef" ; tokens "ab", " cd", " ef"
  const tokens = enc([
    [0, 2],
    [2, 5],
    [5, 8],
  ]);

  it('gives a token the reward of a span it overlaps and 0 elsewhere', () => {
    expect(r(projectRewards(8, tokens, [span(3, 5, 1)]))).toEqual([0, 1, 0]);
  });

  it('credits a leading-space token from its first visible character', () => {
    expect(r(projectRewards(8, tokens, [span(6, 8, -1)]))).toEqual([0, 0, -1]);
  });

  it('applies the majority overlap rule', () => {
    expect(r(projectRewards(8, tokens, [span(4, 6, 1)], { overlap: 'majority' }))).toEqual([0, 0, 0]);
    expect(r(projectRewards(8, tokens, [span(3, 6, 1)], { overlap: 'majority' }))).toEqual([0, 1, 0]);
  });

  it('applies the proportional overlap rule', () => {
    expect(r(projectRewards(8, tokens, [span(4, 8, 1)], { overlap: 'proportional', normalize: 'none' }))).toEqual([0, 0.333, 1]);
  });

  it('lets the strongest span win, a penalty winning a tie, or sums', () => {
    const spans = [span(0, 5, 1), span(3, 8, -1)];
    expect(r(projectRewards(8, tokens, spans, { normalize: 'none' }))).toEqual([1, -1, -1]);
    expect(r(projectRewards(8, tokens, spans, { combine: 'sum', normalize: 'none' }))).toEqual([1, 0, -1]);
  });

  it('adds the instance reward to the last token only', () => {
    expect(r(projectRewards(8, tokens, [], { instanceReward: 0.5 }))).toEqual([0, 0, 0.5]);
  });

  it('normalises per span or by the largest magnitude', () => {
    expect(r(projectRewards(8, tokens, [span(0, 8, 1)], { normalize: 'span-mean' }))).toEqual([0.333, 0.333, 0.333]);
    expect(r(projectRewards(8, tokens, [span(0, 2, 4), span(6, 8, -2)], { normalize: 'max-abs' }))).toEqual([1, 0, -0.5]);
    // max-abs scales span weights, not token shares: a span's total stays put however it is tokenized
    expect(r(projectRewards(8, tokens, [span(0, 5, 4), span(6, 8, -2)], { normalize: 'max-abs' }))).toEqual([0.5, 0.5, -0.5]);
    expect(r(projectRewards(8, tokens, [span(0, 8, 1)]))).toEqual([0.333, 0.333, 0.333]);
    expect(r(projectRewards(8, tokens, [span(0, 8, 1)], { normalize: 'none' }))).toEqual([1, 1, 1]);
  });

  it('gives special tokens with empty spans no reward', () => {
    const withEos = enc(
      [
        [0, 2],
        [2, 5],
        [5, 8],
        [0, 0],
      ],
      [0, 0, 0, 1],
    );
    expect(r(projectRewards(8, withEos, [span(0, 8, -1)], { normalize: 'none' }))).toEqual([-1, -1, -1, 0]);
  });

  it('gives the tail of a character split across tokens the reward of its head', () => {
    // "aé" with é split into two byte-level tokens: [1,2) then an empty [2,2)
    const split = enc([
      [0, 1],
      [1, 2],
      [2, 2],
    ]);
    expect(r(projectRewards(2, split, [span(1, 2, -1)], { normalize: 'none' }))).toEqual([0, -1, -1]);
    expect(r(projectRewards(2, split, [span(1, 2, -1)], { emptyTokens: 'zero', normalize: 'none' }))).toEqual([0, -1, 0]);
  });

  it('gives a span the same total under span-mean whether its characters are one byte or three', () => {
    const text = 'abc €€€';
    const encoding = byteTokenizer.encode(text);
    const span = (start: number, end: number): RewardSpan => ({ start, end, weight: 1, polarity: 'secure', source: 'pair' });
    const r = Array.from(projectRewards(text.length, encoding, [span(0, 3), span(4, 7)], { normalize: 'span-mean' }));
    const total = (from: number, to: number) => r.slice(from, to).reduce((a, b) => a + b, 0);
    expect(total(0, 3)).toBeCloseTo(1, 5);
    // '€' is three bytes: a head and two empty tails each
    expect(total(4, 13)).toBeCloseTo(1, 5);
    expect(r[4]).toBeCloseTo(1 / 9, 5);
    expect(r[5]).toBe(r[4]);
  });

  it('reads offsets after an offset base: prompt tokens get 0', () => {
    // prompt "P: " (3 units) then the completion "ab cd ef"
    const full = enc([
      [0, 3],
      [3, 5],
      [5, 8],
      [8, 11],
    ]);
    expect(r(projectRewards(8, full, [span(0, 2, 1)], { offsetBase: 3 }))).toEqual([0, 1, 0, 0]);
  });

  it('rejects offsets out of range, reversed or out of order with a clear error', () => {
    expect(() => projectRewards(8, enc([[0, 9]]), [])).toThrowError(/end 9 is past the text's end 8/);
    expect(() => projectRewards(8, enc([[4, 2]]), [])).toThrowError(/end 2 is before start 4/);
    expect(() =>
      projectRewards(
        8,
        enc([
          [4, 6],
          [0, 2],
        ]),
        [],
      ),
    ).toThrowError(TokenRewardError);
    expect(() => projectRewards(8, { ids: [1, 2], offsets: [0, 1] }, [])).toThrowError(/1 \[start, end\) pairs for 2 tokens/);
  });

  it('accepts overlapping offsets (tokens sharing a split character)', () => {
    const shared = enc([
      [0, 1],
      [0, 1],
    ]);
    expect(r(projectRewards(1, shared, [span(0, 1, 1)], { normalize: 'none' }))).toEqual([1, 1]);
  });
});

describe('unitTotals', () => {
  // a small deterministic generator, so a failure names its case
  const rand = (seed: number) => () => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed / 2 ** 32;
  };

  it('gives the total and the token count that projecting weight-1 spans with combine sum gives', () => {
    for (let c = 0; c < 400; c++) {
      const r = rand(c + 1);
      // tokens with gaps, empty tails after multi-byte heads, special tokens
      const pairs: Array<[number, number]> = [];
      const special: number[] = [];
      let at = 0;
      for (let i = 0; i < 40; i++) {
        const len = 1 + Math.floor(r() * 4);
        pairs.push([at, at + len]);
        at += len;
        if (r() < 0.15) for (let t = Math.floor(r() * 3); t >= 0; t--) pairs.push([at, at]);
        if (r() < 0.05) {
          special.push(pairs.length);
          pairs.push([at, at]);
        }
        if (r() < 0.2) at += 1;
      }
      const encoding = enc(pairs, special);
      const spans = Array.from({ length: 1 + Math.floor(r() * 4) }, () => {
        const s = Math.floor(r() * at);
        return span(s, Math.min(at, s + Math.floor(r() * 20)), 1);
      });
      for (const overlap of ['any', 'majority', 'proportional'] as const) {
        for (const normalize of ['span-mean', 'none'] as const) {
          for (const emptyTokens of ['inherit', 'zero'] as const) {
            const projected = projectRewards(at, encoding, spans, { overlap, normalize, emptyTokens, combine: 'sum' });
            const want = { total: projected.reduce((a, b) => a + b, 0), tokens: projected.filter((x) => x !== 0).length };
            const got = unitTotals(encoding, spans, { overlap, normalize, emptyTokens });
            const where = `case ${c} ${overlap} ${normalize} ${emptyTokens}`;
            expect(got.tokens, where).toBe(want.tokens);
            expect(Math.abs(got.total - want.total), where).toBeLessThan(1e-4 * Math.max(1, want.total));
          }
        }
      }
    }
  });
});
