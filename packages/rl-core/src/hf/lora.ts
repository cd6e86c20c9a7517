import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { RlCoreError } from '../errors.js';
import { encodeSafetensors, type NamedTensor } from '../safetensors.js';
import { readJson } from './checkpoint.js';
import { LORA_MODULES, type LoraConfig, type LoraModule } from './lora-spec.js';
import type { HfModel } from './model.js';
import { openSafetensors } from './safetensors.js';

/** The adapter's weights file and config file, as PEFT names them. */
export const ADAPTER_FILES = {
  /** The adapters' tensors. */
  weights: 'adapter_model.safetensors',
  /** Rank, alpha, dropout and target modules. */
  config: 'adapter_config.json',
} as const;

/** PEFT's key of a module's A or B: `base_model.model.<module>.lora_A.weight`. */
export function peftKey(module: string, which: 'A' | 'B'): string {
  return `base_model.model.${module}.lora_${which}.weight`;
}

/** Transposes a [rows, cols] row-major array. */
function transpose(data: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(data.length);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[j * rows + i] = data[i * cols + j] as number;
  return out;
}

/**
 * The adapters as PEFT stores them: `lora_A.weight` [r, in] and `lora_B.weight` [out, r] per module
 * (the engine keeps both transposed). With `grads`, the same keys for gradients of the engine's layout.
 */
export async function peftTensors(model: HfModel, grads?: Map<tf.Variable, tf.Tensor>): Promise<Record<string, NamedTensor>> {
  const out: Record<string, NamedTensor> = {};
  for (const [module, ad] of model.adapters) {
    for (const [which, v] of [
      ['A', ad.a],
      ['B', ad.b],
    ] as const) {
      const t = grads ? grads.get(v) : v;
      if (!t) continue;
      const [rows, cols] = v.shape as [number, number];
      out[peftKey(module, which)] = { shape: [cols, rows], data: transpose((await t.data()) as Float32Array, rows, cols) };
    }
  }
  return out;
}

/**
 * Writes a set of files so that none is ever seen half-written: every content goes to a temporary file beside
 * its target first, and only when all of them are written are they renamed over their targets. A failure
 * before that (a full disk, a target that is a folder) removes the temporary files and leaves the old ones.
 */
export async function writeFilesAtomically(files: readonly (readonly [string, Uint8Array | string])[]): Promise<void> {
  const temps: string[] = [];
  try {
    for (const [path, data] of files) {
      if ((await stat(path).catch(() => undefined))?.isDirectory())
        throw new RlCoreError('invalid-option', `${path}: expected a file to write, found a folder`);
      const temp = `${path}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
      temps.push(temp);
      await writeFile(temp, data);
    }
  } catch (e) {
    await Promise.all(temps.map((t) => rm(t, { force: true })));
    throw e;
  }
  for (const [i, [path]] of files.entries())
    try {
      await rename(temps[i] as string, path);
    } catch (e) {
      await Promise.all(temps.slice(i).map((t) => rm(t, { force: true })));
      throw e;
    }
}

/** The two files of a PEFT LoRA adapter (see `saveAdapter`), as paths under `dir` and their contents. */
export async function adapterFiles(model: HfModel, dir: string, baseModel: string | null = null): Promise<[string, Uint8Array | string][]> {
  const cfg = model.lora;
  if (!cfg) throw new RlCoreError('invalid-option', 'expected a model with LoRA adapters to save, found none (addLora first)');
  const config = {
    peft_type: 'LORA',
    task_type: 'CAUSAL_LM',
    base_model_name_or_path: baseModel,
    r: cfg.r,
    lora_alpha: cfg.alpha,
    lora_dropout: cfg.dropout,
    target_modules: cfg.targetModules,
    bias: 'none',
    // PEFT's flag for Conv1D base layers ([in, out] weights, GPT-2); the adapters' shapes are the same either way
    fan_in_fan_out: model.config.modelType === 'gpt2',
    inference_mode: true,
    init_lora_weights: true,
    modules_to_save: null,
    layers_to_transform: null,
    layers_pattern: null,
    rank_pattern: {},
    alpha_pattern: {},
    use_rslora: false,
    use_dora: false,
    revision: null,
  };
  return [
    [join(dir, ADAPTER_FILES.weights), encodeSafetensors(await peftTensors(model), { format: 'pt' })],
    [join(dir, ADAPTER_FILES.config), `${JSON.stringify(config, null, 2)}\n`],
  ];
}

/**
 * Writes the adapters as a PEFT LoRA adapter a Python user loads with `PeftModel.from_pretrained`:
 * `adapter_model.safetensors` (F32, PEFT's key names) and `adapter_config.json`, each through a temporary
 * file, so a failed save leaves the previous adapter whole.
 */
export async function saveAdapter(model: HfModel, dir: string, baseModel: string | null = null): Promise<void> {
  const files = await adapterFiles(model, dir, baseModel);
  await mkdir(dir, { recursive: true });
  await writeFilesAtomically(files);
}

/** Reads a PEFT LoRA adapter folder's config; what this engine cannot apply exactly is refused, naming the field. */
export async function readAdapterConfig(dir: string): Promise<LoraConfig> {
  const file = join(dir, ADAPTER_FILES.config);
  const json = await readJson(file);
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    throw new RlCoreError(
      'invalid-checkpoint',
      `${file}: expected a JSON object, found ${Array.isArray(json) ? 'an array' : JSON.stringify(json)}`,
    );
  const o = json as Record<string, unknown>;
  const bad = (field: string, want: string) =>
    new RlCoreError('invalid-checkpoint', `${file}: /${field}: expected ${want}, found ${JSON.stringify(o[field])}`);
  if (o.peft_type !== 'LORA') throw bad('peft_type', '"LORA"');
  if (!(Number.isInteger(o.r) && (o.r as number) >= 1)) throw bad('r', 'a whole number from 1');
  if (!(typeof o.lora_alpha === 'number' && o.lora_alpha > 0)) throw bad('lora_alpha', 'a positive number');
  const dropout = o.lora_dropout ?? 0;
  if (!(typeof dropout === 'number' && dropout >= 0 && dropout < 1)) throw bad('lora_dropout', 'a number in [0, 1)');
  let targets = o.target_modules;
  if (typeof targets === 'string') targets = [targets];
  if (!(Array.isArray(targets) && targets.length > 0 && targets.every((t) => (LORA_MODULES as readonly unknown[]).includes(t))))
    throw bad('target_modules', `a list of ${LORA_MODULES.join(', ')}`);
  for (const f of ['use_rslora', 'use_dora']) if (o[f] === true) throw bad(f, 'false');
  for (const f of ['rank_pattern', 'alpha_pattern'])
    if (o[f] !== undefined && o[f] !== null && Object.keys(o[f] as object).length > 0) throw bad(f, 'none (one rank and alpha for all)');
  if (o.layers_to_transform !== undefined && o.layers_to_transform !== null) throw bad('layers_to_transform', 'null (every layer)');
  if (o.bias !== undefined && o.bias !== 'none') throw bad('bias', '"none"');
  return { r: o.r as number, alpha: o.lora_alpha, dropout, targetModules: targets as LoraModule[], seed: 0 };
}

/** Loads a PEFT LoRA adapter folder into `model` (replacing its adapters); every tensor is checked by key and shape. */
export async function loadAdapter(model: HfModel, dir: string): Promise<LoraConfig> {
  const cfg = await readAdapterConfig(dir);
  const file = await openSafetensors(join(dir, ADAPTER_FILES.weights));
  model.addLora(cfg);
  const expected = new Set<string>();
  for (const [module, ad] of model.adapters) {
    for (const [which, v] of [
      ['A', ad.a],
      ['B', ad.b],
    ] as const) {
      const key = peftKey(module, which);
      expected.add(key);
      const [rows, cols] = v.shape as [number, number];
      const e = file.entries.get(key);
      if (!e) throw new RlCoreError('invalid-checkpoint', `${file.path}: expected tensor ${key}, found none`);
      if (e.shape.join() !== [cols, rows].join())
        throw new RlCoreError('invalid-checkpoint', `${file.path}: tensor ${key}: expected shape [${cols},${rows}], found [${e.shape}]`);
      const t = file.read(key);
      tf.tidy(() => v.assign(tf.tensor2d(transpose(t.data, cols, rows), [rows, cols])));
    }
  }
  const extra = [...file.entries.keys()].filter((k) => !expected.has(k));
  if (extra.length)
    throw new RlCoreError(
      'invalid-checkpoint',
      `${file.path}: expected only the adapters of ${cfg.targetModules.join(', ')}, found also ${extra.slice(0, 3).join(', ')}`,
    );
  return cfg;
}
