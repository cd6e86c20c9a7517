import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { HfTokenizer } from '../src/hf/tokenizer.js';

const qwenFixture = fileURLToPath(new URL('./fixtures/hf/qwen2-tiny-bf16', import.meta.url));
const base = JSON.parse(readFileSync(`${qwenFixture}/tokenizer.json`, 'utf8')) as Record<string, unknown> & {
  model: Record<string, unknown>;
};
const dir = mkdtempSync(join(tmpdir(), 'rl-core-tok-edge-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, json: unknown): string {
  const file = join(dir, `${name}.json`);
  writeFileSync(file, typeof json === 'string' ? json : JSON.stringify(json));
  return file;
}

describe('malformed tokenizer.json files are refused naming the file and the field, never a TypeError', () => {
  it.each([
    ['null', null, /null\.json: expected a JSON object, found null/],
    ['array', [1], /array\.json: expected a JSON object, found an array/],
    ['text', '{"model": ', /text\.json: expected a tokenizer\.json, found/],
    ['wordpiece', { ...base, model: { type: 'WordPiece', vocab: {} } }, /wordpiece\.json: \/model\/type: expected BPE, found "WordPiece"/],
    ['nomodel', { ...base, model: null }, /nomodel\.json: \/model\/type: expected BPE, found undefined/],
    ['vocablist', { ...base, model: { ...base.model, vocab: [['a', 0]] } }, /vocablist\.json: \/model\/vocab: expected an object/],
    [
      'vocabneg',
      { ...base, model: { ...base.model, vocab: { a: -1 } } },
      /vocabneg\.json: \/model\/vocab\/"a": expected a token id .*found -1/,
    ],
    [
      'vocabhuge',
      { ...base, model: { ...base.model, vocab: { a: 4e9 } } },
      /vocabhuge\.json: \/model\/vocab\/"a": expected a token id .*found 4000000000/,
    ],
    ['vocabtext', { ...base, model: { ...base.model, vocab: { a: '1' } } }, /vocabtext\.json: \/model\/vocab\/"a": expected a token id/],
    ['merges', { ...base, model: { ...base.model, merges: 'a b' } }, /merges\.json: \/model\/merges: expected a list/],
    ['merge', { ...base, model: { ...base.model, merges: ['a b c'] } }, /merge\.json: \/model\/merges\/0: expected "a b" or \["a", "b"\]/],
    ['addedobj', { ...base, added_tokens: {} }, /addedobj\.json: \/added_tokens: expected a list, found \{\}/],
    [
      'addednull',
      { ...base, added_tokens: [null] },
      /addednull\.json: \/added_tokens\/0: expected \{"id": a token id, "content": a non-empty string\}, found null/,
    ],
    ['addedempty', { ...base, added_tokens: [{ id: 300, content: '' }] }, /addedempty\.json: \/added_tokens\/0: expected/],
    ['addedneg', { ...base, added_tokens: [{ id: -1, content: 'x' }] }, /addedneg\.json: \/added_tokens\/0: expected/],
    ['pre', { ...base, pre_tokenizer: 5 }, /pre\.json: \/pre_tokenizer\/type: expected ByteLevel, Split or Sequence/],
    [
      'split',
      { ...base, pre_tokenizer: { type: 'Split', pattern: { Regex: '(' }, behavior: 'Isolated' } },
      /split\.json: \/pre_tokenizer\/pattern: expected a regular expression/,
    ],
  ])('%s', async (name, json, message) => {
    await expect(HfTokenizer.load(write(name, json))).rejects.toThrow(message);
  });

  it('a post-processor with holes in its template gives no prefix rather than a crash', async () => {
    const tok = await HfTokenizer.load(write('post', { ...base, post_processor: { type: 'TemplateProcessing', single: [null] } }));
    expect(tok.prefixIds).toEqual([]);
  });
});

describe('encoding edge cases', () => {
  it('the empty string, non-ASCII, emoji and added tokens inside text round-trip', async () => {
    const tok = await HfTokenizer.load(qwenFixture);
    expect(tok.encode('')).toEqual([]);
    expect(tok.decodeWithOffsets([])).toEqual({ text: '', offsets: new Uint32Array(0) });
    for (const text of ['日本語のテキスト', '👩‍👩‍👧 family 🏳️‍🌈', 'x\u0000y\uFEFF', 'ünïcödé'])
      expect(tok.decode(tok.encode(text))).toBe(text);
    const end = tok.tokenId('<|im_end|>') as number;
    const start = tok.tokenId('<|im_start|>') as number;
    const ids = tok.encode('a<|im_end|><|im_start|>😀<|im_end|>');
    expect(ids.filter((i) => i === end)).toHaveLength(2);
    expect(ids.filter((i) => i === start)).toHaveLength(1);
    expect(ids[0]).not.toBe(end);
    expect(tok.decode(ids, true)).toBe('a<|im_end|><|im_start|>😀<|im_end|>');
    // a marker cut in half is plain text, not the token
    expect(tok.encode('<|im_en')).not.toContain(end);
    // a lone surrogate is not valid UTF-8: it encodes as U+FFFD's bytes, as TextEncoder writes it
    expect(tok.decode(tok.encode('a\uD800b'))).toBe('a\uFFFDb');
  });

  it('one very long word (300k bytes, one piece) encodes and decodes without overflowing the stack', async () => {
    const tok = await HfTokenizer.load(qwenFixture);
    const word = '~'.repeat(300_000);
    const ids = tok.encode(word);
    expect(ids.length).toBeGreaterThan(100_000);
    expect(tok.decode(ids)).toBe(word);
    const { offsets } = tok.decodeWithOffsets(ids);
    expect(offsets[offsets.length - 1]).toBe(word.length);
  });

  // Merges by rank checked against the format's definition written plainly (rescan for the lowest-ranked
  // pair, merge its occurrences left to right), on random merges over a small alphabet and random words.
  it('applies merges as the plain definition does, on many random merge lists and words', async () => {
    let seed = 12345;
    const random = () => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return seed / 2 ** 32;
    };
    for (let trial = 0; trial < 8; trial++) {
      const letters = 'abcde'.slice(0, 2 + (trial % 4));
      const tokens = [...letters];
      const merges: string[] = [];
      for (let m = 0; m < 60; m++) {
        const x = tokens[Math.floor(random() * tokens.length)] as string;
        const y = tokens[Math.floor(random() * tokens.length)] as string;
        if (merges.includes(`${x} ${y}`)) continue;
        merges.push(`${x} ${y}`);
        if (!tokens.includes(x + y)) tokens.push(x + y);
      }
      const vocab = Object.fromEntries(tokens.map((t, i) => [t, i]));
      const file = write(`random-${trial}`, {
        model: { type: 'BPE', vocab, merges },
        pre_tokenizer: { type: 'ByteLevel', add_prefix_space: false, use_regex: true },
        decoder: { type: 'ByteLevel' },
      });
      const tok = await HfTokenizer.load(file);
      const rank = new Map(merges.map((m, i) => [m, i]));
      const plain = (word: string) => {
        let parts = [...word];
        for (;;) {
          let best = -1;
          for (let i = 0; i + 1 < parts.length; i++) {
            const r = rank.get(`${parts[i]} ${parts[i + 1]}`);
            if (r !== undefined && (best < 0 || r < (rank.get(`${parts[best]} ${parts[best + 1]}`) as number))) best = i;
          }
          if (best < 0) return parts.map((p) => vocab[p]);
          const [a, b] = [parts[best], parts[best + 1]];
          const next: string[] = [];
          for (let i = 0; i < parts.length; i++)
            if (parts[i] === a && parts[i + 1] === b && i + 1 < parts.length) {
              next.push((a as string) + b);
              i++;
            } else next.push(parts[i] as string);
          parts = next;
        }
      };
      for (let w = 0; w < 40; w++) {
        const word = Array.from({ length: 1 + Math.floor(random() * 40) }, () => letters[Math.floor(random() * letters.length)]).join('');
        expect(tok.encode(word), `${JSON.stringify(merges.slice(0, 5))}... on ${word}`).toEqual(plain(word));
      }
    }
  });
});
