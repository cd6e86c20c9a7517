import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromPreTrainedTokenizer, loadHfTokenizer, type PreTrainedTokenizerShape } from '../src/hf.js';
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

describe('loading tokenizer.json files', () => {
  let tmp: string;
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));
  const json = JSON.parse(readFileSync(join(QWEN_DIR, 'tokenizer.json'), 'utf8')) as { model: { merges: unknown[] } };
  const config = JSON.parse(readFileSync(join(QWEN_DIR, 'tokenizer_config.json'), 'utf8')) as object;
  const sample = 'int main(void) {\n  /* größe: 世界 😀 龘 */\n  return 0;\n}<|im_end|>';
  let qwen: TokenizerLike;
  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'token-reward-hf-'));
    qwen = await loadHfTokenizer(QWEN_DIR);
  });

  it('gives the ids Qwen was trained with, and names the folder', () => {
    // the same ids as transformers.js 2.17.2's Qwen2Tokenizer on this file
    expect(Array.from(qwen.encode('return 0;<|endoftext|>').ids)).toEqual([689, 220, 15, 26, 151643]);
    expect(Array.from(qwen.encode('int main größe 世界').ids)).toEqual([396, 1887, 59409, 23455, 220, 99489]);
    expect(qwen.name).toBe('hf:models');
  });

  it('loads the file itself as it loads its folder', async () => {
    const file = await loadHfTokenizer(join(QWEN_DIR, 'tokenizer.json'), { name: 'q' });
    expect(file.encode(sample)).toEqual(qwen.encode(sample));
    expect(file.name).toBe('q');
  });

  it('reads merges stored as "a b" strings (older files) as it reads pairs', async () => {
    const old = join(tmp, 'old');
    mkdirSync(old);
    const merges = json.model.merges.map((m) => (Array.isArray(m) ? m.join(' ') : m));
    writeFileSync(join(old, 'tokenizer.json'), JSON.stringify({ ...json, model: { ...json.model, merges } }));
    const loaded = await loadHfTokenizer(old);
    expect(loaded.encode(sample)).toEqual(qwen.encode(sample));
  });

  it('loads a bare tokenizer.json without tokenizer_config.json', async () => {
    const bare = join(tmp, 'bare');
    mkdirSync(bare);
    writeFileSync(join(bare, 'tokenizer.json'), JSON.stringify(json));
    const loaded = await loadHfTokenizer(bare);
    expect(loaded.encode(sample)).toEqual(qwen.encode(sample));
  });

  it('names the path it cannot use', async () => {
    const missing = join(tmp, 'nothing-here');
    await expect(loadHfTokenizer(missing)).rejects.toThrowError(`${missing}: expected a tokenizer.json or a folder holding one`);
    const empty = join(tmp, 'empty');
    mkdirSync(empty);
    await expect(loadHfTokenizer(empty)).rejects.toThrowError(`${join(empty, 'tokenizer.json')}: expected a tokenizer.json`);
    const broken = join(tmp, 'broken.json');
    writeFileSync(broken, '{"model": ');
    await expect(loadHfTokenizer(broken)).rejects.toThrowError(`${broken}: expected a tokenizer.json, found`);
    for (const [name, body] of [
      ['none.json', '{}'],
      ['array.json', '[1, 2]'],
      ['no-decoder.json', '{"model": {"type": "BPE", "vocab": {}, "merges": []}}'],
    ] as const) {
      writeFileSync(join(tmp, name), body);
      const err = await loadHfTokenizer(join(tmp, name)).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(TokenRewardError);
      expect((err as TokenRewardError).code).toBe('tokenizer');
      expect((err as Error).message).toContain(`${join(tmp, name)}: expected a tokenizer.json, found one that cannot be loaded`);
    }
  });

  it('wraps a tokenizer already loaded in the transformers.js shape the same way', () => {
    const loaded = new Tokenizer(json, config);
    const shape: PreTrainedTokenizerShape = {
      encode: (text, _pair, options) => loaded.encode(text, { add_special_tokens: options?.add_special_tokens ?? true }).ids,
      model: { convert_ids_to_tokens: (ids) => ids.map((id) => loaded.id_to_token(id) ?? '') },
      added_tokens: [...loaded.get_added_tokens_decoder().values()],
    };
    const wrapped = fromPreTrainedTokenizer(shape);
    expect(wrapped.name).toBe('hf');
    expect(wrapped.encode(sample)).toEqual(qwen.encode(sample));
    // the library's own word cache against the one loadHfTokenizer puts in, on words seen again
    const words = Array.from({ length: 2000 }, (_, i) => `v${(i * 7919).toString(36)}_${i % 97 ? 'größe' : '世界'}`);
    const long = words.map((w, i) => `${w} = ${words[(i * 31) % words.length]} + ${words[(i * 7) % words.length]};`).join('\n');
    expect(Array.from(qwen.encode(long).ids)).toEqual(loaded.encode(long, { add_special_tokens: false }).ids);
    expect(Array.from(qwen.encode(long).ids)).toEqual(loaded.encode(long, { add_special_tokens: false }).ids);
  });

  it('depends on a tokenizer that brings no other package and runs nothing at install', () => {
    const manifest = JSON.parse(readFileSync(new URL('../node_modules/@huggingface/tokenizers/package.json', import.meta.url), 'utf8')) as {
      dependencies?: object;
      optionalDependencies?: object;
      scripts?: Record<string, string>;
    };
    expect(Object.keys({ ...manifest.dependencies, ...manifest.optionalDependencies })).toEqual([]);
    expect(Object.keys(manifest.scripts ?? {}).filter((k) => /^(pre|post)?install$/.test(k))).toEqual([]);
  });
});
