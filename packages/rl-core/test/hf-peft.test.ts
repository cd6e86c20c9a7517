// PEFT compatibility, engine -> Python: the engine saves an adapter for a Llama, a Qwen2 and a GPT-2 fixture; the
// committed copy (engine-lora/) was read back by reference/make_fixtures.py --peft-roundtrip, which checks
// every key, shape and config field the way PEFT lays them out and writes its own log-probs with the adapter.
// Here the engine must still write exactly that adapter and score like the reference does with it.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { saveAdapter } from '../src/hf/lora.js';
import { HfModel, loraModulesOf } from '../src/hf/model.js';
import { openSafetensors } from '../src/hf/safetensors.js';
import { type BackendName, useBackend } from '../src/tfjs/backend.js';

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/hf/${name}`, import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'rl-core-hf-peft-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const WRITE = process.env.RL_CORE_WRITE_ENGINE_ADAPTERS === '1';

/** An adapter on every projection with A and B from a fixed generator (B non-zero, so it changes the model). */
async function engineAdapter(name: string): Promise<HfModel> {
  const model = await HfModel.load(fixture(name));
  model.addLora({ r: 2, alpha: 6, targetModules: [...loraModulesOf(model.config)] });
  let seed = 20261202;
  const next = () => {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    return seed / 2 ** 32 - 0.5;
  };
  for (const ad of model.adapters.values())
    for (const v of [ad.a, ad.b]) {
      const values = Float32Array.from({ length: v.size }, () => next() * 0.6);
      tf.tidy(() => v.assign(tf.tensor(values, v.shape)));
    }
  return model;
}

describe.each(['llama-tiny', 'qwen2-tiny-bf16', 'gpt2-tiny-f16'])('a PEFT adapter the engine saves for %s', (name) => {
  const committed = join(fixture(name), 'engine-lora');

  it('is the committed one the PyTorch reference loaded by PEFT key names and shapes', async () => {
    await useBackend('cpu');
    const model = await engineAdapter(name);
    const dir = WRITE ? committed : join(tmp, name);
    if (WRITE) mkdirSync(dir, { recursive: true });
    await saveAdapter(model, dir);
    model.dispose();
    expect(existsSync(join(committed, 'expected.json')), 'run reference/make_fixtures.py --peft-roundtrip').toBe(true);
    expect(JSON.parse(readFileSync(join(dir, 'adapter_config.json'), 'utf8'))).toEqual(
      JSON.parse(readFileSync(join(committed, 'adapter_config.json'), 'utf8')),
    );
    const [got, want] = await Promise.all([dir, committed].map((d) => openSafetensors(join(d, 'adapter_model.safetensors'))));
    expect([...(got?.entries.keys() ?? [])].sort()).toEqual([...(want?.entries.keys() ?? [])].sort());
    for (const key of want?.entries.keys() ?? []) {
      expect(key).toMatch(
        name.startsWith('gpt2')
          ? /^base_model\.model\.transformer\.h\.\d+\.(attn\.c_attn|attn\.c_proj|mlp\.c_fc|mlp\.c_proj)\.lora_[AB]\.weight$/
          : /^base_model\.model\.model\.layers\.\d+\.(self_attn|mlp)\.\w+_proj\.lora_[AB]\.weight$/,
      );
      const a = got?.read(key);
      const b = want?.read(key);
      expect(a?.shape, key).toEqual(b?.shape);
      expect(Array.from(a?.data ?? []), key).toEqual(Array.from(b?.data ?? []));
    }
  });

  it.each(['cpu', 'wasm'] as BackendName[])('scores as the reference does with it (%s, 1e-4)', async (backend) => {
    await useBackend(backend);
    const model = await engineAdapter(name);
    const ref = JSON.parse(readFileSync(join(committed, 'expected.json'), 'utf8')) as {
      scale: number;
      sequences: { ids: number[]; logprobs: number[] }[];
    };
    expect(ref.scale).toBe(3);
    const base = JSON.parse(readFileSync(join(fixture(name), 'expected.json'), 'utf8')).sequences as { logprobs: number[] }[];
    for (const [s, seq] of ref.sequences.entries()) {
      const ids = tf.tensor2d(seq.ids, [1, seq.ids.length], 'int32');
      const r = tf.tidy(() => model.score(ids));
      const got = Array.from(await r.logp.data());
      tf.dispose([ids, r.logp, r.entropy, r.values]);
      expect(got).toHaveLength(seq.logprobs.length);
      for (const [i, v] of got.entries()) expect(Math.abs(v - (seq.logprobs[i] as number)), `${s}/${i}`).toBeLessThan(1e-4);
      // the adapter is not a no-op: the reference's log-probs with it are far from the base model's
      expect(Math.max(...seq.logprobs.map((v, i) => Math.abs(v - (base[s]?.logprobs[i] as number))))).toBeGreaterThan(0.05);
    }
    model.dispose();
  });
});
