// Between the data stages and training: the policy's tasks, its size and sequence length, and the backend.
// Cheap and derived from the records, so it runs on every run rather than being kept.
import type { PrimeVulPlusRecord } from '@srcode/dataset';
import { CHAR_TOKENS } from '@srcode/rl-core';
import { type BackendName, useBackend } from '@srcode/rl-core/tfjs';
import type { MainContext } from '../context.js';
import { type Task, promptIds, tasksFrom } from '../tasks.js';

/** The records to draw tasks from and the policy's settings. */
export interface SetupInput {
  records: readonly PrimeVulPlusRecord[];
  maxChars: number;
  maxTasks: number;
  layers: number;
  width: number;
  seed: number;
  backend: string;
}

/** The policy's config as the main job builds it (the summary lists it under `policy`). */
export interface PolicyConfig {
  vocabSize: number;
  maxLength: number;
  layers: number;
  width: number;
  heads: number;
  seed: number;
}

/** The tasks (at most `maxTasks`), those skipped with the reason, the policy's config and the backend in use. */
export interface SetupOutput {
  tasks: Task[];
  skipped: string[];
  config: PolicyConfig;
  /** Most tokens a completion may have: the sequence length less the longest prompt. */
  maxNew: number;
  backend: string;
}

/** Draws the tasks from the records, sizes the policy to the longest of them, and selects the backend. */
export async function setupStage(ctx: MainContext, input: SetupInput): Promise<SetupOutput> {
  const { tasks: allTasks, skipped } = tasksFrom(input.records, input.maxChars);
  const tasks = allTasks.slice(0, input.maxTasks);
  if (allTasks.length > tasks.length) ctx.log('train', `${allTasks.length} tasks, the first ${tasks.length} used (--max-tasks)`);
  for (const s of skipped) ctx.log('train', `task skipped: ${s}`);
  if (!tasks.length) throw new Error('no accepted record has a changed region small enough for the policy; raise --max-chars');
  const maxLength =
    Math.ceil(
      (Math.max(...tasks.map((t) => promptIds(t).length + Math.max(t.pair.fixedCode.length, t.pair.vulnerableCode.length))) + 2) / 8,
    ) * 8;
  const maxNew = maxLength - Math.max(...tasks.map((t) => promptIds(t).length));
  const config = { vocabSize: CHAR_TOKENS.vocabSize, maxLength, layers: input.layers, width: input.width, heads: 4, seed: input.seed };
  const info = await useBackend(input.backend as BackendName | 'auto');
  ctx.log('train', `backend ${info.name}; ${tasks.length} tasks; policy ${config.layers}x${config.width}, max length ${maxLength}`);
  return { tasks, skipped, config, maxNew, backend: info.name };
}
