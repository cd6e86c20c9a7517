import * as tf from '@tensorflow/tfjs-core';
import type { KlEstimator } from '../kl.js';

/** The PPO clipped surrogate per token, the tensor twin of `ppoPolicyLoss` (tested equal on every backend). */
export function ppoSurrogate(
  logp: tf.Tensor,
  oldLogp: tf.Tensor,
  adv: tf.Tensor,
  clipLow: number,
  clipHigh: number,
  dualClip?: number,
): tf.Tensor {
  const ratio = tf.exp(tf.sub(logp, oldLogp));
  const l1 = tf.neg(tf.mul(adv, ratio));
  const l2 = tf.neg(tf.mul(adv, tf.clipByValue(ratio, 1 - clipLow, 1 + clipHigh)));
  const l = tf.maximum(l1, l2);
  if (dualClip === undefined) return l;
  return tf.where(tf.less(adv, 0), tf.minimum(l, tf.mul(tf.neg(adv), dualClip)), l);
}

/** Clipped value loss per token, the twin of `valueLoss`. */
export function clippedValueLoss(values: tf.Tensor, oldValues: tf.Tensor, returns: tf.Tensor, clip: number): tf.Tensor {
  const vc = tf.add(oldValues, tf.clipByValue(tf.sub(values, oldValues), -clip, clip));
  return tf.mul(0.5, tf.maximum(tf.square(tf.sub(values, returns)), tf.square(tf.sub(vc, returns))));
}

/** KL estimate per token, the twin of `klPerToken`. */
export function klTensor(logp: tf.Tensor, refLogp: tf.Tensor, estimator: KlEstimator, clamp: number): tf.Tensor {
  const lr = tf.sub(logp, refLogp);
  const k = estimator === 'k1' ? lr : estimator === 'k2' ? tf.mul(0.5, tf.square(lr)) : tf.add(tf.sub(tf.exp(tf.neg(lr)), 1), lr);
  return tf.clipByValue(k, -clamp, clamp);
}
