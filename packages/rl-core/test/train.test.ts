import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Completion } from '../src/policy.js';
import { seededRandom } from '../src/sampling.js';
import { useBackend } from '../src/tfjs/backend.js';
import { TransformerPolicy } from '../src/tfjs/policy.js';
import { type RlStage, type RlStepRecord, type SftStage, type SftStepRecord, train } from '../src/train.js';
import { rlStep, sftStep } from '../src/trainer.js';

const CONFIG = { vocabSize: 16, maxLength: 12, layers: 1, width: 16, heads: 2, seed: 3 };
const dir = mkdtempSync(join(tmpdir(), 'rl-core-train-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
beforeAll(async () => {
  await useBackend('wasm');
});

type Example = { prompt: number[]; target: number[] };
const EXAMPLES: Example[] = [
  { prompt: [1, 4, 5], target: [10, 11, 2] },
  { prompt: [1, 6], target: [12, 2] },
  { prompt: [1, 7, 8, 9], target: [13, 13, 14, 2] },
  { prompt: [1, 4], target: [15, 2] },
  { prompt: [1, 5, 5], target: [11, 10, 2] },
];
const sft: SftStage<Example> = {
  examples: ({ random }) => Array.from({ length: 3 }, () => EXAMPLES[Math.floor(random() * EXAMPLES.length)] as Example),
  prompt: (e) => e.prompt,
  target: (e) => e.target,
};
const PROMPTS = [
  [1, 4],
  [1, 6],
  [1, 7, 8],
  [1, 5],
];
/** Reward 1 on the last token when token 10 was sampled, and -0.5 on every token 11. */
function reward(_p: number[], c: Completion) {
  const r = new Float32Array(c.tokens.length);
  c.tokens.forEach((t, i) => {
    if (t === 11) r[i] = -0.5;
  });
  if (r.length) r[r.length - 1] = (r[r.length - 1] as number) + (c.tokens.includes(10) ? 1 : 0);
  return { rewards: r, metrics: { hit: c.tokens.includes(10) ? 1 : 0 } };
}
const rlStage = (reference: TransformerPolicy): RlStage<number[]> => ({
  reference,
  tasks: ({ random }) => Array.from({ length: 2 }, () => PROMPTS[Math.floor(random() * PROMPTS.length)] as number[]),
  prompt: (p) => p,
  reward,
  sampleSeed: (step) => 7 * 100_003 + step,
  algo: 'grpo',
  estimator: 'token-grpo',
  groupSize: 2,
  epochs: 2,
  klCoef: 0.05,
  maxNewTokens: 5,
  stopToken: 2,
});

async function weightsOf(p: TransformerPolicy): Promise<Record<string, number[]>> {
  const w = await p.getWeights();
  return Object.fromEntries(Object.entries(w).map(([k, t]) => [k, Array.from(t.data)]));
}

/** An SFT-trained starting point for the RL runs, and a policy with its weights and a fresh optimiser. */
async function startRl(): Promise<{ policy: TransformerPolicy; reference: TransformerPolicy }> {
  const reference = new TransformerPolicy(CONFIG, { learningRate: 1e-2 });
  await train({ policy: reference, steps: 4, random: 5, sft });
  const policy = new TransformerPolicy(CONFIG, { learningRate: 5e-3 });
  policy.setWeights(await reference.getWeights());
  return { policy, reference };
}

describe('train: one loop for SFT and RL, resumed to the bit', () => {
  it('an SFT run stopped after step 4 and resumed ends with the weights of an uninterrupted run', async () => {
    const straight = new TransformerPolicy(CONFIG, { learningRate: 1e-2 });
    const whole = await train({ policy: straight, steps: 7, random: 11, sft });
    const want = await weightsOf(straight);
    straight.dispose();

    const ckpt = join(dir, 'sft');
    const stop = new AbortController();
    const first = new TransformerPolicy(CONFIG, { learningRate: 1e-2 });
    // the same arguments both times: a rerun resumes from the checkpoint it finds
    const run = { steps: 7, random: 11, sft, checkpoint: { dir: ckpt, every: 3 } };
    const part = await train({
      ...run,
      policy: first,
      signal: stop.signal,
      onStep: ({ step }) => {
        if (step === 4) stop.abort();
      },
    });
    first.dispose();
    expect(part).toMatchObject({ step: 4, stopped: true });

    const second = new TransformerPolicy(CONFIG, { learningRate: 1e-2 });
    const resumedAt: number[] = [];
    const rest = await train({
      ...run,
      policy: second,
      onResume: ({ step }) => {
        resumedAt.push(step);
      },
    });
    expect(resumedAt).toEqual([4]);
    expect(rest).toMatchObject({ step: 7, resumedFrom: 4, stopped: false });
    expect(second.step).toBe(7);
    expect(rest.history).toEqual(whole.history);
    expect(await weightsOf(second)).toEqual(want);
    second.dispose();
  });

  it('an RL run that crashed after step 3 resumes from its step-2 checkpoint to the same weights', async () => {
    const a = await startRl();
    const whole = await train({ policy: a.policy, steps: 4, random: 9, rl: rlStage(a.reference) });
    const want = await weightsOf(a.policy);
    a.policy.dispose();
    a.reference.dispose();

    const ckpt = join(dir, 'rl');
    const b = await startRl();
    await expect(
      train({
        policy: b.policy,
        steps: 4,
        random: 9,
        rl: rlStage(b.reference),
        checkpoint: { dir: ckpt, every: 2 },
        onStep: ({ step }) => {
          if (step === 3) throw new Error('crash');
        },
      }),
    ).rejects.toThrow('crash');
    b.policy.dispose();

    const c = new TransformerPolicy(CONFIG, { learningRate: 5e-3 });
    const seen: RlStepRecord[] = [];
    const rest = await train({
      policy: c,
      steps: 4,
      random: 9,
      rl: rlStage(b.reference),
      checkpoint: { dir: ckpt, every: 2 },
      onStep: (r) => {
        seen.push(r);
      },
    });
    b.reference.dispose();
    expect(rest.resumedFrom).toBe(2);
    expect(seen.map((r) => r.step)).toEqual([3, 4]);
    expect(rest.history).toEqual(whole.history);
    expect(await weightsOf(c)).toEqual(want);
    c.dispose();
    expect(existsSync(`${ckpt}.partial`) || existsSync(`${ckpt}.old`)).toBe(false);
  });

  it("expresses the main job's SFT and RL stages step for step (its seeds, draws and fresh RL optimiser)", async () => {
    // The hand-written loops of the main job, on toy data: one stream draws the batches, the sampler's
    // seed is derived from the step, and RL starts from the SFT weights with a fresh optimiser.
    const seed = 2;
    const hand = new TransformerPolicy(CONFIG, { learningRate: 1e-2 });
    const rand = seededRandom(seed);
    const pick = () => sft.examples({ step: 0, random: rand });
    const handLosses: number[] = [];
    for (let s = 1; s <= 5; s++) {
      const batch = pick();
      handLosses.push(
        await sftStep(
          hand,
          batch.map((e) => e.prompt),
          batch.map((e) => e.target),
        ),
      );
    }
    const handRl = new TransformerPolicy(CONFIG, { learningRate: 5e-3 });
    handRl.setWeights(await hand.getWeights());
    const rlRand = seededRandom(seed * 31 + 7);
    const stage = rlStage(hand);
    for (let step = 1; step <= 3; step++) {
      const chosen = stage.tasks({ step, random: rlRand });
      // the stage's own RL options, as train passes them on to rlStep
      await rlStep(handRl, hand, chosen, (i, c) => reward(chosen[i] as number[], c), { ...stage, seed: 7 * 100_003 + step });
    }

    const policy = new TransformerPolicy(CONFIG, { learningRate: 1e-2 });
    const sftRun = await train({ policy, steps: 5, random: seed, sft, checkpoint: { dir: join(dir, 'main-sft'), every: 2 } });
    expect(sftRun.history.map((h: SftStepRecord) => h.loss)).toEqual(handLosses);
    const rl = new TransformerPolicy(CONFIG, { learningRate: 5e-3 });
    rl.setWeights(await policy.getWeights());
    await train({ policy: rl, steps: 3, random: seed * 31 + 7, rl: rlStage(policy), checkpoint: { dir: join(dir, 'main-rl') } });
    expect(await weightsOf(rl)).toEqual(await weightsOf(handRl));
    for (const p of [hand, handRl, policy, rl]) p.dispose();
  });

  it('refuses a checkpoint of the other stage, or of more steps than asked', async () => {
    const p = new TransformerPolicy(CONFIG);
    const ref = new TransformerPolicy(CONFIG);
    await expect(train({ policy: p, steps: 7, rl: rlStage(ref), checkpoint: { dir: join(dir, 'sft') } })).rejects.toThrow(
      /expected a rl checkpoint/,
    );
    await expect(train({ policy: p, steps: 3, sft, checkpoint: { dir: join(dir, 'sft') } })).rejects.toThrow(/of at most 3 steps/);
    p.dispose();
    ref.dispose();
  });

  it('checks its options', async () => {
    const p = new TransformerPolicy(CONFIG);
    await expect(train({ policy: p, steps: 1.5, sft })).rejects.toThrow(/steps to be an integer/);
    await expect(train({ policy: p, steps: 1, sft, checkpoint: { dir, every: 0 } })).rejects.toThrow(/every to be an integer/);
    const bare = {
      maxLength: 12,
      sample: p.sample.bind(p),
      evaluate: p.evaluate.bind(p),
      sftStep: p.sftStep.bind(p),
      ppoStep: p.ppoStep.bind(p),
    };
    await expect(train({ policy: bare, steps: 1, sft, checkpoint: { dir } })).rejects.toThrow(/Checkpointable/);
    p.dispose();
  });
});
