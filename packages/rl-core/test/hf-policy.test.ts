import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { encodePrompt, loadHfText } from '../src/hf/chat.js';
import { HfPolicy } from '../src/hf/policy.js';
import { train } from '../src/train.js';
import { packBatch } from '../src/trainer.js';
import { useBackend, webgpuAvailable } from '../src/tfjs/backend.js';

const qwen = fileURLToPath(new URL('./fixtures/hf/qwen2-tiny-bf16', import.meta.url));
const gpt2 = fileURLToPath(new URL('./fixtures/hf/gpt2-tiny-f16', import.meta.url));
const llama = fileURLToPath(new URL('./fixtures/hf/llama-tiny', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'rl-core-hf-policy-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const hasWebgpu = await webgpuAvailable();

describe('HfPolicy sampling with the key/value cache', () => {
  it.each(hasWebgpu ? ['wasm', 'webgpu'] : ['wasm'])(
    'gives each sampled token the log-prob the full forward pass gives it on %s (rows of different lengths, GQA, biases)',
    async (backend) => {
      await useBackend(backend as 'wasm' | 'webgpu');
      const policy = await HfPolicy.load(qwen, { maxLength: 24, lora: { r: 2, targetModules: ['q_proj', 'v_proj', 'o_proj'] } });
      // a non-zero adapter, so the cached path must apply it too
      await policy.sftStep(packBatch([[5, 6, 7]], [[8, 9]], 24));
      const prompts = [[3, 4, 5, 6, 7, 8, 9], [10], [11, 12, 13]];
      const comps = await policy.sample(prompts, { maxNewTokens: 12, seed: 3 });
      expect(comps.map((c) => c.tokens.length)).toEqual([12, 12, 12]);
      const out = await policy.evaluate(
        packBatch(
          prompts,
          comps.map((c) => c.tokens),
          24,
        ),
      );
      comps.forEach((c, b) => {
        for (let j = 0; j < c.tokens.length; j++) {
          const full = out.logp[b * 23 + (prompts[b] as number[]).length - 1 + j] as number;
          expect(Math.abs((c.logp[j] as number) - full)).toBeLessThan(1e-4);
        }
      });
      // the same seed samples the same tokens; stop tokens end a row there
      expect((await policy.sample(prompts, { maxNewTokens: 12, seed: 3 })).map((c) => c.tokens)).toEqual(comps.map((c) => c.tokens));
      const stop = comps[0]?.tokens[2] as number;
      const stopped = await policy.sample(prompts, { maxNewTokens: 12, seed: 3, stopTokens: [stop] });
      expect(stopped[0]?.tokens).toEqual(comps[0]?.tokens.slice(0, 3));
      policy.dispose();
    },
  );

  it('writes prompts in the chat format of the template, with EOS tokens from the configs', async () => {
    await useBackend('cpu');
    const policy = await HfPolicy.load(qwen, { maxLength: 24 });
    const text = await loadHfText(qwen, policy.model.config);
    expect(text.format).toBe('chatml');
    const imEnd = text.tokenizer.tokenId('<|im_end|>') as number;
    expect(text.stopTokens).toContain(imEnd);
    expect(text.stopTokens).toContain(policy.model.config.eosTokenIds[0]);
    const ids = encodePrompt(text, 'copy s');
    expect(text.tokenizer.decode(ids, true)).toBe('<|im_start|>user\ncopy s<|im_end|>\n<|im_start|>assistant\n');
    expect(text.tokenizer.decode(encodePrompt(text, 'copy s', { raw: true }), true)).toBe('copy s');
    policy.dispose();
  });
});

describe('GPT-2 sampling with the key/value cache', () => {
  it('gives each sampled token the log-prob the full forward pass gives it (learned positions)', async () => {
    await useBackend('wasm');
    const policy = await HfPolicy.load(gpt2, { maxLength: 24, lora: { r: 2, targetModules: ['c_attn', 'c_proj', 'c_fc'] } });
    await policy.sftStep(packBatch([[5, 6, 7]], [[8, 9]], 24));
    const prompts = [[3, 4, 5, 6, 7, 8, 9], [10], [11, 12, 13]];
    const comps = await policy.sample(prompts, { maxNewTokens: 12, seed: 5 });
    const out = await policy.evaluate(
      packBatch(
        prompts,
        comps.map((c) => c.tokens),
        24,
      ),
    );
    comps.forEach((c, b) => {
      for (let j = 0; j < c.tokens.length; j++)
        expect(Math.abs((c.logp[j] as number) - (out.logp[b * 23 + (prompts[b] as number[]).length - 1 + j] as number))).toBeLessThan(1e-4);
    });
    policy.dispose();
  });
});

describe("rl-core's train() on an HfPolicy (LoRA + value head)", () => {
  const prompts = [
    [5, 6, 7],
    [9, 10],
  ];
  const targets = [
    [11, 12, 2],
    [13, 2],
  ];

  it('SFT lowers the loss and a run resumed from its checkpoint ends where an uninterrupted one does', async () => {
    await useBackend('wasm');
    const sft = (dir: string | undefined, steps: number, policy: HfPolicy) =>
      train({
        policy,
        steps,
        ...(dir ? { checkpoint: { dir } } : {}),
        sft: { examples: ({ step }) => [step % 2], prompt: (i) => prompts[i] as number[], target: (i) => targets[i] as number[] },
      });
    // LoRA dropout on: its masks are seeded by the step count, so the resumed run still matches
    const lora = { r: 4, alpha: 8, dropout: 0.1, targetModules: ['q_proj' as const, 'v_proj' as const, 'up_proj' as const] };
    const straight = await HfPolicy.load(llama, { maxLength: 16, learningRate: 1e-2, lora });
    const r = await sft(undefined, 4, straight);
    // masks were drawn: each adapted projection of the last step took a seed past the step's own
    expect(straight.model.dropoutSeed).toBe(4 * 100_003 + 2 * 3);
    expect(r.history.map((h) => h.loss)).toHaveLength(4);
    expect((r.history[2]?.loss as number) < (r.history[0]?.loss as number)).toBe(true);
    const dir = join(tmp, 'sft');
    const first = await HfPolicy.load(llama, { maxLength: 16, learningRate: 1e-2, lora });
    await sft(dir, 2, first);
    first.dispose();
    const second = await HfPolicy.load(llama, { maxLength: 16, learningRate: 1e-2, lora });
    const resumed = await sft(dir, 4, second);
    expect(resumed.resumedFrom).toBe(2);
    expect(resumed.history.map((h) => h.loss)).toEqual(r.history.map((h) => h.loss));
    const batch = packBatch(prompts, targets, 16);
    expect(Array.from((await second.evaluate(batch)).logp)).toEqual(Array.from((await straight.evaluate(batch)).logp));
    straight.dispose();
    second.dispose();
  });

  it('the base reference evaluates as the base model does, while the policy keeps its trained adapters, also when calls overlap', async () => {
    await useBackend('wasm');
    const policy = await HfPolicy.load(llama, { maxLength: 16, learningRate: 1e-2 });
    const batch = packBatch(prompts, targets, 16);
    await policy.sftStep(batch);
    await policy.sftStep(batch);
    const base = await HfPolicy.load(llama, { maxLength: 16 });
    const want = await base.evaluate(batch);
    const [ref, own] = await Promise.all([policy.baseReference().evaluate(batch), policy.evaluate(batch)]);
    expect(Array.from(ref.logp)).toEqual(Array.from(want.logp));
    expect(Array.from(own.logp)).not.toEqual(Array.from(want.logp));
    expect(Array.from((await policy.evaluate(batch)).logp)).toEqual(Array.from(own.logp));
    await expect(policy.baseReference().sftStep(batch)).rejects.toThrow(/only to evaluate/);
    policy.dispose();
    base.dispose();
  });

  it.each(['ppo', 'grpo'] as const)(
    '%s steps run with per-token rewards; PPO trains the value head, GRPO does not need it',
    async (algo) => {
      await useBackend('wasm');
      const policy = await HfPolicy.load(llama, { maxLength: 16, learningRate: 5e-3 });
      const reference = await HfPolicy.load(llama, { maxLength: 16 });
      const value0 = Float32Array.from(await policy.model.valueHead().w.data());
      const base0 = Float32Array.from(await (policy.model.baseTensors().get('head') as { data(): Promise<Float32Array> }).data());
      const r = await train({
        policy,
        steps: 2,
        rl: {
          algo,
          reference,
          groupSize: 2,
          maxNewTokens: 5,
          tasks: () => [0, 1],
          prompt: (i) => prompts[i] as number[],
          // reward token 7 wherever it is sampled, penalise token 3: a per-token signal
          reward: (_t, c) => ({ rewards: Float32Array.from(c.tokens, (t) => (t === 7 ? 1 : t === 3 ? -1 : 0)) }),
        },
      });
      expect(r.history).toHaveLength(2);
      for (const h of r.history) {
        expect(Number.isFinite(h.loss)).toBe(true);
        expect(h.tokens).toBeGreaterThan(0);
      }
      const value1 = (await policy.model.valueHead().w.data()) as Float32Array;
      expect(value1.some((x, i) => x !== value0[i])).toBe(algo === 'ppo');
      expect((await (policy.model.baseTensors().get('head') as { data(): Promise<Float32Array> }).data()) as Float32Array).toEqual(base0);
      policy.dispose();
      reference.dispose();
    },
  );
});
