import type { AggregationMode } from './aggregate.js';
import { computeAdvantages, type Estimator, rewardToGo } from './advantages.js';
import { RlCoreError } from './errors.js';
import { applyKlToRewards, type KlEstimator } from './kl.js';
import { type Completion, PAD, type Policy, type PpoMetrics, type PpoOptions, type TokenBatch } from './policy.js';

/** Packs prompt + completion rows into a padded batch; the mask covers completion tokens only. */
export function packBatch(
  prompts: readonly (readonly number[])[],
  completions: readonly (readonly number[])[],
  maxLength: number,
): TokenBatch {
  const B = prompts.length;
  const tokens = new Int32Array(B * maxLength).fill(PAD);
  const mask = new Float32Array(B * (maxLength - 1));
  for (let b = 0; b < B; b++) {
    const p = prompts[b] as readonly number[];
    const c = (completions[b] ?? []) as readonly number[];
    if (p.length + c.length > maxLength)
      throw new RlCoreError('invalid-input', `expected prompt + completion within ${maxLength} tokens, found ${p.length + c.length}`);
    tokens.set(p, b * maxLength);
    tokens.set(c, b * maxLength + p.length);
    for (let j = 0; j < c.length; j++) mask[b * (maxLength - 1) + p.length - 1 + j] = 1;
  }
  return { batch: B, tokens, mask };
}

/** Places per-completion-token rewards at the positions `packBatch` scores them. */
export function packRewards(prompts: readonly (readonly number[])[], rewards: readonly Float32Array[], maxLength: number): Float32Array {
  const out = new Float32Array(prompts.length * (maxLength - 1));
  prompts.forEach((p, b) => {
    out.set(rewards[b] as Float32Array, b * (maxLength - 1) + p.length - 1);
  });
  return out;
}

/** Turns one completion into per-token rewards (same length as its tokens) and any metrics to average. */
export type RewardFunction = (
  promptIndex: number,
  completion: Completion,
) => {
  /** One reward per completion token. */
  rewards: Float32Array;
  /** Numbers averaged over the step's completions into its `extra`. */
  metrics?: Record<string, number>;
};

/** The settings of one RL step (`rlStep`, and every step of `train`'s RL stage). */
export interface RlOptions {
  /** `ppo` trains the value head and uses GAE by default; `grpo` uses group advantages and no value loss. */
  algo: 'ppo' | 'grpo';
  /** @default 'gae' for ppo, 'grpo' for grpo */
  estimator?: Estimator;
  /** Completions sampled per prompt (a group). @default 4 */
  groupSize?: number;
  /** Optimiser passes over each rollout batch. @default 2 */
  epochs?: number;
  /** @default 1 */
  gamma?: number;
  /** @default 0.95 */
  lambda?: number;
  /** KL coefficient against the reference policy. @default 0.02 */
  klCoef?: number;
  /** Where the KL penalty goes. @default 'reward' */
  klIn?: 'reward' | 'loss';
  /** @default 'k3' in the loss, 'k1' in the reward */
  klEstimator?: KlEstimator;
  /** @default 'token-mean' */
  mode?: AggregationMode;
  /** @default 1 */
  temperature?: number;
  /** @default 1 */
  topP?: number;
  /** @default 32 */
  maxNewTokens?: number;
  /** Sampling of a completion stops after this token. @default none */
  stopToken?: number;
  /** The PPO loss's clip ranges and coefficients. @default PpoOptions' defaults */
  ppo?: Omit<PpoOptions, 'klCoef' | 'klEstimator' | 'mode' | 'valueCoef'>;
  /**
   * Value-head warm-up (the gae estimator): this many value-only Adam steps on the step's rollout before its
   * policy updates, the policy frozen (its weights, optimiser state and step count unchanged to the bit;
   * `Policy.fitValueHead`). An SFT checkpoint's value head has never seen a reward, so without it the first
   * advantages are noise. The head is fitted to the rollout's discounted returns (lambda = 1: targets that do
   * not lean on the values being replaced), then the advantages come from the fitted values. Warm-up steps
   * rather than a separate value learning rate: the problem is the head's random start, which this fixes
   * once, while a second rate changes every later update and adds optimiser state to every checkpoint.
   * `train` runs it on the run's first step only. @default 0 (none)
   */
  valueWarmup?: number;
  /** Adam learning rate of the warm-up steps (an optimiser of their own). @default the policy's own learning rate */
  valueWarmupLr?: number;
}

/** What a value-head warm-up did (`RlOptions.valueWarmup`). */
export interface ValueWarmupMetrics {
  /** Value-only steps taken. */
  steps: number;
  /** The value loss before the first of them and before the last. */
  loss: [first: number, last: number];
  /** `explainedVariance` of the head's values on the rollout's discounted returns before the warm-up. */
  explainedVarianceBefore: number;
  /** The same after it: what the step's advantages were computed from. */
  explainedVarianceAfter: number;
}

/**
 * 1 - Var(target - prediction) / Var(target) over the tokens where `mask` is 1: 1 for a value head that
 * predicts the returns exactly, 0 for one no better than their mean, below 0 for a worse one; 0 when the
 * targets do not vary.
 */
export function explainedVariance(prediction: Float32Array, target: Float32Array, mask: ArrayLike<number>): number {
  let n = 0;
  let sy = 0;
  let syy = 0;
  let sd = 0;
  let sdd = 0;
  for (let i = 0; i < target.length; i++) {
    if (mask[i] === 0) continue;
    const y = target[i] as number;
    const d = y - (prediction[i] as number);
    n++;
    sy += y;
    syy += y * y;
    sd += d;
    sdd += d * d;
  }
  if (n === 0) return 0;
  const varY = syy / n - (sy / n) ** 2;
  const varD = sdd / n - (sd / n) ** 2;
  return varY > 1e-12 ? 1 - varD / varY : 0;
}

/** Checks `valueWarmup` and `valueWarmupLr` against the options and the policy; returns the warm-up's steps. */
export function checkValueWarmup(options: RlOptions, policy: Policy): number {
  const estimator = options.estimator ?? (options.algo === 'ppo' ? 'gae' : 'grpo');
  const steps = options.valueWarmup ?? 0;
  if (!(Number.isInteger(steps) && steps >= 0))
    throw new RlCoreError('invalid-option', `expected valueWarmup to be a whole number from 0, found ${steps}`);
  if (options.valueWarmupLr !== undefined && !(Number.isFinite(options.valueWarmupLr) && options.valueWarmupLr > 0))
    throw new RlCoreError('invalid-option', `expected valueWarmupLr > 0, found ${options.valueWarmupLr}`);
  if (steps === 0) return 0;
  if (options.algo !== 'ppo' || estimator !== 'gae')
    throw new RlCoreError(
      'invalid-option',
      `expected valueWarmup only with algo ppo and the gae estimator (the one whose advantages use values), found ${options.algo} with ${estimator}`,
    );
  if (typeof policy.fitValueHead !== 'function')
    throw new RlCoreError('invalid-option', 'expected a policy with fitValueHead for valueWarmup, found one without');
  return steps;
}

/** What one RL step measured: the last PPO epoch's losses, and the rollout's reward, KL and size. */
export interface RlStepMetrics extends PpoMetrics {
  /** Mean summed reward per completion (before the KL penalty). */
  reward: number;
  /** Mean KL estimate per token to the reference policy. */
  refKl: number;
  /** Completion tokens in the batch. */
  tokens: number;
  /** Extra metrics averaged from the reward function. */
  extra: Record<string, number>;
  /** What the value-head warm-up did, when the step ran one. */
  valueWarmup?: ValueWarmupMetrics;
}

/** One rollout + update: sample a group per prompt, score, compute advantages, run `epochs` PPO steps. */
export async function rlStep(
  policy: Policy,
  reference: Policy | undefined,
  prompts: readonly (readonly number[])[],
  reward: RewardFunction,
  options: RlOptions & { seed: number },
): Promise<RlStepMetrics> {
  const G = options.groupSize ?? 4;
  const T = policy.maxLength;
  const estimator = options.estimator ?? (options.algo === 'ppo' ? 'gae' : 'grpo');
  const warmup = checkValueWarmup(options, policy);
  const rows = prompts.flatMap((p) => Array.from({ length: G }, () => p));
  const groupIds = prompts.flatMap((_, i) => Array.from({ length: G }, () => i));
  const completions = await policy.sample(rows, {
    maxNewTokens: Math.min(options.maxNewTokens ?? 32, T - Math.max(...rows.map((r) => r.length))),
    temperature: options.temperature ?? 1,
    topP: options.topP ?? 1,
    seed: options.seed,
    ...(options.stopToken === undefined ? {} : { stopToken: options.stopToken }),
  });
  const extraSum: Record<string, number> = {};
  const perRow = completions.map((c, b) => {
    const r = reward(groupIds[b] as number, c);
    for (const [k, v] of Object.entries(r.metrics ?? {})) extraSum[k] = (extraSum[k] ?? 0) + v;
    return r.rewards;
  });
  const batch = packBatch(
    rows,
    completions.map((c) => c.tokens),
    T,
  );
  const shape = { batch: rows.length, tokens: T - 1 };
  let rewards = packRewards(rows, perRow, T);
  const rewardSum = rewards.reduce((a, x) => a + x, 0) / rows.length;
  const old = await policy.evaluate(batch);
  const ref = reference ? await reference.evaluate(batch) : undefined;
  const klCoef = options.klCoef ?? 0.02;
  const klIn = options.klIn ?? 'reward';
  let refKl = 0;
  if (ref) {
    const folded = applyKlToRewards(rewards, old.logp, ref.logp, shape, {
      coef: klIn === 'reward' ? klCoef : 0,
      mask: batch.mask,
      estimator: options.klEstimator ?? (klIn === 'reward' ? 'k1' : 'k3'),
    });
    if (klIn === 'reward') rewards = folded.rewards;
    refKl =
      folded.kl.reduce((a, x) => a + x, 0) /
      Math.max(
        1,
        batch.mask.reduce((a, x) => a + x, 0),
      );
  }
  const gamma = options.gamma ?? 1;
  const mode = options.mode ?? 'token-mean';
  let values = old.values;
  let valueWarmup: ValueWarmupMetrics | undefined;
  if (warmup > 0) {
    const target = rewardToGo(rewards, batch.mask, shape, gamma);
    const loss = await (policy.fitValueHead as NonNullable<Policy['fitValueHead']>)(batch, target, {
      steps: warmup,
      mode,
      ...(options.valueWarmupLr === undefined ? {} : { learningRate: options.valueWarmupLr }),
    });
    // the policy is frozen: only the values change (and the value clip of the updates below starts from them)
    values = (await policy.evaluate(batch)).values;
    valueWarmup = {
      steps: warmup,
      loss: [loss[0] as number, loss.at(-1) as number],
      explainedVarianceBefore: explainedVariance(old.values, target, batch.mask),
      explainedVarianceAfter: explainedVariance(values, target, batch.mask),
    };
  }
  const { advantages, returns } = computeAdvantages({
    estimator,
    shape,
    rewards,
    values,
    mask: batch.mask,
    groupIds,
    gamma,
    lambda: options.lambda ?? 0.95,
  });
  let metrics: PpoMetrics | undefined;
  for (let e = 0; e < (options.epochs ?? 2); e++) {
    metrics = await policy.ppoStep(
      batch,
      { oldLogp: old.logp, advantages, returns, oldValues: values, ...(ref && klIn === 'loss' ? { refLogp: ref.logp } : {}) },
      {
        ...options.ppo,
        valueCoef: options.algo === 'ppo' ? 0.5 : 0,
        klCoef: ref && klIn === 'loss' ? klCoef : 0,
        ...(options.klEstimator ? { klEstimator: options.klEstimator } : {}),
        mode,
      },
    );
  }
  const extra = Object.fromEntries(Object.entries(extraSum).map(([k, v]) => [k, v / rows.length]));
  const tokens = batch.mask.reduce((a, x) => a + x, 0);
  return { ...(metrics as PpoMetrics), reward: rewardSum, refKl, tokens, extra, ...(valueWarmup ? { valueWarmup } : {}) };
}

/** One SFT step on prompt + target rows (loss on the target tokens only). */
export async function sftStep(
  policy: Policy,
  prompts: readonly (readonly number[])[],
  targets: readonly (readonly number[])[],
  mode: AggregationMode = 'token-mean',
): Promise<number> {
  return policy.sftStep(packBatch(prompts, targets, policy.maxLength), { mode });
}
