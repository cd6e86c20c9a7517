import { RlCoreError } from './errors.js';
import { checkShape, type Mask, maskOrOnes, type Shape } from './shape.js';

/**
 * KL estimators of KL(policy || reference) from one sampled token, with log r = logp - refLogp:
 * - `k1`: log r (unbiased, high variance, can be negative);
 * - `k2`: (log r)^2 / 2 (biased, low variance, non-negative);
 * - `k3`: exp(-log r) - 1 + log r (unbiased, non-negative).
 */
export type KlEstimator = 'k1' | 'k2' | 'k3';

/** Options of `klPerToken` and `applyKlToRewards`. */
export interface KlOptions {
  /** @default 'k3' */
  estimator?: KlEstimator;
  /** Each token's estimate is clamped to [-clamp, clamp]. @default 10 */
  clamp?: number;
  /** 1 = a real token; the others get 0. @default all ones */
  mask?: Mask;
}

/** Defaults for the KL penalty, documented once. */
export const KL_DEFAULTS = {
  /** Schulman's k3 estimator: unbiased and never negative. */
  estimator: 'k3' as KlEstimator,
  /** Bound of each token's estimate. */
  clamp: 10,
};

/** Per-token KL estimates; masked tokens are 0. */
export function klPerToken(logp: Float32Array, refLogp: Float32Array, shape: Shape, options: KlOptions = {}): Float32Array {
  checkShape('logp', logp, shape);
  checkShape('refLogp', refLogp, shape);
  const mask = maskOrOnes(options.mask, shape);
  const kind = options.estimator ?? KL_DEFAULTS.estimator;
  const clamp = options.clamp ?? KL_DEFAULTS.clamp;
  if (!(clamp > 0)) throw new RlCoreError('invalid-option', `expected clamp > 0, found ${clamp}`);
  const out = new Float32Array(logp.length);
  for (let i = 0; i < logp.length; i++) {
    if (mask[i] === 0) continue;
    const lr = (logp[i] as number) - (refLogp[i] as number);
    let k: number;
    if (kind === 'k1') k = lr;
    else if (kind === 'k2') k = 0.5 * lr * lr;
    else if (kind === 'k3') k = Math.exp(-lr) - 1 + lr;
    else throw new RlCoreError('invalid-option', `expected estimator k1, k2 or k3, found ${String(kind)}`);
    out[i] = Math.min(clamp, Math.max(-clamp, k));
  }
  return out;
}

/** Rewards with the KL penalty folded in: r - coef * kl on every real token (the "KL in reward" form). */
export function applyKlToRewards(
  rewards: Float32Array,
  logp: Float32Array,
  refLogp: Float32Array,
  shape: Shape,
  options: KlOptions & { coef: number },
): {
  /** The rewards with `coef * kl` taken off each real token. */
  rewards: Float32Array;
  /** The per-token KL estimates. */
  kl: Float32Array;
} {
  checkShape('rewards', rewards, shape);
  const kl = klPerToken(logp, refLogp, shape, options);
  const mask = maskOrOnes(options.mask, shape);
  const out = new Float32Array(rewards.length);
  for (let i = 0; i < out.length; i++) out[i] = mask[i] === 0 ? 0 : (rewards[i] as number) - options.coef * (kl[i] as number);
  return { rewards: out, kl };
}
