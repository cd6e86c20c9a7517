// Between the data stages and training: the split into training and held-out prompts, the policy's size and
// sequence length, and the backend. Cheap and derived from the records, so it runs on every run rather than
// being kept.
import type { PrimeVulPlusRecord } from '@srcode/dataset';
import { CHAR_TOKENS } from '@srcode/rl-core';
import { type BackendName, useBackend } from '@srcode/rl-core/tfjs';
import type { MainContext } from '../context.js';
import type { PolicyText } from '../policy.js';
import { type RecordSplit, Scorer, type Task, promptIds, splitRecords, tasksFrom } from '../tasks.js';

/** The records to draw tasks from and the policy's settings. */
export interface SetupInput {
  records: readonly PrimeVulPlusRecord[];
  maxChars: number;
  maxTasks: number;
  /** Percentage of split units (projects, else commits) held out. */
  heldout: number;
  /** At most this many held-out prompts. */
  maxHeldout: number;
  layers: number;
  width: number;
  backend: string;
  /** A Hugging Face checkpoint's tokens and context (`--model`): tasks are sized in its tokens. */
  hf?: { text: PolicyText; maxPositions: number };
}

/** The policy's config as the main job builds it (the summary lists it under `policy`); the seed is each run's. */
export interface PolicyConfig {
  vocabSize: number;
  maxLength: number;
  layers: number;
  width: number;
  heads: number;
}

/** How the records were split, as the report and the summary state it. */
export interface SplitSummary {
  unit: RecordSplit['unit'];
  /** Share of units asked to be held out. */
  heldoutShare: number;
  records: { train: number; heldout: number };
  units: { train: number; heldout: number };
  /** Held-out units moved to training because no training pair had their CWE. */
  movedToTrain: number;
  /** Tasks used: training prompts (SFT and RL) and held-out prompts (every evaluation). */
  tasks: { train: number; heldout: number };
  /** Of those, tasks whose vulnerable answer the analyser flags and whose fixed answer it does not. */
  detectable: { train: number; heldout: number };
}

/**
 * Tasks whose insecure answer the analyser can tell from the secure one (it flags the vulnerable region and
 * not the fixed one) first, the others after, each in their order: on real data, where most changed regions
 * hold nothing an analyser sees, the tasks kept are those whose insecure samples can be measured.
 */
function detectableFirst(tasks: readonly Task[], scorer: Scorer): { tasks: Task[]; detectable: Set<string> } {
  const detectable = new Set(
    tasks.filter((t) => scorer.score(t, t.pair.vulnerableCode).insecure && !scorer.score(t, t.pair.fixedCode).insecure).map((t) => t.id),
  );
  return { tasks: [...tasks.filter((t) => detectable.has(t.id)), ...tasks.filter((t) => !detectable.has(t.id))], detectable };
}

/** The training tasks (at most `maxTasks`), the held-out ones, the policy's config and the backend in use. */
export interface SetupOutput {
  tasks: Task[];
  heldout: Task[];
  skipped: string[];
  split: SplitSummary;
  config: PolicyConfig;
  /** Most tokens a completion may have: the sequence length less the longest prompt. */
  maxNew: number;
  backend: string;
}

/**
 * Splits the records, draws the training tasks from the training split only and the held-out prompts from
 * the other (their reference regions may be of any length: only the prompt is given to the policy), sizes
 * the policy to the longest training task, and selects the backend.
 */
export async function setupStage(ctx: MainContext, input: SetupInput): Promise<SetupOutput> {
  const split = splitRecords(input.records, input.heldout / 100);
  const scorer = new Scorer();
  const { tasks: found, skipped } = tasksFrom(split.train, input.maxChars);
  const { tasks: allTasks, detectable } = detectableFirst(found, scorer);
  const tasks = allTasks.slice(0, input.maxTasks);
  if (allTasks.length > tasks.length) ctx.log('train', `${allTasks.length} training tasks, the first ${tasks.length} used (--max-tasks)`);
  for (const s of skipped) ctx.log('train', `task skipped: ${s}`);
  if (!tasks.length)
    throw new Error('no accepted record of the training split has a changed region small enough for the policy; raise --max-chars');
  const { tasks: foundHeldout, skipped: skippedHeldout } = tasksFrom(split.heldout, Number.POSITIVE_INFINITY);
  const { tasks: allHeldout, detectable: detectableHeldout } = detectableFirst(foundHeldout, scorer);
  for (const s of skippedHeldout) ctx.log('train', `held-out prompt skipped: ${s}`);
  const heldout = allHeldout.slice(0, input.maxHeldout);
  if (!heldout.length) throw new Error('the held-out split has no prompt the analyser can score; lower --heldout or give more pairs');
  if (input.hf) return hfSetup(ctx, input, { split, tasks, heldout, detectable, detectableHeldout, skipped, skippedHeldout });
  // a training prompt may come renamed, with a name of up to 12 letters
  const promptLength = (t: Task) => promptIds(t).length - t.name.length + Math.max(t.name.length, 12);
  const longestPrompt = Math.max(...heldout.map((t) => promptIds(t).length), ...tasks.map(promptLength));
  const maxLength =
    Math.ceil(
      (Math.max(
        ...tasks.map((t) => promptLength(t) + Math.max(t.pair.fixedCode.length, t.pair.vulnerableCode.length)),
        longestPrompt + 16,
      ) +
        2) /
        8,
    ) * 8;
  const maxNew = maxLength - longestPrompt;
  const config = { vocabSize: CHAR_TOKENS.vocabSize, maxLength, layers: input.layers, width: input.width, heads: 4 };
  const info = await useBackend(input.backend as BackendName | 'auto');
  const summary = splitSummary(input, split, tasks, heldout, detectable, detectableHeldout);
  if (split.moved) ctx.log('train', `${split.moved} held-out ${split.unit}(s) moved to training: no training pair had their CWE`);
  ctx.log(
    'train',
    `split by ${split.unit}: ${tasks.length} training tasks (${split.units.train} ${split.unit}s), ${heldout.length} held-out prompts (${split.units.heldout}); backend ${info.name}; policy ${config.layers}x${config.width}, max length ${maxLength}`,
  );
  return {
    tasks,
    heldout,
    skipped: [...skipped, ...skippedHeldout.map((s) => `held-out ${s}`)],
    split: summary,
    config,
    maxNew,
    backend: info.name,
  };
}

function splitSummary(
  input: SetupInput,
  split: RecordSplit,
  tasks: readonly Task[],
  heldout: readonly Task[],
  detectable: Set<string>,
  detectableHeldout: Set<string>,
): SplitSummary {
  return {
    unit: split.unit,
    heldoutShare: input.heldout / 100,
    records: { train: split.train.length, heldout: split.heldout.length },
    units: split.units,
    movedToTrain: split.moved,
    tasks: { train: tasks.length, heldout: heldout.length },
    detectable: {
      train: tasks.filter((t) => detectable.has(t.id)).length,
      heldout: heldout.filter((t) => detectableHeldout.has(t.id)).length,
    },
  };
}

/** Longest sequence a Hugging Face policy is given (its context, when shorter). */
const HF_MAX_LENGTH = 512;

/**
 * Setup for a Hugging Face checkpoint: tasks and held-out prompts measured in its own tokens, training tasks
 * whose prompt and fixed answer do not fit its context dropped (its SFT writes the fixed side only), and
 * the sequence length sized to the longest kept one.
 */
async function hfSetup(
  ctx: MainContext,
  input: SetupInput,
  found: {
    split: RecordSplit;
    tasks: Task[];
    heldout: Task[];
    detectable: Set<string>;
    detectableHeldout: Set<string>;
    skipped: string[];
    skippedHeldout: string[];
  },
): Promise<SetupOutput> {
  const { text, maxPositions } = input.hf as NonNullable<SetupInput['hf']>;
  const cap = Math.min(HF_MAX_LENGTH, maxPositions);
  const skipped = [...found.skipped];
  const skippedHeldout = [...found.skippedHeldout];
  // a training prompt may come renamed, with a name of up to 12 letters: at most one token a byte
  const prefix = text.promptIds('').length;
  const promptLength = (t: Task) =>
    Math.max(text.promptIds(t.prompt).length, prefix + Buffer.byteLength(t.tag) + 12 + Buffer.byteLength('>'));
  const lengths = new Map(found.tasks.map((t) => [t.id, promptLength(t) + text.targetIds(t.pair.fixedCode).length]));
  const tasks = found.tasks.filter((t) => {
    const n = lengths.get(t.id) as number;
    if (n <= cap) return true;
    skipped.push(`${t.id}: prompt and fixed answer take ${n} of the model's tokens (limit ${cap})`);
    return false;
  });
  const heldout = found.heldout.filter((t) => {
    const n = text.promptIds(t.prompt).length;
    if (n + 8 <= cap) return true;
    skippedHeldout.push(`${t.id}: a prompt of ${n} tokens leaves under 8 of the model's ${cap}`);
    return false;
  });
  for (const s of skipped.slice(found.skipped.length)) ctx.log('train', `task skipped: ${s}`);
  if (!tasks.length) throw new Error(`no training task fits the model's ${cap} tokens; lower --max-chars`);
  if (!heldout.length) throw new Error(`no held-out prompt fits the model's ${cap} tokens`);
  const longestPrompt = Math.max(...heldout.map((t) => text.promptIds(t.prompt).length), ...tasks.map(promptLength));
  const maxLength = Math.min(cap, Math.ceil((Math.max(...tasks.map((t) => lengths.get(t.id) as number), longestPrompt + 16) + 2) / 8) * 8);
  const maxNew = maxLength - longestPrompt;
  const info = await useBackend(input.backend as BackendName | 'auto');
  const summary = splitSummary(input, found.split, tasks, heldout, found.detectable, found.detectableHeldout);
  ctx.log(
    'train',
    `split by ${found.split.unit}: ${tasks.length} training tasks, ${heldout.length} held-out prompts; backend ${info.name}; Hugging Face policy, max length ${maxLength} tokens`,
  );
  return {
    tasks,
    heldout,
    skipped: [...skipped, ...skippedHeldout.map((s) => `held-out ${s}`)],
    split: summary,
    config: { vocabSize: 0, maxLength, layers: 0, width: 0, heads: 0 },
    maxNew,
    backend: info.name,
  };
}
