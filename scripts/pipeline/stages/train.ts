// The training stages: SFT of a small character-level policy, then RL with token-level rewards. Each keeps a
// checkpoint of its progress (policy and optimiser state) while it runs, so a rerun after a crash goes on
// from the last step saved and ends with the same weights, to the bit, as an uninterrupted run.
// Self-contained on purpose: its body is to become a call of rl-core's own training loop.
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CHAR_TOKENS, decodeChars, rlStep, seededRandom, sftStep } from '@srcode/rl-core';
import { TransformerPolicy } from '@srcode/rl-core/tfjs';
import type { MainContext } from '../context.js';
import { type Scorer, type Task, promptIds, targetIds } from '../tasks.js';

/** Where a finished stage's policy is saved. */
const checkpointDir = (ctx: MainContext, name: 'sft' | 'rl') => join(ctx.out, 'ckpt', name);

/**
 * A training stage's progress checkpoint: the policy with its optimiser state and the stage's own fields.
 * It is written beside the previous one, which is moved aside before the new one takes its name, so at
 * every moment of a crash one complete checkpoint is under one of the two names `readProgress` looks at.
 */
async function saveProgress(
  ctx: MainContext,
  name: string,
  policy: TransformerPolicy,
  fields: { step: number } & Record<string, unknown>,
): Promise<void> {
  const dir = ctx.progressDir(name);
  rmSync(`${dir}.partial`, { recursive: true, force: true });
  await policy.save(`${dir}.partial`, { stage: name, progress: fields });
  rmSync(`${dir}.old`, { recursive: true, force: true });
  if (existsSync(dir)) renameSync(dir, `${dir}.old`);
  renameSync(`${dir}.partial`, dir);
  rmSync(`${dir}.old`, { recursive: true, force: true });
}

/** The saved progress of a stage and the folder holding it, or undefined. */
function readProgress<T>(ctx: MainContext, name: string): ({ step: number; dir: string } & T) | undefined {
  for (const dir of [ctx.progressDir(name), `${ctx.progressDir(name)}.old`]) {
    const file = join(dir, 'config.json');
    if (existsSync(file)) return { ...(JSON.parse(readFileSync(file, 'utf8')).progress as { step: number } & T), dir };
  }
  return undefined;
}

/**
 * The first step a training stage runs: 1, or the one after its saved progress, with the random draws of
 * the steps already done made again (`draw`, one step's worth) and dropped.
 */
function firstStep(ctx: MainContext, name: string, saved: { step: number } | undefined, steps: number, draw: () => unknown): number {
  if (!saved) return 1;
  for (let s = 1; s <= saved.step; s++) draw();
  ctx.log(name, `resuming after step ${saved.step}/${steps}`);
  return saved.step + 1;
}

/** SFT of a new policy on both sides of every task, then its evaluation. */
export interface SftInput<E> {
  tasks: readonly Task[];
  config: ConstructorParameters<typeof TransformerPolicy>[0];
  steps: number;
  seed: number;
  /** Evaluates the trained policy (before the stage disposes it). */
  evaluate: (policy: TransformerPolicy) => Promise<E>;
}

/** What the SFT stage keeps: the last logged loss and the evaluation after SFT. */
export interface SftOutput<E> {
  finalLoss: number;
  before: E;
}

/** Trains from scratch (or from saved progress), saves the policy to `ckpt/sft`, and evaluates it. */
export async function sftStage<E>(ctx: MainContext, input: SftInput<E>): Promise<SftOutput<E>> {
  const { tasks, seed } = input;
  const saved = readProgress<{ loss: number }>(ctx, 'sft');
  const policy = saved
    ? await TransformerPolicy.load(saved.dir, { learningRate: 3e-3 })
    : new TransformerPolicy(input.config, { learningRate: 3e-3 });
  const rand = seededRandom(seed);
  // Half of the SFT targets are insecure: both sides of every task.
  const data = tasks.flatMap((t) => [
    { t, text: t.pair.fixedCode },
    { t, text: t.pair.vulnerableCode },
  ]);
  const steps = input.steps;
  const pick = () => Array.from({ length: 16 }, () => data[Math.floor(rand() * data.length)] as (typeof data)[number]);
  let loss = saved?.loss ?? 0;
  for (let s = firstStep(ctx, 'sft', saved, steps, pick); s <= steps; s++) {
    const batch = pick();
    loss = await sftStep(
      policy,
      batch.map((b) => promptIds(b.t)),
      batch.map((b) => targetIds(b.text)),
    );
    if (s % 50 === 0 || s === steps) {
      ctx.log('sft', `step ${s}/${steps} loss ${loss.toFixed(4)}`);
      await saveProgress(ctx, 'sft', policy, { step: s, loss });
    }
  }
  await policy.save(checkpointDir(ctx, 'sft'), { stage: 'sft' });
  const before = await input.evaluate(policy);
  policy.dispose();
  return { finalLoss: loss, before };
}

/** One RL step's metrics, as `train-metrics.jsonl` and the report's curve hold them. */
export interface RlPoint {
  step: number;
  reward: number;
  kl: number;
  loss: number;
  entropy: number;
  /** Share of the step's sampled completions the analyser flagged. */
  insecure: number;
}

/** RL of the SFT policy against itself (the reference) with the scorer's token and instance rewards. */
export interface RlInput<E> {
  tasks: readonly Task[];
  steps: number;
  seed: number;
  maxNew: number;
  scorer: Scorer;
  /** Evaluates the trained policy (before the stage disposes it). */
  evaluate: (policy: TransformerPolicy) => Promise<E>;
}

/** What the RL stage keeps: its curve and the evaluation after RL. */
export interface RlOutput<E> {
  curve: RlPoint[];
  after: E;
}

/** Trains from `ckpt/sft` (or from saved progress), writes `train-metrics.jsonl`, saves to `ckpt/rl`, and evaluates. */
export async function rlStage<E>(ctx: MainContext, input: RlInput<E>): Promise<RlOutput<E>> {
  const { tasks, seed, scorer } = input;
  const saved = readProgress<{ curve: RlPoint[] }>(ctx, 'rl');
  const reference = await TransformerPolicy.load(checkpointDir(ctx, 'sft'));
  // RL starts from the SFT weights with a fresh optimiser (SFT's Adam moments belong to another objective
  // and learning rate); a resumed run takes its own optimiser state back.
  let policy: TransformerPolicy;
  if (saved) policy = await TransformerPolicy.load(saved.dir, { learningRate: 2e-4 });
  else {
    policy = new TransformerPolicy(reference.config, { learningRate: 2e-4 });
    policy.setWeights(await reference.getWeights());
  }
  const rand = seededRandom(seed * 31 + 7);
  const steps = input.steps;
  const choose = () => Array.from({ length: Math.min(8, tasks.length) }, () => tasks[Math.floor(rand() * tasks.length)] as Task);
  const curve: RlPoint[] = saved ? saved.curve : [];
  // The metrics log holds exactly the steps done: rewritten from the checkpoint on a resume.
  writeFileSync(ctx.files.metrics, curve.map((p) => `${JSON.stringify(p)}\n`).join(''));
  for (let step = firstStep(ctx, 'rl', saved, steps, choose); step <= steps; step++) {
    const chosen = choose();
    let insecure = 0;
    let n = 0;
    const m = await rlStep(
      policy,
      reference,
      chosen.map(promptIds),
      (i, completion) => {
        const task = chosen[i] as Task;
        const { rewards, scored } = scorer.rewards(task, completion.tokens, decodeChars(completion.tokens), true);
        insecure += Number(scored.insecure);
        n++;
        return { rewards };
      },
      {
        algo: 'grpo',
        estimator: 'token-grpo',
        groupSize: 4,
        epochs: 2,
        klCoef: 0.1,
        maxNewTokens: input.maxNew,
        stopToken: CHAR_TOKENS.eos,
        seed: seed * 100_003 + step,
      },
    );
    const point = { step, reward: m.reward, kl: m.refKl, loss: m.loss, entropy: m.entropy, insecure: insecure / Math.max(1, n) };
    curve.push(point);
    writeFileSync(ctx.files.metrics, `${JSON.stringify(point)}\n`, { flag: 'a' });
    ctx.log(
      'rl',
      `step ${step}/${steps} reward ${m.reward.toFixed(3)} kl ${m.refKl.toFixed(4)} batch insecure ${point.insecure.toFixed(2)}`,
    );
    await saveProgress(ctx, 'rl', policy, { step, curve });
  }
  await policy.save(checkpointDir(ctx, 'rl'), { stage: 'rl', steps });
  const after = await input.evaluate(policy);
  policy.dispose();
  reference.dispose();
  return { curve, after };
}
