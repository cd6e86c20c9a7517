import { RlCoreError } from './errors.js';
import { checkShape, type Mask, maskOrOnes, type Shape } from './shape.js';

/** The advantage estimators; see the package README for each definition. */
export type Estimator = 'gae' | 'reinforce++' | 'grpo' | 'dr-grpo' | 'rloo' | 'token-grpo';

/** Every estimator name, in the order the README describes them. */
export const ESTIMATORS: readonly Estimator[] = ['gae', 'reinforce++', 'grpo', 'dr-grpo', 'rloo', 'token-grpo'];

/** The input of `computeAdvantages`: per-token rewards (and values for gae) over a batch. */
export interface AdvantageInput {
  /** Which estimator computes them (see `ESTIMATORS`). */
  estimator: Estimator;
  /** Batch size and tokens per row of every per-token array. */
  shape: Shape;
  /** Per-token rewards; an outcome reward is a row whose only non-zero entry is its last real token. */
  rewards: Float32Array;
  /** Per-token value estimates (GAE only). */
  values?: Float32Array;
  /** 1 = a real response token. @default all ones */
  mask?: Mask;
  /** One group id per sequence (grpo, dr-grpo, rloo, token-grpo). @default every sequence in one group */
  groupIds?: ArrayLike<number | string>;
  /** @default 1 */
  gamma?: number;
  /** @default 0.95 */
  lambda?: number;
  /**
   * Whiten the final advantages over all real tokens of the batch (mean 0, std 1).
   * @default true for gae and reinforce++, false for the group estimators (they normalise per group)
   */
  whiten?: boolean;
  /** Added to every standard deviation before dividing. @default 1e-6 */
  eps?: number;
}

/** Per-token advantages and returns (the value head's regression target), 0 on masked tokens. */
export interface AdvantageOutput {
  /** Per-token advantages, 0 on masked tokens. */
  advantages: Float32Array;
  /** Per-token return targets for a value head, 0 on masked tokens (GAE: advantages + values; others: discounted reward-to-go). */
  returns: Float32Array;
}

/** The defaults of `computeAdvantages`: discount, GAE lambda and the epsilon of every standardisation. */
export const ADVANTAGE_DEFAULTS = {
  /** Discount per token. */
  gamma: 1,
  /** GAE's bias-variance trade-off. */
  lambda: 0.95,
  /** Added to a standard deviation before dividing by it. */
  eps: 1e-6,
};

/**
 * Discounted reward-to-go over each row's real tokens (masked positions are skipped, not zero-reward steps).
 * When `rowSums` is given, each row's undiscounted sum of rewards over its real tokens is added to it.
 */
export function rewardToGo(rewards: Float32Array, mask: Mask, shape: Shape, gamma: number, rowSums?: Float64Array): Float32Array {
  const out = new Float32Array(rewards.length);
  for (let b = 0; b < shape.batch; b++) {
    let g = 0;
    let s = 0;
    for (let i = b * shape.tokens + shape.tokens - 1; i >= b * shape.tokens; i--) {
      if (mask[i] === 0) continue;
      const r = rewards[i] as number;
      s += r;
      g = r + gamma * g;
      out[i] = g;
    }
    if (rowSums) rowSums[b]! += s;
  }
  return out;
}

/** Generalised advantage estimation; values after a row's last real token count as 0 (terminal). */
export function gae(rewards: Float32Array, values: Float32Array, mask: Mask, shape: Shape, gamma: number, lambda: number): AdvantageOutput {
  const adv = new Float32Array(rewards.length);
  const ret = new Float32Array(rewards.length);
  for (let b = 0; b < shape.batch; b++) {
    let nextValue = 0;
    let nextAdv = 0;
    for (let t = shape.tokens - 1; t >= 0; t--) {
      const i = b * shape.tokens + t;
      if (mask[i] === 0) continue;
      const v = values[i] as number;
      const delta = (rewards[i] as number) + gamma * nextValue - v;
      nextAdv = delta + gamma * lambda * nextAdv;
      nextValue = v;
      adv[i] = nextAdv;
      ret[i] = nextAdv + v;
    }
  }
  return { advantages: adv, returns: ret };
}

/** Masked whitening over the whole batch; masked entries stay 0. */
export function whiten(values: Float32Array, mask: Mask, eps = ADVANTAGE_DEFAULTS.eps): Float32Array {
  return whitenInto(values, mask, eps, new Float32Array(values.length));
}

/** `whiten` writing into `out` (which may be `values` itself). */
function whitenInto(values: Float32Array, mask: Mask, eps: number, out: Float32Array): Float32Array {
  // Sums shifted by the first real value give mean and variance in one pass without the cancellation
  // of raw sums of squares.
  let n = 0;
  let shift = 0;
  let sum = 0;
  let sumSq = 0;
  for (let i = 0; i < values.length; i++)
    if (mask[i] !== 0) {
      const x = values[i] as number;
      if (n === 0) shift = x;
      const d = x - shift;
      n++;
      sum += d;
      sumSq += d * d;
    }
  if (n === 0) return out.fill(0);
  const m = sum / n;
  const mean = shift + m;
  const inv = 1 / (Math.sqrt(Math.max(0, sumSq / n - m * m)) + eps);
  for (let i = 0; i < values.length; i++) if (mask[i] !== 0) out[i] = ((values[i] as number) - mean) * inv;
  return out;
}

/** Dense group numbers (0, 1, ...) in order of first appearance, one per sequence (internal; shared with `fusedPpoLoss`). */
export function groupIndex(groupIds: ArrayLike<number | string> | undefined, batch: number): Int32Array {
  const idx = new Int32Array(batch);
  if (groupIds === undefined) return idx;
  if (groupIds.length !== batch)
    throw new RlCoreError('shape-mismatch', `expected ${batch} group ids (one per sequence), found ${groupIds.length}`);
  const seen = new Map<number | string, number>();
  for (let b = 0; b < batch; b++) {
    const id = groupIds[b] as number | string;
    let g = seen.get(id);
    if (g === undefined) {
      g = seen.size;
      seen.set(id, g);
    }
    idx[b] = g;
  }
  return idx;
}

/** Mean and population std of `x` over the members of each group (weights: 1 per member). */
function groupStats(
  x: Float64Array,
  group: Int32Array,
  weight?: Float64Array,
): { mean: Float64Array; std: Float64Array; count: Float64Array } {
  const k = group.reduce((m, g) => Math.max(m, g + 1), 0);
  const sum = new Float64Array(k);
  const count = new Float64Array(k);
  for (let b = 0; b < x.length; b++) {
    const w = weight ? (weight[b] as number) : 1;
    sum[group[b] as number]! += w * (x[b] as number);
    count[group[b] as number]! += w;
  }
  const mean = sum.map((s, g) => (count[g]! > 0 ? s / count[g]! : 0));
  const ss = new Float64Array(k);
  for (let b = 0; b < x.length; b++) {
    const w = weight ? (weight[b] as number) : 1;
    ss[group[b] as number]! += w * ((x[b] as number) - mean[group[b] as number]!) ** 2;
  }
  const std = ss.map((s, g) => (count[g]! > 0 ? Math.sqrt(s / count[g]!) : 0));
  return { mean, std, count };
}

/** One advantage per sequence from its score (sum of rewards) and its group (internal; shared with `fusedPpoLoss`). */
export function outcomeAdvantages(
  estimator: 'grpo' | 'dr-grpo' | 'rloo',
  score: Float64Array,
  group: Int32Array,
  eps: number,
): Float64Array {
  const { mean, std, count } = groupStats(score, group);
  const adv = new Float64Array(score.length);
  for (let b = 0; b < score.length; b++) {
    const g = group[b] as number;
    const d = (score[b] as number) - (mean[g] as number);
    const n = count[g] as number;
    if (estimator === 'grpo') adv[b] = d / ((std[g] as number) + eps);
    else if (estimator === 'dr-grpo') adv[b] = d;
    else adv[b] = n > 1 ? (d * n) / (n - 1) : 0;
  }
  return adv;
}

function broadcastRows(perSeq: Float64Array, mask: Mask, shape: Shape): Float32Array {
  const out = new Float32Array(shape.batch * shape.tokens);
  for (let b = 0; b < shape.batch; b++)
    for (let t = 0; t < shape.tokens; t++) {
      const i = b * shape.tokens + t;
      if (mask[i] !== 0) out[i] = perSeq[b] as number;
    }
  return out;
}

/**
 * Computes per-token advantages and returns with the chosen estimator.
 *
 * @example
 * ```ts
 * import { computeAdvantages, fromRows } from '@srcode/rl-core';
 *
 * // two completions of one prompt: the first has an insecure call penalised on its second token,
 * // both an instance reward of +1 on their last token
 * const { data: rewards, shape } = fromRows([
 *   [0, -1, 1],
 *   [0, 0, 1],
 * ]);
 * const { advantages } = computeAdvantages({ estimator: 'token-grpo', shape, rewards, groupIds: [0, 0] });
 * console.log(Array.from(advantages, (a) => a.toFixed(3))); // [ '-1.414', '-1.414', '0.707', '0.707', '0.707', '0.707' ]
 * ```
 */
export function computeAdvantages(input: AdvantageInput): AdvantageOutput {
  const { shape, rewards, estimator } = input;
  checkShape('rewards', rewards, shape);
  const mask = maskOrOnes(input.mask, shape);
  const gamma = input.gamma ?? ADVANTAGE_DEFAULTS.gamma;
  const lambda = input.lambda ?? ADVANTAGE_DEFAULTS.lambda;
  const eps = input.eps ?? ADVANTAGE_DEFAULTS.eps;
  const doWhiten = input.whiten ?? (estimator === 'gae' || estimator === 'reinforce++');
  if (!(gamma >= 0 && gamma <= 1)) throw new RlCoreError('invalid-option', `expected gamma in [0, 1], found ${gamma}`);
  if (!(lambda >= 0 && lambda <= 1)) throw new RlCoreError('invalid-option', `expected lambda in [0, 1], found ${lambda}`);
  let advantages: Float32Array;
  let returns: Float32Array;
  if (estimator === 'gae') {
    if (!input.values) throw new RlCoreError('invalid-input', 'expected values for the gae estimator, found none');
    checkShape('values', input.values, shape);
    ({ advantages, returns } = gae(rewards, input.values, mask, shape, gamma, lambda));
  } else if (estimator === 'reinforce++') {
    returns = rewardToGo(rewards, mask, shape, gamma);
    advantages = returns.slice();
  } else if (estimator === 'grpo' || estimator === 'dr-grpo' || estimator === 'rloo') {
    const group = groupIndex(input.groupIds, shape.batch);
    const score = new Float64Array(shape.batch);
    returns = rewardToGo(rewards, mask, shape, gamma, score);
    advantages = broadcastRows(outcomeAdvantages(estimator, score, group, eps), mask, shape);
  } else if (estimator === 'token-grpo') {
    returns = rewardToGo(rewards, mask, shape, gamma);
    advantages = tokenGroupAdvantages(returns, mask, shape, groupIndex(input.groupIds, shape.batch), eps);
  } else {
    throw new RlCoreError('invalid-option', `expected an estimator (${ESTIMATORS.join(', ')}), found ${String(estimator)}`);
  }
  // The advantages are this call's own array (never a caller's), so whitening may overwrite them.
  if (doWhiten) advantages = whitenInto(advantages, mask, eps, advantages);
  return { advantages, returns };
}

/**
 * Mean and 1 / (population std + eps) per group from sums shifted by a value per group (sum of x - shift,
 * sum of (x - shift)^2, count); 0 for a group without members (internal; shared with `fusedPpoLoss`).
 */
export function groupMoments(
  shift: Float64Array,
  sum: Float64Array,
  sumSq: Float64Array,
  count: Float64Array,
  eps: number,
): { mean: Float64Array; inv: Float64Array } {
  const mean = new Float64Array(count.length);
  const inv = new Float64Array(count.length);
  for (let g = 0; g < count.length; g++) {
    const c = count[g] as number;
    if (c === 0) continue;
    const m = (sum[g] as number) / c;
    mean[g] = (shift[g] as number) + m;
    inv[g] = 1 / (Math.sqrt(Math.max(0, (sumSq[g] as number) / c - m * m)) + eps);
  }
  return { mean, inv };
}

/**
 * Token-level group-relative advantages: every real token's reward-to-go is normalised by the mean and
 * std of the reward-to-go over all real tokens of the sequences in its group.
 */
function tokenGroupAdvantages(rtg: Float32Array, mask: Mask, shape: Shape, group: Int32Array, eps: number): Float32Array {
  const k = group.reduce((m, g) => Math.max(m, g + 1), 0);
  // Per-group sums shifted by the group's first value: mean and variance in one pass.
  const shift = new Float64Array(k);
  const sum = new Float64Array(k);
  const sumSq = new Float64Array(k);
  const count = new Float64Array(k);
  const T = shape.tokens;
  for (let b = 0; b < shape.batch; b++) {
    const g = group[b] as number;
    let c = count[g] as number;
    let sh = shift[g] as number;
    let s = 0;
    let ss = 0;
    for (let i = b * T; i < (b + 1) * T; i++) {
      if (mask[i] === 0) continue;
      const x = rtg[i] as number;
      if (c === 0) sh = x;
      const d = x - sh;
      c++;
      s += d;
      ss += d * d;
    }
    count[g] = c;
    shift[g] = sh;
    sum[g]! += s;
    sumSq[g]! += ss;
  }
  const { mean, inv } = groupMoments(shift, sum, sumSq, count, eps);
  const out = new Float32Array(rtg.length);
  for (let b = 0; b < shape.batch; b++) {
    const g = group[b] as number;
    const mu = mean[g] as number;
    const iv = inv[g] as number;
    for (let i = b * T; i < (b + 1) * T; i++) if (mask[i] !== 0) out[i] = ((rtg[i] as number) - mu) * iv;
  }
  return out;
}
