import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { aggregationWeights } from '../aggregate.js';
import { RlCoreError } from '../errors.js';
import type { Checkpointable } from '../checkpoint.js';
import {
  type Completion,
  PAD,
  type Policy,
  type PolicyOutputs,
  type PpoMetrics,
  type PpoOptions,
  type PpoTargets,
  type SampleOptions,
  type SftOptions,
  type TokenBatch,
  type ValueFitOptions,
} from '../policy.js';
import { decodeSafetensors, encodeSafetensors, type NamedTensor } from '../safetensors.js';
import { sampleToken, seededRandom } from '../sampling.js';
import { MODEL_DEFAULTS, type ModelConfig } from './model-config.js';
import {
  type NarrowBatch,
  adamState,
  applyClipped,
  effectiveLength,
  fitLinearHead,
  leadingColumns,
  narrowBatch,
  padPositions,
  ppoObjective,
  restoreAdam,
} from './policy-steps.js';
import { causalMask, decodeStep, forwardHidden, heads, initialValue, type KvCache, parameterShapes, scoreTokens } from './transformer.js';

/** The optimiser of a `TransformerPolicy`: Adam with global-norm gradient clipping. */
export interface OptimizerConfig {
  /** Adam learning rate. @default 3e-4 */
  learningRate: number;
  /** Gradients are rescaled so their global norm is at most this; Infinity skips the clipping. @default 1 */
  maxGradNorm: number;
}

/** The defaults of `OptimizerConfig`. */
export const OPTIMIZER_DEFAULTS: OptimizerConfig = { learningRate: 3e-4, maxGradNorm: 1 };

let instances = 0;

/** The config.json of a checkpoint folder. */
async function readMeta(dir: string): Promise<{ model: ModelConfig; optimizer: OptimizerConfig; step?: number }> {
  try {
    return JSON.parse(await readFile(join(dir, 'config.json'), 'utf8'));
  } catch (cause) {
    throw new RlCoreError('invalid-checkpoint', `expected ${join(dir, 'config.json')} with a model config, found none`, { cause });
  }
}

/**
 * A decoder-only transformer policy with a value head on TensorFlow.js (any registered backend). Its
 * checkpoints are folders of `model.safetensors`, `optimizer.safetensors` and `config.json`.
 */
export class TransformerPolicy implements Policy, Checkpointable {
  /** Its size, defaults filled in. */
  readonly config: ModelConfig;
  /** Its optimiser's settings, defaults filled in. */
  readonly optimizerConfig: OptimizerConfig;
  /** Optimiser steps taken, restored from a checkpoint. */
  step = 0;
  private readonly params = new Map<string, tf.Variable>();
  private readonly prefix: string;
  private readonly causal: tf.Tensor2D;
  private optimizer: tf.AdamOptimizer;

  constructor(config: Partial<ModelConfig> & Pick<ModelConfig, 'vocabSize' | 'maxLength'>, optimizer: Partial<OptimizerConfig> = {}) {
    this.config = { ...MODEL_DEFAULTS, ...config };
    this.optimizerConfig = { ...OPTIMIZER_DEFAULTS, ...optimizer };
    const c = this.config;
    if (c.width % c.heads !== 0)
      throw new RlCoreError('invalid-option', `expected width divisible by heads, found ${c.width} and ${c.heads}`);
    this.prefix = `rl${++instances}:`;
    parameterShapes(c).forEach(([name, shape], i) => {
      const init = initialValue(name, shape, c, i);
      this.params.set(name, tf.variable(init, true, this.prefix + name));
      init.dispose();
    });
    this.causal = causalMask(c.maxLength);
    this.optimizer = tf.train.adam(this.optimizerConfig.learningRate);
  }

  /** Loads a checkpoint written by `save` (weights, optimiser state, config and step); `optimizer` overrides its settings. */
  static async load(dir: string, optimizer: Partial<OptimizerConfig> = {}): Promise<TransformerPolicy> {
    const meta = await readMeta(dir);
    const p = new TransformerPolicy(meta.model, { ...meta.optimizer, ...optimizer });
    await p.restore(dir);
    return p;
  }

  /** Longest sequence the policy takes (`config.maxLength`). */
  get maxLength(): number {
    return this.config.maxLength;
  }

  /**
   * Reads a checkpoint written by `save` into this policy: weights, optimiser state and step. The
   * checkpoint's model config must equal this policy's; the optimiser settings stay this policy's.
   */
  async restore(dir: string): Promise<void> {
    const meta = await readMeta(dir);
    const model: Partial<ModelConfig> = { ...MODEL_DEFAULTS, ...meta.model };
    const differs = (Object.keys(this.config) as (keyof ModelConfig)[]).filter((k) => model[k] !== this.config[k]);
    if (differs.length)
      throw new RlCoreError(
        'invalid-checkpoint',
        `expected a checkpoint of this model config in ${dir}, found other ${differs.map((k) => `${k} (${model[k]} there, ${this.config[k]} here)`).join(', ')}`,
      );
    this.setWeights(decodeSafetensors(await readFile(join(dir, 'model.safetensors'))).tensors);
    this.step = meta.step ?? 0;
    const opt = await readFile(join(dir, 'optimizer.safetensors')).catch(() => undefined);
    await this.setOptimizerState(opt ? decodeSafetensors(opt).tensors : {});
  }

  /**
   * The batch cut to its effective length L (the longest row, rounded up to a multiple of 8 so few shapes
   * occur): trailing padding changes nothing under causal attention, and the work shrinks with L.
   */
  private narrow(batch: TokenBatch): NarrowBatch {
    const T = this.config.maxLength;
    const B = batch.batch;
    if (batch.tokens.length !== B * T) throw new RlCoreError('shape-mismatch', `expected ${B} x ${T} tokens, found ${batch.tokens.length}`);
    if (batch.mask.length !== B * (T - 1))
      throw new RlCoreError('shape-mismatch', `expected a ${B} x ${T - 1} mask, found ${batch.mask.length}`);
    let used = 2;
    for (let b = 0; b < B; b++) for (let t = T - 1; t >= used; t--) if (batch.tokens[b * T + t] !== PAD) used = t + 1;
    return narrowBatch(batch.tokens, B, T, used);
  }

  async sample(prompts: readonly (readonly number[])[], options: SampleOptions = {}): Promise<Completion[]> {
    const T = this.config.maxLength;
    const B = prompts.length;
    const maxNew = options.maxNewTokens ?? 32;
    const random = seededRandom(options.seed ?? 0);
    const buf = new Int32Array(B * T).fill(PAD);
    const len = new Int32Array(B);
    const done = new Uint8Array(B);
    const out: Completion[] = prompts.map(() => ({ tokens: [], logp: [] }));
    prompts.forEach((p, b) => {
      if (p.length === 0 || p.length >= T)
        throw new RlCoreError('invalid-input', `expected a prompt of 1..${T - 1} tokens, found ${p.length}`);
      buf.set(p, b * T);
      len[b] = p.length;
    });
    if (!(Number.isInteger(maxNew) && maxNew >= 0))
      throw new RlCoreError('invalid-option', `expected maxNewTokens to be a non-negative integer, found ${maxNew}`);
    if (maxNew === 0 || B === 0) return out;
    // Incremental decoding: one full pass over the prompts (the leading L columns of the longest, rounded
    // up to a multiple of 8) fills every layer's key/value cache; each later step runs the model on one new
    // token per row against it. Rows sit at different positions, which the step takes per row. Every
    // tensor that outlives a tidy is held in `logits` or `cache` and released in the finally block.
    const V = this.config.vocabSize;
    const W = this.config.width;
    const L = effectiveLength(Math.max(...len), T);
    let cache: KvCache = { k: [], v: [] };
    let logits: tf.Tensor | undefined;
    const tokens = new Int32Array(B);
    const positions = new Int32Array(B);
    // tidy keeps the tensors of what it returns: logits and caches travel as one flat array
    const layers = this.config.layers;
    const pack = (lg: tf.Tensor, kv: KvCache) => [lg, ...kv.k, ...kv.v];
    const unpack = (ts: tf.Tensor[]) => ({
      logits: ts[0] as tf.Tensor,
      cache: { k: ts.slice(1, 1 + layers), v: ts.slice(1 + layers) },
    });
    try {
      ({ logits, cache } = unpack(
        tf.tidy(() => {
          const kv: KvCache = { k: [], v: [] };
          const hidden = forwardHidden(
            this.params,
            this.config,
            tf.tensor2d(leadingColumns(buf, B, T, L), [B, L], 'int32'),
            this.causal,
            kv,
          );
          const sel = tf.reshape(
            tf.oneHot(
              tf.tensor1d(
                Array.from(len, (n) => n - 1),
                'int32',
              ),
              L,
            ),
            [B, 1, L],
          );
          const last = tf.reshape(tf.matMul(sel, hidden), [B, 1, W]) as tf.Tensor3D;
          // the caches hold all T positions, so their shapes stay fixed while decoding
          return pack(tf.reshape(heads(this.params, this.config, last).logits, [B, V]), {
            k: kv.k.map((t) => padPositions(t, T)),
            v: kv.v.map((t) => padPositions(t, T)),
          });
        }),
      ));
      for (let step = 0; step < maxNew; step++) {
        const data = await (logits as tf.Tensor).data();
        for (let b = 0; b < B; b++) {
          if (done[b]) continue;
          const { token, logp } = sampleToken(data.subarray(b * V, (b + 1) * V), options.temperature ?? 1, options.topP ?? 1, random);
          const c = out[b] as Completion;
          c.tokens.push(token);
          c.logp.push(logp);
          buf[b * T + (len[b] as number)] = token;
          len[b]!++;
          if (token === options.stopToken || (len[b] as number) >= T) done[b] = 1;
          tokens[b] = token;
          positions[b] = (len[b] as number) - 1;
        }
        if (step === maxNew - 1 || done.every((d) => d === 1)) break;
        const prev = { logits: logits as tf.Tensor, cache };
        ({ logits, cache } = unpack(
          tf.tidy(() => {
            const r = decodeStep(this.params, this.config, tokens, positions, prev.cache);
            return pack(
              tf.reshape(heads(this.params, this.config, tf.reshape(r.hidden, [B, 1, W]) as tf.Tensor3D).logits, [B, V]),
              r.cache,
            );
          }),
        ));
        tf.dispose([prev.logits, ...prev.cache.k, ...prev.cache.v]);
      }
    } finally {
      tf.dispose([...(logits ? [logits] : []), ...cache.k, ...cache.v]);
    }
    return out;
  }

  async evaluate(batch: TokenBatch): Promise<PolicyOutputs> {
    const n = this.narrow(batch);
    const r = tf.tidy(() => scoreTokens(this.params, this.config, n.tokens, this.causal));
    const [logp, values, entropy] = await Promise.all([r.logp.data(), r.values.data(), r.entropy.data()]);
    tf.dispose([r.logp, r.values, r.entropy, n.tokens]);
    return {
      shape: { batch: batch.batch, tokens: this.config.maxLength - 1 },
      logp: n.widen(logp as Float32Array),
      values: n.widen(values as Float32Array),
      entropy: n.widen(entropy as Float32Array),
    };
  }

  /** Computes gradients of `lossFn`, clips their global norm and applies one Adam step. Returns the scalars `lossFn` reported. */
  private async applyStep(lossFn: () => { loss: tf.Scalar; report: tf.Tensor[] }): Promise<number[]> {
    let report: tf.Tensor[] = [];
    const names = [...this.params.keys()];
    const { value, grads } = tf.variableGrads(() => {
      const r = lossFn();
      report = r.report.map((t) => tf.keep(t));
      return r.loss;
    });
    applyClipped(
      this.optimizer,
      names.map((n) => ({ name: this.prefix + n, variable: this.params.get(n) as tf.Variable })),
      grads,
      this.optimizerConfig.maxGradNorm,
    );
    tf.dispose(Object.values(grads));
    const values = await Promise.all([value, ...report].map(async (t) => (await t.data())[0] as number));
    tf.dispose([value, ...report]);
    this.step++;
    return values;
  }

  async sftStep(batch: TokenBatch, options: SftOptions = {}): Promise<number> {
    const shape = { batch: batch.batch, tokens: this.config.maxLength - 1 };
    const w = aggregationWeights(shape, { mask: batch.mask, mode: options.mode ?? 'token-mean' });
    const n = this.narrow(batch);
    const [loss] = await this.applyStep(() => {
      const { logp } = scoreTokens(this.params, this.config, n.tokens, this.causal);
      return { loss: tf.neg(tf.sum(tf.mul(logp, tf.tensor2d(n.cut(w), [shape.batch, n.L - 1])))) as tf.Scalar, report: [] };
    });
    n.tokens.dispose();
    return loss as number;
  }

  async ppoStep(batch: TokenBatch, targets: PpoTargets, options: PpoOptions = {}): Promise<PpoMetrics> {
    const shape = { batch: batch.batch, tokens: this.config.maxLength - 1 };
    const w = aggregationWeights(shape, { mask: batch.mask, mode: options.mode ?? 'token-mean' });
    const n = this.narrow(batch);
    if ((options.klCoef ?? 0) > 0 && !targets.refLogp)
      throw new RlCoreError('invalid-input', 'expected refLogp for a KL term in the loss, found none');
    const [loss, policyLoss, vLoss, entropy, kl, clipFraction] = await this.applyStep(() =>
      ppoObjective(scoreTokens(this.params, this.config, n.tokens, this.causal), targets, options, w, n, shape.batch),
    );
    n.tokens.dispose();
    return {
      loss: loss as number,
      policyLoss: policyLoss as number,
      valueLoss: vLoss as number,
      entropy: entropy as number,
      kl: kl as number,
      clipFraction: clipFraction as number,
    };
  }

  /**
   * Fits the value head (`value.w`, `value.b`) alone to `returns` on the trunk's hidden states, computed once
   * (the trunk is frozen, so they do not change): see `Policy.fitValueHead`. `step` does not move.
   */
  async fitValueHead(batch: TokenBatch, returns: Float32Array, options: ValueFitOptions): Promise<number[]> {
    const shape = { batch: batch.batch, tokens: this.config.maxLength - 1 };
    if (returns.length !== shape.batch * shape.tokens)
      throw new RlCoreError('shape-mismatch', `expected ${shape.batch} x ${shape.tokens} returns, found ${returns.length}`);
    const w = aggregationWeights(shape, { mask: batch.mask, mode: options.mode ?? 'token-mean' });
    const n = this.narrow(batch);
    const B = batch.batch;
    const W = this.config.width;
    const features = tf.tidy(() => {
      const hidden = forwardHidden(this.params, this.config, n.tokens, this.causal);
      return tf.reshape(tf.slice(hidden, [0, 0, 0], [B, n.L - 1, W]), [B * (n.L - 1), W]) as tf.Tensor2D;
    });
    try {
      return await fitLinearHead(
        { w: this.params.get('value.w') as tf.Variable, b: this.params.get('value.b') as tf.Variable },
        features,
        n.cut(returns),
        n.cut(w),
        {
          steps: options.steps,
          learningRate: options.learningRate ?? this.optimizerConfig.learningRate,
          maxGradNorm: this.optimizerConfig.maxGradNorm,
        },
      );
    } finally {
      tf.dispose([features, n.tokens]);
    }
  }

  /** Current weights as named float32 arrays (async: the webgpu backend only reads asynchronously). */
  async getWeights(): Promise<Record<string, NamedTensor>> {
    const out: Record<string, NamedTensor> = {};
    for (const [name, v] of this.params) out[name] = { shape: v.shape.slice(), data: (await v.data()) as Float32Array };
    return out;
  }

  /** Replaces weights by name; every parameter must be present with its shape. */
  setWeights(weights: Record<string, NamedTensor>): void {
    for (const [name, v] of this.params) {
      const t = weights[name];
      if (!t || t.shape.join() !== v.shape.join()) {
        throw new RlCoreError('invalid-checkpoint', `expected tensor ${name} of shape [${v.shape}], found ${t ? `[${t.shape}]` : 'none'}`);
      }
      tf.tidy(() => v.assign(tf.tensor(t.data, t.shape)));
    }
  }

  /** Replaces the optimiser by a fresh one holding `state` (Adam's moments, iteration and beta powers), or none when incomplete. */
  private async setOptimizerState(state: Record<string, NamedTensor>): Promise<void> {
    this.optimizer.dispose();
    this.optimizer = tf.train.adam(this.optimizerConfig.learningRate);
    await restoreAdam(this.optimizer, this.prefix, [...this.params.keys()], state);
  }

  /** Writes weights (safetensors), optimiser state (safetensors) and config and step (config.json, with `extra`) to `dir`. */
  async save(dir: string, extra: Record<string, unknown> = {}): Promise<void> {
    await mkdir(dir, { recursive: true });
    await writeFile(
      join(dir, 'model.safetensors'),
      encodeSafetensors(await this.getWeights(), { format: 'srcode-rl-core', step: String(this.step) }),
    );
    const opt = await adamState(this.optimizer, this.prefix);
    await writeFile(join(dir, 'optimizer.safetensors'), encodeSafetensors(opt));
    await writeFile(
      join(dir, 'config.json'),
      `${JSON.stringify({ model: this.config, optimizer: this.optimizerConfig, step: this.step, ...extra }, null, 2)}\n`,
    );
  }

  /** Frees the weights, the optimiser state and the attention mask; the policy cannot be used after. */
  dispose(): void {
    tf.dispose([...this.params.values(), this.causal]);
    this.optimizer.dispose();
    this.params.clear();
  }
}
