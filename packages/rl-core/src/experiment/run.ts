import { appendFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Estimator } from '../advantages.js';
import { seededRandom } from '../sampling.js';
import { type BackendName, useBackend } from '../tfjs/backend.js';
import { TransformerPolicy } from '../tfjs/policy.js';
import { CHAR_TOKENS, decodeChars, encodeChars } from '../tokenizer.js';
import { train } from '../train.js';
import { type EvalPoint, summarise } from './summary.js';
import {
  type ExperimentAnalyzer,
  HELDOUT_NAMES,
  judge,
  type JudgeOptions,
  PATTERN_PAIRS,
  promptsFor,
  rewardFor,
  type TaskPrompt,
  TRAIN_NAMES,
} from './tasks.js';

/** The compared training conditions. */
export const CONDITIONS = {
  /** PPO with GAE, one reward per completion. */
  'ppo-instance': {
    /** The RL algorithm. */
    algo: 'ppo',
    /** The advantage estimator. */
    estimator: 'gae',
    /** Whether the token-level penalty on the insecure span is added to the instance reward. */
    token: false,
  },
  /** PPO with GAE, the token-level penalty added. */
  'ppo-token+instance': {
    /** The RL algorithm. */
    algo: 'ppo',
    /** The advantage estimator. */
    estimator: 'gae',
    /** Whether the token-level penalty on the insecure span is added to the instance reward. */
    token: true,
  },
  /** GRPO, one reward per completion. */
  'grpo-instance': {
    /** The RL algorithm. */
    algo: 'grpo',
    /** The advantage estimator. */
    estimator: 'grpo',
    /** Whether the token-level penalty on the insecure span is added to the instance reward. */
    token: false,
  },
  /** GRPO with token-level group advantages, the token-level penalty added. */
  'grpo-token+instance': {
    /** The RL algorithm. */
    algo: 'grpo',
    /** The advantage estimator. */
    estimator: 'token-grpo',
    /** Whether the token-level penalty on the insecure span is added to the instance reward. */
    token: true,
  },
} as const satisfies Record<string, { algo: 'ppo' | 'grpo'; estimator: Estimator; token: boolean }>;
/** The name of one of `CONDITIONS`. */
export type ConditionName = keyof typeof CONDITIONS;

/** Options of `runExperiment`. */
export interface ExperimentOptions {
  /** Where the results, table and chart are written. */
  outDir: string;
  /** @default [1, 2, 3] */
  seeds?: number[];
  /** @default 300 */
  sftSteps?: number;
  /** @default 16 */
  rlSteps?: number;
  /** @default 2 */
  evalEvery?: number;
  /** Prompts per RL step (each sampled groupSize times). @default 8 */
  promptsPerStep?: number;
  /** @default 4 */
  groupSize?: number;
  /** Samples per held-out prompt at each evaluation. @default 1 */
  evalSamples?: number;
  /** Use only this many held-out prompts (spread over the pairs), for smoke runs. @default all */
  heldoutLimit?: number;
  /** @default all four */
  conditions?: ConditionName[];
  /** @default 'auto' */
  backend?: BackendName | 'auto';
  /** @default 48 */
  width?: number;
  /** Adam learning rate of the RL phase. @default 7e-4 */
  rlLearningRate?: number;
  /** Progress lines (step, reward, KL, throughput). @default none */
  log?: (line: string) => void;
  /** Judges completions instead of the pairs' own checks (see `JudgeOptions`). @default the pairs' checks */
  analyzer?: ExperimentAnalyzer;
}

/** What `runExperiment` measured and wrote. */
export interface ExperimentResult {
  /** Every evaluation of every condition and seed. */
  points: EvalPoint[];
  /** The README table of the rates per condition (mean ± std over seeds), in Markdown. */
  table: string;
  /** The plot of the rates over RL steps per condition, as SVG. */
  svg: string;
  /** Wall-clock time of the whole experiment. */
  seconds: number;
  /** The TensorFlow.js backend it ran on. */
  backend: string;
}

const prompt = (p: TaskPrompt) => [CHAR_TOKENS.bos, ...encodeChars(p.text)];

/** Samples the held-out prompts and measures insecure and well-formed rates. */
async function evaluateHeldout(
  policy: TransformerPolicy,
  heldout: TaskPrompt[],
  samples: number,
  seed: number,
  maxNew: number,
  judging: JudgeOptions,
) {
  const rows = heldout.flatMap((p) => Array.from({ length: samples }, () => p));
  const comps = await policy.sample(rows.map(prompt), { maxNewTokens: maxNew, stopToken: CHAR_TOKENS.eos, seed });
  let insecure = 0;
  let wellFormed = 0;
  comps.forEach((c, i) => {
    const v = judge(rows[i] as TaskPrompt, decodeChars(c.tokens), judging);
    if (v.insecure) insecure++;
    if (v.wellFormed) wellFormed++;
  });
  return { insecureRate: insecure / rows.length, wellFormedRate: wellFormed / rows.length };
}

/**
 * SFT on completions of which about half are insecure, then PPO and GRPO with instance-only or token-level +
 * instance rewards, several seeds; insecure and well-formed rates on held-out prompts against RL steps.
 */
export async function runExperiment(options: ExperimentOptions): Promise<ExperimentResult> {
  const started = performance.now();
  const log = options.log ?? (() => {});
  const seeds = options.seeds ?? [1, 2, 3];
  const sftSteps = options.sftSteps ?? 300;
  const rlSteps = options.rlSteps ?? 16;
  const evalEvery = options.evalEvery ?? 2;
  const P = options.promptsPerStep ?? 8;
  const G = options.groupSize ?? 4;
  const conditions = options.conditions ?? (Object.keys(CONDITIONS) as ConditionName[]);
  const judging: JudgeOptions = options.analyzer ? { analyzer: options.analyzer } : {};
  const info = await useBackend(options.backend ?? 'auto');
  log(`backend ${info.name}${info.adapter ? ` (${info.adapter})` : ''}`);
  const trainPrompts = promptsFor(TRAIN_NAMES);
  const allHeldout = promptsFor(HELDOUT_NAMES);
  const stride = options.heldoutLimit ? Math.max(1, Math.floor(allHeldout.length / options.heldoutLimit)) : 1;
  const heldout = allHeldout.filter((_, i) => i % stride === 0).slice(0, options.heldoutLimit ?? allHeldout.length);
  const longest = Math.max(
    ...[...trainPrompts, ...allHeldout].map(
      (p) => p.text.length + Math.max(p.pair.secure(p.variable).length, p.pair.insecure(p.variable).length),
    ),
  );
  const maxLength = Math.ceil((longest + 3) / 8) * 8;
  const maxNew = maxLength - 1 - Math.max(...[...trainPrompts, ...allHeldout].map((p) => p.text.length));
  await mkdir(options.outDir, { recursive: true });
  const logFile = join(options.outDir, 'metrics.jsonl');
  await writeFile(logFile, '');
  const record = (o: Record<string, unknown>) => appendFile(logFile, `${JSON.stringify(o)}\n`);
  const evaluate = (policy: TransformerPolicy) => evaluateHeldout(policy, heldout, options.evalSamples ?? 1, 999, maxNew, judging);
  const points: EvalPoint[] = [];
  for (const seed of seeds) {
    const rand = seededRandom(seed);
    // About half of the SFT targets are the insecure form, chosen per prompt with the seed; the same
    // stream then draws the batches.
    const sftData = trainPrompts.map((p) => ({ p, text: rand() < 0.5 ? p.pair.insecure(p.variable) : p.pair.secure(p.variable) }));
    const config = { vocabSize: CHAR_TOKENS.vocabSize, maxLength, layers: 2, width: options.width ?? 48, heads: 4, seed };
    const base = new TransformerPolicy(config, { learningRate: 3e-3 });
    let t0 = performance.now();
    await train({
      policy: base,
      steps: sftSteps,
      random: rand,
      sft: {
        examples: ({ random }) =>
          Array.from({ length: 32 }, () => sftData[Math.floor(random() * sftData.length)] as (typeof sftData)[number]),
        prompt: (b) => prompt(b.p),
        target: (b) => [...encodeChars(b.text), CHAR_TOKENS.eos],
      },
      onStep: async ({ step, loss }) => {
        if (step % 20 !== 0 && step !== sftSteps) return;
        log(
          `seed ${seed} sft step ${step}/${sftSteps} loss ${loss.toFixed(4)} ${((step * 32) / ((performance.now() - t0) / 1000)).toFixed(1)} seq/s`,
        );
        await record({ phase: 'sft', seed, step, loss });
      },
    });
    const sftEval = await evaluate(base);
    points.push({ condition: 'sft', seed, step: 0, ...sftEval });
    await record({ phase: 'eval', condition: 'sft', seed, step: 0, ...sftEval });
    log(`seed ${seed} after sft: insecure ${sftEval.insecureRate.toFixed(3)} well-formed ${sftEval.wellFormedRate.toFixed(3)}`);
    await base.save(join(options.outDir, `seed-${seed}`, 'sft'));
    const weights = await base.getWeights();
    base.dispose();
    for (const name of conditions) {
      const cond = CONDITIONS[name];
      const policy = new TransformerPolicy(config, { learningRate: options.rlLearningRate ?? 7e-4 });
      policy.setWeights(weights);
      const reference = new TransformerPolicy(config);
      reference.setWeights(weights);
      points.push({ condition: name, seed, step: 0, ...sftEval });
      t0 = performance.now();
      let tokens = 0;
      await train({
        policy,
        steps: rlSteps,
        random: seed * 7919 + name.length,
        rl: {
          reference,
          tasks: ({ random }) => Array.from({ length: P }, () => trainPrompts[Math.floor(random() * trainPrompts.length)] as TaskPrompt),
          prompt,
          reward: (task, c) => rewardFor(task, c, { ...judging, token: cond.token }),
          sampleSeed: (step) => seed * 100_003 + step,
          algo: cond.algo,
          estimator: cond.estimator,
          groupSize: G,
          epochs: 2,
          klCoef: 0.02,
          maxNewTokens: maxNew,
          stopToken: CHAR_TOKENS.eos,
        },
        onStep: async (m) => {
          const { step } = m;
          tokens += m.tokens;
          const rate = tokens / ((performance.now() - t0) / 1000);
          log(
            `seed ${seed} ${name} step ${step}/${rlSteps} reward ${m.reward.toFixed(3)} kl ${m.refKl.toFixed(4)} insecure ${(m.extra.insecure ?? 0).toFixed(2)} ${rate.toFixed(0)} tok/s`,
          );
          await record({
            phase: 'rl',
            condition: name,
            seed,
            step,
            reward: m.reward,
            kl: m.refKl,
            loss: m.loss,
            entropy: m.entropy,
            clipFraction: m.clipFraction,
            trainInsecure: m.extra.insecure,
            tokensPerSecond: rate,
          });
          if (step % evalEvery === 0 || step === rlSteps) {
            const e = await evaluate(policy);
            points.push({ condition: name, seed, step, ...e });
            await record({ phase: 'eval', condition: name, seed, step, ...e });
          }
        },
      });
      policy.dispose();
      reference.dispose();
    }
  }
  const { table, svg } = summarise(points, conditions);
  const seconds = (performance.now() - started) / 1000;
  await writeFile(join(options.outDir, 'plot.svg'), svg);
  await writeFile(join(options.outDir, 'table.md'), `${table}\n`);
  await writeFile(
    join(options.outDir, 'results.json'),
    `${JSON.stringify({ backend: info.name, seconds, seeds, sftSteps, rlSteps, conditions, pairs: PATTERN_PAIRS.length, trainPrompts: trainPrompts.length, heldoutPrompts: heldout.length, points }, null, 2)}\n`,
  );
  return { points, table, svg, seconds, backend: info.name };
}
