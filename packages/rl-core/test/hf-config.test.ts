import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseHfConfig } from '../src/hf/config.js';

const read = (name: string) =>
  JSON.parse(readFileSync(fileURLToPath(new URL(`./fixtures/hf/${name}/config.json`, import.meta.url)), 'utf8')) as Record<string, unknown>;
const llama = read('llama-tiny');
const gpt2 = read('gpt2-tiny-f16');

describe('config.json: every bad field is refused naming the file and the field', () => {
  it('reads the fixtures', () => {
    expect(parseHfConfig(llama, 'x/config.json')).toMatchObject({ hiddenSize: 32, heads: 4, kvHeads: 2, headDim: 8 });
    expect(parseHfConfig(gpt2, 'x/config.json')).toMatchObject({ modelType: 'gpt2', kvHeads: 4 });
  });

  it.each([
    [{ hidden_size: undefined }, /x\/config\.json: \/hidden_size: expected a whole number from 1, found none/],
    [{ hidden_size: 0 }, /\/hidden_size: expected a whole number from 1 below 2\^31, found 0/],
    [{ hidden_size: 31.5 }, /\/hidden_size: expected a whole number from 1 below 2\^31, found 31\.5/],
    [{ hidden_size: '32' }, /\/hidden_size: expected a whole number from 1 below 2\^31, found "32"/],
    [{ vocab_size: 1e300 }, /\/vocab_size: expected a whole number from 1 below 2\^31, found 1e\+300/],
    [{ num_hidden_layers: -2 }, /\/num_hidden_layers: expected a whole number from 1 below 2\^31, found -2/],
    [{ intermediate_size: null }, /\/intermediate_size: expected a whole number from 1, found none/],
    [{ num_attention_heads: 5 }, /\/num_key_value_heads: expected a divisor of num_attention_heads \(5\), found 2/],
    [{ num_key_value_heads: 8 }, /\/num_key_value_heads: expected a divisor of num_attention_heads \(4\), found 8/],
    [{ hidden_size: 30, num_key_value_heads: 4 }, /\/num_attention_heads: expected a divisor of hidden_size \(30\), found 4/],
    [
      { hidden_size: 36, head_dim: null },
      /\/head_dim: expected an even width for rotary embeddings, found 9 \(hidden_size \/ num_attention_heads\)/,
    ],
    [{ head_dim: 0 }, /\/head_dim: expected a whole number from 1 below 2\^31, found 0/],
    [{ rms_norm_eps: 0 }, /\/rms_norm_eps: expected a positive number, found 0/],
    [{ rope_theta: 'x' }, /\/rope_theta: expected a positive number, found "x"/],
    [{ tie_word_embeddings: 'yes' }, /\/tie_word_embeddings: expected true or false, found "yes"/],
    [{ eos_token_id: [1, -2] }, /\/eos_token_id: expected token ids \(whole numbers from 0\), found \[1,-2\]/],
    [{ rope_scaling: { type: 'linear' } }, /x\/config\.json: \/rope_scaling\/factor: expected a positive number, found none/],
    [{ rope_scaling: { rope_type: 'llama3', factor: 8 } }, /\/rope_scaling\/low_freq_factor: expected a positive number, found none/],
    [{ model_type: undefined }, /\/model_type: expected llama or qwen2 or gpt2, found none/],
    [{ use_sliding_window: true }, /\/use_sliding_window: expected false/],
  ])('llama %j', (patch, message) => {
    expect(() => parseHfConfig({ ...llama, ...patch }, 'x/config.json')).toThrow(message);
  });

  it.each([
    [{ n_embd: 0 }, /\/n_embd: expected a whole number from 1 below 2\^31, found 0/],
    [{ n_head: 3 }, /\/n_head: expected a divisor of n_embd \(32\), found 3/],
    [{ n_layer: 1.5 }, /\/n_layer: expected a whole number from 1 below 2\^31, found 1\.5/],
    [{ n_positions: -1 }, /\/n_positions: expected a whole number from 1 below 2\^31, found -1/],
    [{ tie_word_embeddings: false }, /\/tie_word_embeddings: expected true/],
  ])('gpt2 %j', (patch, message) => {
    expect(() => parseHfConfig({ ...gpt2, ...patch }, 'x/config.json')).toThrow(message);
  });

  it.each([
    [null, 'null'],
    [[1], 'an array'],
    ['llama', 'string'],
  ])('a config that is not an object (%j)', (json, what) => {
    expect(() => parseHfConfig(json, 'x/config.json')).toThrow(`x/config.json: expected a JSON object, found ${what}`);
  });
});
