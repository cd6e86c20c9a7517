import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { openSafetensors } from '../src/hf/safetensors.js';
import { HfModel } from '../src/hf/model.js';
import { HfPolicy } from '../src/hf/policy.js';
import { loadAdapter, peftKey } from '../src/hf/lora.js';
import type { TokenBatch } from '../src/policy.js';
import { type BackendName, useBackend, webgpuAvailable } from '../src/tfjs/backend.js';

const base = fileURLToPath(new URL('./fixtures/hf/llama-tiny', import.meta.url));
const adapter = join(base, 'lora');
const expected = JSON.parse(readFileSync(join(adapter, 'expected.json'), 'utf8')) as {
  loss: number;
  sequences: { ids: number[]; logprobs: number[] }[];
};
const tmp = mkdtempSync(join(tmpdir(), 'rl-core-hf-lora-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Both fixture sequences as one right-padded batch, every next token scored. */
function fixtureBatch(T: number): TokenBatch {
  const tokens = new Int32Array(2 * T);
  const mask = new Float32Array(2 * (T - 1));
  expected.sequences.forEach((s, b) => {
    tokens.set(s.ids, b * T);
    for (let t = 0; t < s.ids.length - 1; t++) mask[b * (T - 1) + t] = 1;
  });
  return { batch: 2, tokens, mask };
}
const T = 12;

const hasWebgpu = await webgpuAvailable();
const backends: BackendName[] = hasWebgpu ? ['cpu', 'wasm', 'webgpu'] : ['cpu', 'wasm'];
if (!hasWebgpu) it.skip('LoRA on webgpu (not run: Dawn found no WebGPU adapter on this machine)', () => {});

describe.each(backends)('LoRA on %s', (backend) => {
  it('a PEFT adapter loads by its key names and gives the reference log-probs', async () => {
    await useBackend(backend);
    const model = await HfModel.load(base);
    const cfg = await loadAdapter(model, adapter);
    expect(cfg).toMatchObject({ r: 4, alpha: 8, dropout: 0 });
    expect(model.adapters.size).toBe(2 * 7);
    for (const s of expected.sequences) {
      const ids = tf.tensor2d(s.ids, [1, s.ids.length], 'int32');
      const r = tf.tidy(() => model.score(ids));
      const got = await r.logp.data();
      tf.dispose([ids, r.logp, r.entropy, r.values]);
      for (let i = 0; i < got.length; i++) expect(Math.abs((got[i] as number) - (s.logprobs[i] as number))).toBeLessThan(1e-4);
    }
    model.dispose();
  });

  it("one step's gradients of every A and B match the reference to 1e-3", async () => {
    await useBackend(backend);
    const policy = await HfPolicy.load(base, { adapter, maxLength: T });
    const { loss, grads } = await policy.sftGradients(fixtureBatch(T));
    expect(Math.abs(loss - expected.loss)).toBeLessThan(1e-4);
    const want = await openSafetensors(join(adapter, 'expected-grads.safetensors'));
    expect(Object.keys(grads).sort()).toEqual([...want.entries.keys()].sort());
    let worst = 0;
    for (const [key, g] of Object.entries(grads)) {
      const w = want.read(key);
      expect(g.shape).toEqual(w.shape);
      for (let i = 0; i < g.data.length; i++) worst = Math.max(worst, Math.abs((g.data[i] as number) - (w.data[i] as number)));
    }
    expect(worst).toBeLessThan(1e-3);
    // the gradients are not all zero (B is non-zero in the fixture, so A gets a gradient too)
    const a = grads[peftKey('model.layers.0.self_attn.q_proj', 'A')] as { data: Float32Array };
    expect(Math.max(...a.data.map(Math.abs))).toBeGreaterThan(1e-3);
    policy.dispose();
  });
});

describe('a LoRA step', () => {
  it('changes the adapters and nothing of the base model; B starts at zero so the first model equals the base', async () => {
    await useBackend('wasm');
    const policy = await HfPolicy.load(base, {
      maxLength: T,
      learningRate: 1e-2,
      lora: { r: 2, alpha: 4, targetModules: ['q_proj', 'v_proj', 'down_proj'] },
    });
    const batch = fixtureBatch(T);
    const before = new Map<string, Float32Array>();
    for (const [k, t] of policy.model.baseTensors()) before.set(k, (await t.data()) as Float32Array);
    const adaptersBefore = await Promise.all(policy.model.trainable().map(async (v) => Float32Array.from(await v.data())));
    // with B = 0 the adapted model is the base model
    const out = await policy.evaluate(batch);
    const plain = expected.sequences[0] as { ids: number[] };
    const baseExpected = JSON.parse(readFileSync(join(base, 'expected.json'), 'utf8')).sequences[0].logprobs as number[];
    expect(plain.ids.length).toBe(T);
    for (let i = 0; i < T - 1; i++) expect(Math.abs((out.logp[i] as number) - (baseExpected[i] as number))).toBeLessThan(1e-4);
    const loss = await policy.sftStep(batch);
    expect(loss).toBeGreaterThan(0);
    for (const [k, t] of policy.model.baseTensors()) expect((await t.data()) as Float32Array, k).toEqual(before.get(k));
    const vars = policy.model.trainable();
    const changed = await Promise.all(
      vars.map(async (v, i) => !((await v.data()) as Float32Array).every((x, j) => x === adaptersBefore[i]?.[j])),
    );
    // every B moved; A's gradient is zero while B is zero, so A moves from the second step on
    const names = vars.map((v) => v.name.slice(policy.model.prefix.length));
    for (const [i, n] of names.entries()) if (n.endsWith('lora_B')) expect(changed[i], n).toBe(true);
    // the value head takes no gradient from the SFT loss
    for (const [i, n] of names.entries()) if (n.startsWith('value.')) expect(changed[i], n).toBe(false);
    // a second step moves A as well, now that B is not zero
    await policy.sftStep(batch);
    const aName = names.findIndex((n) => n.endsWith('lora_A'));
    expect(((await (vars[aName] as tf.Variable).data()) as Float32Array).every((x, j) => x === adaptersBefore[aName]?.[j])).toBe(false);
    policy.dispose();
  });

  it('saves a PEFT adapter (key names, config) that loads back to the same log-probs, and restores the optimiser state', async () => {
    await useBackend('wasm');
    const policy = await HfPolicy.load(base, {
      maxLength: T,
      learningRate: 1e-2,
      lora: { r: 2, alpha: 4, targetModules: ['q_proj', 'k_proj'] },
    });
    const batch = fixtureBatch(T);
    await policy.sftStep(batch);
    await policy.sftStep(batch);
    const dir = join(tmp, 'ckpt');
    await policy.save(dir);
    const config = JSON.parse(readFileSync(join(dir, 'adapter_config.json'), 'utf8'));
    expect(config).toMatchObject({
      peft_type: 'LORA',
      task_type: 'CAUSAL_LM',
      r: 2,
      lora_alpha: 4,
      target_modules: ['q_proj', 'k_proj'],
      bias: 'none',
    });
    const file = await openSafetensors(join(dir, 'adapter_model.safetensors'));
    expect([...file.entries.keys()].sort()).toEqual(
      [0, 1]
        .flatMap((l) =>
          ['q_proj', 'k_proj'].flatMap((m) => ['A', 'B'].map((w) => `base_model.model.model.layers.${l}.self_attn.${m}.lora_${w}.weight`)),
        )
        .sort(),
    );
    expect(file.entries.get('base_model.model.model.layers.0.self_attn.k_proj.lora_A.weight')?.shape).toEqual([2, 32]);
    expect(file.entries.get('base_model.model.model.layers.0.self_attn.k_proj.lora_B.weight')?.shape).toEqual([16, 2]);
    const a = await policy.evaluate(batch);
    const again = await HfPolicy.load(base, { maxLength: T, learningRate: 1e-2 });
    await again.restore(dir);
    expect(again.step).toBe(2);
    const b = await again.evaluate(batch);
    expect(Array.from(b.logp)).toEqual(Array.from(a.logp));
    // the next step from the restored state equals the next step of the original
    const l1 = await policy.sftStep(batch);
    const l2 = await again.sftStep(batch);
    expect(l2).toBe(l1);
    expect(Array.from((await again.evaluate(batch)).logp)).toEqual(Array.from((await policy.evaluate(batch)).logp));
    policy.dispose();
    again.dispose();
  });
});

describe('LoRA on GPT-2 (Conv1D projections c_attn, c_proj, c_fc)', () => {
  const gpt2 = fileURLToPath(new URL('./fixtures/hf/gpt2-tiny-f16', import.meta.url));
  const gAdapter = join(gpt2, 'lora');
  const want = JSON.parse(readFileSync(join(gAdapter, 'expected.json'), 'utf8')) as typeof expected;
  const batch = (): TokenBatch => {
    const tokens = new Int32Array(2 * T);
    const mask = new Float32Array(2 * (T - 1));
    want.sequences.forEach((s, b) => {
      tokens.set(s.ids, b * T);
      for (let t = 0; t < s.ids.length - 1; t++) mask[b * (T - 1) + t] = 1;
    });
    return { batch: 2, tokens, mask };
  };

  it.each(['cpu', 'wasm'] as BackendName[])(
    'on %s: the PEFT adapter gives the reference log-probs, and its gradients match to 1e-3',
    async (backend) => {
      await useBackend(backend);
      const policy = await HfPolicy.load(gpt2, { adapter: gAdapter, maxLength: T });
      expect(policy.model.adapters.size).toBe(2 * 4);
      const out = await policy.evaluate(batch());
      want.sequences.forEach((s, b) => {
        for (let i = 0; i < s.logprobs.length; i++)
          expect(Math.abs((out.logp[b * (T - 1) + i] as number) - (s.logprobs[i] as number))).toBeLessThan(1e-4);
      });
      const { loss, grads } = await policy.sftGradients(batch());
      expect(Math.abs(loss - want.loss)).toBeLessThan(1e-4);
      const file = await openSafetensors(join(gAdapter, 'expected-grads.safetensors'));
      expect(Object.keys(grads).sort()).toEqual([...file.entries.keys()].sort());
      for (const [key, g] of Object.entries(grads)) {
        const w = file.read(key);
        for (let i = 0; i < g.data.length; i++) expect(Math.abs((g.data[i] as number) - (w.data[i] as number))).toBeLessThan(1e-3);
      }
      expect(Object.keys(grads)).toContain('base_model.model.transformer.h.1.mlp.c_proj.lora_B.weight');
      policy.dispose();
    },
  );

  it("refuses Llama's module names on GPT-2 and writes fan_in_fan_out for its Conv1D layers", async () => {
    await useBackend('cpu');
    await expect(HfPolicy.load(gpt2, { maxLength: T, lora: { targetModules: ['q_proj'] } })).rejects.toThrow(
      /expected LoRA target modules of gpt2 among c_attn, c_proj, c_fc, found "q_proj"/,
    );
    const policy = await HfPolicy.load(gpt2, { maxLength: T, lora: { r: 2, targetModules: ['c_attn'] } });
    await policy.save(join(tmp, 'gpt2'));
    expect(JSON.parse(readFileSync(join(tmp, 'gpt2', 'adapter_config.json'), 'utf8'))).toMatchObject({
      fan_in_fan_out: true,
      target_modules: ['c_attn'],
    });
    policy.dispose();
  });
});
