import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { encodePrompt, loadHfText } from '../src/hf/chat.js';
import { readAdapterConfig } from '../src/hf/lora.js';
import { HfModel } from '../src/hf/model.js';
import { HfPolicy } from '../src/hf/policy.js';
import { useBackend } from '../src/tfjs/backend.js';

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/hf/${name}`, import.meta.url));
const pkg = fileURLToPath(new URL('..', import.meta.url));
const tsx = fileURLToPath(new URL('../../../node_modules/.bin/tsx', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'rl-core-hf-bad-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const copy = (from: string, to: string) => {
  const dir = join(tmp, to);
  cpSync(fixture(from), dir, { recursive: true });
  return dir;
};

describe('bad checkpoint folders and options', () => {
  it('a load that fails halfway frees the tensors it had already put on the device', async () => {
    await useBackend('cpu');
    const dir = copy('llama-tiny-f16-sharded', 'halfway');
    // the second shard goes missing from its index: the first shard's tensors load, then a tensor is absent
    const index = JSON.parse((await import('node:fs')).readFileSync(join(dir, 'model.safetensors.index.json'), 'utf8'));
    for (const [k, v] of Object.entries(index.weight_map)) if (v === 'model-00002-of-00002.safetensors') delete index.weight_map[k];
    writeFileSync(join(dir, 'model.safetensors.index.json'), JSON.stringify(index));
    const before = tf.memory().numTensors;
    await expect(HfModel.load(dir)).rejects.toThrow(/halfway: expected tensor model\.norm\.weight of shape \[32\]/);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('a sharded index naming a shard that lacks the tensor, an index of the wrong shape or not JSON', async () => {
    await useBackend('cpu');
    const dir = copy('llama-tiny-f16-sharded', 'index');
    const file = join(dir, 'model.safetensors.index.json');
    const index = JSON.parse((await import('node:fs')).readFileSync(file, 'utf8'));
    const [name] = Object.entries(index.weight_map as Record<string, string>).find(([, f]) => f.includes('00001')) as [string, string];
    writeFileSync(file, JSON.stringify({ ...index, weight_map: { ...index.weight_map, [name]: 'model-00002-of-00002.safetensors' } }));
    await expect(HfModel.load(dir)).rejects.toThrow(
      new RegExp(
        `model-00002-of-00002\\.safetensors: expected tensor ${name.replaceAll('.', '\\.')} \\(as .*model\\.safetensors\\.index\\.json says\\), found none`,
      ),
    );
    writeFileSync(file, JSON.stringify({ weight_map: ['model-00001-of-00002.safetensors'] }));
    await expect(HfModel.load(dir)).rejects.toThrow(/index\.json: \/weight_map: expected an object of tensor name -> shard file, found \[/);
    writeFileSync(file, '{"weight_map": {');
    await expect(HfModel.load(dir)).rejects.toThrow(/index\.json: expected JSON, found unparsable text/);
    writeFileSync(file, 'null');
    await expect(HfModel.load(dir)).rejects.toThrow(/index\.json: \/weight_map: expected an object/);
  });

  it('adapter, tokenizer and generation configs that are JSON but not objects are refused naming the file', async () => {
    const dir = copy('qwen2-tiny-bf16', 'configs');
    writeFileSync(join(dir, 'adapter_config.json'), 'null');
    await expect(readAdapterConfig(dir)).rejects.toThrow(/configs\/adapter_config\.json: expected a JSON object, found null/);
    const model = await HfModel.load(dir);
    writeFileSync(join(dir, 'tokenizer_config.json'), '[]');
    await expect(loadHfText(dir, model.config)).rejects.toThrow(/configs\/tokenizer_config\.json: expected a JSON object, found an array/);
    writeFileSync(join(dir, 'tokenizer_config.json'), '{}');
    writeFileSync(join(dir, 'generation_config.json'), '7');
    await expect(loadHfText(dir, model.config)).rejects.toThrow(/configs\/generation_config\.json: expected a JSON object, found 7/);
    model.dispose();
  });

  it('a prompt with a token the embedding has no row for is refused, not scored as garbage', async () => {
    await useBackend('cpu');
    const dir = copy('qwen2-tiny-bf16', 'past-vocab');
    const model = await HfModel.load(dir);
    const tokenizer = JSON.parse((await import('node:fs')).readFileSync(join(dir, 'tokenizer.json'), 'utf8'));
    tokenizer.added_tokens.push({ id: model.config.vocabSize + 3, content: '<|extra|>', special: true });
    writeFileSync(join(dir, 'tokenizer.json'), JSON.stringify(tokenizer));
    const text = await loadHfText(dir, model.config);
    expect(encodePrompt(text, 'ok', { raw: true }).every((id) => id < model.config.vocabSize)).toBe(true);
    expect(() => encodePrompt(text, 'a<|extra|>b')).toThrow(
      new RegExp(
        `expected prompt token ids below the model's vocab_size ${model.config.vocabSize}, found ${model.config.vocabSize + 3} \\("<\\|extra\\|>"\\)`,
      ),
    );
    model.dispose();
  });

  it("a policy longer than the checkpoint's context is refused before anything of that size is built", async () => {
    await useBackend('cpu');
    await expect(HfPolicy.load(fixture('llama-tiny'), { maxLength: 1_000_000 })).rejects.toThrow(
      /expected maxLength at most 64 \(the max_position_embeddings of .*llama-tiny\), found 1000000/,
    );
  });

  it('srcode-rl score refuses more ids than the context holds, in one line', () => {
    const ids = Array.from({ length: 65 }, (_, i) => i % 64).join(',');
    const r = spawnSync(tsx, ['src/cli.ts', 'score', '--model', fixture('llama-tiny'), '--ids', ids, '--backend', 'wasm'], {
      cwd: pkg,
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(
      /^srcode-rl score: expected at most 64 token ids \(the max_position_embeddings of .*llama-tiny\), found 65\n$/,
    );
    expect(r.stdout).toBe('');
  });
});
