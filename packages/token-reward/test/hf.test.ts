import { beforeAll, describe, expect, it } from 'vitest';
import { loadHfTokenizer } from '../src/hf.js';
import { TokenRewardError, type TokenizerLike } from '../src/index.js';
import { QWEN_DIR } from './qwen.js';

function pieces(text: string, offsets: ArrayLike<number>): string[] {
  const out: string[] = [];
  for (let i = 0; i < offsets.length; i += 2) out.push(text.slice(offsets[i] as number, offsets[i + 1] as number));
  return out;
}

describe('HF tokenizer.json adapter on the Qwen code tokenizer', () => {
  let qwen: TokenizerLike;
  beforeAll(async () => {
    qwen = await loadHfTokenizer(QWEN_DIR, { name: 'qwen3' });
  });

  it('computes offsets that reconstruct non-ASCII source exactly', () => {
    const text = 'int main(void) {\n  /* größe: 世界 😀 */\n  printf("héllo\\n");\n}\n';
    const e = qwen.encode(text);
    expect(e.ids.length).toBeGreaterThan(10);
    expect(pieces(text, e.offsets).join('')).toBe(text);
    expect(qwen.name).toBe('qwen3');
  });

  it('handles tokens that split a multi-byte character', () => {
    // rare CJK characters are split into byte pieces by the BPE
    const text = 'x = "龘𠀋"';
    const e = qwen.encode(text);
    const parts = pieces(text, e.offsets);
    expect(parts.join('')).toBe(text);
    expect(parts).toContain('');
  });

  it('flags special tokens written in the text', () => {
    const text = 'return 0;<|endoftext|>';
    const e = qwen.encode(text);
    const last = e.ids.length - 1;
    expect(e.ids[last]).toBe(151643);
    expect(e.special?.[last]).toBe(1);
    expect(pieces(text, e.offsets).join('')).toBe(text);
  });

  it('gives special tokens the text leaves out (an EOS after skip_special_tokens) an empty span', () => {
    const text = 'return 0;';
    const ids = [...Array.from(qwen.encode(text).ids), 151645];
    const e = qwen.offsetsFor?.(text, ids);
    if (!e) throw new Error('the adapter computes offsets');
    const n = ids.length;
    expect(Array.from(e.offsets).slice(2 * n - 2)).toEqual([text.length, text.length]);
    expect(e.special?.[n - 1]).toBe(1);
    expect(pieces(text, e.offsets).join('')).toBe(text);
    // one left out in the middle as well
    const mid = qwen.offsetsFor?.('ab', [...Array.from(qwen.encode('a').ids), 151645, ...Array.from(qwen.encode('b').ids)]);
    expect(Array.from(mid?.offsets ?? [])).toEqual([0, 1, 1, 1, 1, 2]);
    // ordinary tokens that are not the text's still fail
    expect(() => qwen.offsetsFor?.(text, [...ids.slice(0, -1), ...Array.from(qwen.encode('x').ids)])).toThrowError(
      /does not match the text/,
    );
  });

  it('refuses text the tokenizer normalises instead of returning wrong offsets', () => {
    expect(() => qwen.encode('e\u0301')).toThrowError(TokenRewardError);
    expect(() => qwen.encode('e\u0301')).toThrowError(/normalised the text/);
  });
});
