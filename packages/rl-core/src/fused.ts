import { rowWeights } from './aggregate.js';
import { ADVANTAGE_DEFAULTS, type AdvantageInput, computeAdvantages } from './advantages.js';
import { clipBounds, LOSS_DEFAULTS, type PolicyLossOptions, ppoPass, type ValueLossOptions, valuePass } from './losses.js';
import { checkShape, type Mask, maskOrOnes, type Shape } from './shape.js';

export interface FusedLossInput extends Omit<AdvantageInput, 'estimator' | 'values' | 'mask'>, PolicyLossOptions, ValueLossOptions {
  /** @default 'gae' */
  estimator?: AdvantageInput['estimator'];
  logp: Float32Array;
  oldLogp: Float32Array;
  /** Value estimates of the rollout (required by gae); with them the value loss is computed too. */
  values?: Float32Array;
  /** Values before this update, for the value clip. @default values */
  oldValues?: Float32Array;
}

export interface FusedLossResult {
  policyLoss: number;
  /** 0 when no values were given. */
  valueLoss: number;
  /** The advantages the policy loss used (whitened when asked), 0 on masked tokens. */
  advantages: Float32Array;
  returns: Float32Array;
  /** Share of real tokens whose ratio was clipped (by either the PPO clip or the dual clip). */
  clipFraction: number;
  /** Mean of (ratio - 1) - log ratio over real tokens. */
  approxKl: number;
}

/**
 * Advantages + PPO clipped surrogate + clipped value loss, equal to `computeAdvantages` followed by
 * `ppoPolicyLoss` and `valueLoss` with the same options, for large batches: whitened GAE takes its
 * statistics while it runs, the aggregation weights are computed once for both losses, and no per-token
 * array is built beyond the advantages and returns.
 */
export function fusedPpoLoss(input: FusedLossInput): FusedLossResult {
  const { shape, logp, oldLogp, values } = input;
  checkShape('rewards', input.rewards, shape);
  checkShape('logp', logp, shape);
  checkShape('oldLogp', oldLogp, shape);
  if (values) checkShape('values', values, shape);
  const oldValues = input.oldValues ?? values;
  if (input.oldValues) checkShape('oldValues', input.oldValues, shape);
  const mask = maskOrOnes(input.mask, shape);
  const { lo, hi, dual } = clipBounds(input);
  const rows = rowWeights(shape, input.mode, input.normLength, mask);
  const estimator = input.estimator ?? 'gae';
  let advantages: Float32Array;
  let returns: Float32Array;
  if (estimator === 'gae' && (input.whiten ?? true) && values) {
    // Whitened GAE takes its statistics while it runs: one pass fewer than computing, then whitening.
    const g = gaeWithStats(
      input.rewards,
      values,
      mask,
      shape,
      input.gamma ?? ADVANTAGE_DEFAULTS.gamma,
      input.lambda ?? ADVANTAGE_DEFAULTS.lambda,
    );
    ({ advantages, returns } = g);
    const inv = 1 / (g.std + (input.eps ?? ADVANTAGE_DEFAULTS.eps));
    for (let i = 0; i < advantages.length; i++) if (mask[i] !== 0) advantages[i] = ((advantages[i] as number) - g.mean) * inv;
  } else ({ advantages, returns } = computeAdvantages({ ...input, estimator, mask }));
  const policy = ppoPass(logp, oldLogp, advantages, mask, rows, shape.tokens, lo, hi, dual, null);
  const value =
    values && oldValues
      ? valuePass(values, oldValues, returns, mask, rows, shape.tokens, input.valueClip ?? LOSS_DEFAULTS.valueClip, null).loss
      : 0;
  return { policyLoss: policy.loss, valueLoss: value, advantages, returns, clipFraction: policy.clipFraction, approxKl: policy.approxKl };
}

/** Raw GAE with the mean and population std of its advantages over real tokens, in one backward pass. */
function gaeWithStats(
  rewards: Float32Array,
  values: Float32Array,
  mask: Mask,
  shape: Shape,
  gamma: number,
  lambda: number,
): { advantages: Float32Array; returns: Float32Array; mean: number; std: number } {
  const T = shape.tokens;
  const gl = gamma * lambda;
  const adv = new Float32Array(rewards.length);
  const ret = new Float32Array(rewards.length);
  let n = 0;
  // Shifted sums (shift = the first advantage) give the variance in the same pass, without the
  // cancellation of raw sums of squares; statistics are of the stored float32 values.
  let shift = 0;
  let sum = 0;
  let sumSq = 0;
  for (let b = 0; b < shape.batch; b++) {
    let nextValue = 0;
    let nextAdv = 0;
    for (let i = b * T + T - 1; i >= b * T; i--) {
      if (mask[i] === 0) continue;
      const v = values[i] as number;
      nextAdv = (rewards[i] as number) + gamma * nextValue - v + gl * nextAdv;
      nextValue = v;
      adv[i] = nextAdv;
      ret[i] = nextAdv + v;
      const a = adv[i] as number;
      if (n === 0) shift = a;
      const d = a - shift;
      n++;
      sum += d;
      sumSq += d * d;
    }
  }
  if (n === 0) return { advantages: adv, returns: ret, mean: 0, std: 0 };
  const m = sum / n;
  return { advantages: adv, returns: ret, mean: shift + m, std: Math.sqrt(Math.max(0, sumSq / n - m * m)) };
}

/** The inputs of `fusedGaePpoLoss`: those of `fusedPpoLoss` with values, old values and mask required. */
export type FusedPpoInput = Pick<FusedLossInput, 'gamma' | 'lambda' | 'clipLow' | 'clipHigh' | 'dualClip' | 'valueClip'> &
  Required<Pick<FusedLossInput, 'shape' | 'rewards' | 'values' | 'oldValues' | 'logp' | 'oldLogp' | 'mask'>>;

/** Whitened GAE + PPO + value loss, token-mean: `fusedPpoLoss` with the gae estimator. */
export function fusedGaePpoLoss(input: FusedPpoInput): {
  policyLoss: number;
  valueLoss: number;
  advantages: Float32Array;
  returns: Float32Array;
} {
  const r = fusedPpoLoss({ ...input, estimator: 'gae' });
  return { policyLoss: r.policyLoss, valueLoss: r.valueLoss, advantages: r.advantages, returns: r.returns };
}
