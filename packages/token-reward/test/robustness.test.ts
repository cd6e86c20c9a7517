import { describe, expect, it } from 'vitest';
import {
  byteTokenizer,
  callerEncoding,
  matchCompletion,
  onlineRewardMap,
  pairSpans,
  profilePair,
  projectRewards,
  TokenRewardError,
  teacherForcedMaps,
} from '../src/index.js';
import { markedPair } from './helpers.js';

const pair = markedPair('r', 'c', 'void f(const char *s) {\n  char b[8];\n  [-strcpy(b, s)-]{+strncpy(b, s, sizeof b)+};\n}\n');

describe('bad input gets a clear error or a bounded result', () => {
  it('scores text with lone surrogates from caller offsets, and refuses to byte-tokenize it', () => {
    const text = 'void g(char *s) {\n  /* \uD800 */\n  strcpy(b, s);\n}\n';
    const words = [...text.matchAll(/\s+|\S+/g)].map((m) => [m.index, m.index + m[0].length]);
    const { map } = onlineRewardMap({
      pair,
      completion: text,
      encoding: callerEncoding(text, { ids: words.map(() => 1), offsets: words }),
      id: 'x',
      tokenizer: 't',
    });
    expect(map.rewards).toHaveLength(words.length);
    expect(map.rewards.some((r) => r < 0)).toBe(true);
    expect(() => byteTokenizer.encode(text)).toThrowError(/lone surrogate U\+D800/);
  });

  it('clamps a pair whose ranges run past its code instead of crashing', () => {
    const broken = { ...pair, changes: { ...pair.changes, added: [{ start: 40, end: 10_000 }] } };
    const spans = pairSpans(broken);
    for (const s of spans.fixed) expect(s.end).toBeLessThanOrEqual(broken.fixedCode.length);
  });

  it('rejects offsets out of range and out of order with TokenRewardError', () => {
    const bad = (offsets: number[]) => () => projectRewards(4, { ids: offsets.filter((_, i) => i % 2 === 0), offsets }, []);
    for (const offsets of [
      [0, 5],
      [-1, 2],
      [0, 1.5],
      [2, 4, 0, 1],
    ]) {
      expect(bad(offsets)).toThrowError(TokenRewardError);
    }
  });

  it('handles empty texts and pairs without changes', () => {
    expect(onlineRewardMap({ pair, completion: '', encoding: byteTokenizer.encode(''), id: 'e', tokenizer: 'bytes' }).map.rewards).toEqual(
      [],
    );
    const same = { ...pair, fixedCode: pair.vulnerableCode, changes: { deleted: [], added: [], origin: 'diff' as const } };
    const maps = teacherForcedMaps(same, byteTokenizer);
    expect(maps.fixed.rewards.every((r) => r === 0)).toBe(true);
    expect(matchCompletion(profilePair(same), 'strcpy(a, b);').spans).toEqual([]);
  });

  it('scores a 100k-line completion in bounded work, and flags a truncated match', () => {
    const completion = `void g(char *in) {\n${'  strcpy(out, in);\n'.repeat(100_000)}}\n`;
    const encoding = byteTokenizer.encode(completion);
    const { map, truncated } = onlineRewardMap({ pair, completion, encoding, id: 'big', tokenizer: 'bytes' });
    expect(truncated).toBe(false);
    expect(map.rewards).toHaveLength(completion.length);
    expect(map.spans.length).toBe(100_000);
    const capped = matchCompletion(profilePair(pair), completion, { maxNodes: 1000 });
    expect(capped.truncated).toBe(true);
    expect(capped.spans.length).toBeLessThanOrEqual(1000);
  });

  it('throws unknown-language before any work', () => {
    const err = (() => {
      try {
        pairSpans({ ...pair, language: 'go' });
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(TokenRewardError);
    expect((err as TokenRewardError).code).toBe('unknown-language');
  });
});
