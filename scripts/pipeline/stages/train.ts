// The training stages: SFT of a small character-level policy, then RL with token-level rewards, both run by
// rl-core's `train`, which checkpoints their progress (policy, optimiser state, random stream, step records) so
// a rerun after a crash goes on from the last step saved and ends with the same weights, to the bit, as an
// uninterrupted run.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CHAR_TOKENS, type RlStepRecord, decodeChars, train } from '@srcode/rl-core';
import { TransformerPolicy } from '@srcode/rl-core/tfjs';
import type { MainContext } from '../context.js';
import { type Scorer, type Task, promptIds, targetIds } from '../tasks.js';

/** Where a finished stage's policy is saved. */
const checkpointDir = (ctx: MainContext, name: 'sft' | 'rl') => join(ctx.out, 'ckpt', name);

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
  const { tasks, steps } = input;
  const policy = new TransformerPolicy(input.config, { learningRate: 3e-3 });
  // Half of the SFT targets are insecure: both sides of every task.
  const data = tasks.flatMap((t) => [
    { t, text: t.pair.fixedCode },
    { t, text: t.pair.vulnerableCode },
  ]);
  // besides a line every 50 steps: a bar on a terminal, elsewhere a line every few seconds with rate and ETA
  const progress = ctx.progress('sft', { label: 'steps', unit: 'steps' });
  let resumed = 0;
  const { history } = await train({
    policy,
    steps,
    random: input.seed,
    sft: {
      examples: ({ random }) => Array.from({ length: 16 }, () => data[Math.floor(random() * data.length)] as (typeof data)[number]),
      prompt: (b) => promptIds(b.t),
      target: (b) => targetIds(b.text),
    },
    checkpoint: { dir: ctx.progressDir('sft'), every: 50 },
    onResume: ({ step }) => {
      resumed = step;
      ctx.log('sft', `resuming after step ${step}/${steps}`);
    },
    onStep: ({ step, loss }) => {
      progress.update({ done: step, total: steps, skipped: resumed, detail: `loss ${loss.toFixed(4)}` });
      if (step % 50 === 0 || step === steps) ctx.log('sft', `step ${step}/${steps} loss ${loss.toFixed(4)}`);
    },
  });
  progress.finish();
  await policy.save(checkpointDir(ctx, 'sft'), { stage: 'sft' });
  const before = await input.evaluate(policy);
  policy.dispose();
  return { finalLoss: history.at(-1)?.loss ?? 0, before };
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

const point = (r: RlStepRecord): RlPoint => ({
  step: r.step,
  reward: r.reward,
  kl: r.refKl,
  loss: r.loss,
  entropy: r.entropy,
  insecure: r.extra.insecure ?? 0,
});
const line = (r: RlStepRecord) => `${JSON.stringify(point(r))}\n`;

/** Trains from `ckpt/sft` (or from saved progress), writes `train-metrics.jsonl`, saves to `ckpt/rl`, and evaluates. */
export async function rlStage<E>(ctx: MainContext, input: RlInput<E>): Promise<RlOutput<E>> {
  const { tasks, seed, scorer, steps } = input;
  const reference = await TransformerPolicy.load(checkpointDir(ctx, 'sft'));
  // RL starts from the SFT weights with a fresh optimiser (SFT's Adam moments belong to another objective
  // and learning rate); a resumed run takes its own optimiser state back from its checkpoint.
  const policy = new TransformerPolicy(reference.config, { learningRate: 2e-4 });
  policy.setWeights(await reference.getWeights());
  // The metrics log holds exactly the steps done: rewritten from the checkpoint on a resume.
  writeFileSync(ctx.files.metrics, '');
  // besides a line per step: a bar on a terminal, elsewhere a line every few seconds with rate and ETA
  const progress = ctx.progress('rl', { label: 'steps', unit: 'steps' });
  let resumed = 0;
  const { history } = await train({
    policy,
    steps,
    random: seed * 31 + 7,
    rl: {
      reference,
      tasks: ({ random }) => Array.from({ length: Math.min(8, tasks.length) }, () => tasks[Math.floor(random() * tasks.length)] as Task),
      prompt: promptIds,
      reward: (task, completion) => {
        const { rewards, scored } = scorer.rewards(task, completion.tokens, decodeChars(completion.tokens), true);
        return { rewards, metrics: { insecure: Number(scored.insecure) } };
      },
      sampleSeed: (step) => seed * 100_003 + step,
      algo: 'grpo',
      estimator: 'token-grpo',
      groupSize: 4,
      epochs: 2,
      klCoef: 0.1,
      maxNewTokens: input.maxNew,
      stopToken: CHAR_TOKENS.eos,
    },
    checkpoint: { dir: ctx.progressDir('rl'), every: 1 },
    onResume: ({ step, history: done }) => {
      resumed = step;
      ctx.log('rl', `resuming after step ${step}/${steps}`);
      writeFileSync(ctx.files.metrics, done.map(line).join(''));
    },
    onStep: (r) => {
      writeFileSync(ctx.files.metrics, line(r), { flag: 'a' });
      progress.update({ done: r.step, total: steps, skipped: resumed, detail: `reward ${r.reward.toFixed(3)}` });
      ctx.log(
        'rl',
        `step ${r.step}/${steps} reward ${r.reward.toFixed(3)} kl ${r.refKl.toFixed(4)} batch insecure ${point(r).insecure.toFixed(2)}`,
      );
    },
  });
  progress.finish();
  await policy.save(checkpointDir(ctx, 'rl'), { stage: 'rl', steps });
  const after = await input.evaluate(policy);
  policy.dispose();
  reference.dispose();
  return { curve: history.map(point), after };
}
