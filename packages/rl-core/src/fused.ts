import { type AggregationMode, rowWeights } from './aggregate.js';
import { ADVANTAGE_DEFAULTS, computeAdvantages, type Estimator } from './advantages.js';
import { RlCoreError } from './errors.js';
import { LOSS_DEFAULTS, ppoPass, valuePass } from './losses.js';
import { checkShape, type Mask, maskOrOnes, type Shape } from './shape.js';

export interface FusedLossInput {
  /** @default 'gae' */
  estimator?: Estimator;
  shape: Shape;
  rewards: Float32Array;
  logp: Float32Array;
  oldLogp: Float32Array;
  /** Value estimates of the rollout (required by gae); with them the value loss is computed too. */
  values?: Float32Array;
  /** Values before this update, for the value clip. @default values */
  oldValues?: Float32Array;
  /** @default all ones */
  mask?: Mask;
  /** One group id per sequence (group estimators). */
  groupIds?: ArrayLike<number | string>;
  /** @default 1 */
  gamma?: number;
  /** @default 0.95 */
  lambda?: number;
  /** As in `computeAdvantages`: @default true for gae and reinforce++, false for the group estimators */
  whiten?: boolean;
  /** @default 0.2 */
  clipLow?: number;
  /** @default 0.2 */
  clipHigh?: number;
  dualClip?: number;
  /** @default 0.2 */
  valueClip?: number;
  /** @default 'token-mean' */
  mode?: AggregationMode;
  normLength?: number;
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
 * Advantages + PPO clipped surrogate + clipped value loss, each aggregated in the pass that computes it,
 * with no per-token temporaries beyond the advantages and returns. Equal to `computeAdvantages` followed by
 * `ppoPolicyLoss` and `valueLoss` with the same options: the fast path for large batches. Whitened GAE
 * takes its statistics while it runs, so the advantages cost one pass plus one to whiten them in place.
 */
export function fusedPpoLoss(input: FusedLossInput): FusedLossResult {
  const { shape, rewards, logp, oldLogp, values } = input;
  const estimator = input.estimator ?? 'gae';
  for (const [name, a] of [
    ['rewards', rewards],
    ['logp', logp],
    ['oldLogp', oldLogp],
  ] as const)
    checkShape(name, a, shape);
  if (values) checkShape('values', values, shape);
  const oldValues = input.oldValues ?? values;
  if (input.oldValues) checkShape('oldValues', input.oldValues, shape);
  const mask = maskOrOnes(input.mask, shape);
  const dual = input.dualClip ?? Number.POSITIVE_INFINITY;
  if (input.dualClip !== undefined && !(dual > 1)) throw new RlCoreError('invalid-option', `expected dualClip > 1, found ${dual}`);
  const rows = rowWeights(shape, input.mode, input.normLength, mask);

  let advantages: Float32Array;
  let returns: Float32Array;
  // The loss pass applies a = (advantage - mean) * inv: the whitening of gae, the identity otherwise.
  let mean = 0;
  let inv = 1;
  if (estimator === 'gae' && (input.whiten ?? true)) {
    if (!values) throw new RlCoreError('invalid-input', 'expected values for the gae estimator, found none');
    const g = gaeWithStats(
      rewards,
      values,
      mask,
      shape,
      input.gamma ?? ADVANTAGE_DEFAULTS.gamma,
      input.lambda ?? ADVANTAGE_DEFAULTS.lambda,
    );
    ({ advantages, returns, mean } = g);
    inv = 1 / (g.std + ADVANTAGE_DEFAULTS.eps);
  } else {
    ({ advantages, returns } = computeAdvantages({ ...input, estimator, mask }));
  }

  const T = shape.tokens;
  if (inv !== 1 || mean !== 0)
    for (let i = 0; i < advantages.length; i++) if (mask[i] !== 0) advantages[i] = ((advantages[i] as number) - mean) * inv;
  const lo = 1 - (input.clipLow ?? LOSS_DEFAULTS.clipLow);
  const hi = 1 + (input.clipHigh ?? LOSS_DEFAULTS.clipHigh);
  const policy = ppoPass(logp, oldLogp, advantages, mask, rows, T, lo, hi, dual, null);
  const value =
    values && oldValues ? valuePass(values, oldValues, returns, mask, rows, T, input.valueClip ?? LOSS_DEFAULTS.valueClip, null).loss : 0;
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

export interface FusedPpoInput {
  shape: Shape;
  rewards: Float32Array;
  values: Float32Array;
  oldValues: Float32Array;
  logp: Float32Array;
  oldLogp: Float32Array;
  mask: Mask;
  /** @default 1 */
  gamma?: number;
  /** @default 0.95 */
  lambda?: number;
  /** @default 0.2 */
  clipLow?: number;
  /** @default 0.2 */
  clipHigh?: number;
  dualClip?: number;
  /** @default 0.2 */
  valueClip?: number;
}

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
