import * as tf from '@tensorflow/tfjs-core';
import type { ModelConfig } from './model-config.js';

/** Parameter names and shapes of the decoder-only transformer, in a fixed order. */
export function parameterShapes(c: ModelConfig): [string, number[]][] {
  const d = c.width;
  const f = c.width * c.ffnMultiple;
  const out: [string, number[]][] = [
    ['tok_emb', [c.vocabSize, d]],
    ['pos_emb', [c.maxLength, d]],
  ];
  for (let l = 0; l < c.layers; l++) {
    out.push(
      [`h${l}.ln1.g`, [d]],
      [`h${l}.ln1.b`, [d]],
      [`h${l}.attn.qkv`, [d, 3 * d]],
      [`h${l}.attn.out`, [d, d]],
      [`h${l}.ln2.g`, [d]],
      [`h${l}.ln2.b`, [d]],
      [`h${l}.mlp.in`, [d, f]],
      [`h${l}.mlp.in_b`, [f]],
      [`h${l}.mlp.out`, [f, d]],
      [`h${l}.mlp.out_b`, [d]],
    );
  }
  out.push(['ln_f.g', [d]], ['ln_f.b', [d]], ['head', [d, c.vocabSize]], ['value.w', [d, 1]], ['value.b', [1]]);
  return out;
}

/** Initial values: N(0, 0.02) matrices (output projections scaled by 1/sqrt(2 * layers)), unit gains, zero biases. */
export function initialValue(name: string, shape: number[], c: ModelConfig, index: number): tf.Tensor {
  if (name.endsWith('.g')) return tf.ones(shape);
  if (name.endsWith('_b') || name.endsWith('.b')) return tf.zeros(shape);
  const std = name.endsWith('attn.out') || name.endsWith('mlp.out') ? 0.02 / Math.sqrt(2 * c.layers) : 0.02;
  // tfjs takes a seed of 0 for none (Math.random): model seed 0's first matrix gets a seed no other one has.
  const seed = c.seed * 1000 + index;
  return tf.randomNormal(shape, 0, std, 'float32', seed === 0 ? 0.5 : seed);
}

/**
 * x @ w for 2-D operands whose gradients multiply explicitly transposed copies, so that every product in
 * the backward pass is a plain one: the wasm backend hands only untransposed products to its fast
 * (XNNPACK) kernel and runs a transposed one about 10x slower, while a transpose costs little.
 */
export const linear = tf.customGrad((x, w, save) => {
  (save as tf.GradSaveFunc)([x, w] as tf.Tensor[]);
  return {
    value: tf.matMul(x as tf.Tensor2D, w as tf.Tensor2D),
    gradFunc: (dy, saved) => {
      const [a, b] = saved as [tf.Tensor2D, tf.Tensor2D];
      return [tf.matMul(dy as tf.Tensor2D, tf.transpose(b)), tf.matMul(tf.transpose(a), dy as tf.Tensor2D)];
    },
  };
}) as (x: tf.Tensor, w: tf.Tensor) => tf.Tensor2D;

function layerNorm(x: tf.Tensor, g: tf.Tensor, b: tf.Tensor): tf.Tensor {
  const { mean, variance } = tf.moments(x, -1, true);
  return tf.add(tf.mul(tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, 1e-5))), g), b);
}

/** GELU, sigmoid approximation: cheap on every backend and differentiable everywhere. */
function gelu(x: tf.Tensor): tf.Tensor {
  return tf.mul(x, tf.sigmoid(tf.mul(x, 1.702)));
}

/** Every layer's keys and values, [B, heads, positions, width / heads] each, for decoding one token at a time. */
export interface KvCache {
  k: tf.Tensor[];
  v: tf.Tensor[];
}

/**
 * Forward pass over a padded batch: token ids [B, T] -> final hidden states [B, T, D]. The embedding is a
 * one-hot matmul because the wasm backend lacks the scatter op that the gradient of a gather needs. With
 * `kv`, every layer's keys and values are appended to it (the prefill of incremental decoding).
 */
export function forwardHidden(
  p: Map<string, tf.Variable>,
  c: ModelConfig,
  tokens: tf.Tensor2D,
  causal: tf.Tensor,
  kv?: KvCache,
): tf.Tensor3D {
  const [B, T] = tokens.shape;
  const d = c.width;
  const h = c.heads;
  const dh = d / h;
  const w = (n: string) => p.get(n) as tf.Variable;
  const oneHot = tf.oneHot(tf.reshape(tokens, [B * T]), c.vocabSize);
  // Shorter batches use the leading rows of the position table and the leading block of the causal mask.
  const pos = T === c.maxLength ? w('pos_emb') : tf.slice(w('pos_emb'), [0, 0], [T, d]);
  const mask = causal.shape[0] === T ? causal : tf.slice(causal, [0, 0], [T, T]);
  let x: tf.Tensor = tf.add(tf.reshape(linear(tf.cast(oneHot, 'float32'), w('tok_emb')), [B, T, d]), pos);
  for (let l = 0; l < c.layers; l++) {
    const a = tf.reshape(layerNorm(x, w(`h${l}.ln1.g`), w(`h${l}.ln1.b`)), [B * T, d]);
    const [q, k, v] = tf
      .split(linear(a, w(`h${l}.attn.qkv`)), 3, 1)
      .map((t) => tf.transpose(tf.reshape(t, [B, T, h, dh]), [0, 2, 1, 3])) as [tf.Tensor, tf.Tensor, tf.Tensor];
    if (kv) {
      kv.k.push(k);
      kv.v.push(v);
    }
    const scores = tf.add(tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(dh)), mask);
    const att = tf.reshape(tf.transpose(tf.matMul(tf.softmax(scores), v), [0, 2, 1, 3]), [B * T, d]);
    x = tf.add(x, tf.reshape(linear(att, w(`h${l}.attn.out`)), [B, T, d]));
    x = tf.add(x, tf.reshape(feedForward(p, l, tf.reshape(x, [B * T, d])), [B, T, d]));
  }
  return layerNorm(x, w('ln_f.g'), w('ln_f.b')) as tf.Tensor3D;
}

/** A block's MLP sublayer on rows [N, D] (its pre-norm included), without the residual. */
function feedForward(p: Map<string, tf.Variable>, l: number, x: tf.Tensor): tf.Tensor {
  const w = (n: string) => p.get(n) as tf.Variable;
  const m = layerNorm(x, w(`h${l}.ln2.g`), w(`h${l}.ln2.b`));
  return tf.add(linear(gelu(tf.add(linear(m, w(`h${l}.mlp.in`)), w(`h${l}.mlp.in_b`))), w(`h${l}.mlp.out`)), w(`h${l}.mlp.out_b`));
}

/**
 * One step of incremental decoding: the token `tokens[b]` at position `positions[b]` of each row (rows may
 * be at different positions) -> final hidden states [B, D], attending to the cached keys and values of
 * positions 0..positions[b] after writing its own there. The caches (capacity C positions each) are
 * replaced by the updated ones; the old tensors are the caller's to dispose. Positions at or past C are
 * not written (a finished row can keep stepping harmlessly).
 */
export function decodeStep(
  p: Map<string, tf.Variable>,
  c: ModelConfig,
  tokens: Int32Array,
  positions: Int32Array,
  cache: KvCache,
): { hidden: tf.Tensor2D; cache: KvCache } {
  const B = tokens.length;
  const d = c.width;
  const h = c.heads;
  const dh = d / h;
  const C = cache.k[0]?.shape[2] ?? c.maxLength; // (a model without layers has no cache)
  const w = (n: string) => p.get(n) as tf.Variable;
  const tok = tf.cast(tf.oneHot(tf.tensor1d(tokens, 'int32'), c.vocabSize), 'float32');
  const pos = tf.cast(tf.oneHot(tf.tensor1d(positions, 'int32'), c.maxLength), 'float32');
  // one-hot products pick rows exactly (1 x + 0 y ... = x), as the full pass's embedding does
  let x: tf.Tensor = tf.add(linear(tok, w('tok_emb')), linear(pos, w('pos_emb')));
  const write = tf.reshape(tf.cast(tf.oneHot(tf.tensor1d(positions, 'int32'), C), 'float32'), [B, 1, C, 1]);
  const keep = tf.sub(1, write);
  const visible = new Float32Array(B * C);
  for (let b = 0; b < B; b++) for (let j = (positions[b] as number) + 1; j < C; j++) visible[b * C + j] = -1e9;
  const mask = tf.tensor4d(visible, [B, 1, 1, C]);
  const next: KvCache = { k: [], v: [] };
  for (let l = 0; l < c.layers; l++) {
    const a = layerNorm(x, w(`h${l}.ln1.g`), w(`h${l}.ln1.b`));
    const [q, kNew, vNew] = tf.split(linear(a, w(`h${l}.attn.qkv`)), 3, 1).map((t) => tf.reshape(t, [B, h, 1, dh])) as [
      tf.Tensor,
      tf.Tensor,
      tf.Tensor,
    ];
    // k * (1 - m) + k' * m: exactly k' where written (0 k + 1 k') and exactly k elsewhere
    const k = tf.add(tf.mul(cache.k[l] as tf.Tensor, keep), tf.mul(kNew, write));
    const v = tf.add(tf.mul(cache.v[l] as tf.Tensor, keep), tf.mul(vNew, write));
    next.k.push(k);
    next.v.push(v);
    const scores = tf.add(tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(dh)), mask);
    const att = tf.reshape(tf.matMul(tf.softmax(scores), v), [B, d]);
    x = tf.add(x, linear(att, w(`h${l}.attn.out`)));
    x = tf.add(x, feedForward(p, l, x));
  }
  return { hidden: layerNorm(x, w('ln_f.g'), w('ln_f.b')) as tf.Tensor2D, cache: next };
}

/** Additive causal mask [T, T]: 0 on and below the diagonal, -1e9 above. */
export function causalMask(T: number): tf.Tensor2D {
  const m = new Float32Array(T * T);
  for (let i = 0; i < T; i++) for (let j = i + 1; j < T; j++) m[i * T + j] = -1e9;
  return tf.tensor2d(m, [T, T]);
}

/** Logits [B, T, V] and values [B, T] from hidden states. */
export function heads(p: Map<string, tf.Variable>, c: ModelConfig, hidden: tf.Tensor3D): { logits: tf.Tensor3D; values: tf.Tensor2D } {
  const [B, T, d] = hidden.shape;
  const flat = tf.reshape(hidden, [B * T, d]);
  const logits = tf.reshape(linear(flat, p.get('head') as tf.Variable), [B, T, c.vocabSize]) as tf.Tensor3D;
  const values = tf.reshape(tf.add(linear(flat, p.get('value.w') as tf.Variable), p.get('value.b') as tf.Variable), [B, T]) as tf.Tensor2D;
  return { logits, values };
}

/**
 * Per-token log-probs of the next token, entropies and values over positions 0..T-2 (each [B, T-1]).
 * Targets enter as a one-hot product, so no gather is needed on any backend.
 */
export function scoreTokens(
  p: Map<string, tf.Variable>,
  c: ModelConfig,
  tokens: tf.Tensor2D,
  causal: tf.Tensor,
): { logp: tf.Tensor2D; entropy: tf.Tensor2D; values: tf.Tensor2D } {
  const [B, T] = tokens.shape;
  const { logits, values } = heads(p, c, forwardHidden(p, c, tokens, causal));
  const lsm = tf.logSoftmax(tf.slice(logits, [0, 0, 0], [B, T - 1, c.vocabSize]));
  const targets = tf.cast(tf.oneHot(tf.slice(tokens, [0, 1], [B, T - 1]), c.vocabSize), 'float32');
  const logp = tf.sum(tf.mul(lsm, targets), -1) as tf.Tensor2D;
  const entropy = tf.neg(tf.sum(tf.mul(tf.exp(lsm), lsm), -1)) as tf.Tensor2D;
  return { logp, entropy, values: tf.slice(values, [0, 0], [B, T - 1]) };
}
