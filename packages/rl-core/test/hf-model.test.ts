import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { HfModel } from '../src/hf/model.js';
import { type BackendName, useBackend, webgpuAvailable } from '../src/tfjs/backend.js';

/** Log-probs must match the PyTorch reference (float64) to this absolute tolerance. */
const TOLERANCE = 1e-4;
const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/hf/${name}`, import.meta.url));
const FIXTURES = ['llama-tiny', 'qwen2-tiny-bf16', 'llama-tiny-f16-sharded', 'gpt2-tiny-f16'];

interface Expected {
  dtype: string;
  sequences: { ids: number[]; logprobs: number[] }[];
}
const expected = (name: string): Expected => JSON.parse(readFileSync(`${fixture(name)}/expected.json`, 'utf8'));

const hasWebgpu = await webgpuAvailable();
const backends: { name: BackendName; skip: boolean; why: string }[] = [
  { name: 'cpu', skip: false, why: '' },
  { name: 'wasm', skip: false, why: '' },
  { name: 'webgpu', skip: !hasWebgpu, why: hasWebgpu ? '' : ' (skipped: Dawn found no WebGPU adapter on this machine)' },
];

describe.each(backends.map((b) => [`${b.name}${b.why}`, b] as const))('Hugging Face checkpoints on %s', (_t, { name, skip }) => {
  if (skip) {
    it.skip('not run: no WebGPU adapter', () => {});
    return;
  }
  it.each(FIXTURES)('%s: next-token log-probs match the reference', async (fx) => {
    await useBackend(name);
    const model = await HfModel.load(fixture(fx));
    const want = expected(fx);
    for (const seq of want.sequences) {
      const ids = tf.tensor2d(seq.ids, [1, seq.ids.length], 'int32');
      const r = tf.tidy(() => model.score(ids));
      const got = await r.logp.data();
      tf.dispose([ids, r.logp, r.entropy, r.values]);
      expect(got.length).toBe(seq.logprobs.length);
      for (let i = 0; i < got.length; i++) expect(Math.abs((got[i] as number) - (seq.logprobs[i] as number))).toBeLessThan(TOLERANCE);
    }
    // the two sequences as one right-padded batch score as they do alone
    const [a, b] = want.sequences as [Expected['sequences'][0], Expected['sequences'][0]];
    const T = a.ids.length;
    const padded = [...a.ids, ...b.ids, ...new Array(T - b.ids.length).fill(0)];
    const ids = tf.tensor2d(padded, [2, T], 'int32');
    const r = tf.tidy(() => model.score(ids));
    const got = await r.logp.data();
    tf.dispose([ids, r.logp, r.entropy, r.values]);
    for (let i = 0; i < b.logprobs.length; i++)
      expect(Math.abs((got[T - 1 + i] as number) - (b.logprobs[i] as number))).toBeLessThan(TOLERANCE);
    model.dispose();
  });
});

describe('bad checkpoints: errors name the file and the field or tensor', () => {
  const copy = (from: string) => {
    const dir = mkdtempSync(join(tmpdir(), 'rl-core-hf-bad-'));
    cpSync(fixture(from), dir, { recursive: true });
    return dir;
  };
  const config = (dir: string) => JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
  const setConfig = (dir: string, patch: Record<string, unknown>) =>
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ ...config(dir), ...patch }));

  it.each([
    [{ model_type: 'mistral' }, /config\.json: \/model_type: expected llama or qwen2 or gpt2, found "mistral"/],
    [{ hidden_act: 'gelu' }, /config\.json: \/hidden_act: expected silu/],
    [{ num_key_value_heads: 3 }, /config\.json: \/num_key_value_heads: expected a divisor of num_attention_heads \(4\), found 3/],
    [{ hidden_size: -32 }, /config\.json: \/hidden_size: expected a whole number from 1 below 2\^31, found -32/],
    [
      { rope_scaling: { rope_type: 'yarn', factor: 4 } },
      /config\.json: \/rope_scaling\/rope_type: expected default, linear or llama3, found "yarn"/,
    ],
    [{ vocab_size: 65 }, /model\.safetensors: tensor model\.embed_tokens\.weight: expected shape \[65,32\].*found \[64,32\]/],
  ])('config %j', async (patch, message) => {
    await useBackend('cpu');
    const dir = copy('llama-tiny');
    setConfig(dir, patch);
    await expect(HfModel.load(dir)).rejects.toThrow(message);
    rmSync(dir, { recursive: true, force: true });
  });

  it('GPT-2 configs: an activation or attention scaling the layout lacks', async () => {
    await useBackend('cpu');
    for (const [patch, message] of [
      [{ activation_function: 'relu' }, /\/activation_function: expected gelu_new or gelu_pytorch_tanh, found "relu"/],
      [{ scale_attn_by_inverse_layer_idx: true }, /\/scale_attn_by_inverse_layer_idx: expected false/],
      [{ n_head: 5 }, /\/n_head: expected a divisor of n_embd \(32\), found 5/],
    ] as const) {
      const dir = copy('gpt2-tiny-f16');
      setConfig(dir, patch);
      await expect(HfModel.load(dir)).rejects.toThrow(message);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a missing tensor, a shard the index names but lacks, an integer dtype, a truncated file', async () => {
    await useBackend('cpu');
    const dir = copy('llama-tiny-f16-sharded');
    const index = JSON.parse(readFileSync(join(dir, 'model.safetensors.index.json'), 'utf8'));
    const [name, shard] = Object.entries(index.weight_map as Record<string, string>)[0] as [string, string];
    delete index.weight_map[name];
    writeFileSync(join(dir, 'model.safetensors.index.json'), JSON.stringify(index));
    await expect(HfModel.load(dir)).rejects.toThrow(new RegExp(`expected tensor ${name.replaceAll('.', '\\.')} of shape`));
    index.weight_map[name] = 'model-00009-of-00009.safetensors';
    writeFileSync(join(dir, 'model.safetensors.index.json'), JSON.stringify(index));
    await expect(HfModel.load(dir)).rejects.toThrow(/model-00009-of-00009\.safetensors: expected a safetensors file/);
    index.weight_map[name] = '../outside.safetensors';
    writeFileSync(join(dir, 'model.safetensors.index.json'), JSON.stringify(index));
    await expect(HfModel.load(dir)).rejects.toThrow(/weight_map\/.*expected a shard file name in the folder/);
    // an I8 tensor in a shard's header
    const bytes = readFileSync(join(dir, shard));
    const len = Number(bytes.readBigUInt64LE(0));
    const header = bytes
      .subarray(8, 8 + len)
      .toString('utf8')
      .replace('"F16"', '"I16"');
    writeFileSync(join(dir, shard), Buffer.concat([bytes.subarray(0, 8), Buffer.from(header), bytes.subarray(8 + len)]));
    index.weight_map[name] = shard;
    writeFileSync(join(dir, 'model.safetensors.index.json'), JSON.stringify(index));
    await expect(HfModel.load(dir)).rejects.toThrow(
      /model-00001-of-00002\.safetensors: tensor .*: expected dtype F32\|F16\|BF16, found "I16"/,
    );
    writeFileSync(join(dir, shard), bytes.subarray(0, bytes.length - 100));
    await expect(HfModel.load(dir)).rejects.toThrow(/model-00001-of-00002\.safetensors: tensor .*data_offsets .* inside the file/);
    rmSync(dir, { recursive: true, force: true });
  });
});
