import { rowWeights, weightsFromLengths } from './aggregate.js';
import { ADVANTAGE_DEFAULTS, type AdvantageInput, computeAdvantages, groupIndex, groupMoments, outcomeAdvantages } from './advantages.js';
import { RlCoreError } from './errors.js';
import { clipBounds, type PolicyLossOptions, ppoPass, type ValueLossOptions, valueClipOf, valuePass } from './losses.js';
import { checkShape, type Mask, maskOrOnes, type Shape } from './shape.js';
import { type Kernels, loadKernels } from './wasm/kernels.js';

/**
 * Where `fusedPpoLoss` runs:
 * - `wasm`: WebAssembly SIMD kernels. Returns, and gae's advantages, equal the `js` engine's bit for bit (the
 *   other estimators' advantages to float32 rounding); the per-token loss terms are computed in float32 (as
 *   GPU trainers compute them) and summed in float64, so the losses agree with `js` to about 1e-6 relative
 *   (the ratio to 2e-7 plus |log-ratio| x 6e-8, the log-ratio being rounded to float32), and a term beyond
 *   float32's range (3.4e38, e.g. a squared value error) is Infinity where `js` stays finite;
 * - `js`: plain TypeScript in float64, the reference;
 * - `auto`: `wasm` where WebAssembly SIMD is available, else `js`.
 */
export type FusedEngine = 'auto' | 'wasm' | 'js';

/** The input of `fusedPpoLoss`: that of `computeAdvantages` plus the log-probs and the loss options. */
export interface FusedLossInput extends Omit<AdvantageInput, 'estimator' | 'values' | 'mask'>, PolicyLossOptions, ValueLossOptions {
  /** @default 'gae' */
  estimator?: AdvantageInput['estimator'];
  /** Log-probabilities of the sampled tokens under the policy being trained. */
  logp: Float32Array;
  /** Their log-probabilities under the policy that sampled them. */
  oldLogp: Float32Array;
  /** Value estimates of the rollout (required by gae); with them the value loss is computed too. */
  values?: Float32Array;
  /** Values before this update, for the value clip. @default values */
  oldValues?: Float32Array;
  /** @default 'auto' */
  engine?: FusedEngine;
  /**
   * Arrays (batch x tokens each) to write the advantages and returns into, which the result then holds:
   * a training loop that passes the same ones every step allocates nothing per call on the `wasm` engine.
   * They may be any arrays of the input too (every input is read before they are written).
   */
  out?: {
    /** Receives the advantages. */
    advantages: Float32Array;
    /** Receives the returns. */
    returns: Float32Array;
  };
}

/** What `fusedPpoLoss` computed. */
export interface FusedLossResult {
  /** The PPO clipped surrogate loss, aggregated. */
  policyLoss: number;
  /** 0 when no values were given. */
  valueLoss: number;
  /** The advantages the policy loss used (whitened when asked), 0 on masked tokens. */
  advantages: Float32Array;
  /** The returns the value loss used (advantages plus values for gae), 0 on masked tokens. */
  returns: Float32Array;
  /** Share of real tokens whose ratio was clipped (by either the PPO clip or the dual clip). */
  clipFraction: number;
  /** Mean of (ratio - 1) - log ratio over real tokens. */
  approxKl: number;
  /** The engine that ran. */
  engine: 'wasm' | 'js';
}

/**
 * Advantages + PPO clipped surrogate + clipped value loss, equal to `computeAdvantages` followed by
 * `ppoPolicyLoss` and `valueLoss` with the same options, for large batches: whitened GAE takes its
 * statistics while it runs, the aggregation weights are computed once for both losses, no per-token array
 * is built beyond the advantages and returns, and by default the work runs in WebAssembly SIMD kernels
 * (see `FusedEngine` for how their results compare with the TypeScript reference).
 */
export function fusedPpoLoss(input: FusedLossInput): FusedLossResult {
  const { shape, logp, oldLogp, values } = input;
  checkShape('rewards', input.rewards, shape);
  checkShape('logp', logp, shape);
  checkShape('oldLogp', oldLogp, shape);
  if (values) checkShape('values', values, shape);
  if (input.oldValues) checkShape('oldValues', input.oldValues, shape);
  const mask = maskOrOnes(input.mask, shape);
  const gamma = input.gamma ?? ADVANTAGE_DEFAULTS.gamma;
  const lambda = input.lambda ?? ADVANTAGE_DEFAULTS.lambda;
  if (!(gamma >= 0 && gamma <= 1)) throw new RlCoreError('invalid-option', `expected gamma in [0, 1], found ${gamma}`);
  if (!(lambda >= 0 && lambda <= 1)) throw new RlCoreError('invalid-option', `expected lambda in [0, 1], found ${lambda}`);
  const engine = input.engine ?? 'auto';
  if (engine !== 'auto' && engine !== 'wasm' && engine !== 'js')
    throw new RlCoreError('invalid-option', `expected engine auto, wasm or js, found ${String(engine)}`);
  const kernels = engine === 'js' ? null : loadKernels();
  if (engine === 'wasm' && !kernels)
    throw new RlCoreError('invalid-option', 'engine wasm asked for, but this host cannot run WebAssembly SIMD (use auto or js)');
  if (input.out) {
    checkShape('out.advantages', input.out.advantages, shape);
    checkShape('out.returns', input.out.returns, shape);
    if (input.out.advantages === input.out.returns)
      throw new RlCoreError('invalid-option', 'expected two different arrays for out.advantages and out.returns, found one');
  }
  if (!kernels) return intoOut(fusedJs(input, mask, gamma, lambda), input.out);
  try {
    return fusedWasm(kernels, input, mask, gamma, lambda);
  } catch (e) {
    // A batch beyond WebAssembly's 4 GiB memory: the reference has no such limit.
    if (engine === 'auto' && e instanceof RangeError) return intoOut(fusedJs(input, mask, gamma, lambda), input.out);
    throw e;
  }
}

/** The result with its advantages and returns copied into the caller's arrays, when given. */
function intoOut(r: FusedLossResult, out: FusedLossInput['out']): FusedLossResult {
  if (!out) return r;
  out.advantages.set(r.advantages);
  out.returns.set(r.returns);
  return { ...r, advantages: out.advantages, returns: out.returns };
}

function fusedJs(input: FusedLossInput, mask: Mask, gamma: number, lambda: number): FusedLossResult {
  const { shape, logp, oldLogp, values } = input;
  const oldValues = input.oldValues ?? values;
  const { lo, hi, dual } = clipBounds(input);
  const rows = rowWeights(shape, input.mode, input.normLength, mask);
  let advantages: Float32Array;
  let returns: Float32Array;
  if ((input.estimator ?? 'gae') === 'gae' && (input.whiten ?? true) && values) {
    // Whitened GAE takes its statistics while it runs: one pass fewer than computing, then whitening.
    const g = gaeWithStats(input.rewards, values, mask, shape, gamma, lambda);
    ({ advantages, returns } = g);
    const inv = 1 / (g.std + (input.eps ?? ADVANTAGE_DEFAULTS.eps));
    for (let i = 0; i < advantages.length; i++) if (mask[i] !== 0) advantages[i] = ((advantages[i] as number) - g.mean) * inv;
  } else ({ advantages, returns } = computeAdvantages({ ...input, estimator: input.estimator ?? 'gae', mask }));
  const policy = ppoPass(logp, oldLogp, advantages, mask, rows, shape.tokens, lo, hi, dual, null);
  const value = values && oldValues ? valuePass(values, oldValues, returns, mask, rows, shape.tokens, valueClipOf(input), null).loss : 0;
  return {
    policyLoss: policy.loss,
    valueLoss: value,
    advantages,
    returns,
    clipFraction: policy.clipFraction,
    approxKl: policy.approxKl,
    engine: 'js',
  };
}

/**
 * The kernels' path: inputs are copied into the module's memory (a copy costs a small share of a pass); gae
 * (with its statistics) or the reward-to-go (with per-row moments) runs there; then one vector pass makes
 * the advantages (whitened, group-normalised or one per row) and computes both losses. Group estimators
 * with whitening on top run their advantages in TypeScript and only the losses here.
 */
function fusedWasm(k: Kernels, input: FusedLossInput, mask: Mask, gamma: number, lambda: number): FusedLossResult {
  const { shape, logp, oldLogp, values } = input;
  const oldValues = input.oldValues ?? values;
  const { lo, hi, dual } = clipBounds(input);
  const n = shape.batch * shape.tokens;
  const B = shape.batch;
  const T = shape.tokens;
  const estimator = input.estimator ?? 'gae';
  const eps = input.eps ?? ADVANTAGE_DEFAULTS.eps;
  const whiten = input.whiten ?? (estimator === 'gae' || estimator === 'reinforce++');
  const plan =
    estimator === 'gae' && values
      ? 'gae'
      : estimator === 'reinforce++' ||
          (!whiten && (estimator === 'grpo' || estimator === 'dr-grpo' || estimator === 'rloo' || estimator === 'token-grpo'))
        ? 'rtg'
        : 'ts';
  // gae without values, unknown estimators, and group estimators with whitening: TypeScript (which also
  // throws for the first two).
  const ts = plan === 'ts' ? computeAdvantages({ ...input, estimator, mask }) : null;
  const group = plan === 'rtg' && estimator !== 'reinforce++' ? groupIndex(input.groupIds, B) : null;
  const sharedOld = !oldValues || oldValues === values;
  const [pMask, pLogp, pOld, pAdv, pRet, pValues, pOldValues, pRewards, pLens, pRows, pA, pB, pSums, pMoments] = k.layout([
    n * 4,
    n * 4,
    n * 4,
    n * 4,
    n * 4,
    values ? n * 4 : 0,
    values && !sharedOld ? n * 4 : 0,
    plan !== 'ts' ? n * 4 : 0,
    B * 4,
    B * 8,
    B * 8,
    B * 8,
    B * 8,
    B * 24,
  ]) as number[] as [number, number, number, number, number, number, number, number, number, number, number, number, number, number];
  k.f32(pMask, n).set(mask);
  k.f32(pLogp, n).set(logp);
  k.f32(pOld, n).set(oldLogp);
  if (values) k.f32(pValues, n).set(values);
  if (values && oldValues && !sharedOld) k.f32(pOldValues, n).set(oldValues);
  const x = k.exports;
  const rowA = k.f64(pA, B);
  const rowB = k.f64(pB, B);
  let advMode = 0;
  let src = pAdv;
  if (plan !== 'ts') k.f32(pRewards, n).set(input.rewards);
  if (plan === 'gae') {
    x.gae(pRewards, pValues, pMask, pAdv, pRet, pLens, B, T, gamma, lambda);
    if (whiten) {
      advMode = 1;
      rowA.fill(x.mean());
      rowB.fill(1 / (x.std() + eps));
    }
  } else if (plan === 'rtg') {
    const needMoments = estimator === 'token-grpo' || (estimator === 'reinforce++' && whiten);
    x.rtg(pRewards, pMask, pRet, pLens, pSums, needMoments ? pMoments : 0, B, T, gamma);
    const moments = k.f64(pMoments, 3 * B);
    const lens = k.i32(pLens, B);
    src = pRet;
    advMode = 1;
    if (estimator === 'reinforce++') {
      // the returns, whitened over the whole batch (or as they are)
      const { mean, inv } = whiten ? pooledStats(moments, lens, new Int32Array(B), 1, eps) : { mean: [0], inv: [1] };
      rowA.fill(mean[0] as number);
      rowB.fill(inv[0] as number);
    } else if (estimator === 'token-grpo') {
      const g = group as Int32Array;
      const { mean, inv } = pooledStats(
        moments,
        lens,
        g,
        g.reduce((m, v) => Math.max(m, v + 1), 0),
        eps,
      );
      for (let b = 0; b < B; b++) {
        rowA[b] = mean[g[b] as number] as number;
        rowB[b] = inv[g[b] as number] as number;
      }
    } else {
      advMode = 2;
      const score = Float64Array.from(k.f64(pSums, B));
      rowA.set(outcomeAdvantages(estimator as 'grpo', score, group as Int32Array, eps));
    }
  } else {
    const t = ts as { advantages: Float32Array; returns: Float32Array };
    k.f32(pAdv, n).set(t.advantages);
    if (values) k.f32(pRet, n).set(t.returns);
    x.lengths(pMask, pLens, B, T);
  }
  k.f64(pRows, B).set(weightsFromLengths(k.i32(pLens, B), shape, input.mode, input.normLength));
  const c = valueClipOf(input);
  const pv = values ? pValues : 0;
  x.ppo(pLogp, pOld, pAdv, pMask, pRows, pv, sharedOld ? pv : pOldValues, pRet, B, T, lo, hi, dual, c, advMode, src, pA, pB);
  const real = x.count();
  const result: FusedLossResult = {
    policyLoss: x.policyLoss(),
    valueLoss: values ? x.valueLoss() : 0,
    advantages: ts ? ts.advantages : k.f32(pAdv, n),
    returns: ts ? ts.returns : k.f32(pRet, n),
    clipFraction: real > 0 ? x.clipped() / real : 0,
    approxKl: real > 0 ? x.klSum() / real : 0,
    engine: 'wasm',
  };
  if (input.out || ts) return intoOut(result, input.out);
  // views of the module's memory, which the next call overwrites: copied out
  return { ...result, advantages: result.advantages.slice(), returns: result.returns.slice() };
}

/**
 * Mean and 1 / (population std + eps) per group from per-row moments (shift, sum of x - shift, sum of
 * (x - shift)^2, as `rtg` writes them): each row's sums are moved to its group's shift (the group's first
 * row with a real token), so no raw sums of squares cancel.
 */
function pooledStats(
  moments: Float64Array,
  lens: Int32Array,
  group: Int32Array,
  groups: number,
  eps: number,
): { mean: Float64Array; inv: Float64Array } {
  const shift = new Float64Array(groups);
  const count = new Float64Array(groups);
  const s1 = new Float64Array(groups);
  const s2 = new Float64Array(groups);
  for (let b = 0; b < lens.length; b++) {
    const len = lens[b] as number;
    if (len === 0) continue;
    const g = group[b] as number;
    const rs = moments[3 * b] as number;
    const r1 = moments[3 * b + 1] as number;
    const r2 = moments[3 * b + 2] as number;
    if (count[g] === 0) shift[g] = rs;
    const d = rs - (shift[g] as number);
    // sum (x - S) = r1 + n d;  sum (x - S)^2 = r2 + 2 d r1 + n d^2
    s1[g]! += r1 + len * d;
    s2[g]! += r2 + 2 * d * r1 + len * d * d;
    count[g]! += len;
  }
  return groupMoments(shift, s1, s2, count, eps);
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
export function fusedGaePpoLoss(input: FusedPpoInput & { engine?: FusedEngine }): {
  policyLoss: number;
  valueLoss: number;
  advantages: Float32Array;
  returns: Float32Array;
} {
  const r = fusedPpoLoss({ ...input, estimator: 'gae' });
  return { policyLoss: r.policyLoss, valueLoss: r.valueLoss, advantages: r.advantages, returns: r.returns };
}
