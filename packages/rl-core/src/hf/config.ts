import { RlCoreError } from '../errors.js';

/**
 * The decoder-only families this engine runs: Llama and Qwen2 (RMSNorm, RoPE, GQA, SwiGLU; Qwen2 adds q/k/v
 * biases) and GPT-2 (learned positions, LayerNorm, one fused q/k/v projection, tanh GELU).
 */
export const HF_MODEL_TYPES = ['llama', 'qwen2', 'gpt2'] as const;

/** Rotary-embedding frequency scaling, as config.json's `rope_scaling` gives it (types `linear` and `llama3`). */
export interface RopeScaling {
  /** `linear` divides every frequency by `factor`; `llama3` scales low frequencies only, blending the middle band. */
  type: 'linear' | 'llama3';
  /** The scaling factor. */
  factor: number;
  /** llama3: wavelengths longer than originalMaxPositions / lowFreqFactor are scaled fully. */
  lowFreqFactor?: number;
  /** llama3: wavelengths shorter than originalMaxPositions / highFreqFactor are kept. */
  highFreqFactor?: number;
  /** llama3: the context length the model was pretrained on. */
  originalMaxPositions?: number;
}

/** A checkpoint's architecture, read from its config.json (field names in camel case). */
export interface HfConfig {
  /** `llama`, `qwen2` or `gpt2`. */
  modelType: (typeof HF_MODEL_TYPES)[number];
  /** Rows of the embedding (may exceed the tokenizer's size). */
  vocabSize: number;
  /** Model width. */
  hiddenSize: number;
  /** SwiGLU inner width. */
  intermediateSize: number;
  /** Decoder layers. */
  layers: number;
  /** Query heads. */
  heads: number;
  /** Key/value heads (grouped-query attention when fewer than `heads`). */
  kvHeads: number;
  /** Width of one head (`head_dim`, else hiddenSize / heads). */
  headDim: number;
  /** RMSNorm epsilon (GPT-2: its LayerNorm's). */
  rmsNormEps: number;
  /** RoPE base (unused by GPT-2, whose positions are learned). */
  ropeTheta: number;
  /** RoPE scaling, when the config has one. */
  ropeScaling?: RopeScaling;
  /** The output projection is the embedding (no `lm_head.weight`). */
  tieWordEmbeddings: boolean;
  /** q, k and v projections have biases (always for Qwen2; Llama's `attention_bias`). */
  qkvBias: boolean;
  /** The output projection has a bias (Llama's `attention_bias`). */
  oBias: boolean;
  /** The MLP projections have biases (Llama's `mlp_bias`). */
  mlpBias: boolean;
  /** Longest context the model was built for. */
  maxPositions: number;
  /** Beginning-of-sequence token, when the config names one. */
  bosTokenId?: number;
  /** End-of-sequence tokens (config.json's `eos_token_id`, one or a list). */
  eosTokenIds: number[];
}

type Json = Record<string, unknown>;

function field(
  file: string,
  o: Json,
  key: string,
  kind: 'count' | 'number' | 'boolean',
  fallback?: number | boolean,
  path = key,
): number | boolean {
  const v = o[key] ?? fallback;
  const at = `${file}: /${path}`;
  const want = kind === 'boolean' ? 'true or false' : kind === 'count' ? 'a whole number from 1' : 'a positive number';
  if (v === undefined || v === null) throw new RlCoreError('invalid-checkpoint', `${at}: expected ${want}, found none`);
  if (kind === 'boolean') {
    if (typeof v !== 'boolean') throw new RlCoreError('invalid-checkpoint', `${at}: expected true or false, found ${JSON.stringify(v)}`);
    return v;
  }
  // sizes are bounded by what an array can index: a larger one is a corrupt file, not a model to allocate
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0 || (kind === 'count' && !(Number.isInteger(v) && v < 2 ** 31)))
    throw new RlCoreError(
      'invalid-checkpoint',
      `${at}: expected ${kind === 'count' ? 'a whole number from 1 below 2^31' : want}, found ${JSON.stringify(v)}`,
    );
  return v;
}

function tokenIds(file: string, key: string, v: unknown): number[] {
  if (v === undefined || v === null) return [];
  const list = Array.isArray(v) ? v : [v];
  for (const id of list)
    if (!(Number.isInteger(id) && (id as number) >= 0))
      throw new RlCoreError(
        'invalid-checkpoint',
        `${file}: /${key}: expected token ids (whole numbers from 0), found ${JSON.stringify(v)}`,
      );
  return list as number[];
}

function ropeScaling(file: string, v: unknown): RopeScaling | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'object' || Array.isArray(v))
    throw new RlCoreError('invalid-checkpoint', `${file}: /rope_scaling: expected an object, found ${JSON.stringify(v)}`);
  const o = v as Json;
  const type = o.rope_type ?? o.type;
  if (type === 'default') return undefined;
  const sub = (key: string, kind: 'count' | 'number') => field(file, o, key, kind, undefined, `rope_scaling/${key}`) as number;
  if (type === 'linear') return { type, factor: sub('factor', 'number') };
  if (type === 'llama3')
    return {
      type,
      factor: sub('factor', 'number'),
      lowFreqFactor: sub('low_freq_factor', 'number'),
      highFreqFactor: sub('high_freq_factor', 'number'),
      originalMaxPositions: sub('original_max_position_embeddings', 'count'),
    };
  throw new RlCoreError(
    'invalid-checkpoint',
    `${file}: /rope_scaling/rope_type: expected default, linear or llama3, found ${JSON.stringify(type)}`,
  );
}

/**
 * Reads the architecture from a parsed config.json. Every problem names the file and the field: an
 * unsupported `model_type` or `hidden_act`, a missing or non-positive size, heads that do not divide.
 */
export function parseHfConfig(json: unknown, file = 'config.json'): HfConfig {
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    throw new RlCoreError(
      'invalid-checkpoint',
      `${file}: expected a JSON object, found ${Array.isArray(json) ? 'an array' : json === null ? 'null' : typeof json}`,
    );
  const o = json as Json;
  const modelType = o.model_type;
  if (!(HF_MODEL_TYPES as readonly unknown[]).includes(modelType))
    throw new RlCoreError(
      'invalid-checkpoint',
      `${file}: /model_type: expected ${HF_MODEL_TYPES.join(' or ')}, found ${modelType === undefined ? 'none' : JSON.stringify(modelType)}`,
    );
  if (modelType === 'gpt2') return parseGpt2(file, o);
  const act = o.hidden_act ?? 'silu';
  if (act !== 'silu')
    throw new RlCoreError('invalid-checkpoint', `${file}: /hidden_act: expected silu (SwiGLU), found ${JSON.stringify(act)}`);
  if (o.use_sliding_window === true)
    throw new RlCoreError(
      'invalid-checkpoint',
      `${file}: /use_sliding_window: expected false (sliding-window attention is not supported), found true`,
    );
  const count = (k: string, d?: number) => field(file, o, k, 'count', d) as number;
  const hiddenSize = count('hidden_size');
  const heads = count('num_attention_heads');
  const kvHeads = count('num_key_value_heads', heads);
  if (heads % kvHeads !== 0)
    throw new RlCoreError(
      'invalid-checkpoint',
      `${file}: /num_key_value_heads: expected a divisor of num_attention_heads (${heads}), found ${kvHeads}`,
    );
  if ((o.head_dim === undefined || o.head_dim === null) && hiddenSize % heads !== 0)
    throw new RlCoreError(
      'invalid-checkpoint',
      `${file}: /num_attention_heads: expected a divisor of hidden_size (${hiddenSize}), found ${heads}`,
    );
  const headDim = o.head_dim === undefined || o.head_dim === null ? hiddenSize / heads : count('head_dim');
  if (headDim % 2 !== 0)
    throw new RlCoreError(
      'invalid-checkpoint',
      `${file}: /head_dim: expected an even width for rotary embeddings, found ${headDim}${o.head_dim === undefined || o.head_dim === null ? ' (hidden_size / num_attention_heads)' : ''}`,
    );
  const llamaBias = modelType === 'llama' && (field(file, o, 'attention_bias', 'boolean', false) as boolean);
  const cfg: HfConfig = {
    modelType: modelType as HfConfig['modelType'],
    vocabSize: count('vocab_size'),
    hiddenSize,
    intermediateSize: count('intermediate_size'),
    layers: count('num_hidden_layers'),
    heads,
    kvHeads,
    headDim,
    rmsNormEps: field(file, o, 'rms_norm_eps', 'number', 1e-6) as number,
    ropeTheta: field(file, o, 'rope_theta', 'number', 10000) as number,
    tieWordEmbeddings: field(file, o, 'tie_word_embeddings', 'boolean', false) as boolean,
    qkvBias: modelType === 'qwen2' || llamaBias,
    oBias: llamaBias,
    mlpBias: modelType === 'llama' && (field(file, o, 'mlp_bias', 'boolean', false) as boolean),
    maxPositions: count('max_position_embeddings', 2048),
    eosTokenIds: tokenIds(file, 'eos_token_id', o.eos_token_id),
  };
  const scaling = ropeScaling(file, o.rope_scaling);
  if (scaling) cfg.ropeScaling = scaling;
  const bos = tokenIds(file, 'bos_token_id', o.bos_token_id);
  if (bos.length) cfg.bosTokenId = bos[0] as number;
  return cfg;
}

/** GPT-2's config.json fields (n_embd, n_layer, ...) in the same shape; what its layout cannot express is refused. */
function parseGpt2(file: string, o: Json): HfConfig {
  const act = o.activation_function ?? 'gelu_new';
  if (act !== 'gelu_new' && act !== 'gelu_pytorch_tanh')
    throw new RlCoreError(
      'invalid-checkpoint',
      `${file}: /activation_function: expected gelu_new or gelu_pytorch_tanh, found ${JSON.stringify(act)}`,
    );
  for (const f of ['scale_attn_by_inverse_layer_idx', 'reorder_and_upcast_attn', 'add_cross_attention'])
    if (o[f] === true) throw new RlCoreError('invalid-checkpoint', `${file}: /${f}: expected false, found true`);
  if (o.scale_attn_weights === false)
    throw new RlCoreError('invalid-checkpoint', `${file}: /scale_attn_weights: expected true, found false`);
  if (o.tie_word_embeddings === false)
    throw new RlCoreError('invalid-checkpoint', `${file}: /tie_word_embeddings: expected true (GPT-2 ties its head), found false`);
  const count = (k: string, d?: number) => field(file, o, k, 'count', d) as number;
  const hiddenSize = count('n_embd');
  const heads = count('n_head');
  if (hiddenSize % heads !== 0)
    throw new RlCoreError('invalid-checkpoint', `${file}: /n_head: expected a divisor of n_embd (${hiddenSize}), found ${heads}`);
  const cfg: HfConfig = {
    modelType: 'gpt2',
    vocabSize: count('vocab_size'),
    hiddenSize,
    intermediateSize: o.n_inner === undefined || o.n_inner === null ? 4 * hiddenSize : count('n_inner'),
    layers: count('n_layer'),
    heads,
    kvHeads: heads,
    headDim: hiddenSize / heads,
    rmsNormEps: field(file, o, 'layer_norm_epsilon', 'number', 1e-5) as number,
    ropeTheta: 10000,
    tieWordEmbeddings: true,
    qkvBias: true,
    oBias: true,
    mlpBias: true,
    maxPositions: count('n_positions', (o.n_ctx as number | undefined) ?? 1024),
    eosTokenIds: tokenIds(file, 'eos_token_id', o.eos_token_id),
  };
  const bos = tokenIds(file, 'bos_token_id', o.bos_token_id);
  if (bos.length) cfg.bosTokenId = bos[0] as number;
  return cfg;
}

/** RoPE inverse frequencies (headDim / 2 of them), with the config's scaling applied. */
export function ropeInverseFrequencies(c: HfConfig): Float64Array {
  const half = c.headDim / 2;
  const inv = new Float64Array(half);
  for (let i = 0; i < half; i++) inv[i] = 1 / c.ropeTheta ** ((2 * i) / c.headDim);
  const s = c.ropeScaling;
  if (!s) return inv;
  if (s.type === 'linear') return inv.map((f) => f / s.factor);
  const old = s.originalMaxPositions as number;
  const lo = s.lowFreqFactor as number;
  const hi = s.highFreqFactor as number;
  return inv.map((f) => {
    const wavelen = (2 * Math.PI) / f;
    if (wavelen < old / hi) return f;
    if (wavelen > old / lo) return f / s.factor;
    const smooth = (old / wavelen - lo) / (hi - lo);
    return (1 - smooth) * (f / s.factor) + smooth * f;
  });
}
