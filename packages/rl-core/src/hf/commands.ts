// The CLI's commands on Hugging Face checkpoints: `cli.ts` imports this module only when one of them runs.
import * as tf from '@tensorflow/tfjs-core';
import { RlCoreError } from '../errors.js';
import { type BackendName, useBackend } from '../tfjs/backend.js';
import { HfModel } from './model.js';

/** Parsed options of a command. */
export type Args = Record<string, string | boolean | undefined>;
type Out = (line: string) => void;

const BACKENDS = ['auto', 'webgpu', 'wasm', 'cpu'] as const;

function backendOf(a: Args): BackendName | 'auto' {
  const b = typeof a.backend === 'string' ? a.backend : 'auto';
  if (!(BACKENDS as readonly string[]).includes(b))
    throw new RlCoreError('invalid-option', `expected --backend ${BACKENDS.join('|')}, found ${JSON.stringify(b)}`);
  return b as BackendName | 'auto';
}

function needModel(a: Args): string {
  if (typeof a.model !== 'string') throw new RlCoreError('invalid-option', 'expected --model DIR (a Hugging Face checkpoint folder)');
  return a.model;
}

/** `--ids 1,2,3`: whole numbers from 0, at least one. */
export function parseIds(text: string): number[] {
  const parts = text.split(',').map((s) => s.trim());
  const ids = parts.map(Number);
  const bad = parts.findIndex((s, i) => s === '' || !Number.isInteger(ids[i]) || (ids[i] as number) < 0);
  if (bad >= 0)
    throw new RlCoreError(
      'invalid-option',
      `expected --ids to be comma-separated token ids, found ${JSON.stringify(parts[bad])} at position ${bad}`,
    );
  return ids;
}

/** `srcode-rl score --model DIR --ids 1,2,3`: {"ids","logprobs"}, logprobs[i] = log p(ids[i + 1] | ids[0..i]). */
export async function scoreCommand(a: Args, out: Out): Promise<number> {
  const dir = needModel(a);
  if (typeof a.ids !== 'string') throw new RlCoreError('invalid-option', 'expected --ids 1,2,3 (token ids, comma-separated)');
  const ids = parseIds(a.ids);
  const backend = backendOf(a);
  await useBackend(backend);
  const model = await HfModel.load(dir);
  try {
    const V = model.config.vocabSize;
    const i = ids.findIndex((id) => id >= V);
    if (i >= 0)
      throw new RlCoreError('invalid-option', `expected --ids below the vocabulary size ${V} of ${dir}, found ${ids[i]} at position ${i}`);
    let logprobs: number[] = [];
    if (ids.length > 1) {
      const t = tf.tensor2d(ids, [1, ids.length], 'int32');
      const r = tf.tidy(() => model.score(t));
      logprobs = Array.from(await r.logp.data());
      tf.dispose([t, r.logp, r.entropy, r.values]);
    }
    out(JSON.stringify({ ids, logprobs }));
  } finally {
    model.dispose();
  }
  return 0;
}
