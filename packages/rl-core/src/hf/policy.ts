import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { aggregationWeights } from '../aggregate.js';
import type { Checkpointable } from '../checkpoint.js';
import { RlCoreError } from '../errors.js';
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
import {
  type NarrowBatch,
  adamState,
  applyClipped,
  fitLinearHead,
  narrowBatch,
  padPositions,
  ppoObjective,
  restoreAdam,
} from '../tfjs/policy-steps.js';
import { readJson } from './checkpoint.js';
import { adapterFiles, loadAdapter, peftTensors, writeFilesAtomically } from './lora.js';
import type { LoraConfig } from './lora-spec.js';
import { HfModel, type HfKvCache } from './model.js';

/** The tensors of a safetensors file this package wrote; a problem names the file. */
function decodeAt(path: string, bytes: Uint8Array): Record<string, NamedTensor> {
  try {
    return decodeSafetensors(bytes).tensors;
  } catch (e) {
    throw new RlCoreError('invalid-checkpoint', `${path}: ${(e as Error).message}`, { cause: e });
  }
}

/** Options of an `HfPolicy`. */
export interface HfPolicyOptions {
  /** Longest sequence (prompt + completion); batches are padded to it. @default min(512, max_position_embeddings) */
  maxLength?: number;
  /** Adam learning rate of the adapters and the value head. @default 1e-4 */
  learningRate?: number;
  /** Global gradient-norm clip; Infinity skips it. @default 1 */
  maxGradNorm?: number;
  /** LoRA adapters to add (when the model has none yet). @default r 8, alpha 16 on q_proj and v_proj */
  lora?: Partial<LoraConfig>;
}

/** `HfPolicy.sample`'s options: `SampleOptions`, with several stop tokens allowed (checkpoints often have more than one EOS). */
export interface HfSampleOptions extends SampleOptions {
  /** Generation of a row stops after any of these (as well as after `stopToken`). */
  stopTokens?: readonly number[];
}

/** The loss of a batch and its gradients by PEFT key (`HfPolicy.sftGradients`). */
export interface AdapterGradients {
  /** The loss the gradients are of. */
  loss: number;
  /** Gradients of every adapter's A and B, shaped as PEFT stores them. */
  grads: Record<string, NamedTensor>;
}

const STATE_FILE = 'hf-policy.json';
const VALUE_FILE = 'value_head.safetensors';
const OPTIMIZER_FILE = 'optimizer.safetensors';

/**
 * A Hugging Face Llama, Qwen2 or GPT-2 checkpoint as a trainable `Policy`: the base weights frozen, LoRA adapters
 * and a value head trained with Adam, so `train`'s SFT, PPO and GRPO stages run on it unchanged.
 * Checkpoints (`save`/`restore`) hold the adapter as PEFT writes it (`adapter_model.safetensors`,
 * `adapter_config.json`), the value head, the optimiser state and the step count; the base model stays
 * where it was loaded from. Token id 0 is a real token here: which positions count is the batch mask's
 * business, and right padding with it changes nothing before it under causal attention.
 */
export class HfPolicy implements Policy, Checkpointable {
  /** The model (base weights, adapters, value head). */
  readonly model: HfModel;
  /** Longest sequence the policy takes. */
  readonly maxLength: number;
  /** Adam learning rate. */
  readonly learningRate: number;
  /** Global gradient-norm clip. */
  readonly maxGradNorm: number;
  /** Optimiser steps taken (restored from a checkpoint). */
  step = 0;
  /** Every `sample` call stops a row at these as well (a checkpoint's EOS ids: `train`'s RL stage passes one stop token only). */
  stopTokens: number[] = [];
  private optimizer: tf.AdamOptimizer;

  constructor(model: HfModel, options: HfPolicyOptions = {}) {
    this.model = model;
    this.maxLength = options.maxLength ?? Math.min(512, model.config.maxPositions);
    if (!(Number.isInteger(this.maxLength) && this.maxLength >= 2))
      throw new RlCoreError('invalid-option', `expected maxLength to be a whole number from 2, found ${this.maxLength}`);
    // the context the checkpoint was built for bounds every buffer sized by the sequence (masks grow as its square)
    if (this.maxLength > model.config.maxPositions)
      throw new RlCoreError(
        'invalid-option',
        `expected maxLength at most ${model.config.maxPositions} (the max_position_embeddings of ${model.dir}), found ${this.maxLength}`,
      );
    this.learningRate = options.learningRate ?? 1e-4;
    this.maxGradNorm = options.maxGradNorm ?? 1;
    if (!model.lora) model.addLora(options.lora ?? {});
    this.optimizer = tf.train.adam(this.learningRate);
  }

  /** Loads a checkpoint folder and adds adapters (or loads a PEFT adapter folder with `adapter`). */
  static async load(dir: string, options: HfPolicyOptions & { adapter?: string } = {}): Promise<HfPolicy> {
    const model = await HfModel.load(dir);
    try {
      if (options.adapter) await loadAdapter(model, options.adapter);
      return new HfPolicy(model, options);
    } catch (e) {
      model.dispose();
      throw e;
    }
  }

  /** Checks a batch's shape and ids, and cuts it to the columns it uses (rounded up to a multiple of 8). */
  private narrow(batch: TokenBatch): NarrowBatch {
    const T = this.maxLength;
    const B = batch.batch;
    if (batch.tokens.length !== B * T) throw new RlCoreError('shape-mismatch', `expected ${B} x ${T} tokens, found ${batch.tokens.length}`);
    if (batch.mask.length !== B * (T - 1))
      throw new RlCoreError('shape-mismatch', `expected a ${B} x ${T - 1} mask, found ${batch.mask.length}`);
    const V = this.model.config.vocabSize;
    let used = 2;
    for (let b = 0; b < B; b++)
      for (let t = 0; t < T; t++) {
        const id = batch.tokens[b * T + t] as number;
        if (!(id >= 0 && id < V))
          throw new RlCoreError('invalid-input', `expected token ids below ${V}, found ${id} at row ${b}, column ${t}`);
        if (id !== PAD && t + 1 > used) used = t + 1;
        if (t < T - 1 && batch.mask[b * (T - 1) + t] !== 0 && t + 2 > used) used = t + 2;
      }
    return narrowBatch(batch.tokens, B, T, used);
  }

  async evaluate(batch: TokenBatch): Promise<PolicyOutputs> {
    return this.evaluateWith(batch, true);
  }

  /** `evaluate` with the adapters on or off; the switch covers only the synchronous graph building, so calls may overlap. */
  private async evaluateWith(batch: TokenBatch, adapters: boolean): Promise<PolicyOutputs> {
    const n = this.narrow(batch);
    this.model.setTraining(false);
    this.model.adaptersOn = adapters;
    let r: ReturnType<HfModel['score']>;
    try {
      r = tf.tidy(() => this.model.score(n.tokens));
    } finally {
      this.model.adaptersOn = true;
    }
    const [logp, values, entropy] = await Promise.all([r.logp.data(), r.values.data(), r.entropy.data()]);
    tf.dispose([r.logp, r.values, r.entropy, n.tokens]);
    return {
      shape: { batch: batch.batch, tokens: this.maxLength - 1 },
      logp: n.widen(logp as Float32Array),
      values: n.widen(values as Float32Array),
      entropy: n.widen(entropy as Float32Array),
    };
  }

  /**
   * The base model (this policy with its adapters switched off) as a `Policy` that only evaluates: the
   * KL reference of an RL stage without a second copy of the weights. Its values come from this policy's
   * value head; its other methods throw.
   */
  baseReference(): Policy {
    const frozen = (what: string) => async () => {
      throw new RlCoreError('invalid-option', `expected the base reference only to evaluate, found a call to ${what}`);
    };
    return {
      maxLength: this.maxLength,
      evaluate: (batch) => this.evaluateWith(batch, false),
      sample: frozen('sample'),
      sftStep: frozen('sftStep'),
      ppoStep: frozen('ppoStep'),
    };
  }

  /** The masked SFT loss of a batch (as `sftStep` minimises it) and its gradients, keyed as PEFT names the adapters; no update. */
  async sftGradients(batch: TokenBatch, options: SftOptions = {}): Promise<AdapterGradients> {
    const n = this.narrow(batch);
    const w = aggregationWeights(
      { batch: batch.batch, tokens: this.maxLength - 1 },
      { mask: batch.mask, mode: options.mode ?? 'token-mean' },
    );
    this.model.setTraining(false);
    const vars = this.model.trainable();
    const { value, grads } = tf.variableGrads(() => {
      const { logp } = this.model.score(n.tokens);
      return tf.neg(tf.sum(tf.mul(logp, tf.tensor2d(n.cut(w), [batch.batch, n.L - 1])))) as tf.Scalar;
    }, vars);
    const byVar = new Map<tf.Variable, tf.Tensor>();
    for (const v of vars) if (grads[v.name]) byVar.set(v, grads[v.name] as tf.Tensor);
    const out = await peftTensors(this.model, byVar);
    const loss = (await value.data())[0] as number;
    tf.dispose([value, ...Object.values(grads), n.tokens]);
    return { loss, grads: out };
  }

  /** Gradients of `lossFn` over the trainable variables, clipped by global norm, then one Adam step. */
  private async applyStep(lossFn: () => { loss: tf.Scalar; report: tf.Tensor[] }): Promise<number[]> {
    let report: tf.Tensor[] = [];
    const vars = this.model.trainable();
    this.model.setTraining(true);
    this.model.dropoutSeed = (this.step + 1) * 100_003;
    let value: tf.Scalar;
    let grads: tf.NamedTensorMap;
    try {
      ({ value, grads } = tf.variableGrads(() => {
        const r = lossFn();
        report = r.report.map((t) => tf.keep(t));
        return r.loss;
      }, vars));
    } finally {
      this.model.setTraining(false);
    }
    applyClipped(
      this.optimizer,
      vars.map((v) => ({ name: v.name, variable: v })),
      grads,
      this.maxGradNorm,
    );
    tf.dispose(Object.values(grads));
    const values = await Promise.all([value, ...report].map(async (t) => (await t.data())[0] as number));
    tf.dispose([value, ...report]);
    this.step++;
    return values;
  }

  async sftStep(batch: TokenBatch, options: SftOptions = {}): Promise<number> {
    const w = aggregationWeights(
      { batch: batch.batch, tokens: this.maxLength - 1 },
      { mask: batch.mask, mode: options.mode ?? 'token-mean' },
    );
    const n = this.narrow(batch);
    const [loss] = await this.applyStep(() => {
      const { logp } = this.model.score(n.tokens);
      return { loss: tf.neg(tf.sum(tf.mul(logp, tf.tensor2d(n.cut(w), [batch.batch, n.L - 1])))) as tf.Scalar, report: [] };
    });
    n.tokens.dispose();
    return loss as number;
  }

  async ppoStep(batch: TokenBatch, targets: PpoTargets, options: PpoOptions = {}): Promise<PpoMetrics> {
    const shape = { batch: batch.batch, tokens: this.maxLength - 1 };
    const w = aggregationWeights(shape, { mask: batch.mask, mode: options.mode ?? 'token-mean' });
    const n = this.narrow(batch);
    if ((options.klCoef ?? 0) > 0 && !targets.refLogp)
      throw new RlCoreError('invalid-input', 'expected refLogp for a KL term in the loss, found none');
    const [loss, policyLoss, vLoss, entropy, kl, clipFraction] = await this.applyStep(() =>
      ppoObjective(this.model.score(n.tokens), targets, options, w, n, shape.batch),
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
   * Fits the value head alone to `returns` on the hidden states of the model with its adapters (computed
   * once, without dropout: nothing else moves), as `Policy.fitValueHead` says. `step` does not move.
   */
  async fitValueHead(batch: TokenBatch, returns: Float32Array, options: ValueFitOptions): Promise<number[]> {
    const shape = { batch: batch.batch, tokens: this.maxLength - 1 };
    if (returns.length !== shape.batch * shape.tokens)
      throw new RlCoreError('shape-mismatch', `expected ${shape.batch} x ${shape.tokens} returns, found ${returns.length}`);
    const w = aggregationWeights(shape, { mask: batch.mask, mode: options.mode ?? 'token-mean' });
    const n = this.narrow(batch);
    const B = batch.batch;
    const D = this.model.config.hiddenSize;
    this.model.setTraining(false);
    const features = tf.tidy(
      () => tf.reshape(tf.slice(this.model.hidden(n.tokens), [0, 0, 0], [B, n.L - 1, D]), [B * (n.L - 1), D]) as tf.Tensor2D,
    );
    try {
      return await fitLinearHead(this.model.valueHead(), features, n.cut(returns), n.cut(w), {
        steps: options.steps,
        learningRate: options.learningRate ?? this.learningRate,
        maxGradNorm: this.maxGradNorm,
      });
    } finally {
      tf.dispose([features, n.tokens]);
    }
  }

  /**
   * Samples one completion per prompt with a key/value cache: one pass over the prompts fills every
   * layer's cache, then each step runs the model on one new token per row (rows at their own positions).
   */
  async sample(prompts: readonly (readonly number[])[], options: HfSampleOptions = {}): Promise<Completion[]> {
    const stops = new Set([...this.stopTokens, ...(options.stopTokens ?? [])]);
    if (options.stopToken !== undefined) stops.add(options.stopToken);
    const T = this.maxLength;
    const B = prompts.length;
    const V = this.model.config.vocabSize;
    const D = this.model.config.hiddenSize;
    const layers = this.model.config.layers;
    const maxNew = options.maxNewTokens ?? 32;
    if (!(Number.isInteger(maxNew) && maxNew >= 0))
      throw new RlCoreError('invalid-option', `expected maxNewTokens to be a non-negative integer, found ${maxNew}`);
    const random = seededRandom(options.seed ?? 0);
    const len = new Int32Array(B);
    const buf = new Int32Array(B * T);
    prompts.forEach((p, b) => {
      if (p.length === 0 || p.length >= T)
        throw new RlCoreError('invalid-input', `expected a prompt of 1..${T - 1} tokens, found ${p.length}`);
      for (const id of p)
        if (!(Number.isInteger(id) && id >= 0 && id < V))
          throw new RlCoreError('invalid-input', `expected prompt token ids below ${V}, found ${id}`);
      buf.set(p, b * T);
      len[b] = p.length;
    });
    const out: Completion[] = prompts.map(() => ({ tokens: [], logp: [] }));
    if (maxNew === 0 || B === 0) return out;
    this.model.setTraining(false);
    const L = Math.min(T, Math.ceil(Math.max(...len) / 8) * 8);
    const done = new Uint8Array(B);
    const tokens = new Int32Array(B);
    const positions = new Int32Array(B);
    const pack = (lg: tf.Tensor, kv: HfKvCache) => [lg, ...kv.k, ...kv.v];
    const unpack = (ts: tf.Tensor[]) => ({ logits: ts[0] as tf.Tensor, cache: { k: ts.slice(1, 1 + layers), v: ts.slice(1 + layers) } });
    let cache: HfKvCache = { k: [], v: [] };
    let logits: tf.Tensor | undefined;
    try {
      ({ logits, cache } = unpack(
        tf.tidy(() => {
          const kv: HfKvCache = { k: [], v: [] };
          const ids = new Int32Array(B * L);
          for (let b = 0; b < B; b++) ids.set(buf.subarray(b * T, b * T + L), b * L);
          const hidden = this.model.hidden(tf.tensor2d(ids, [B, L], 'int32'), kv);
          const last = tf.gather(
            tf.reshape(hidden, [B * L, D]),
            tf.tensor1d(
              Array.from(len, (n, b) => b * L + n - 1),
              'int32',
            ),
          ) as tf.Tensor2D;
          return pack(this.model.logits(last), { k: kv.k.map((t) => padPositions(t, T)), v: kv.v.map((t) => padPositions(t, T)) });
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
          if (stops.has(token) || (len[b] as number) >= T) done[b] = 1;
          tokens[b] = token;
          positions[b] = (len[b] as number) - 1;
        }
        if (step === maxNew - 1 || done.every((d) => d === 1)) break;
        const prev = { logits: logits as tf.Tensor, cache };
        ({ logits, cache } = unpack(
          tf.tidy(() => {
            const r = this.model.decodeStep(tokens, positions, prev.cache);
            return pack(this.model.logits(r.hidden), r.cache);
          }),
        ));
        tf.dispose([prev.logits, ...prev.cache.k, ...prev.cache.v]);
      }
    } finally {
      tf.dispose([...(logits ? [logits] : []), ...cache.k, ...cache.v]);
    }
    return out;
  }

  /** Writes the PEFT adapter, the value head, the optimiser state and the step count to `dir`. */
  async save(dir: string, meta: Record<string, unknown> = {}): Promise<void> {
    // every content is computed before anything is written, and the five files are written as one set
    const files = await adapterFiles(this.model, dir, this.model.dir);
    const { w, b } = this.model.valueHead();
    files.push([
      join(dir, VALUE_FILE),
      encodeSafetensors({
        'value.w': { shape: w.shape.slice(), data: (await w.data()) as Float32Array },
        'value.b': { shape: [1], data: (await b.data()) as Float32Array },
      }),
    ]);
    const opt = await adamState(this.optimizer, this.model.prefix);
    files.push([join(dir, OPTIMIZER_FILE), encodeSafetensors(opt)]);
    files.push([
      join(dir, STATE_FILE),
      `${JSON.stringify({ format: 'srcode-rl-core/hf-policy@1', baseModel: this.model.dir, step: this.step, learningRate: this.learningRate, maxLength: this.maxLength, ...meta }, null, 2)}\n`,
    ]);
    await mkdir(dir, { recursive: true });
    await writeFilesAtomically(files);
  }

  /** Reads a folder written by `save` back: adapters, value head, optimiser state and step count. */
  async restore(dir: string): Promise<void> {
    const state = (await readJson(join(dir, STATE_FILE))) as { step?: unknown };
    await loadAdapter(this.model, dir);
    const value = decodeAt(join(dir, VALUE_FILE), await readFile(join(dir, VALUE_FILE)));
    const { w, b } = this.model.valueHead();
    const vw = value['value.w'];
    const vb = value['value.b'];
    if (!vw || vw.shape.join() !== w.shape.join() || !vb)
      throw new RlCoreError(
        'invalid-checkpoint',
        `${join(dir, VALUE_FILE)}: expected value.w of shape [${w.shape}] and value.b, found ${vw ? `[${vw.shape}]` : 'none'}`,
      );
    tf.tidy(() => {
      w.assign(tf.tensor(vw.data, vw.shape));
      b.assign(tf.tensor(vb.data, [1]));
    });
    this.step = typeof state.step === 'number' ? state.step : 0;
    this.optimizer.dispose();
    this.optimizer = tf.train.adam(this.learningRate);
    const opt = await readFile(join(dir, OPTIMIZER_FILE)).catch(() => undefined);
    if (!opt) return;
    const names = this.model.trainable().map((v) => v.name.slice(this.model.prefix.length));
    await restoreAdam(this.optimizer, this.model.prefix, names, decodeAt(join(dir, OPTIMIZER_FILE), opt));
  }

  /** Frees the model and the optimiser. */
  dispose(): void {
    this.optimizer.dispose();
    this.model.dispose();
  }
}
