// Between the data stages and training: the split into training and held-out prompts, the policy's size and
// sequence length, and the backend. Cheap and derived from the records, so it runs on every run rather than
// being kept.
import type { PrimeVulPlusRecord } from '@srcode/dataset';
import { CHAR_TOKENS } from '@srcode/rl-core';
import { type BackendName, useBackend } from '@srcode/rl-core/tfjs';
import type { MainContext } from '../context.js';
import type { PolicyText } from '../policy.js';
import type { TaskForm } from '../flags.js';
import {
  type RecordSplit,
  Scorer,
  type Task,
  hunkTasksFrom,
  pairIdOf,
  promptIds,
  promptVariants,
  splitRecords,
  tasksFrom,
} from '../tasks.js';

/** The records to draw tasks from and the policy's settings. */
export interface SetupInput {
  records: readonly PrimeVulPlusRecord[];
  maxChars: number;
  maxTasks: number;
  /** Percentage of split units (projects, else commits) held out. */
  heldout: number;
  /** At most this many held-out pairs (and as many training prompts evaluated). */
  maxHeldout: number;
  /** Region tasks (the sample) or hunk tasks (real data): see `--tasks`. */
  form: TaskForm;
  /** Hunk tasks: at most this many of a language and CWE in each split. */
  perCwe: number;
  /** Prompts per held-out pair: its own and the rest under made-up names. */
  heldoutPrompts: number;
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
  /** Region or hunk tasks. */
  form: TaskForm;
  /** Tasks used: training prompts (SFT and RL) and held-out prompts (every evaluation, all variants). */
  tasks: { train: number; heldout: number };
  /** Held-out pairs the held-out prompts come from, and prompts of each. */
  heldoutPairs: number;
  promptsPerPair: number;
  /** Training prompts (their own names) evaluated beside the held-out ones. */
  trainEvaluated: number;
  /** Hunk tasks: pairs kept by the selection, per `language:CWE`, before the split and the caps. */
  selected?: Record<string, { pairs: number; projects: number }>;
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
  /** Held-out prompts: each held-out pair's prompt variants. */
  heldout: Task[];
  /** Training tasks under their own names, evaluated beside the held-out prompts (what SFT and RL fit, not generalisation). */
  trainEval: Task[];
  skipped: string[];
  split: SplitSummary;
  config: PolicyConfig;
  /** Most tokens a completion may have: the sequence length less the longest prompt. */
  maxNew: number;
  backend: string;
}

/**
 * Splits the records (so that no project is on both sides), draws the training tasks from the training
 * split only and the held-out pairs from the other, asks each held-out pair under its prompt variants, sizes
 * the policy to the longest training task, and selects the backend.
 */
export async function setupStage(ctx: MainContext, input: SetupInput): Promise<SetupOutput> {
  const scorer = new Scorer();
  const found = input.form === 'hunk' ? hunkSelection(ctx, input, scorer) : regionSelection(ctx, input, scorer);
  const { split, tasks, heldoutPairs, detectable, detectableHeldout, skipped, skippedHeldout } = found;
  const heldout = heldoutPairs.flatMap((t) => promptVariants(t, input.heldoutPrompts));
  const trainEval = tasks.slice(0, input.maxHeldout);
  if (input.hf)
    return hfSetup(ctx, input, {
      split,
      tasks,
      heldout,
      trainEval,
      detectable,
      detectableHeldout,
      skipped,
      skippedHeldout,
      selected: found.selected,
    });
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
  const summary = splitSummary(input, split, tasks, heldout, trainEval, detectable, detectableHeldout, found.selected);
  if (split.moved) ctx.log('train', `${split.moved} held-out ${split.unit}(s) moved to training: no training pair had their CWE`);
  ctx.log(
    'train',
    `${input.form} tasks split by ${split.unit}: ${tasks.length} training tasks (${split.units.train} ${split.unit}s), ${heldoutPairs.length} held-out pairs × ${input.heldoutPrompts} prompts (${split.units.heldout} ${split.unit}s); backend ${info.name}; policy ${config.layers}x${config.width}, max length ${maxLength}`,
  );
  return {
    tasks,
    heldout,
    trainEval,
    skipped: [...skipped, ...skippedHeldout.map((s) => `held-out ${s}`)],
    split: summary,
    config,
    maxNew,
    backend: info.name,
  };
}

/** The tasks of a split and why the others were left out. */
interface Selection {
  split: RecordSplit;
  tasks: Task[];
  heldoutPairs: Task[];
  detectable: Set<string>;
  detectableHeldout: Set<string>;
  skipped: string[];
  skippedHeldout: string[];
  selected?: SplitSummary['selected'];
}

/**
 * Region tasks (the sample): the split first, then the training tasks from the training split only and the
 * held-out pairs from the other (their reference regions may be of any length: only the prompt is given to
 * the policy), those the analyser can tell apart first.
 */
function regionSelection(ctx: MainContext, input: SetupInput, scorer: Scorer): Selection {
  const split = splitRecords(input.records, input.heldout / 100);
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
  const heldoutPairs = allHeldout.slice(0, input.maxHeldout);
  if (!heldoutPairs.length) throw new Error('the held-out split has no prompt the analyser can score; lower --heldout or give more pairs');
  return { split, tasks, heldoutPairs, detectable, detectableHeldout, skipped, skippedHeldout };
}

/** A language and CWE is kept only with pairs from this many projects: one can be held out and two still train. */
const MIN_PROJECTS = 3;

/**
 * Whether the scorer tells a hunk task's two answers apart, as RL and the evaluation will score completions:
 * the vulnerable hunk, spliced in, well-formed with a finding of the pair's CWE; the fixed hunk well-formed without one; and
 * the online token map of the pair scoring the vulnerable hunk below the fixed one. Empty when it does.
 */
export function separation(t: Task, scorer: Scorer): string {
  const v = scorer.score(t, t.pair.vulnerableCode);
  const f = scorer.score(t, t.pair.fixedCode);
  if (!v.wellFormed || !f.wellFormed) return 'the function does not parse with one of its own hunks spliced in';
  if (!v.insecure) return 'the analyser flags nothing in the vulnerable function';
  // a finding of another weakness would measure something else than the pair's fix
  if (!v.findings.some((x) => x.cwe === t.cwe)) return `the analyser flags nothing of ${t.cwe} in the vulnerable function`;
  if (f.insecure) return 'the analyser flags the fixed function too';
  const total = (text: string) => {
    const tokens = [...text].map((c) => c.charCodeAt(0));
    const map = scorer.rewards(t, tokens, text, true).map;
    return map ? map.rewards.reduce((a, x) => a + x, 0) : 0;
  };
  if (!(total(t.pair.vulnerableCode) < total(t.pair.fixedCode)))
    return 'the online token map does not score the vulnerable hunk below the fixed one';
  return '';
}

/** At most `perCwe` tasks of each language and CWE (in id order, which is by content hash), interleaved so that `max` cuts every group alike. */
function capPerCwe(tasks: readonly Task[], perCwe: number, max: number): Task[] {
  const groups = new Map<string, Task[]>();
  for (const t of [...tasks].sort((a, b) => (a.id < b.id ? -1 : 1))) groups.set(t.tag, [...(groups.get(t.tag) ?? []), t]);
  const lists = [...groups.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1)).map(([, ts]) => ts.slice(0, perCwe));
  const out: Task[] = [];
  for (let i = 0; out.length < max && lists.some((l) => i < l.length); i++)
    for (const l of lists) if (i < l.length && out.length < max) out.push(l[i] as Task);
  return out;
}

/**
 * Hunk tasks (real data): every record's hunk task, kept when the scorer tells its answers apart
 * ({@link separation}) and its language and CWE has kept pairs from {@link MIN_PROJECTS} projects or more;
 * then the leak-free split of the kept records (by project), and at most `perCwe` tasks of a language and
 * CWE on each side. Every task is then one whose completions can be insecure and be measured so.
 */
function hunkSelection(ctx: MainContext, input: SetupInput, scorer: Scorer): Selection {
  const { tasks: found, skipped } = hunkTasksFrom(input.records, input.maxChars);
  const kept: Task[] = [];
  for (const t of found) {
    const why = separation(t, scorer);
    if (why) skipped.push(`${t.id}: ${why}`);
    else kept.push(t);
  }
  const projectsOf = new Map<string, Set<string>>();
  for (const t of kept) projectsOf.set(t.tag, (projectsOf.get(t.tag) ?? new Set()).add(t.pair.provenance.project ?? t.id));
  const usable = kept.filter((t) => {
    const n = projectsOf.get(t.tag)?.size ?? 0;
    if (n >= MIN_PROJECTS) return true;
    skipped.push(`${t.id}: ${t.tag} has kept pairs from ${n} project(s) (at least ${MIN_PROJECTS} needed)`);
    return false;
  });
  const selected: NonNullable<SplitSummary['selected']> = {};
  for (const t of usable) {
    const key = t.tag.slice(0, -1);
    selected[key] = { pairs: (selected[key]?.pairs ?? 0) + 1, projects: projectsOf.get(t.tag)?.size ?? 0 };
  }
  const byId = new Map(usable.map((t) => [t.id, t]));
  ctx.log(
    'train',
    `hunk tasks: ${found.length} of ${input.records.length} records, ${usable.length} kept (${Object.entries(selected)
      .map(([k, v]) => `${k} ${v.pairs}`)
      .join(', ')})`,
  );
  if (!usable.length) throw new Error('no record gives a hunk task the analyser tells apart; raise --max-chars or give other pairs');
  const split = splitRecords(
    input.records.filter((r) => byId.has(r.pair.id)),
    input.heldout / 100,
  );
  const tasksOf = (rs: typeof split.train) => rs.map((r) => byId.get(r.pair.id) as Task);
  const tasks = capPerCwe(tasksOf(split.train), input.perCwe, input.maxTasks);
  const heldoutPairs = capPerCwe(tasksOf(split.heldout), input.perCwe, input.maxHeldout);
  if (!heldoutPairs.length) throw new Error('the held-out split has no hunk task; lower --heldout or give more pairs');
  const all = new Set(usable.map((t) => t.id));
  return { split, tasks, heldoutPairs, detectable: all, detectableHeldout: all, skipped, skippedHeldout: [], selected };
}

function splitSummary(
  input: SetupInput,
  split: RecordSplit,
  tasks: readonly Task[],
  heldout: readonly Task[],
  trainEval: readonly Task[],
  detectable: Set<string>,
  detectableHeldout: Set<string>,
  selected: SplitSummary['selected'],
): SplitSummary {
  return {
    form: input.form,
    unit: split.unit,
    heldoutShare: input.heldout / 100,
    records: { train: split.train.length, heldout: split.heldout.length },
    units: split.units,
    movedToTrain: split.moved,
    tasks: { train: tasks.length, heldout: heldout.length },
    heldoutPairs: new Set(heldout.map((t) => pairIdOf(t.id))).size,
    promptsPerPair: input.heldoutPrompts,
    trainEvaluated: trainEval.length,
    ...(selected ? { selected } : {}),
    detectable: {
      train: tasks.filter((t) => detectable.has(t.id)).length,
      heldout: heldout.filter((t) => detectableHeldout.has(pairIdOf(t.id))).length,
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
    trainEval: Task[];
    detectable: Set<string>;
    detectableHeldout: Set<string>;
    skipped: string[];
    skippedHeldout: string[];
    selected: SplitSummary['selected'];
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
  const kept = new Set(tasks.map((t) => t.id));
  const trainEval = found.trainEval.filter((t) => kept.has(t.id));
  const summary = splitSummary(input, found.split, tasks, heldout, trainEval, found.detectable, found.detectableHeldout, found.selected);
  ctx.log(
    'train',
    `split by ${found.split.unit}: ${tasks.length} training tasks, ${heldout.length} held-out prompts; backend ${info.name}; Hugging Face policy, max length ${maxLength} tokens`,
  );
  return {
    tasks,
    heldout,
    trainEval,
    skipped: [...skipped, ...skippedHeldout.map((s) => `held-out ${s}`)],
    split: summary,
    config: { vocabSize: 0, maxLength, layers: 0, width: 0, heads: 0 },
    maxNew,
    backend: info.name,
  };
}
