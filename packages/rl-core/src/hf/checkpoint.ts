import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { RlCoreError } from '../errors.js';
import type { NamedTensor } from '../safetensors.js';
import { type HfConfig, parseHfConfig } from './config.js';
import { openSafetensors, type SafetensorsFile } from './safetensors.js';

/** A checkpoint folder opened for loading: its architecture and a reader of its tensors by name. */
export interface HfCheckpoint {
  /** The folder. */
  dir: string;
  /** The architecture from its config.json. */
  config: HfConfig;
  /** The parsed config.json as it is (for fields this engine does not model). */
  raw: Record<string, unknown>;
  /** Names of every tensor in the checkpoint. */
  names(): string[];
  /** Reads one tensor as float32 and checks its shape; the error names the file and the tensor. */
  read(name: string, shape: readonly number[]): NamedTensor;
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/** Reads and parses a JSON file; the error names the file. */
export async function readJson(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    throw new RlCoreError('invalid-checkpoint', `${path}: expected a JSON file, found none readable`, { cause });
  }
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new RlCoreError('invalid-checkpoint', `${path}: expected JSON, found unparsable text (${(cause as Error).message})`, { cause });
  }
}

/**
 * Opens a Hugging Face checkpoint folder: `config.json` and either `model.safetensors` or the shards that
 * `model.safetensors.index.json` maps every tensor to. F32, F16 and BF16 tensors read as float32.
 */
export async function openHfCheckpoint(dir: string): Promise<HfCheckpoint> {
  const configFile = join(dir, 'config.json');
  const raw = await readJson(configFile);
  const config = parseHfConfig(raw, configFile);
  const byName = new Map<string, SafetensorsFile>();
  const single = join(dir, 'model.safetensors');
  const indexFile = join(dir, 'model.safetensors.index.json');
  if (await exists(single)) {
    const f = await openSafetensors(single);
    for (const n of f.entries.keys()) byName.set(n, f);
  } else if (await exists(indexFile)) {
    const index = (await readJson(indexFile)) as { weight_map?: unknown };
    const map = index?.weight_map;
    if (typeof map !== 'object' || map === null || Array.isArray(map))
      throw new RlCoreError(
        'invalid-checkpoint',
        `${indexFile}: /weight_map: expected an object of tensor name -> shard file, found ${JSON.stringify(map)}`,
      );
    const shards = new Map<string, SafetensorsFile>();
    for (const [name, file] of Object.entries(map)) {
      if (typeof file !== 'string' || file.includes('/') || file.includes('\\') || file.startsWith('.'))
        throw new RlCoreError(
          'invalid-checkpoint',
          `${indexFile}: /weight_map/${name}: expected a shard file name in the folder, found ${JSON.stringify(file)}`,
        );
      let shard = shards.get(file);
      if (!shard) {
        shard = await openSafetensors(join(dir, file));
        shards.set(file, shard);
      }
      if (!shard.entries.has(name))
        throw new RlCoreError('invalid-checkpoint', `${join(dir, file)}: expected tensor ${name} (as ${indexFile} says), found none`);
      byName.set(name, shard);
    }
  } else {
    throw new RlCoreError('invalid-checkpoint', `${dir}: expected model.safetensors or model.safetensors.index.json, found neither`);
  }
  return {
    dir,
    config,
    raw: raw as Record<string, unknown>,
    names: () => [...byName.keys()],
    read(name, shape) {
      const f = byName.get(name);
      if (!f)
        throw new RlCoreError('invalid-checkpoint', `${dir}: expected tensor ${name} of shape [${shape}] (from ${configFile}), found none`);
      const e = f.entries.get(name);
      if (e?.shape.join() !== shape.join())
        throw new RlCoreError(
          'invalid-checkpoint',
          `${f.path}: tensor ${name}: expected shape [${shape}] (from ${configFile}), found [${e?.shape}]`,
        );
      return f.read(name);
    },
  };
}
