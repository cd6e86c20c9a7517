import { RlCoreError } from './errors.js';

/**
 * What a training checkpoint needs of a policy: writing its weights and optimiser state to a folder, and
 * reading them back into itself. `TransformerPolicy` implements it.
 */
export interface Checkpointable {
  /** Writes weights, optimiser state and config to `dir` (created when missing); `meta` is kept beside them. */
  save(dir: string, meta?: Record<string, unknown>): Promise<void>;
  /** Reads a folder written by `save` back into this policy: weights, optimiser state and step count. */
  restore(dir: string): Promise<void>;
}

/** True when a policy can be saved into and restored from a checkpoint folder. */
export function isCheckpointable(policy: object): policy is Checkpointable {
  const p = policy as Partial<Checkpointable>;
  return typeof p.save === 'function' && typeof p.restore === 'function';
}

/** The trainer's own part of a checkpoint, kept in `train.json` beside the policy's files. */
export interface TrainState<Step> {
  /** The kind of stage that wrote it, so a folder is never resumed by the other kind. */
  stage: 'sft' | 'rl';
  /** Steps done. */
  step: number;
  /** Position of the trainer's random stream (`RandomStream.state`) after those steps. */
  random: number;
  /** Every step's record, in order. */
  history: Step[];
}

const STATE_FILE = 'train.json';
const FORMAT = 'srcode-rl-core/train@1';

// Loaded only when a checkpoint is written or read, so the main entry stays usable where there is no file system.
const fs = () => import('node:fs/promises');

async function exists(path: string): Promise<boolean> {
  return (await fs())
    .stat(path)
    .then(() => true)
    .catch(() => false);
}

/**
 * Writes the policy and the trainer's state as one folder, crash-safely: the new checkpoint is written
 * beside the previous one (`<dir>.partial`), which is moved to `<dir>.old` before the new one takes its
 * name, so at every moment of a crash one complete checkpoint is under `dir` or `<dir>.old`.
 */
export async function writeCheckpoint<Step>(dir: string, policy: Checkpointable, state: TrainState<Step>): Promise<void> {
  const { rename, rm, writeFile } = await fs();
  const partial = `${dir}.partial`;
  const old = `${dir}.old`;
  await rm(partial, { recursive: true, force: true });
  await policy.save(partial);
  await writeFile(`${partial}/${STATE_FILE}`, `${JSON.stringify({ format: FORMAT, ...state })}\n`);
  // `.old` may hold the only complete checkpoint (a crash between the two renames of an earlier save):
  // it is dropped only once `dir` holds one, so the rename below never leaves nothing readable behind
  if (await exists(dir)) {
    await rm(old, { recursive: true, force: true });
    await rename(dir, old);
  }
  await rename(partial, dir);
  await rm(old, { recursive: true, force: true });
}

/** Removes the checkpoint under `dir` and the two names a save passes through (`<dir>.partial`, `<dir>.old`). */
export async function removeCheckpoint(dir: string): Promise<void> {
  const { rm } = await fs();
  for (const at of [dir, `${dir}.partial`, `${dir}.old`]) await rm(at, { recursive: true, force: true });
}

/** The checkpoint under `dir` (or, after a crash between two renames, `<dir>.old`), or undefined when there is none. */
export async function readCheckpoint<Step>(dir: string): Promise<{ dir: string; state: TrainState<Step> } | undefined> {
  const { readFile } = await fs();
  for (const at of [dir, `${dir}.old`]) {
    const file = `${at}/${STATE_FILE}`;
    if (!(await exists(file))) continue;
    let json: unknown;
    try {
      json = JSON.parse(await readFile(file, 'utf8'));
    } catch (cause) {
      throw new RlCoreError('invalid-checkpoint', `expected ${file} to hold JSON, found text that does not parse`, { cause });
    }
    const s = json as Partial<TrainState<Step>> & { format?: unknown };
    if (
      s.format !== FORMAT ||
      (s.stage !== 'sft' && s.stage !== 'rl') ||
      !Number.isInteger(s.step) ||
      !Number.isInteger(s.random) ||
      !Array.isArray(s.history)
    )
      throw new RlCoreError(
        'invalid-checkpoint',
        `expected ${file} in the format ${FORMAT} with stage, step, random and history, found another`,
      );
    return { dir: at, state: { stage: s.stage, step: s.step as number, random: s.random as number, history: s.history } };
  }
  return undefined;
}
