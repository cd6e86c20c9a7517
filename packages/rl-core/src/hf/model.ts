import * as tf from '@tensorflow/tfjs-core';
import { RlCoreError } from '../errors.js';
import { linear } from '../tfjs/transformer.js';
import { type HfCheckpoint, openHfCheckpoint } from './checkpoint.js';
import { type HfConfig, ropeInverseFrequencies } from './config.js';
import { LORA_DEFAULTS, LORA_FAMILY_MODULES, type LoraConfig, type LoraModule } from './lora-spec.js';

export type { LoraConfig, LoraModule };

/** The projections of a family, by the short names LoRA's target_modules use (`LORA_FAMILY_MODULES`). */
export function loraModulesOf(c: HfConfig): readonly LoraModule[] {
  return LORA_FAMILY_MODULES[c.modelType];
}

/** Every layer's keys (rotated) and values, [B, kvHeads, positions, headDim] each, for decoding token by token. */
export interface HfKvCache {
  /** Keys per layer. */
  k: tf.Tensor[];
  /** Values per layer. */
  v: tf.Tensor[];
}

/** The value head: hidden state [D] -> one value. */
export interface ValueHead {
  /** Weight [D, 1]. */
  w: tf.Variable;
  /** Bias [1]. */
  b: tf.Variable;
}

/** Per-token outputs of `HfModel.score`, each [B, T - 1] (a type alias, so `tf.tidy` can return it). */
export type ScoreOutputs = {
  /** log p(token t + 1 | tokens <= t). */
  logp: tf.Tensor2D;
  /** Entropy of the next-token distribution at t. */
  entropy: tf.Tensor2D;
  /** The value head at t. */
  values: tf.Tensor2D;
};

/** What one `HfModel.decodeStep` gives. */
export interface DecodeStepResult {
  /** Final hidden states [B, D] of the new tokens. */
  hidden: tf.Tensor2D;
  /** The caches with the new keys and values written. */
  cache: HfKvCache;
}

/** One adapted projection: y = W x + (alpha / r) B A x, with A and B trainable. */
export interface LoraAdapter {
  /** A transposed: [in, r]. */
  a: tf.Variable;
  /** B transposed: [r, out]. */
  b: tf.Variable;
}

/** How a projection is named in the checkpoint, and its [in, out] sizes. */
function projections(c: HfConfig, l: number): [string, LoraModule, number, number][] {
  const D = c.hiddenSize;
  if (c.modelType === 'gpt2') {
    const h = `transformer.h.${l}.`;
    return [
      [`${h}attn.c_attn`, 'c_attn', D, 3 * D],
      [`${h}attn.c_proj`, 'c_proj', D, D],
      [`${h}mlp.c_fc`, 'c_fc', D, c.intermediateSize],
      [`${h}mlp.c_proj`, 'c_proj', c.intermediateSize, D],
    ];
  }
  const q = c.heads * c.headDim;
  const kv = c.kvHeads * c.headDim;
  const F = c.intermediateSize;
  const a = `model.layers.${l}.self_attn.`;
  const m = `model.layers.${l}.mlp.`;
  return [
    [`${a}q_proj`, 'q_proj', D, q],
    [`${a}k_proj`, 'k_proj', D, kv],
    [`${a}v_proj`, 'v_proj', D, kv],
    [`${a}o_proj`, 'o_proj', q, D],
    [`${m}gate_proj`, 'gate_proj', D, F],
    [`${m}up_proj`, 'up_proj', D, F],
    [`${m}down_proj`, 'down_proj', F, D],
  ];
}

/** Whether the projection `short` has a bias under this config. */
function hasBias(c: HfConfig, short: LoraModule): boolean {
  if (c.modelType === 'gpt2') return true;
  if (short === 'q_proj' || short === 'k_proj' || short === 'v_proj') return c.qkvBias;
  if (short === 'o_proj') return c.oBias;
  return c.mlpBias;
}

/**
 * x @ w for a frozen w: the gradient flows to x only (w is closed over, not an input), so a LoRA step
 * computes no gradient of a base weight at all. That gradient, dy @ w^T, is taken as (w @ dy^T)^T: the
 * wasm backend runs a product with a transposed operand about 8x slower than a plain one (measured on a
 * 256 x 4864 by 4864 x 896 product), while transposing the two activations costs little and no transposed
 * copy of the weight is kept.
 */
function frozenLinear(x: tf.Tensor, w: tf.Tensor): tf.Tensor2D {
  const f = tf.customGrad((xi, _save) => ({
    value: tf.matMul(xi as tf.Tensor2D, w as tf.Tensor2D),
    gradFunc: (dy) => tf.transpose(tf.matMul(w as tf.Tensor2D, tf.transpose(dy as tf.Tensor2D))),
  }));
  return f(x) as tf.Tensor2D;
}

function rmsNorm(x: tf.Tensor, w: tf.Tensor, eps: number): tf.Tensor {
  return tf.mul(tf.mul(x, tf.rsqrt(tf.add(tf.mean(tf.square(x), -1, true), eps))), w);
}

function layerNorm(x: tf.Tensor, w: tf.Tensor, b: tf.Tensor, eps: number): tf.Tensor {
  const { mean, variance } = tf.moments(x, -1, true);
  return tf.add(tf.mul(tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, eps))), w), b);
}

/** GELU, tanh form (GPT-2's gelu_new). */
function geluTanh(x: tf.Tensor): tf.Tensor {
  const inner = tf.mul(Math.sqrt(2 / Math.PI), tf.add(x, tf.mul(0.044715, tf.mul(tf.square(x), x))));
  return tf.mul(tf.mul(0.5, x), tf.add(1, tf.tanh(inner)));
}

/** [..., d] -> [-x[d/2:], x[:d/2]]. */
function rotateHalf(x: tf.Tensor): tf.Tensor {
  const [x1, x2] = tf.split(x, 2, -1) as [tf.Tensor, tf.Tensor];
  return tf.concat([tf.neg(x2), x1], -1);
}

/**
 * A Llama, Qwen2 or GPT-2 decoder on TensorFlow.js: frozen base weights from a Hugging Face checkpoint (stored
 * transposed, [in, out], so forward products are plain ones), optional LoRA adapters and a value head,
 * the only trainable variables. Log-probs, entropies and values of whole sequences; incremental decoding
 * with a key/value cache.
 */
export class HfModel {
  /** The architecture. */
  readonly config: HfConfig;
  /** The folder it was loaded from. */
  readonly dir: string;
  private readonly base = new Map<string, tf.Tensor>();
  /** LoRA adapters by full module name (`model.layers.0.self_attn.q_proj`). */
  readonly adapters = new Map<string, LoraAdapter>();
  /** The LoRA settings, once adapters are added. */
  lora?: LoraConfig;
  private readonly valueW: tf.Variable;
  private readonly valueB: tf.Variable;
  private rope?: { cos: tf.Tensor2D; sin: tf.Tensor2D; n: number };
  private training = false;
  /**
   * Seed of the next LoRA dropout mask; each adapted projection takes the next one. The policy sets it from
   * its step count before each step, so a resumed run draws the masks an uninterrupted one would.
   */
  dropoutSeed = 1;
  /** False: the projections run without their adapters (the base model), e.g. for KL to the base. */
  adaptersOn = true;
  private static count = 0;
  /** Prefix of its variables' names (unique per model). */
  readonly prefix: string;

  private constructor(ckpt: HfCheckpoint) {
    this.config = ckpt.config;
    this.dir = ckpt.dir;
    this.prefix = `hf${++HfModel.count}:`;
    try {
      this.loadBase(ckpt);
    } catch (e) {
      // a tensor missing or misshapen halfway: free what was already put on the device
      tf.dispose([...this.base.values()]);
      this.base.clear();
      throw e;
    }
    const D = this.config.hiddenSize;
    this.valueW = tf.variable(tf.randomNormal([D, 1], 0, 0.02, 'float32', 7), true, `${this.prefix}value.w`);
    this.valueB = tf.variable(tf.zeros([1]), true, `${this.prefix}value.b`);
  }

  /** Reads every base tensor of the checkpoint onto the device (projections transposed to [in, out]). */
  private loadBase(ckpt: HfCheckpoint): void {
    const c = this.config;
    const D = c.hiddenSize;
    const V = c.vocabSize;
    const put = (key: string, name: string, shape: number[], transpose: boolean) => {
      const t = ckpt.read(name, shape);
      this.base.set(
        key,
        tf.tidy(() => {
          const x = tf.tensor(t.data, t.shape);
          return transpose ? tf.transpose(x) : x;
        }),
      );
    };
    if (c.modelType === 'gpt2') {
      this.loadGpt2(ckpt);
      return;
    }
    // the output projection, [D, V]; a tied one is the embedding's transpose, which also serves the lookup
    if (c.tieWordEmbeddings) put('head', 'model.embed_tokens.weight', [V, D], true);
    else {
      put('embed', 'model.embed_tokens.weight', [V, D], false);
      put('head', 'lm_head.weight', [V, D], true);
    }
    put('norm', 'model.norm.weight', [D], false);
    for (let l = 0; l < c.layers; l++) {
      const p = `model.layers.${l}.`;
      put(`${p}input_layernorm`, `${p}input_layernorm.weight`, [D], false);
      put(`${p}post_attention_layernorm`, `${p}post_attention_layernorm.weight`, [D], false);
      for (const [name, short, inDim, outDim] of projections(c, l)) {
        put(`${name}.weight`, `${name}.weight`, [outDim, inDim], true);
        if (hasBias(c, short)) put(`${name}.bias`, `${name}.bias`, [outDim], false);
      }
    }
  }

  /**
   * GPT-2's tensors: `wte`, `wpe`, `h.N.{ln_1,attn.c_attn,attn.c_proj,ln_2,mlp.c_fc,mlp.c_proj}`, `ln_f`, with
   * or without the `transformer.` prefix that GPT2LMHeadModel writes. Conv1D weights are [in, out] already.
   */
  private loadGpt2(ckpt: HfCheckpoint): void {
    const c = this.config;
    const D = c.hiddenSize;
    const pre = ckpt.names().includes('transformer.wte.weight') ? 'transformer.' : '';
    const put = (key: string, name: string, shape: number[], transpose = false) => {
      const t = ckpt.read(pre + name, shape);
      this.base.set(
        key,
        tf.tidy(() => {
          const x = tf.tensor(t.data, t.shape);
          return transpose ? tf.transpose(x) : x;
        }),
      );
    };
    put('head', 'wte.weight', [c.vocabSize, D], true);
    put('wpe', 'wpe.weight', [c.maxPositions, D]);
    for (const n of ['weight', 'bias']) put(`transformer.ln_f.${n}`, `ln_f.${n}`, [D]);
    for (let l = 0; l < c.layers; l++) {
      for (const ln of ['ln_1', 'ln_2']) for (const n of ['weight', 'bias']) put(`transformer.h.${l}.${ln}.${n}`, `h.${l}.${ln}.${n}`, [D]);
      for (const [name, , inDim, outDim] of projections(c, l)) {
        const file = name.slice('transformer.'.length);
        put(`${name}.weight`, `${file}.weight`, [inDim, outDim]);
        put(`${name}.bias`, `${file}.bias`, [outDim]);
      }
    }
  }

  /** Loads a checkpoint folder (see `openHfCheckpoint`) onto the active TensorFlow.js backend. */
  static async load(dir: string): Promise<HfModel> {
    return new HfModel(await openHfCheckpoint(dir));
  }

  /** Builds a model from any source of named tensors (a checkpoint opened elsewhere, or weights made in memory). */
  static fromCheckpoint(checkpoint: HfCheckpoint): HfModel {
    return new HfModel(checkpoint);
  }

  /** The frozen base tensors by name (transposed projections, norms, embedding): read them, never change them. */
  baseTensors(): ReadonlyMap<string, tf.Tensor> {
    return this.base;
  }

  /** Parameters of the base model (frozen). */
  get baseParameters(): number {
    let n = 0;
    for (const t of this.base.values()) n += t.size;
    return n;
  }

  /** The trainable variables: every adapter's A and B, then the value head. */
  trainable(): tf.Variable[] {
    const out: tf.Variable[] = [];
    for (const a of this.adapters.values()) out.push(a.a, a.b);
    out.push(this.valueW, this.valueB);
    return out;
  }

  /** The value head's weight [D, 1] and bias [1]. */
  valueHead(): ValueHead {
    return { w: this.valueW, b: this.valueB };
  }

  /**
   * Adds LoRA adapters on `targetModules` of every layer: A uniform in +-1/sqrt(in) (PEFT's default
   * bound), B zero, so the adapted model starts equal to the base one. Replaces any adapters it had.
   */
  addLora(options: Partial<LoraConfig> = {}): LoraConfig {
    const cfg: LoraConfig = { ...LORA_DEFAULTS, ...options };
    if (!(Number.isInteger(cfg.r) && cfg.r >= 1))
      throw new RlCoreError('invalid-option', `expected LoRA r to be a whole number from 1, found ${cfg.r}`);
    if (!(Number.isFinite(cfg.alpha) && cfg.alpha > 0))
      throw new RlCoreError('invalid-option', `expected LoRA alpha > 0, found ${cfg.alpha}`);
    if (!(cfg.dropout >= 0 && cfg.dropout < 1))
      throw new RlCoreError('invalid-option', `expected LoRA dropout in [0, 1), found ${cfg.dropout}`);
    const allowed = loraModulesOf(this.config);
    for (const m of cfg.targetModules)
      if (!allowed.includes(m))
        throw new RlCoreError(
          'invalid-option',
          `expected LoRA target modules of ${this.config.modelType} among ${allowed.join(', ')}, found ${JSON.stringify(m)}`,
        );
    if (cfg.targetModules.length === 0) throw new RlCoreError('invalid-option', 'expected at least one LoRA target module, found none');
    this.disposeAdapters();
    let seed = cfg.seed * 1000 + 1;
    for (let l = 0; l < this.config.layers; l++)
      for (const [name, short, inDim, outDim] of projections(this.config, l)) {
        if (!cfg.targetModules.includes(short)) continue;
        const bound = 1 / Math.sqrt(inDim);
        this.adapters.set(name, {
          a: tf.variable(tf.randomUniform([inDim, cfg.r], -bound, bound, 'float32', seed++), true, `${this.prefix}${name}.lora_A`),
          b: tf.variable(tf.zeros([cfg.r, outDim]), true, `${this.prefix}${name}.lora_B`),
        });
      }
    this.lora = cfg;
    return cfg;
  }

  /** The [in, out] sizes of projection `name` (`model.layers.N.self_attn.q_proj`, ...), or undefined. */
  projectionShape(name: string): [number, number] | undefined {
    for (let l = 0; l < this.config.layers; l++) for (const [n, , i, o] of projections(this.config, l)) if (n === name) return [i, o];
    return undefined;
  }

  /** Turns dropout on (training) or off (scoring, sampling). */
  setTraining(on: boolean): void {
    this.training = on;
  }

  private w(key: string): tf.Tensor {
    const t = this.base.get(key);
    if (!t) throw new RlCoreError('internal', `internal error (a bug in @srcode/rl-core): no base tensor ${key}`);
    return t;
  }

  /** cos and sin tables [n, headDim] for positions 0..n-1 (grown on demand, kept). */
  private ropeTables(n: number): { cos: tf.Tensor2D; sin: tf.Tensor2D } {
    if (this.rope && this.rope.n >= n) return this.rope;
    const size = Math.max(n, this.rope ? this.rope.n * 2 : 64);
    const inv = ropeInverseFrequencies(this.config);
    const d = this.config.headDim;
    const half = d / 2;
    const cos = new Float32Array(size * d);
    const sin = new Float32Array(size * d);
    for (let p = 0; p < size; p++)
      for (let i = 0; i < half; i++) {
        const a = p * (inv[i] as number);
        cos[p * d + i] = cos[p * d + i + half] = Math.cos(a);
        sin[p * d + i] = sin[p * d + i + half] = Math.sin(a);
      }
    if (this.rope) tf.dispose([this.rope.cos, this.rope.sin]);
    // kept: the tables are built lazily, often inside a caller's tidy, and outlive it
    this.rope = { cos: tf.keep(tf.tensor2d(cos, [size, d])), sin: tf.keep(tf.tensor2d(sin, [size, d])), n: size };
    return this.rope;
  }

  /** A projection with its bias and adapter: rows [N, in] -> [N, out]. */
  private project(name: string, x: tf.Tensor): tf.Tensor {
    let y: tf.Tensor = frozenLinear(x, this.w(`${name}.weight`));
    const bias = this.base.get(`${name}.bias`);
    if (bias) y = tf.add(y, bias);
    const a = this.adapters.get(name);
    if (a && this.lora && this.adaptersOn) {
      const input = this.training && this.lora.dropout > 0 ? tf.dropout(x, this.lora.dropout, undefined, this.dropoutSeed++) : x;
      y = tf.add(y, tf.mul(linear(linear(input, a.a), a.b), this.lora.alpha / this.lora.r));
    }
    return y;
  }

  /** Embedding rows of `ids` [N] -> [N, D] (a gather: the base embedding takes no gradient). */
  private embed(ids: tf.Tensor1D): tf.Tensor2D {
    const e = this.base.get('embed');
    return (e ? tf.gather(e, ids, 0) : tf.transpose(tf.gather(this.w('head'), ids, 1))) as tf.Tensor2D;
  }

  private mlp(l: number, x: tf.Tensor): tf.Tensor {
    const p = `model.layers.${l}.`;
    const h = rmsNorm(x, this.w(`${p}post_attention_layernorm`), this.config.rmsNormEps);
    const gate = this.project(`${p}mlp.gate_proj`, h);
    const act = tf.mul(gate, tf.sigmoid(gate));
    return this.project(`${p}mlp.down_proj`, tf.mul(act, this.project(`${p}mlp.up_proj`, h)));
  }

  /**
   * Forward pass over a batch of whole sequences: ids [B, T] -> final (normed) hidden states [B, T, D].
   * Rows are causal, so right padding changes nothing before it. With `kv`, every layer's rotated keys and
   * values are appended to it (the prefill of incremental decoding).
   */
  hidden(tokens: tf.Tensor2D, kv?: HfKvCache): tf.Tensor3D {
    if (this.config.modelType === 'gpt2') return this.hiddenGpt2(tokens, kv);
    const c = this.config;
    const [B, T] = tokens.shape;
    const D = c.hiddenSize;
    const H = c.heads;
    const KV = c.kvHeads;
    const rep = H / KV;
    const dh = c.headDim;
    const { cos: cosAll, sin: sinAll } = this.ropeTables(T);
    const cos = tf.slice(cosAll, [0, 0], [T, dh]);
    const sin = tf.slice(sinAll, [0, 0], [T, dh]);
    const m = new Float32Array(T * T);
    for (let i = 0; i < T; i++) for (let j = i + 1; j < T; j++) m[i * T + j] = -1e9;
    const mask = tf.tensor2d(m, [T, T]);
    let x: tf.Tensor = this.embed(tf.reshape(tokens, [B * T]) as tf.Tensor1D);
    for (let l = 0; l < c.layers; l++) {
      const p = `model.layers.${l}.`;
      const h = rmsNorm(x, this.w(`${p}input_layernorm`), c.rmsNormEps);
      const heads = (t: tf.Tensor, n: number) => tf.transpose(tf.reshape(t, [B, T, n, dh]), [0, 2, 1, 3]);
      const rot = (t: tf.Tensor) => tf.add(tf.mul(t, cos), tf.mul(rotateHalf(t), sin));
      const q = rot(heads(this.project(`${p}self_attn.q_proj`, h), H));
      const k = rot(heads(this.project(`${p}self_attn.k_proj`, h), KV));
      const v = heads(this.project(`${p}self_attn.v_proj`, h), KV);
      if (kv) {
        kv.k.push(k);
        kv.v.push(v);
      }
      // query head i reads key/value head floor(i / rep): the rep query heads of a group share one product
      // keys transposed explicitly: a plain product is the fast one (see frozenLinear)
      const scores = tf.reshape(tf.matMul(tf.reshape(q, [B, KV, rep * T, dh]), tf.transpose(k, [0, 1, 3, 2])), [B, H, T, T]);
      const probs = tf.softmax(tf.add(tf.mul(scores, 1 / Math.sqrt(dh)), mask));
      const att = tf.reshape(tf.matMul(tf.reshape(probs, [B, KV, rep * T, T]), v), [B, H, T, dh]);
      const merged = tf.reshape(tf.transpose(att, [0, 2, 1, 3]), [B * T, H * dh]);
      x = tf.add(x, this.project(`${p}self_attn.o_proj`, merged));
      x = tf.add(x, this.mlp(l, x));
    }
    return tf.reshape(rmsNorm(x, this.w('norm'), c.rmsNormEps), [B, T, D]) as tf.Tensor3D;
  }

  /** Logits [N, V] of hidden rows [N, D]. */
  logits(hidden: tf.Tensor2D): tf.Tensor2D {
    return frozenLinear(hidden, this.w('head'));
  }

  /** Values [N] of hidden rows [N, D]. */
  values(hidden: tf.Tensor2D): tf.Tensor1D {
    return tf.reshape(tf.add(linear(hidden, this.valueW), this.valueB), [hidden.shape[0]]) as tf.Tensor1D;
  }

  /**
   * Log-probs of each next token, entropies and values of whole sequences: ids [B, T] -> [B, T - 1] each,
   * position t scoring token t + 1. The target's logit is the hidden state times its output-embedding row
   * (a gather of frozen weights), so no one-hot of the vocabulary is built.
   */
  score(tokens: tf.Tensor2D): ScoreOutputs {
    const [B, T] = tokens.shape;
    const D = this.config.hiddenSize;
    const hid = tf.slice(this.hidden(tokens), [0, 0, 0], [B, T - 1, D]);
    const rows = tf.reshape(hid, [B * (T - 1), D]) as tf.Tensor2D;
    const logits = this.logits(rows);
    const lse = tf.logSumExp(logits, -1);
    const targets = tf.reshape(tf.slice(tokens, [0, 1], [B, T - 1]), [B * (T - 1)]) as tf.Tensor1D;
    const rowsOfTargets = tf.transpose(tf.gather(this.w('head'), targets, 1));
    const logp = tf.sub(tf.sum(tf.mul(rows, rowsOfTargets), -1), lse);
    const probs = tf.softmax(logits);
    const entropy = tf.sub(lse, tf.sum(tf.mul(probs, logits), -1));
    return {
      logp: tf.reshape(logp, [B, T - 1]) as tf.Tensor2D,
      entropy: tf.reshape(entropy, [B, T - 1]) as tf.Tensor2D,
      values: tf.reshape(this.values(rows), [B, T - 1]) as tf.Tensor2D,
    };
  }

  /**
   * One step of incremental decoding: token `tokens[b]` at position `positions[b]` of each row ->
   * final hidden states [B, D], attending to the cached positions 0..positions[b] after writing its own
   * key and value there. The caches (capacity C positions each) are returned updated; the old tensors are
   * the caller's to dispose. A position at or past C is not written.
   */
  decodeStep(tokens: Int32Array, positions: Int32Array, cache: HfKvCache): DecodeStepResult {
    if (this.config.modelType === 'gpt2') return this.decodeStepGpt2(tokens, positions, cache);
    const c = this.config;
    const B = tokens.length;
    const H = c.heads;
    const KV = c.kvHeads;
    const rep = H / KV;
    const dh = c.headDim;
    const C = cache.k[0]?.shape[2] ?? 1;
    const { cos: cosAll, sin: sinAll } = this.ropeTables(Math.max(...positions) + 1);
    const pos = tf.tensor1d(positions, 'int32');
    const cos = tf.reshape(tf.gather(cosAll, pos), [B, 1, 1, dh]);
    const sin = tf.reshape(tf.gather(sinAll, pos), [B, 1, 1, dh]);
    const write = tf.reshape(tf.cast(tf.oneHot(pos, C), 'float32'), [B, 1, C, 1]);
    const keep = tf.sub(1, write);
    const visible = new Float32Array(B * C);
    for (let b = 0; b < B; b++) for (let j = (positions[b] as number) + 1; j < C; j++) visible[b * C + j] = -1e9;
    const mask = tf.tensor4d(visible, [B, 1, 1, C]);
    let x: tf.Tensor = this.embed(tf.tensor1d(tokens, 'int32'));
    const next: HfKvCache = { k: [], v: [] };
    for (let l = 0; l < c.layers; l++) {
      const p = `model.layers.${l}.`;
      const h = rmsNorm(x, this.w(`${p}input_layernorm`), c.rmsNormEps);
      const rot = (t: tf.Tensor) => tf.add(tf.mul(t, cos), tf.mul(rotateHalf(t), sin));
      const q = rot(tf.reshape(this.project(`${p}self_attn.q_proj`, h), [B, H, 1, dh]));
      const kNew = rot(tf.reshape(this.project(`${p}self_attn.k_proj`, h), [B, KV, 1, dh]));
      const vNew = tf.reshape(this.project(`${p}self_attn.v_proj`, h), [B, KV, 1, dh]);
      const k = tf.add(tf.mul(cache.k[l] as tf.Tensor, keep), tf.mul(kNew, write));
      const v = tf.add(tf.mul(cache.v[l] as tf.Tensor, keep), tf.mul(vNew, write));
      next.k.push(k);
      next.v.push(v);
      const scores = tf.matMul(tf.reshape(q, [B, KV, rep, dh]), tf.transpose(k, [0, 1, 3, 2])); // [B, KV, rep, C]
      const probs = tf.softmax(tf.add(tf.mul(scores, 1 / Math.sqrt(dh)), mask));
      const att = tf.reshape(tf.matMul(probs, v), [B, H * dh]);
      x = tf.add(x, this.project(`${p}self_attn.o_proj`, att));
      x = tf.add(x, this.mlp(l, x));
    }
    return { hidden: rmsNorm(x, this.w('norm'), c.rmsNormEps) as tf.Tensor2D, cache: next };
  }

  /** GPT-2's block: LayerNorm, attention from the fused projection, LayerNorm, tanh-GELU MLP; rows [N, D]. */
  private gpt2Block(l: number, x: tf.Tensor, attend: (q: tf.Tensor, k: tf.Tensor, v: tf.Tensor) => tf.Tensor): tf.Tensor {
    const c = this.config;
    const h = `transformer.h.${l}.`;
    const ln = (n: string, t: tf.Tensor) => layerNorm(t, this.w(`${h}${n}.weight`), this.w(`${h}${n}.bias`), c.rmsNormEps);
    const [q, k, v] = tf.split(this.project(`${h}attn.c_attn`, ln('ln_1', x)), 3, -1) as [tf.Tensor, tf.Tensor, tf.Tensor];
    const y = tf.add(x, this.project(`${h}attn.c_proj`, attend(q, k, v)));
    return tf.add(y, this.project(`${h}mlp.c_proj`, geluTanh(this.project(`${h}mlp.c_fc`, ln('ln_2', y)))));
  }

  private gpt2Final(x: tf.Tensor): tf.Tensor {
    return layerNorm(x, this.w('transformer.ln_f.weight'), this.w('transformer.ln_f.bias'), this.config.rmsNormEps);
  }

  private checkPositions(n: number): void {
    if (n > this.config.maxPositions)
      throw new RlCoreError('invalid-input', `expected at most ${this.config.maxPositions} positions (n_positions), found ${n}`);
  }

  private hiddenGpt2(tokens: tf.Tensor2D, kv?: HfKvCache): tf.Tensor3D {
    const c = this.config;
    const [B, T] = tokens.shape;
    const D = c.hiddenSize;
    const H = c.heads;
    const dh = c.headDim;
    this.checkPositions(T);
    const m = new Float32Array(T * T);
    for (let i = 0; i < T; i++) for (let j = i + 1; j < T; j++) m[i * T + j] = -1e9;
    const mask = tf.tensor2d(m, [T, T]);
    const pos = tf.slice(this.w('wpe'), [0, 0], [T, D]);
    let x: tf.Tensor = tf.reshape(tf.add(tf.reshape(this.embed(tf.reshape(tokens, [B * T]) as tf.Tensor1D), [B, T, D]), pos), [B * T, D]);
    const heads = (t: tf.Tensor) => tf.transpose(tf.reshape(t, [B, T, H, dh]), [0, 2, 1, 3]);
    for (let l = 0; l < c.layers; l++)
      x = this.gpt2Block(l, x, (q0, k0, v0) => {
        const [q, k, v] = [heads(q0), heads(k0), heads(v0)];
        if (kv) {
          kv.k.push(k);
          kv.v.push(v);
        }
        const probs = tf.softmax(tf.add(tf.mul(tf.matMul(q, tf.transpose(k, [0, 1, 3, 2])), 1 / Math.sqrt(dh)), mask));
        return tf.reshape(tf.transpose(tf.matMul(probs, v), [0, 2, 1, 3]), [B * T, D]);
      });
    return tf.reshape(this.gpt2Final(x), [B, T, D]) as tf.Tensor3D;
  }

  private decodeStepGpt2(tokens: Int32Array, positions: Int32Array, cache: HfKvCache): DecodeStepResult {
    const c = this.config;
    const B = tokens.length;
    const D = c.hiddenSize;
    const H = c.heads;
    const dh = c.headDim;
    const C = cache.k[0]?.shape[2] ?? 1;
    this.checkPositions(Math.max(...positions) + 1);
    const pos = tf.tensor1d(positions, 'int32');
    const write = tf.reshape(tf.cast(tf.oneHot(pos, C), 'float32'), [B, 1, C, 1]);
    const keep = tf.sub(1, write);
    const visible = new Float32Array(B * C);
    for (let b = 0; b < B; b++) for (let j = (positions[b] as number) + 1; j < C; j++) visible[b * C + j] = -1e9;
    const mask = tf.tensor4d(visible, [B, 1, 1, C]);
    let x: tf.Tensor = tf.add(this.embed(tf.tensor1d(tokens, 'int32')), tf.gather(this.w('wpe'), pos));
    const next: HfKvCache = { k: [], v: [] };
    for (let l = 0; l < c.layers; l++)
      x = this.gpt2Block(l, x, (q0, k0, v0) => {
        const q = tf.reshape(q0, [B, H, 1, dh]);
        const k = tf.add(tf.mul(cache.k[l] as tf.Tensor, keep), tf.mul(tf.reshape(k0, [B, H, 1, dh]), write));
        const v = tf.add(tf.mul(cache.v[l] as tf.Tensor, keep), tf.mul(tf.reshape(v0, [B, H, 1, dh]), write));
        next.k.push(k);
        next.v.push(v);
        const probs = tf.softmax(tf.add(tf.mul(tf.matMul(q, tf.transpose(k, [0, 1, 3, 2])), 1 / Math.sqrt(dh)), mask));
        return tf.reshape(tf.matMul(probs, v), [B, D]);
      });
    return { hidden: this.gpt2Final(x) as tf.Tensor2D, cache: next };
  }

  private disposeAdapters(): void {
    for (const a of this.adapters.values()) tf.dispose([a.a, a.b]);
    this.adapters.clear();
    delete this.lora;
  }

  /** Frees every tensor and variable of the model. */
  dispose(): void {
    this.disposeAdapters();
    tf.dispose([...this.base.values(), this.valueW, this.valueB]);
    if (this.rope) tf.dispose([this.rope.cos, this.rope.sin]);
    this.base.clear();
  }
}
