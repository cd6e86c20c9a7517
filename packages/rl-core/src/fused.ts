import { ADVANTAGE_DEFAULTS } from './advantages.js';
import { LOSS_DEFAULTS } from './losses.js';
import { checkShape, type Mask, type Shape } from './shape.js';

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

/**
 * GAE (whitened) + PPO clipped surrogate + clipped value loss, token-mean aggregated, in two passes over the
 * arrays and no per-token temporaries beyond the advantages. Equal to `computeAdvantages` ('gae') followed by
 * `ppoPolicyLoss` and `valueLoss`; the fast path for large batches.
 */
export function fusedGaePpoLoss(input: FusedPpoInput): {
  policyLoss: number;
  valueLoss: number;
  advantages: Float32Array;
  returns: Float32Array;
} {
  const { shape, rewards, values, oldValues, logp, oldLogp, mask } = input;
  for (const [name, a] of [
    ['rewards', rewards],
    ['values', values],
    ['oldValues', oldValues],
    ['logp', logp],
    ['oldLogp', oldLogp],
    ['mask', mask],
  ] as const)
    checkShape(name, a, shape);
  const gamma = input.gamma ?? ADVANTAGE_DEFAULTS.gamma;
  const gl = gamma * (input.lambda ?? ADVANTAGE_DEFAULTS.lambda);
  const T = shape.tokens;
  const adv = new Float32Array(rewards.length);
  const ret = new Float32Array(rewards.length);
  let n = 0;
  // Shifted sums (shift = the first advantage) give the variance in the same pass, without the
  // cancellation of raw sums of squares; statistics are of the stored float32 values.
  let shift = Number.NaN;
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
  if (n === 0) return { policyLoss: 0, valueLoss: 0, advantages: adv, returns: ret };
  const meanShifted = sum / n;
  const mean = shift + meanShifted;
  const inv = 1 / (Math.sqrt(Math.max(0, sumSq / n - meanShifted * meanShifted)) + ADVANTAGE_DEFAULTS.eps);
  const lo = 1 - (input.clipLow ?? LOSS_DEFAULTS.clipLow);
  const hi = 1 + (input.clipHigh ?? LOSS_DEFAULTS.clipHigh);
  const dual = input.dualClip ?? Number.POSITIVE_INFINITY;
  const c = input.valueClip ?? LOSS_DEFAULTS.valueClip;
  let pl = 0;
  let vl = 0;
  for (let i = 0; i < adv.length; i++) {
    if (mask[i] === 0) continue;
    const a = ((adv[i] as number) - mean) * inv;
    adv[i] = a;
    const ratio = Math.exp((logp[i] as number) - (oldLogp[i] as number));
    const l1 = -a * ratio;
    const l2 = -a * (ratio < lo ? lo : Math.min(ratio, hi));
    let l = Math.max(l1, l2);
    if (a < 0 && l > -a * dual) l = -a * dual;
    pl += l;
    const v = values[i] as number;
    const o = oldValues[i] as number;
    const r = ret[i] as number;
    const d = v - o;
    const e1 = v - r;
    const e2 = o + (d < -c ? -c : Math.min(d, c)) - r;
    vl += 0.5 * Math.max(e1 * e1, e2 * e2);
  }
  return { policyLoss: pl / n, valueLoss: vl / n, advantages: adv, returns: ret };
}
