// LoRA settings as a command line gives them (`--lora r=8,alpha=16,targets=q_proj+v_proj`) and the projections
// each architecture family has. Imports nothing from TensorFlow.js: `@srcode/rl-core/lora-spec` loads this
// module alone, so a command line can check `--lora` before any engine loads.
import { RlCoreError } from '../errors.js';
import type { HfConfig } from './config.js';

/** The projections LoRA can adapt, by their Hugging Face module names (Llama/Qwen2's seven, then GPT-2's three). */
export const LORA_MODULES = [
  'q_proj',
  'k_proj',
  'v_proj',
  'o_proj',
  'gate_proj',
  'up_proj',
  'down_proj',
  'c_attn',
  'c_proj',
  'c_fc',
] as const;

/** A projection's short name (`q_proj`, ...). */
export type LoraModule = (typeof LORA_MODULES)[number];

const LLAMA_MODULES: readonly LoraModule[] = LORA_MODULES.slice(0, 7);

/**
 * The projections of each architecture family (config.json's `model_type`), by the short names LoRA's
 * `target_modules` use: the one list the loader, the PEFT reader and every command line check against.
 */
export const LORA_FAMILY_MODULES: Readonly<Record<HfConfig['modelType'], readonly LoraModule[]>> = {
  llama: LLAMA_MODULES,
  qwen2: LLAMA_MODULES,
  gpt2: ['c_attn', 'c_proj', 'c_fc'],
};

/** The projections of a `model_type`, or undefined when it is not a family this package loads. */
export function loraModulesOfType(modelType: unknown): readonly LoraModule[] | undefined {
  return typeof modelType === 'string' && Object.hasOwn(LORA_FAMILY_MODULES, modelType)
    ? LORA_FAMILY_MODULES[modelType as HfConfig['modelType']]
    : undefined;
}

/** LoRA settings: rank, scale numerator, dropout on the adapter's input and the projections adapted. */
export interface LoraConfig {
  /** Rank. @default 8 */
  r: number;
  /** The update is scaled by alpha / r. @default 16 */
  alpha: number;
  /** Dropout on the adapter's input while training. @default 0 */
  dropout: number;
  /** Projections adapted in every layer. @default ['q_proj', 'v_proj'] */
  targetModules: LoraModule[];
  /** Seed of A's initialisation. @default 0 */
  seed: number;
}

/** The defaults of `LoraConfig`. */
export const LORA_DEFAULTS: LoraConfig = { r: 8, alpha: 16, dropout: 0, targetModules: ['q_proj', 'v_proj'], seed: 0 };

/** The keys a `--lora` spec may set (`target_modules` is read as `targets`). */
export const LORA_SPEC_KEYS = ['r', 'alpha', 'dropout', 'targets', 'seed'] as const;

/** A key of a `--lora` spec. */
export type LoraSpecKey = (typeof LORA_SPEC_KEYS)[number];

/** What a `--lora` spec sets, only the keys it gives, in the order it gives them. */
export interface LoraSpec {
  /** Rank, a whole number from 1. */
  r?: number;
  /** Scale numerator, > 0. */
  alpha?: number;
  /** In [0, 1). */
  dropout?: number;
  /** Projections, each named once. Whether the checkpoint's family has them is the loader's check. */
  targets?: LoraModule[];
  /** Seed of A's initialisation, a whole number from 0. */
  seed?: number;
}

/** Why a `--lora` spec was refused, for a command line to word in its own convention. */
export type LoraSpecProblem =
  /** A part that is not `key=value` (and not a target continuing a `targets=` list). */
  | { kind: 'pair'; part: string }
  /** A key that is not among the keys allowed. */
  | { kind: 'key'; key: string }
  /** A key given twice (`target_modules` and `targets` are one key). */
  | { kind: 'twice'; key: LoraSpecKey }
  /** A number out of its range, or not a number. */
  | { kind: 'value'; key: Exclude<LoraSpecKey, 'targets'>; value: string }
  /** Targets that are no projection of any family (every such one, in order). */
  | { kind: 'target'; targets: string[] }
  /** A target named twice. */
  | { kind: 'target-twice'; target: LoraModule };

/** `readLoraSpec`'s answer: the spec, or the first problem and rl-core's message for it. */
export type LoraSpecResult =
  | {
      /** The spec was good. */
      ok: true;
      /** What it sets. */
      spec: LoraSpec;
    }
  | {
      /** The spec was refused. */
      ok: false;
      /** Why, structured. */
      problem: LoraSpecProblem;
      /** The refusal in this package's words (`expected …, found …`). */
      message: string;
    };

/** Options of `readLoraSpec` and `parseLoraSpec`. */
export interface LoraSpecOptions {
  /** The keys this command line takes (a command that sets the seed itself leaves `seed` out). @default LORA_SPEC_KEYS */
  keys?: readonly LoraSpecKey[];
  /** The flag named in messages. @default '--lora' */
  flag?: string;
}

/** rl-core's wording of a problem. */
function messageOf(p: LoraSpecProblem, keys: readonly LoraSpecKey[], flag: string): string {
  switch (p.kind) {
    case 'pair':
      return `expected ${flag} key=value pairs (${keys.join(', ')}), found ${JSON.stringify(p.part)}`;
    case 'key':
      return `expected ${flag} keys ${keys.join(', ')}; found ${JSON.stringify(p.key)}`;
    case 'twice':
      return `expected each ${flag} key once, found ${p.key} twice`;
    case 'value': {
      const want = { r: 'to be a whole number', seed: 'to be a whole number', alpha: '> 0', dropout: 'in [0, 1)' }[p.key];
      return `expected ${flag} ${p.key} ${want}, found ${JSON.stringify(p.value)}`;
    }
    case 'target':
      return `expected ${flag} targets among ${LORA_MODULES.join('+')}, found ${p.targets.map((t) => JSON.stringify(t)).join(', ')}`;
    case 'target-twice':
      return `expected each ${flag} target once, found ${p.target} twice`;
  }
}

/** A number of a value, or NaN for a blank one (`Number('')` is 0). */
const numberOf = (value: string) => (value === '' ? Number.NaN : Number(value));

/**
 * Reads a `--lora` spec: comma-separated `key=value` pairs among r, alpha, dropout, targets (PEFT's
 * `target_modules` too) and seed, each key once; targets joined by `+` (`targets=q_proj+v_proj`) or listed
 * with commas after `targets=` (`targets=q_proj,v_proj,r=4`). A blank spec sets nothing. Every value is
 * checked; which projections a checkpoint has is checked where its family is known (`LORA_FAMILY_MODULES`).
 */
export function readLoraSpec(text: string, options: LoraSpecOptions = {}): LoraSpecResult {
  const keys = options.keys ?? LORA_SPEC_KEYS;
  const flag = options.flag ?? '--lora';
  const fail = (problem: LoraSpecProblem): LoraSpecResult => ({ ok: false, problem, message: messageOf(problem, keys, flag) });
  const spec: LoraSpec = {};
  if (!text.trim()) return { ok: true, spec };
  let targets: string[] | undefined;
  let inTargets = false;
  for (const part of text.split(',').map((p) => p.trim())) {
    if (inTargets && !part.includes('=')) {
      (targets as string[]).push(...part.split('+').map((t) => t.trim()));
      continue;
    }
    inTargets = false;
    const [given, value, ...rest] = part.split('=').map((s) => s.trim());
    if (!given || value === undefined || rest.length) return fail({ kind: 'pair', part });
    const key = given === 'target_modules' ? 'targets' : given;
    if (!(keys as readonly string[]).includes(key)) return fail({ kind: 'key', key: given });
    const k = key as LoraSpecKey;
    if (k in spec) return fail({ kind: 'twice', key: k });
    if (k === 'targets') {
      // held by the spec from here (its key where it was given); later bare parts extend it
      targets = value.split('+').map((t) => t.trim());
      spec.targets = targets as LoraModule[];
      inTargets = true;
      continue;
    }
    const n = numberOf(value);
    const ok =
      k === 'r' || k === 'seed'
        ? Number.isInteger(n) && n >= (k === 'r' ? 1 : 0)
        : k === 'alpha'
          ? Number.isFinite(n) && n > 0
          : n >= 0 && n < 1;
    if (!ok) return fail({ kind: 'value', key: k, value });
    spec[k] = n;
  }
  if (targets) {
    const unknown = targets.filter((t) => !(LORA_MODULES as readonly string[]).includes(t));
    if (unknown.length) return fail({ kind: 'target', targets: unknown });
    const twice = targets.find((t, i) => targets?.indexOf(t) !== i);
    if (twice !== undefined) return fail({ kind: 'target-twice', target: twice as LoraModule });
  }
  return { ok: true, spec };
}

/** `readLoraSpec`, throwing an `RlCoreError` (invalid-option) with the refusal's message. */
export function parseLoraSpec(text: string, options: LoraSpecOptions = {}): LoraSpec {
  const r = readLoraSpec(text, options);
  if (!r.ok) throw new RlCoreError('invalid-option', r.message);
  return r.spec;
}

/** The `LoraConfig` fields a spec sets (`targets` as `targetModules`), for `HfModel.addLora` or `HfPolicy.load`. */
export function loraConfigOfSpec(spec: LoraSpec): Partial<LoraConfig> {
  const { targets, ...rest } = spec;
  return { ...rest, ...(targets === undefined ? {} : { targetModules: targets }) };
}
