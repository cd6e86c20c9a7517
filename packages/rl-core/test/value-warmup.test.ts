import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rewardToGo } from '../src/advantages.js';
import { HfPolicy } from '../src/hf/policy.js';
import type { Completion, Policy, TokenBatch } from '../src/policy.js';
import { useBackend } from '../src/tfjs/backend.js';
import { TransformerPolicy } from '../src/tfjs/policy.js';
import { type RlStage, type SftStage, train } from '../src/train.js';
import { explainedVariance, packBatch, packRewards, rlStep, type RlStepMetrics } from '../src/trainer.js';

const CONFIG = { vocabSize: 16, maxLength: 12, layers: 1, width: 16, heads: 2, seed: 3 };
const tmp = mkdtempSync(join(tmpdir(), 'rl-core-warmup-'));
const qwen = fileURLToPath(new URL('./fixtures/hf/qwen2-tiny-bf16', import.meta.url));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
beforeAll(async () => {
  await useBackend('wasm');
});

type Example = { prompt: number[]; target: number[] };
const EXAMPLES: Example[] = [
  { prompt: [1, 4, 5], target: [10, 11, 2] },
  { prompt: [1, 6], target: [12, 2] },
  { prompt: [1, 7, 8, 9], target: [13, 13, 14, 2] },
  { prompt: [1, 4], target: [15, 10, 2] },
  { prompt: [1, 5, 5], target: [11, 10, 2] },
];
const sft: SftStage<Example> = {
  examples: ({ random }) => Array.from({ length: 4 }, () => EXAMPLES[Math.floor(random() * EXAMPLES.length)] as Example),
  prompt: (e) => e.prompt,
  target: (e) => e.target,
};
const PROMPTS = [
  [1, 4],
  [1, 6],
  [1, 7, 8],
  [1, 5],
];
const GROUP = 4;
/**
 * On the last token: +1 for prompts 0 and 1, -1 for the others (some tasks are easier than others, which is
 * what a value head learns first), and +0.5 more when token 10 was sampled; -0.25 on every token 11.
 */
function reward(i: number, c: Completion) {
  const r = new Float32Array(c.tokens.length);
  c.tokens.forEach((t, j) => {
    if (t === 11) r[j] = -0.25;
  });
  if (r.length) r[r.length - 1] = (r[r.length - 1] as number) + (i < 2 ? 1 : -1) + (c.tokens.includes(10) ? 0.5 : 0);
  return { rewards: r };
}
const STEP = { algo: 'ppo', groupSize: GROUP, epochs: 2, maxNewTokens: 6, stopToken: 2, seed: 9 } as const;

/** A small real policy after a few SFT steps (so its Adam moments are not zero), and copies of it. */
async function sftPolicy(): Promise<TransformerPolicy> {
  const p = new TransformerPolicy(CONFIG, { learningRate: 1e-2 });
  await train({ policy: p, steps: 6, random: 5, sft });
  return p;
}
async function copyOf(p: TransformerPolicy, learningRate = 5e-3): Promise<TransformerPolicy> {
  const q = new TransformerPolicy(CONFIG, { learningRate });
  q.setWeights(await p.getWeights());
  return q;
}

/** The policy as it is, remembering the first batch it evaluated and what it sampled (the step's rollout). */
function recording(p: TransformerPolicy): { policy: Policy; seen: { batch?: TokenBatch; completions?: Completion[] } } {
  const seen: { batch?: TokenBatch; completions?: Completion[] } = {};
  const policy: Policy = {
    maxLength: p.maxLength,
    sample: async (prompts, o) => {
      seen.completions = await p.sample(prompts, o);
      return seen.completions;
    },
    evaluate: (batch) => {
      seen.batch ??= batch;
      return p.evaluate(batch);
    },
    sftStep: (b, o) => p.sftStep(b, o),
    ppoStep: (b, t, o) => p.ppoStep(b, t, o),
    fitValueHead: (b, r, o) => p.fitValueHead(b, r, o),
  };
  return { policy, seen };
}

/** The rollout's discounted returns (gamma 1), as the warm-up fits them. */
function returnsOf(batch: TokenBatch, completions: Completion[]): Float32Array {
  const rows = PROMPTS.flatMap((p) => Array.from({ length: GROUP }, () => p));
  const perRow = completions.map((c, b) => reward(Math.floor(b / GROUP), c).rewards);
  return rewardToGo(packRewards(rows, perRow, CONFIG.maxLength), batch.mask, { batch: rows.length, tokens: CONFIG.maxLength - 1 }, 1);
}

const bits = (a: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

describe('value-head warm-up (RlOptions.valueWarmup)', () => {
  it('fits the head to the rollout: its explained variance on the returns ends higher than without a warm-up', async () => {
    const start = await sftPolicy();
    const plain = recording(await copyOf(start));
    const warm = recording(await copyOf(start));
    const without = await rlStep(plain.policy, undefined, PROMPTS, reward, STEP);
    const withWarmup = await rlStep(warm.policy, undefined, PROMPTS, reward, { ...STEP, valueWarmup: 60, valueWarmupLr: 3e-2 });
    // the same weights and seed sample the same rollout, so the two heads are judged on the same returns
    const batch = plain.seen.batch as TokenBatch;
    expect(bits(new Float32Array((warm.seen.batch as TokenBatch).tokens.buffer))).toEqual(bits(new Float32Array(batch.tokens.buffer)));
    const returns = returnsOf(batch, plain.seen.completions as Completion[]);
    const spread = returns.filter((_, i) => batch.mask[i] === 1);
    expect(Math.max(...spread) - Math.min(...spread)).toBeGreaterThan(0.5);
    const untrained = explainedVariance((await start.evaluate(batch)).values, returns, batch.mask);
    expect(without.valueWarmup).toBeUndefined();
    const w = withWarmup.valueWarmup as NonNullable<RlStepMetrics['valueWarmup']>;
    expect(w.steps).toBe(60);
    expect(w.explainedVarianceBefore).toBeCloseTo(untrained, 5);
    expect(w.loss[1]).toBeLessThan(w.loss[0]);
    expect(w.explainedVarianceAfter).toBeGreaterThan(w.explainedVarianceBefore + 0.15);
    // and after the whole step: its PPO epochs train the value head in both runs, from a fitted one in one
    const evPlain = explainedVariance((await plain.policy.evaluate(batch)).values, returns, batch.mask);
    const evWarm = explainedVariance((await warm.policy.evaluate(batch)).values, returns, batch.mask);
    expect(evWarm).toBeGreaterThan(evPlain + 0.2);
  });

  it('changes no weight but the value head, nor the optimiser state or step count, to the bit (small policy)', async () => {
    const p = await sftPolicy();
    const { policy, seen } = recording(p);
    await rlStep(policy, undefined, PROMPTS, reward, { ...STEP, epochs: 0 });
    const batch = seen.batch as TokenBatch;
    const before = await p.getWeights();
    await p.save(join(tmp, 'before'));
    const losses = await p.fitValueHead(batch, returnsOf(batch, seen.completions as Completion[]), { steps: 20, learningRate: 3e-2 });
    expect(losses).toHaveLength(20);
    expect(losses.at(-1)).toBeLessThan(losses[0] as number);
    const after = await p.getWeights();
    await p.save(join(tmp, 'after'));
    for (const [name, t] of Object.entries(before)) {
      const same = bits(t.data).equals(bits((after[name] as { data: Float32Array }).data));
      expect(same, name).toBe(!name.startsWith('value.'));
    }
    for (const file of ['optimizer.safetensors', 'config.json'])
      expect(readFileSync(join(tmp, 'after', file)), file).toEqual(readFileSync(join(tmp, 'before', file)));
  });

  it('changes no adapter weight, nor the optimiser state or step count, to the bit (Hugging Face policy)', async () => {
    await useBackend('cpu');
    try {
      const policy = await HfPolicy.load(qwen, { maxLength: 16, learningRate: 1e-2, lora: { r: 2, targetModules: ['q_proj', 'v_proj'] } });
      const T = policy.maxLength;
      const prompts = [
        [5, 9, 3],
        [7, 2],
      ];
      const targets = [
        [11, 4, 8],
        [6, 6],
      ];
      const batch = packBatch(prompts, targets, T);
      // two SFT steps first: the adapters' B and Adam's moments are no longer zero
      await policy.sftStep(batch);
      await policy.sftStep(batch);
      const returns = new Float32Array(batch.mask.length);
      batch.mask.forEach((m, i) => {
        if (m) returns[i] = i % 3 === 0 ? 1 : -0.5;
      });
      await policy.save(join(tmp, 'hf-before'));
      const losses = await policy.fitValueHead(batch, returns, { steps: 15 });
      expect(losses.at(-1)).toBeLessThan(losses[0] as number);
      await policy.save(join(tmp, 'hf-after'));
      for (const file of ['adapter_model.safetensors', 'optimizer.safetensors', 'hf-policy.json'])
        expect(readFileSync(join(tmp, 'hf-after', file)), file).toEqual(readFileSync(join(tmp, 'hf-before', file)));
      expect(readFileSync(join(tmp, 'hf-after', 'value_head.safetensors'))).not.toEqual(
        readFileSync(join(tmp, 'hf-before', 'value_head.safetensors')),
      );
      policy.dispose();
    } finally {
      await useBackend('wasm');
    }
  });

  it('train warms up on the run’s first step only, and off is the default', async () => {
    const start = await sftPolicy();
    const stage = (valueWarmup?: number): RlStage<number[]> => ({
      tasks: () => PROMPTS,
      prompt: (p) => p,
      reward: (p, c) => reward(PROMPTS.indexOf(p), c),
      ...STEP,
      ...(valueWarmup === undefined ? {} : { valueWarmup }),
    });
    const warm = await train({ policy: await copyOf(start), steps: 2, rl: stage(5) });
    expect(warm.history.map((r) => r.valueWarmup?.steps)).toEqual([5, undefined]);
    const off = await train({ policy: await copyOf(start), steps: 1, rl: stage() });
    expect(off.history[0]?.valueWarmup).toBeUndefined();
  });

  it('is refused where no value head drives the advantages, or with a bad count or rate', async () => {
    const p = new TransformerPolicy(CONFIG);
    for (const [options, message] of [
      [{ algo: 'grpo', valueWarmup: 3 }, /expected valueWarmup only with algo ppo and the gae estimator.*found grpo with grpo/],
      [{ algo: 'ppo', estimator: 'reinforce++', valueWarmup: 3 }, /found ppo with reinforce\+\+/],
      [{ algo: 'ppo', valueWarmup: 1.5 }, /expected valueWarmup to be a whole number from 0, found 1\.5/],
      [{ algo: 'ppo', valueWarmup: 2, valueWarmupLr: 0 }, /expected valueWarmupLr > 0, found 0/],
    ] as const)
      await expect(rlStep(p, undefined, PROMPTS, reward, { ...STEP, ...options })).rejects.toThrow(message);
    const { fitValueHead: _, ...bare } = recording(p).policy;
    await expect(rlStep(bare, undefined, PROMPTS, reward, { ...STEP, valueWarmup: 2 })).rejects.toThrow(
      /expected a policy with fitValueHead/,
    );
    // checked before any step, even one that would not warm up
    await expect(
      train({
        policy: p,
        steps: 0,
        rl: { tasks: () => PROMPTS, prompt: (x) => x, reward: (_x, c) => reward(0, c), algo: 'grpo', valueWarmup: 1 },
      }),
    ).rejects.toThrow(/expected valueWarmup only with algo ppo/);
    p.dispose();
  });
});
