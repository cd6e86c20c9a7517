// The training stages: SFT of the policy once per seed (the small character-level policy from scratch, or the
// LoRA adapters of a Hugging Face checkpoint), then from that checkpoint each RL condition, all run by rl-core's `train`, which checkpoints their progress (policy, optimiser state,
// random stream, step records) so a rerun after a crash goes on from the last step saved and ends with the
// same weights, to the bit, as an uninterrupted run.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type RlStepRecord, type ValueWarmupMetrics, train } from '@srcode/rl-core';
import { RL_CONDITIONS, type RlConditionName } from '../conditions.js';
import type { MainContext } from '../context.js';
import type { PolicySource, TrainablePolicy } from '../policy.js';
import { type Scorer, type Task, renamed } from '../tasks.js';

/** Where a finished stage's policy is saved (`sft-seed1`, `rl-grpo-instance-seed1`, …). */
export const checkpointDir = (ctx: MainContext, stage: string): string => join(ctx.out, 'ckpt', stage);

/** The SFT stage's name for a seed: its result file, checkpoint and progress folder are named by it. */
export const sftStageName = (seed: number): string => `sft-seed${seed}`;
/** An RL stage's name for a condition and seed. */
export const rlStageName = (condition: RlConditionName, seed: number): string => `rl-${condition}-seed${seed}`;

/** Where an RL stage writes its steps' metrics as it goes (the report joins them into `train-metrics.jsonl`). */
export const metricsFileOf = (ctx: MainContext, stage: string): string => join(ctx.out, 'metrics', `${stage}.jsonl`);

/** The rates a held-out evaluation measures, as the curves of the report hold them. */
export interface EvalRates {
  insecureRate: number;
  wellFormedRate: number;
  secureRate: number;
}

/**
 * SFT of a new policy, then its evaluation: the small policy on both sides of every training task, a
 * Hugging Face checkpoint's adapters on the fixed side only.
 */
export interface SftInput<E> {
  tasks: readonly Task[];
  /** The policy to train. */
  source: PolicySource;
  steps: number;
  seed: number;
  /** Evaluates the trained policy (before the stage disposes it). */
  evaluate: (policy: TrainablePolicy) => Promise<E>;
}

/** What an SFT stage keeps: its loss at every step, the last one, and the evaluation after SFT. */
export interface SftOutput<E> {
  seed: number;
  /** Wall seconds of this stage (of the run that finished it). */
  seconds: number;
  losses: number[];
  finalLoss: number;
  before: E;
}

/** SFT batch size (examples per step): the small policy's, and a Hugging Face checkpoint's. */
const SFT_BATCH = { chars: 16, hf: 8 } as const;
/** Share of training prompts (SFT and RL) given under a made-up function name (see `renamed`). */
const RENAME = 0.75;

/** Trains from scratch (or from saved progress), saves the policy to `ckpt/sft-seed<n>`, and evaluates it. */
export async function sftStage<E>(ctx: MainContext, input: SftInput<E>): Promise<SftOutput<E>> {
  const { tasks, steps, seed } = input;
  const name = sftStageName(seed);
  const started = performance.now();
  const { text } = input.source;
  const policy = await input.source.createSft(seed);
  // The small policy: half of the SFT targets are insecure, both sides of every task (RL has something to
  // move it from). A pretrained model is fine-tuned on the secure side only: prompt to fixed code.
  const data = tasks.flatMap((t) =>
    text.kind === 'chars'
      ? [
          { t, text: t.pair.fixedCode },
          { t, text: t.pair.vulnerableCode },
        ]
      : [{ t, text: t.pair.fixedCode }],
  );
  // besides a line every 50 steps: a bar on a terminal, elsewhere a line every few seconds with rate and ETA
  const progress = ctx.progress(name, { label: 'steps', unit: 'steps' });
  let resumed = 0;
  const { history } = await train({
    policy,
    steps,
    random: seed,
    sft: {
      examples: ({ random }) =>
        Array.from({ length: SFT_BATCH[text.kind] }, () => {
          const d = data[Math.floor(random() * data.length)] as (typeof data)[number];
          return random() < RENAME ? { t: renamed(d.t, random), text: d.text } : d;
        }),
      prompt: (b) => text.promptIds(b.t.prompt),
      target: (b) => text.targetIds(b.text),
    },
    checkpoint: { dir: ctx.progressDir(name), every: 50 },
    onResume: ({ step }) => {
      resumed = step;
      ctx.log(name, `resuming after step ${step}/${steps}`);
    },
    onStep: ({ step, loss }) => {
      progress.update({ done: step, total: steps, skipped: resumed, detail: `loss ${loss.toFixed(4)}` });
      if (step % 50 === 0 || step === steps) ctx.log(name, `step ${step}/${steps} loss ${loss.toFixed(4)}`);
    },
  });
  progress.finish();
  await policy.save(checkpointDir(ctx, name), { stage: 'sft', seed });
  const before = await input.evaluate(policy);
  policy.dispose();
  return {
    seed,
    seconds: (performance.now() - started) / 1000,
    losses: history.map((h) => h.loss),
    finalLoss: history.at(-1)?.loss ?? 0,
    before,
  };
}

/** One RL step's metrics, as `train-metrics.jsonl` and the report's curves hold them. */
export interface RlPoint {
  condition: RlConditionName;
  seed: number;
  step: number;
  reward: number;
  kl: number;
  loss: number;
  entropy: number;
  /** Share of the step's sampled completions (training prompts) the analyser flagged. */
  insecure: number;
  /** Share of the step's sampled completions that do not parse. */
  malformed: number;
  /** What the value-head warm-up did (PPO with `--value-warmup`, on the first step only). */
  valueWarmup?: ValueWarmupMetrics;
}

/** The RL settings every condition shares. */
export interface RlSettings {
  steps: number;
  learningRate: number;
  klCoef: number;
  /** Held-out evaluation every this many steps (and at the end). */
  evalEvery: number;
  /** PPO conditions only: value-only steps fitting the head to the first rollout's returns (undefined: none). */
  valueWarmup?: number | undefined;
  /** Their learning rate (undefined: `learningRate`). */
  valueWarmupLr?: number | undefined;
}

/** RL of a seed's SFT policy against itself (the reference) under one condition. */
export interface RlInput<E> {
  condition: RlConditionName;
  tasks: readonly Task[];
  /** The policy trained (the same as its SFT stage's). */
  source: PolicySource;
  seed: number;
  settings: RlSettings;
  maxNew: number;
  scorer: Scorer;
  /** Evaluates the trained policy (before the stage disposes it). */
  evaluate: (policy: TrainablePolicy) => Promise<E>;
  /** The cheap rates of a held-out evaluation during training. */
  rates: (policy: TrainablePolicy) => Promise<EvalRates>;
}

/** What an RL stage keeps: its curve, its held-out rates every `evalEvery` steps, and the evaluation after RL. */
export interface RlOutput<E> {
  condition: RlConditionName;
  seed: number;
  /** Wall seconds of this stage (of the run that finished it). */
  seconds: number;
  curve: RlPoint[];
  /** Held-out rates after the given step (the last one is the final evaluation's). */
  evals: Array<EvalRates & { step: number }>;
  after: E;
}

/** Prompts per RL step (each sampled `GROUP` times). */
const PROMPTS_PER_STEP = 4;
const GROUP = 4;

/** The keys under which a step's held-out rates ride in its record (kept in the checkpoint with it). */
const EVAL_KEYS = { insecureRate: 'heldoutInsecure', wellFormedRate: 'heldoutWellFormed', secureRate: 'heldoutSecure' } as const;

/** Trains from `ckpt/sft-seed<n>` (or from saved progress), appends to `train-metrics.jsonl`, saves, and evaluates. */
export async function rlStage<E extends EvalRates>(ctx: MainContext, input: RlInput<E>): Promise<RlOutput<E>> {
  const { tasks, seed, scorer, condition } = input;
  const { steps, evalEvery } = input.settings;
  const name = rlStageName(condition, seed);
  const c = RL_CONDITIONS[condition];
  const started = performance.now();
  const { text } = input.source;
  const sftDir = checkpointDir(ctx, `sft-seed${seed}`);
  const reference = await input.source.loadReference(sftDir);
  // RL starts from the SFT weights (or adapters) with a fresh optimiser (SFT's Adam moments belong to another
  // objective and learning rate); a resumed run takes its own optimiser state back from its checkpoint.
  const policy = await input.source.startRl(sftDir, input.settings.learningRate);
  const point = (r: RlStepRecord): RlPoint => ({
    condition,
    seed,
    step: r.step,
    reward: r.reward,
    kl: r.refKl,
    loss: r.loss,
    entropy: r.entropy,
    insecure: r.extra.insecure ?? 0,
    malformed: r.extra.malformed ?? 0,
    ...(r.valueWarmup ? { valueWarmup: r.valueWarmup } : {}),
  });
  mkdirSync(join(ctx.out, 'metrics'), { recursive: true });
  const metricsFile = metricsFileOf(ctx, name);
  const line = (r: RlStepRecord) => `${JSON.stringify(point(r))}\n`;
  // The stage's metrics hold exactly the steps done: rewritten from the checkpoint on a resume.
  writeFileSync(metricsFile, '');
  const progress = ctx.progress(name, { label: 'steps', unit: 'steps' });
  let resumed = 0;
  const { history } = await train({
    policy,
    steps,
    random: seed * 31 + 7,
    rl: {
      reference,
      tasks: ({ random }) =>
        Array.from({ length: Math.min(PROMPTS_PER_STEP, tasks.length) }, () => {
          const t = tasks[Math.floor(random() * tasks.length)] as Task;
          return random() < RENAME ? renamed(t, random) : t;
        }),
      prompt: (t) => text.promptIds(t.prompt),
      reward: (task, completion) => {
        // the token map is aligned to the policy's own tokens: each one's span in the decoded text
        const decoded = text.decode(completion.tokens);
        const encoding = text.kind === 'chars' ? undefined : { ids: decoded.ids, offsets: decoded.offsets };
        const { rewards, scored } = scorer.rewards(task, completion.tokens, decoded.text, c.token, encoding);
        return { rewards, metrics: { insecure: Number(scored.insecure), malformed: Number(!scored.wellFormed) } };
      },
      // the same rollouts' seeds under every condition of a seed
      sampleSeed: (step) => seed * 100_003 + step,
      algo: c.algo,
      estimator: c.estimator,
      // the warm-up fits PPO's value head (GRPO has none); rl-core runs it on the run's first step only
      ...(c.algo === 'ppo' && input.settings.valueWarmup
        ? {
            valueWarmup: input.settings.valueWarmup,
            ...(input.settings.valueWarmupLr === undefined ? {} : { valueWarmupLr: input.settings.valueWarmupLr }),
          }
        : {}),
      groupSize: GROUP,
      epochs: 2,
      klCoef: input.settings.klCoef,
      maxNewTokens: input.maxNew,
      stopToken: text.stopToken,
    },
    checkpoint: { dir: ctx.progressDir(name), every: 1 },
    onResume: ({ step, history: done }) => {
      resumed = step;
      ctx.log(name, `resuming after step ${step}/${steps}`);
      writeFileSync(metricsFile, done.map(line).join(''));
    },
    onStep: async (r) => {
      // held-out rates every evalEvery steps (not after the last: the final evaluation gives those)
      if (r.step % evalEvery === 0 && r.step < steps) {
        const rates = await input.rates(policy);
        for (const [k, key] of Object.entries(EVAL_KEYS) as Array<[keyof EvalRates, string]>) r.extra[key] = rates[k];
      }
      writeFileSync(metricsFile, line(r), { flag: 'a' });
      progress.update({ done: r.step, total: steps, skipped: resumed, detail: `reward ${r.reward.toFixed(3)}` });
      const held = r.extra.heldoutInsecure === undefined ? '' : `; held-out insecure ${r.extra.heldoutInsecure.toFixed(2)}`;
      const w = r.valueWarmup;
      if (w)
        ctx.log(
          name,
          `value warm-up: ${w.steps} steps, loss ${w.loss[0].toFixed(4)} -> ${w.loss[1].toFixed(4)}, explained variance ${w.explainedVarianceBefore.toFixed(3)} -> ${w.explainedVarianceAfter.toFixed(3)}`,
        );
      ctx.log(
        name,
        `step ${r.step}/${steps} reward ${r.reward.toFixed(3)} kl ${r.refKl.toFixed(4)} batch insecure ${point(r).insecure.toFixed(2)}${held}`,
      );
    },
  });
  progress.finish();
  await policy.save(checkpointDir(ctx, name), { stage: 'rl', condition, seed, steps });
  const after = await input.evaluate(policy);
  policy.dispose();
  reference.dispose();
  const evals = history
    .filter((r) => r.extra.heldoutInsecure !== undefined)
    .map((r) => ({
      step: r.step,
      insecureRate: r.extra.heldoutInsecure as number,
      wellFormedRate: r.extra.heldoutWellFormed as number,
      secureRate: r.extra.heldoutSecure as number,
    }));
  evals.push({ step: steps, insecureRate: after.insecureRate, wellFormedRate: after.wellFormedRate, secureRate: after.secureRate });
  return { condition, seed, seconds: (performance.now() - started) / 1000, curve: history.map(point), evals, after };
}
