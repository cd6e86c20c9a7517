import { type AggregateOptions, expandRowWeights, rowWeights } from './aggregate.js';
import { RlCoreError } from './errors.js';
import { checkShape, type Mask, maskOrOnes, type Shape } from './shape.js';

/** Defaults for the losses, documented once. */
export const LOSS_DEFAULTS = {
  /** How far below 1 the ratio may go before it is clipped. */
  clipLow: 0.2,
  /** How far above 1 the ratio may go before it is clipped. */
  clipHigh: 0.2,
  /** How far a value may move from its old estimate before it is clipped. */
  valueClip: 0.2,
  /** Weight of the entropy bonus. */
  entropyCoef: 0.01,
};

/** Options of `ppoPolicyLoss`: the clip range, the dual clip and the aggregation. */
export interface PolicyLossOptions extends AggregateOptions {
  /** Lower clip range: the ratio is clipped at 1 - clipLow. @default 0.2 */
  clipLow?: number;
  /** Upper clip range: the ratio is clipped at 1 + clipHigh (raise it above clipLow for "clip-higher"). @default 0.2 */
  clipHigh?: number;
  /** Dual clip: for negative advantages the loss is capped at -A * dualClip (> 1). @default none */
  dualClip?: number;
}

/** A loss, its per-token terms and the aggregation weights that summed them. */
export interface LossResult {
  /** The aggregated loss. */
  loss: number;
  /** The per-token loss before aggregation, 0 on masked tokens (computed on first access). */
  readonly perToken: Float32Array;
  /** The per-token aggregation weights used, loss = sum(weights * perToken) (computed on first access). */
  readonly weights: Float32Array;
}

/** `ppoPolicyLoss`'s result: the loss with its clip fraction and approximate KL. */
export interface PolicyLossResult extends LossResult {
  /** Share of real tokens whose ratio was clipped (by either the PPO clip or the dual clip). */
  clipFraction: number;
  /** Mean of (ratio - 1) - log ratio over real tokens: the usual approx-KL to the old policy. */
  approxKl: number;
}

/**
 * Completes a loss result with per-token arrays that are built on first access: most callers read only
 * the scalars, and two arrays of batch x tokens per loss would cost more than the loss itself.
 */
function withPerToken<T extends { loss: number }>(
  base: T,
  shape: Shape,
  mask: Mask,
  rows: Float64Array,
  fill: (perToken: Float32Array) => void,
): T & LossResult {
  let perToken: Float32Array | undefined;
  let weights: Float32Array | undefined;
  return Object.defineProperties(base, {
    perToken: {
      enumerable: true,
      get() {
        if (!perToken) {
          perToken = new Float32Array(shape.batch * shape.tokens);
          fill(perToken);
        }
        return perToken;
      },
    },
    weights: {
      enumerable: true,
      get() {
        weights ??= expandRowWeights(rows, mask, shape);
        return weights;
      },
    },
  }) as T & LossResult;
}

/** A loss whose per-token value is a function of one input array: sum(w * f(x)), and the per-token values on demand. */
function elementwiseLoss(x: Float32Array, f: (v: number) => number, shape: Shape, options: AggregateOptions, mask: Mask): LossResult {
  const rows = rowWeights(shape, options.mode, options.normLength, mask);
  let loss = 0;
  for (let b = 0; b < shape.batch; b++) {
    const w = rows[b] as number;
    for (let i = b * shape.tokens; i < (b + 1) * shape.tokens; i++) if (mask[i] !== 0) loss += w * f(x[i] as number);
  }
  return withPerToken({ loss }, shape, mask, rows, (out) => {
    for (let i = 0; i < out.length; i++) if (mask[i] !== 0) out[i] = f(x[i] as number);
  });
}

/** The ratio bounds of the PPO clip, and the dual-clip factor (Infinity when none), checked. */
export function clipBounds(options: Pick<PolicyLossOptions, 'clipLow' | 'clipHigh' | 'dualClip'>): {
  lo: number;
  hi: number;
  dual: number;
} {
  const dual = options.dualClip;
  if (dual !== undefined && !(dual > 1)) throw new RlCoreError('invalid-option', `expected dualClip > 1, found ${dual}`);
  const clipLow = options.clipLow ?? LOSS_DEFAULTS.clipLow;
  const clipHigh = options.clipHigh ?? LOSS_DEFAULTS.clipHigh;
  if (!(clipLow >= 0)) throw new RlCoreError('invalid-option', `expected clipLow >= 0, found ${clipLow}`);
  if (!(clipHigh >= 0)) throw new RlCoreError('invalid-option', `expected clipHigh >= 0, found ${clipHigh}`);
  return { lo: 1 - clipLow, hi: 1 + clipHigh, dual: dual ?? Number.POSITIVE_INFINITY };
}

/** The value clip, checked. */
export function valueClipOf(options: ValueLossOptions): number {
  const c = options.valueClip ?? LOSS_DEFAULTS.valueClip;
  if (!(c >= 0)) throw new RlCoreError('invalid-option', `expected valueClip >= 0, found ${c}`);
  return c;
}

/**
 * Per-token PPO clipped surrogate loss, with separate clip ranges and an optional dual clip.
 *
 * @example
 * ```ts
 * import { fromRows, ppoPolicyLoss } from '@srcode/rl-core';
 *
 * const { data: advantages, shape } = fromRows([
 *   [1, 1, -1],
 *   [0.5, 0.5, 0.5],
 * ]);
 * const logp = new Float32Array([-0.1, -0.2, -0.3, -0.1, -0.2, -0.3]);
 * const oldLogp = logp.map((x) => x - 0.3); // the new policy likes every token more than the old one did
 * const { loss, clipFraction } = ppoPolicyLoss(logp, oldLogp, advantages, shape, { clipHigh: 0.28 });
 * console.log(loss.toFixed(4), clipFraction.toFixed(3)); // -0.5217 0.833
 * ```
 */
export function ppoPolicyLoss(
  logp: Float32Array,
  oldLogp: Float32Array,
  advantages: Float32Array,
  shape: Shape,
  options: PolicyLossOptions = {},
): PolicyLossResult {
  checkShape('logp', logp, shape);
  checkShape('oldLogp', oldLogp, shape);
  checkShape('advantages', advantages, shape);
  const mask = maskOrOnes(options.mask, shape);
  const { lo, hi, dual } = clipBounds(options);
  const rows = rowWeights(shape, options.mode, options.normLength, mask);
  const pass = (store: Float32Array | null) => ppoPass(logp, oldLogp, advantages, mask, rows, shape.tokens, lo, hi, dual, store);
  return withPerToken(pass(null), shape, mask, rows, pass);
}

// The loops below are top-level functions with every input a parameter: a closure over the same values
// ran about 2x slower in V8 (its loads from the closure context stay inside the loop).

/** PPO surrogate over real tokens (internal; shared with `fusedPpoLoss`): the weighted sum, clip and approx-KL statistics, and per-token losses into `store`. */
export function ppoPass(
  logp: Float32Array,
  oldLogp: Float32Array,
  advantages: Float32Array,
  mask: Mask,
  rows: Float64Array,
  T: number,
  lo: number,
  hi: number,
  dual: number,
  store: Float32Array | null,
): { loss: number; clipFraction: number; approxKl: number } {
  let loss = 0;
  let clipped = 0;
  let real = 0;
  let kl = 0;
  for (let b = 0; b < rows.length; b++) {
    const w = rows[b] as number;
    for (let i = b * T; i < (b + 1) * T; i++) {
      if (mask[i] === 0) continue;
      real++;
      const lr = (logp[i] as number) - (oldLogp[i] as number);
      const ratio = Math.exp(lr);
      kl += ratio - 1 - lr;
      const a = advantages[i] as number;
      const l1 = -a * ratio;
      // biome-ignore lint/complexity/useMathMinMax: ternaries run this loop about 2x faster than Math.min/max in V8 (bench/advantages.ts)
      const l2 = -a * (ratio < lo ? lo : ratio > hi ? hi : ratio);
      // biome-ignore lint/complexity/useMathMinMax: as above
      let l = l1 > l2 ? l1 : l2;
      if (l2 > l1) clipped++;
      if (a < 0 && l > -a * dual) {
        l = -a * dual;
        clipped++;
      }
      if (store) store[i] = l;
      loss += w * l;
    }
  }
  return { loss, clipFraction: real > 0 ? clipped / real : 0, approxKl: real > 0 ? kl / real : 0 };
}

/** Clipped value loss over real tokens (internal; shared with `fusedPpoLoss`): the weighted sum, and per-token losses into `store`. */
export function valuePass(
  values: Float32Array,
  oldValues: Float32Array,
  returns: Float32Array,
  mask: Mask,
  rows: Float64Array,
  T: number,
  c: number,
  store: Float32Array | null,
): { loss: number } {
  let loss = 0;
  for (let b = 0; b < rows.length; b++) {
    const w = rows[b] as number;
    for (let i = b * T; i < (b + 1) * T; i++) {
      if (mask[i] === 0) continue;
      const v = values[i] as number;
      const o = oldValues[i] as number;
      const r = returns[i] as number;
      const d = v - o;
      const e1 = v - r;
      // biome-ignore lint/complexity/useMathMinMax: ternaries run this loop about 2x faster than Math.min/max in V8 (bench/advantages.ts)
      const e2 = o + (d < -c ? -c : d > c ? c : d) - r;
      const s1 = e1 * e1;
      const s2 = e2 * e2;
      // biome-ignore lint/complexity/useMathMinMax: as above
      const l = 0.5 * (s1 > s2 ? s1 : s2);
      if (store) store[i] = l;
      loss += w * l;
    }
  }
  return { loss };
}

/** Options of `valueLoss`: the value clip and the aggregation. */
export interface ValueLossOptions extends AggregateOptions {
  /** Values move at most this far from the old values before the larger error is taken. @default 0.2 */
  valueClip?: number;
}

/** Clipped value loss: 0.5 * max((v - R)^2, (clip(v, old - c, old + c) - R)^2) per token. */
export function valueLoss(
  values: Float32Array,
  oldValues: Float32Array,
  returns: Float32Array,
  shape: Shape,
  options: ValueLossOptions = {},
): LossResult {
  checkShape('values', values, shape);
  checkShape('oldValues', oldValues, shape);
  checkShape('returns', returns, shape);
  const mask = maskOrOnes(options.mask, shape);
  const c = valueClipOf(options);
  const rows = rowWeights(shape, options.mode, options.normLength, mask);
  const pass = (store: Float32Array | null) => valuePass(values, oldValues, returns, mask, rows, shape.tokens, c, store);
  return withPerToken(pass(null), shape, mask, rows, pass);
}

/** Entropy bonus as a loss term: -coef * aggregate(entropy). */
export function entropyBonus(entropy: Float32Array, shape: Shape, options: AggregateOptions & { coef?: number } = {}): LossResult {
  checkShape('entropy', entropy, shape);
  const mask = maskOrOnes(options.mask, shape);
  const coef = options.coef ?? LOSS_DEFAULTS.entropyCoef;
  return elementwiseLoss(entropy, (e) => -coef * e, shape, options, mask);
}

/** SFT masked cross-entropy from the log-probabilities of the target tokens: aggregate(-logp). */
export function sftLoss(targetLogp: Float32Array, shape: Shape, options: AggregateOptions = {}): LossResult {
  checkShape('targetLogp', targetLogp, shape);
  const mask = maskOrOnes(options.mask, shape);
  return elementwiseLoss(targetLogp, (lp) => -lp, shape, options, mask);
}

/** Log-softmax of one row of logits, returned in place into `out`. */
export function logSoftmaxRow(logits: ArrayLike<number>, out: Float32Array = new Float32Array(logits.length)): Float32Array {
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < logits.length; i++) max = Math.max(max, logits[i] as number);
  let s = 0;
  for (let i = 0; i < logits.length; i++) s += Math.exp((logits[i] as number) - max);
  const lse = max + Math.log(s);
  for (let i = 0; i < logits.length; i++) out[i] = (logits[i] as number) - lse;
  return out;
}

/** Per-token target log-probabilities and entropies from (batch x tokens x vocab) logits. */
export function tokenLogProbs(
  logits: Float32Array,
  targets: ArrayLike<number>,
  shape: Shape,
  vocab: number,
  mask?: Mask,
): {
  /** Log-probability of each target token. */
  logp: Float32Array;
  /** Entropy of each position's distribution. */
  entropy: Float32Array;
} {
  if (logits.length !== shape.batch * shape.tokens * vocab) {
    throw new RlCoreError('shape-mismatch', `expected ${shape.batch} x ${shape.tokens} x ${vocab} logits, found ${logits.length}`);
  }
  checkShape('targets', targets, shape);
  const m = maskOrOnes(mask, shape);
  const logp = new Float32Array(shape.batch * shape.tokens);
  const entropy = new Float32Array(shape.batch * shape.tokens);
  const row = new Float32Array(vocab);
  for (let i = 0; i < logp.length; i++) {
    if (m[i] === 0) continue;
    logSoftmaxRow(logits.subarray(i * vocab, (i + 1) * vocab), row);
    const target = targets[i] as number;
    if (!(target >= 0 && target < vocab))
      throw new RlCoreError('invalid-input', `expected a target token in [0, ${vocab}), found ${target}`);
    logp[i] = row[target] as number;
    let h = 0;
    for (let v = 0; v < vocab; v++) h -= Math.exp(row[v] as number) * (row[v] as number);
    entropy[i] = h;
  }
  return { logp, entropy };
}
