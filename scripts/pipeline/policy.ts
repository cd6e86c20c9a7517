// The policy the main job trains: its small character-level policy by default, or a Hugging Face checkpoint
// (`--model DIR`) whose LoRA adapters are trained. What differs between the two is kept here: how a prompt and
// an answer become token ids, how a completion's tokens read back as text (and which characters each covers,
// for the token reward maps), and how a policy is made, saved and loaded back.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CHAR_TOKENS, type Checkpointable, type Policy, decodeChars, encodeChars } from '@srcode/rl-core';
import { type LoraConfig, loraConfigOfSpec, loraModulesOfType } from '@srcode/rl-core/lora-spec';
import type { LoraSpec } from './flags.js';

/** How the policy reads prompts and writes answers, in its own tokens. */
export interface PolicyText {
  /** `chars` (the small policy) or `hf` (a checkpoint's tokenizer.json). */
  kind: 'chars' | 'hf';
  /** A prompt's ids: the policy's start (BOS) tokens, then the prompt's text. */
  promptIds(prompt: string): number[];
  /** An answer's ids: its text, then the end token. */
  targetIds(text: string): number[];
  /** The end token sampling stops at (and the first of `stopTokens`). */
  stopToken: number;
  /** Every token a completion ends at. */
  stopTokens: number[];
  /**
   * A completion's text and the `[start, end)` UTF-16 span of each of its tokens in it (flat, two numbers a
   * token), the trailing end token left out: the encoding token-reward's online map aligns to.
   */
  decode(tokens: readonly number[]): { text: string; ids: Int32Array; offsets: Uint32Array };
}

/** The small policy's characters: one token a character, the start and end tokens of rl-core's `CHAR_TOKENS`. */
export const CHAR_TEXT: PolicyText = {
  kind: 'chars',
  promptIds: (prompt) => [CHAR_TOKENS.bos, ...encodeChars(prompt)],
  targetIds: (text) => [...encodeChars(text), CHAR_TOKENS.eos],
  stopToken: CHAR_TOKENS.eos,
  stopTokens: [CHAR_TOKENS.eos],
  decode: (tokens) => {
    const text = decodeChars(tokens);
    const offsets = new Uint32Array(text.length * 2);
    for (let i = 0; i < text.length; i++) {
      offsets[2 * i] = i;
      offsets[2 * i + 1] = i + 1;
    }
    return { text, ids: Int32Array.from(tokens.slice(0, text.length)), offsets };
  },
};

/** A policy the training stages run: rl-core's `Policy`, checkpointed, sampled by evaluation, disposed after. */
export type TrainablePolicy = Policy & Checkpointable & { dispose(): void };

/** What a Hugging Face checkpoint folder is, checked before any stage runs. */
export interface ModelInfo {
  /** The folder, absolute. */
  dir: string;
  /** SHA-256 of its config.json (a rerun with another checkpoint in the same folder is refused). */
  configSha256: string;
}

/**
 * Checks that `dir` is a checkpoint folder (config.json and safetensors weights) and hashes its config.json.
 * Throws an error naming the path (the main job exits 2 with it).
 */
export function checkModelDir(dir: string): ModelInfo {
  const problem = (what: string) => Object.assign(new Error(`--model ${dir}: ${what}`), { code: 'ENOENT', path: dir });
  if (!existsSync(dir)) throw problem('no such folder');
  if (!statSync(dir).isDirectory()) throw problem('is not a folder (expected a Hugging Face checkpoint folder)');
  const config = join(dir, 'config.json');
  if (!existsSync(config)) throw problem('no config.json in it (expected a Hugging Face checkpoint folder)');
  if (!existsSync(join(dir, 'model.safetensors')) && !existsSync(join(dir, 'model.safetensors.index.json')))
    throw problem('no model.safetensors or model.safetensors.index.json in it');
  if (!existsSync(join(dir, 'tokenizer.json'))) throw problem('no tokenizer.json in it (the main job needs the checkpoint’s own tokens)');
  return { dir, configSha256: createHash('sha256').update(readFileSync(config)).digest('hex') };
}

/**
 * The message refusing `--lora targets=…` that the checkpoint's family has no such projection for (rl-core's
 * table: GPT-2 has `c_attn`, `c_proj`, `c_fc`; Llama and Qwen2 `q_proj` … `down_proj`), or undefined when
 * they all exist or the family is not one rl-core loads (its loader then names the `model_type`).
 */
export function loraTargetProblem(info: ModelInfo, spec: LoraSpec): string | undefined {
  if (!spec.targets) return undefined;
  let type: unknown;
  try {
    type = (JSON.parse(readFileSync(join(info.dir, 'config.json'), 'utf8')) as { model_type?: unknown }).model_type;
  } catch {
    return undefined; // rl-core's loader names what is wrong with config.json
  }
  const known: readonly string[] | undefined = loraModulesOfType(type);
  if (!known) return undefined;
  const bad = spec.targets.filter((t) => !known.includes(t));
  return bad.length
    ? `--lora targets ${bad.join(', ')}: ${join(info.dir, 'config.json')} is a ${String(type)} checkpoint, whose projections are ${known.join(', ')}`
    : undefined;
}

/** The parts of rl-core's LoRA config `--lora` sets, from the flags' spec. */
export function loraConfigOf(spec: LoraSpec): Partial<LoraConfig> {
  return loraConfigOfSpec(spec);
}

/** How the stages make, load and save policies; one per run. */
export interface PolicySource {
  text: PolicyText;
  /** A new policy for a seed's SFT. */
  createSft(seed: number): Promise<TrainablePolicy>;
  /** A seed's saved SFT policy, frozen, as the KL reference of RL. */
  loadReference(sftDir: string): Promise<TrainablePolicy>;
  /** A policy starting from a saved SFT policy, with a fresh optimiser of `learningRate`. */
  startRl(sftDir: string, learningRate: number): Promise<TrainablePolicy>;
  /** What the summary says of the policy. */
  describe(): Record<string, unknown>;
}

/** The small policy's size, as the setup stage makes it (each seed's SFT adds its seed). */
export interface SmallPolicyConfig {
  vocabSize: number;
  maxLength: number;
  layers: number;
  width: number;
  heads: number;
}

/** The small character-level policy of `config`. */
export async function smallPolicySource(config: SmallPolicyConfig): Promise<PolicySource> {
  const { TransformerPolicy } = await import('@srcode/rl-core/tfjs');
  return {
    text: CHAR_TEXT,
    createSft: async (seed) => new TransformerPolicy({ ...config, seed }, { learningRate: 3e-3 }),
    loadReference: async (dir) => TransformerPolicy.load(dir),
    startRl: async (dir, learningRate) => {
      // RL starts from the SFT weights with a fresh optimiser (SFT's Adam moments belong to another objective
      // and learning rate); a resumed run takes its own optimiser state back from its checkpoint.
      const reference = await TransformerPolicy.load(dir);
      const policy = new TransformerPolicy(reference.config, { learningRate });
      policy.setWeights(await reference.getWeights());
      reference.dispose();
      return policy;
    },
    describe: () => ({ ...config }),
  };
}

/** SFT learning rate of LoRA adapters. */
const HF_SFT_LR = 2e-4;

/** A Hugging Face checkpoint opened for a run: its text side, its context, and its policies once sized. */
export interface HfModelSide {
  text: PolicyText;
  /** `max_position_embeddings`: no sequence may be longer. */
  maxPositions: number;
  /** The policies of a run with `lora` adapters and sequences up to `maxLength` tokens. */
  source(lora: LoraSpec, maxLength: number): PolicySource;
}

/**
 * A Hugging Face checkpoint: its tokenizer and end tokens, and `HfPolicy`s over it with the run's LoRA
 * settings (SFT from fresh adapters; RL and its reference from the SFT adapters saved as PEFT files).
 * Prompts are given raw (the start tokens the tokenizer adds, then the text), not in a chat format: SFT
 * teaches the answer's form.
 */
export async function openHfModel(info: ModelInfo): Promise<HfModelSide> {
  const hf = await import('@srcode/rl-core/hf');
  const config = hf.parseHfConfig(JSON.parse(readFileSync(join(info.dir, 'config.json'), 'utf8')), join(info.dir, 'config.json'));
  const text = await hf.loadHfText(info.dir, config);
  const stop = text.stopTokens[0];
  if (stop === undefined)
    throw new Error(`${info.dir}: no end-of-sequence token in config.json, generation_config.json or tokenizer_config.json`);
  const V = config.vocabSize;
  const checked = (ids: number[], what: string) => {
    const bad = ids.find((id) => id >= V);
    if (bad !== undefined)
      throw new Error(
        `${info.dir}: ${what} has token id ${bad}, past the model's vocab_size ${V} (tokenizer.json has more tokens than the embedding)`,
      );
    return ids;
  };
  const policyText: PolicyText = {
    kind: 'hf',
    promptIds: (prompt) => hf.encodePrompt(text, prompt, { raw: true }),
    targetIds: (answer) => [...checked(text.tokenizer.encode(answer), 'an answer'), stop],
    stopToken: stop,
    stopTokens: [...text.stopTokens],
    decode: (tokens) => {
      const body = tokens.length && text.stopTokens.includes(tokens.at(-1) as number) ? tokens.slice(0, -1) : [...tokens];
      const { text: decoded, offsets } = text.tokenizer.decodeWithOffsets(body);
      return { text: decoded, ids: Int32Array.from(body), offsets };
    },
  };
  const source = (lora: LoraSpec, maxLength: number): PolicySource => {
    const loraConfig = loraConfigOf(lora);
    const open = async (options: { adapter?: string; learningRate: number; seed?: number }) => {
      const { seed, ...rest } = options;
      // each seed's adapters start from their own draw of A (SFT's seed; --lora takes none), and a stage
      // that loads saved adapters takes their A from the file
      const policy = await hf.HfPolicy.load(info.dir, { maxLength, lora: { seed: seed ?? 0, ...loraConfig }, ...rest });
      policy.stopTokens = [...text.stopTokens];
      return policy;
    };
    return {
      text: policyText,
      createSft: async (seed) => open({ learningRate: HF_SFT_LR, seed }),
      loadReference: async (dir) => open({ adapter: dir, learningRate: HF_SFT_LR }),
      startRl: async (dir, learningRate) => open({ adapter: dir, learningRate }),
      describe: () => ({
        model: info.dir,
        configSha256: info.configSha256,
        modelType: config.modelType,
        vocabSize: V,
        maxLength,
        lora: { ...hf.LORA_DEFAULTS, ...loraConfig },
        adapters: 'PEFT (adapter_model.safetensors + adapter_config.json) per stage under ckpt/',
      }),
    };
  };
  return { text: policyText, maxPositions: config.maxPositions, source };
}
