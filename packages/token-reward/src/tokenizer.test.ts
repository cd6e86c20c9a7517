import { describe, expect, it } from 'vitest';
import { TokenRewardError } from './errors.js';
import { assertWellFormed, byteTokenizer, callerEncoding, toUtf16Offsets } from './tokenizer.js';

function pieces(text: string, offsets: ArrayLike<number>): string[] {
  const out: string[] = [];
  for (let i = 0; i < offsets.length; i += 2) out.push(text.slice(offsets[i] as number, offsets[i + 1] as number));
  return out;
}

describe('callerEncoding', () => {
  it('rejects offsets that are not non-negative integers before storing them', () => {
    const text = 'int a;';
    for (const bad of [
      [0.5, 3],
      [Number.NaN, 3],
      [0, Number.POSITIVE_INFINITY],
      [-1, 3],
      [0, '3' as unknown as number],
    ]) {
      const run = () => callerEncoding(text, { ids: [1, 2], offsets: [bad, [3, 6]] });
      expect(run, JSON.stringify(bad)).toThrowError(TokenRewardError);
      expect(run).toThrowError(expect.objectContaining({ code: 'invalid-offsets' }));
    }
    expect(() => callerEncoding(text, { ids: [1], offsets: [[0, 6]], offsetBase: 1.5 })).toThrowError(/offsetBase/);
    expect(Array.from(callerEncoding(text, { ids: [1, 2], offsets: [0, 3, 3, 6] }).offsets)).toEqual([0, 3, 3, 6]);
  });
});

describe('byteTokenizer', () => {
  it('gives one token per UTF-8 byte whose offsets tile the text', () => {
    const text = 'a é 😀 世';
    const e = byteTokenizer.encode(text);
    expect(e.ids.length).toBe(new TextEncoder().encode(text).length);
    expect(pieces(text, e.offsets).join('')).toBe(text);
  });

  it('puts a split character on its first byte and leaves continuation bytes empty', () => {
    const e = byteTokenizer.encode('é');
    expect(Array.from(e.ids)).toEqual([0xc3, 0xa9]);
    expect(Array.from(e.offsets)).toEqual([0, 1, 1, 1]);
    const emoji = byteTokenizer.encode('😀');
    expect(Array.from(emoji.offsets)).toEqual([0, 2, 2, 2, 2, 2, 2, 2]);
  });

  it('rejects a lone surrogate', () => {
    expect(() => byteTokenizer.encode('a\uD800b')).toThrowError(TokenRewardError);
    expect(() => assertWellFormed('x\uDC00')).toThrowError(/lone surrogate U\+DC00 at index 1/);
    expect(() => assertWellFormed('ok 😀')).not.toThrow();
  });
});

describe('toUtf16Offsets', () => {
  const text = 'é😀x';
  it('converts code-point offsets (Python str indices)', () => {
    expect(Array.from(toUtf16Offsets(text, [0, 1, 1, 2, 2, 3], 'codepoint'))).toEqual([0, 1, 1, 3, 3, 4]);
  });
  it('converts byte offsets, rounding a split character up to its end', () => {
    // bytes: é = 2, 😀 = 4, x = 1
    expect(Array.from(toUtf16Offsets(text, [0, 2, 2, 4, 4, 6, 6, 7], 'byte'))).toEqual([0, 1, 1, 3, 3, 3, 3, 4]);
  });
  it('keeps out-of-range offsets out of range so validation reports them', () => {
    expect(toUtf16Offsets(text, [0, 99], 'codepoint')[1]).toBeGreaterThan(text.length);
  });
});

describe('callerEncoding', () => {
  it('accepts offset pairs as Python sends them', () => {
    const e = callerEncoding('😀 ab', {
      ids: [1, 2, 3],
      offsets: [
        [0, 1],
        [1, 2],
        [2, 4],
      ],
      offsetUnit: 'codepoint',
    });
    expect(pieces('😀 ab', e.offsets)).toEqual(['😀', ' ', 'ab']);
  });
});
