// What every TensorFlow.js policy of the package shares: batches cut to the columns they use, the PPO loss
// assembled from a forward pass, gradient clipping and Adam's state (internal; not an entry point).
import * as tf from '@tensorflow/tfjs-core';
import { KL_DEFAULTS } from '../kl.js';
import { LOSS_DEFAULTS } from '../losses.js';
import { RlCoreError } from '../errors.js';
import type { PpoOptions, PpoTargets } from '../policy.js';
import type { NamedTensor } from '../safetensors.js';
import { clippedValueLoss, klTensor, ppoSurrogate } from './tf-losses.js';
import { linear } from './transformer.js';

/** Columns a batch needs when `used` columns hold tokens: rounded up to a multiple of 8 (few shapes occur), at most T. */
export function effectiveLength(used: number, T: number): number {
  return Math.min(T, Math.ceil(used / 8) * 8);
}

/** The leading L of T columns of a B x T token buffer. */
export function leadingColumns(tokens: Int32Array, B: number, T: number, L: number): Int32Array {
  const ids = new Int32Array(B * L);
  for (let b = 0; b < B; b++) ids.set(tokens.subarray(b * T, b * T + L), b * L);
  return ids;
}

/** A batch of B x T tokens cut to its leading L columns, and the two maps between per-token arrays of either width. */
export interface NarrowBatch {
  /** The columns kept. */
  L: number;
  /** The kept token ids, B x L. */
  tokens: tf.Tensor2D;
  /** A B x (T - 1) per-token array cut to B x (L - 1). */
  cut: (a: Float32Array) => Float32Array;
  /** A B x (L - 1) per-token array widened to B x (T - 1) with zeros. */
  widen: (a: Float32Array) => Float32Array;
}

/** Cuts a B x T token buffer to `used` columns (rounded up as `effectiveLength` does). */
export function narrowBatch(tokens: Int32Array, B: number, T: number, used: number): NarrowBatch {
  const L = effectiveLength(used, T);
  const cut = (a: Float32Array) => {
    if (L === T) return a;
    const out = new Float32Array(B * (L - 1));
    for (let b = 0; b < B; b++) out.set(a.subarray(b * (T - 1), b * (T - 1) + L - 1), b * (L - 1));
    return out;
  };
  const widen = (a: Float32Array) => {
    if (L === T) return a;
    const out = new Float32Array(B * (T - 1));
    for (let b = 0; b < B; b++) out.set(a.subarray(b * (L - 1), (b + 1) * (L - 1)), b * (T - 1));
    return out;
  };
  return { L, tokens: tf.tensor2d(leadingColumns(tokens, B, T, L), [B, L], 'int32'), cut, widen };
}

/** Adam's running powers of beta1 and beta2 (tfjs keeps them as private scalar variables). */
export function adamPowers(optimizer: tf.AdamOptimizer): Record<string, tf.Variable> {
  const o = optimizer as unknown as { accBeta1?: unknown; accBeta2?: unknown };
  const out: Record<string, tf.Variable> = {};
  if (o.accBeta1 instanceof tf.Variable) out.accBeta1 = o.accBeta1;
  if (o.accBeta2 instanceof tf.Variable) out.accBeta2 = o.accBeta2;
  return out;
}

/** Keys or values [B, H, L, dh] zero-padded to [B, H, T, dh]. */
export function padPositions(t: tf.Tensor, T: number): tf.Tensor {
  const L = t.shape[2] as number;
  return L === T
    ? t
    : tf.pad(t, [
        [0, 0],
        [0, 0],
        [0, T - L],
        [0, 0],
      ]);
}

/**
 * Applies one optimiser step: every variable gets a gradient (zero when unused, as Adam keys its moments by
 * variable), rescaled so the global norm is at most `maxGradNorm` (Infinity skips the clipping).
 */
export function applyClipped(
  optimizer: tf.Optimizer,
  vars: readonly { name: string; variable: tf.Variable }[],
  grads: tf.NamedTensorMap,
  maxGradNorm: number,
): void {
  tf.tidy(() => {
    const list = vars.map((v) => grads[v.name] ?? tf.zerosLike(v.variable));
    let scale: tf.Tensor | undefined;
    if (Number.isFinite(maxGradNorm)) {
      // Pairwise adds, not addN: WebGPU in compatibility mode allows only 8 storage buffers per shader.
      const norm = tf.sqrt(list.map((g) => tf.sum(tf.square(g))).reduce((a, b) => tf.add(a, b)));
      scale = tf.minimum(1, tf.div(maxGradNorm, tf.add(norm, 1e-6)));
    }
    optimizer.applyGradients(
      vars.map((v, i) => ({ name: v.name, tensor: scale ? tf.mul(list[i] as tf.Tensor, scale) : (list[i] as tf.Tensor) })),
    );
  });
}

/**
 * The PPO objective of one forward pass (`logp`, `values`, `entropy`, each B x (L - 1)), aggregated with the
 * weights `w` (B x (T - 1), cut by `n`): policy surrogate + value loss + entropy bonus + KL, and the terms
 * reported beside the loss (policy, value, entropy, KL, clip fraction).
 */
export function ppoObjective(
  out: { logp: tf.Tensor; values: tf.Tensor; entropy: tf.Tensor },
  targets: PpoTargets,
  options: PpoOptions,
  w: Float32Array,
  n: Pick<NarrowBatch, 'L' | 'cut'>,
  batch: number,
): { loss: tf.Scalar; report: tf.Tensor[] } {
  const s2 = [batch, n.L - 1] as [number, number];
  const valueCoef = options.valueCoef ?? 0.5;
  const entropyCoef = options.entropyCoef ?? LOSS_DEFAULTS.entropyCoef;
  const klCoef = options.klCoef ?? 0;
  const clipLow = options.clipLow ?? LOSS_DEFAULTS.clipLow;
  const clipHigh = options.clipHigh ?? LOSS_DEFAULTS.clipHigh;
  const W = tf.tensor2d(n.cut(w), s2);
  const agg = (x: tf.Tensor) => tf.sum(tf.mul(x, W)) as tf.Scalar;
  const old = tf.tensor2d(n.cut(targets.oldLogp), s2);
  const pl = agg(ppoSurrogate(out.logp, old, tf.tensor2d(n.cut(targets.advantages), s2), clipLow, clipHigh, options.dualClip));
  const vl = agg(
    clippedValueLoss(
      out.values,
      tf.tensor2d(n.cut(targets.oldValues), s2),
      tf.tensor2d(n.cut(targets.returns), s2),
      options.valueClip ?? LOSS_DEFAULTS.valueClip,
    ),
  );
  const ent = agg(out.entropy);
  const klv = targets.refLogp
    ? agg(klTensor(out.logp, tf.tensor2d(n.cut(targets.refLogp), s2), options.klEstimator ?? KL_DEFAULTS.estimator, KL_DEFAULTS.clamp))
    : tf.scalar(0);
  const ratio = tf.exp(tf.sub(out.logp, old));
  const clipped = tf.cast(tf.logicalOr(tf.greater(ratio, 1 + clipHigh), tf.less(ratio, 1 - clipLow)), 'float32');
  const total = tf.add(tf.add(pl, tf.mul(valueCoef, vl)), tf.add(tf.mul(-entropyCoef, ent), tf.mul(klCoef, klv))) as tf.Scalar;
  return { loss: total, report: [pl, vl, ent, klv, agg(clipped)] };
}

/**
 * Adam's state as named tensors, each variable's under its name without `prefix` (`<name>/m`, `<name>/v`),
 * plus `iter` and the running powers of beta1 and beta2: tfjs's getWeights leaves those out and its
 * setWeights recomputes them as pow(beta, iter + 1), which differs in the last bit from the product it keeps
 * step by step, so a resumed run would drift from an uninterrupted one.
 */
export async function adamState(optimizer: tf.AdamOptimizer, prefix: string): Promise<Record<string, NamedTensor>> {
  const out: Record<string, NamedTensor> = {};
  for (const { name, tensor } of await optimizer.getWeights())
    out[name.startsWith(prefix) ? name.slice(prefix.length) : name] = {
      shape: tensor.shape.length ? tensor.shape.slice() : [1],
      data: Float32Array.from(await tensor.data()),
    };
  for (const [key, v] of Object.entries(adamPowers(optimizer))) out[key] = { shape: [1], data: Float32Array.from(await v.data()) };
  return out;
}

/**
 * Puts the state `adamState` gave back into a fresh optimiser over the variables `prefix + name` of `names`;
 * a state that lacks `iter` or any variable's moments is left out (the optimiser starts afresh).
 */
export async function restoreAdam(
  optimizer: tf.AdamOptimizer,
  prefix: string,
  names: readonly string[],
  state: Record<string, NamedTensor>,
): Promise<void> {
  const iter = state.iter;
  if (!iter || !names.every((n) => state[`${n}/m`] && state[`${n}/v`])) return;
  const list = [{ name: 'iter', tensor: tf.scalar(iter.data[0] as number, 'int32') as tf.Tensor }];
  for (const suffix of ['/m', '/v'])
    for (const n of names) {
      const t = state[n + suffix] as NamedTensor;
      list.push({ name: prefix + n + suffix, tensor: tf.tensor(t.data, t.shape) });
    }
  await optimizer.setWeights(list);
  tf.dispose(list.map((l) => l.tensor));
  for (const [key, v] of Object.entries(adamPowers(optimizer))) {
    const saved = state[key];
    if (saved) v.assign(tf.scalar(saved.data[0] as number));
  }
}

/**
 * Fits a linear value head (`w` [D, 1], `b` [1]) to per-row `targets` on fixed `features` [N, D] (the frozen
 * trunk's hidden states, computed once): `steps` Adam steps of a fresh optimiser at `learningRate`, disposed
 * after, on sum(weights x 0.5 (features w + b - targets)^2), the gradient clipped to `maxGradNorm`. Nothing but
 * `w` and `b` is read for a gradient or written. Returns the loss before each step.
 */
export async function fitLinearHead(
  head: { w: tf.Variable; b: tf.Variable },
  features: tf.Tensor2D,
  targets: Float32Array,
  weights: Float32Array,
  options: { steps: number; learningRate: number; maxGradNorm: number },
): Promise<number[]> {
  const { steps, learningRate } = options;
  if (!(Number.isInteger(steps) && steps >= 1))
    throw new RlCoreError('invalid-option', `expected value-fit steps to be a whole number from 1, found ${steps}`);
  if (!(Number.isFinite(learningRate) && learningRate > 0))
    throw new RlCoreError('invalid-option', `expected a value-fit learning rate > 0, found ${learningRate}`);
  const N = features.shape[0];
  const optimizer = tf.train.adam(learningRate);
  const R = tf.tensor1d(targets);
  const W = tf.tensor1d(weights);
  const vars = [head.w, head.b].map((v) => ({ name: v.name, variable: v }));
  const losses: number[] = [];
  try {
    for (let s = 0; s < steps; s++) {
      const { value, grads } = tf.variableGrads(() => {
        const v = tf.reshape(tf.add(linear(features, head.w), head.b), [N]);
        return tf.sum(tf.mul(W, tf.mul(0.5, tf.square(tf.sub(v, R))))) as tf.Scalar;
      }, [head.w, head.b]);
      applyClipped(optimizer, vars, grads, options.maxGradNorm);
      tf.dispose(Object.values(grads));
      losses.push((await value.data())[0] as number);
      value.dispose();
    }
  } finally {
    optimizer.dispose();
    tf.dispose([R, W]);
  }
  return losses;
}
