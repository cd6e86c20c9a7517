// Imports nothing from TensorFlow.js: the CLI reads it before deciding which engine to load.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** True when `dir` holds a Hugging Face checkpoint: a config.json with a `model_type` (this package's own checkpoints have none). */
export function isHfCheckpoint(dir: string): boolean {
  try {
    const c = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as { model_type?: unknown };
    return typeof c.model_type === 'string';
  } catch {
    return false;
  }
}
