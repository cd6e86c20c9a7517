// Imports nothing from TensorFlow.js: the CLI reads it before deciding which engine to load.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * True when `dir` should be read as a Hugging Face checkpoint: its config.json has a `model_type`, or is
 * not one of this package's own (whose config.json always holds a `model` object and sits beside an
 * `optimizer.safetensors`). A Hugging Face config.json that is broken or lacks its `model_type` goes to the
 * Hugging Face loader, which names the problem, rather than being taken for a checkpoint of another kind.
 */
export function isHfCheckpoint(dir: string): boolean {
  let text: string;
  try {
    text = readFileSync(join(dir, 'config.json'), 'utf8');
  } catch {
    return false;
  }
  let c: unknown;
  try {
    c = JSON.parse(text);
  } catch {
    return !existsSync(join(dir, 'optimizer.safetensors'));
  }
  const o = c as { model_type?: unknown; model?: unknown } | null;
  if (typeof o?.model_type === 'string') return true;
  return !(typeof o?.model === 'object' && o.model !== null);
}
