// The main job's command line: its flags, their checks, and the settings a run's results depend on.
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { IMPORT_FORMATS, type ImportFormat } from '@srcode/dataset';
import { LORA_MODULES, type LoraModule, readLoraSpec } from '@srcode/rl-core/lora-spec';
import { RL_CONDITIONS, RL_CONDITION_NAMES, type RlConditionName } from './conditions.js';
import { REWARDS } from './tasks.js';

/** The pointer to the usage that ends every refusal of a command line. */
export const HINT = "(see 'pnpm run main -- --help')";

/** The text `--help` prints. */
export const USAGE = `usage: pnpm run main [-- options]

The whole pipeline as one experiment: import, reflect, PrimeVul+ records, token reward maps, a split by
project into training and held-out prompts, then for every seed SFT of a small policy (once) and from it
each RL condition (PPO and GRPO, instance reward only or token + instance rewards), every policy evaluated
on the held-out prompts; report with means and 95% intervals over seeds. Finished stages are kept under
--out and skipped on a rerun.

inputs (default: the embedded sample pairs)
  --pairs FILE|DIR ...        repair pairs to import (repeatable)
  --format F                  ${IMPORT_FORMATS.join('|')} (default sven)
reflection and prompts (default: the offline heuristic judge and template writer)
  --endpoint URL --judge-model NAME [--api-key-env VAR]   an OpenAI-compatible chat endpoint and its model
reward maps
  --tokenizer FILE            a Hugging Face tokenizer.json (default: bytes)
tasks and evaluation
  --tasks region|hunk         region: the prompt is the language, CWE and function name, the answer each side's
                              changed region; hunk: the prompt also gives the code before the changed hunk, the
                              answer is the hunk, scored spliced back into the function, and only pairs the
                              analyser tells apart are kept (default: hunk with --pairs, region for the sample)
  --per-cwe N                 hunk tasks: at most N tasks of a language and CWE in each split (default 12)
  --max-chars N --max-tasks N training tasks: changed regions up to N characters, at most N tasks (default 96, 16)
  --heldout PCT               share of projects (commits when there is one project) held out (default 34)
  --max-heldout N             at most N held-out pairs (default 16); as many training prompts are evaluated too
  --heldout-prompts N         prompts per held-out pair: its own and N-1 under made-up names (default 4)
  --samples N                 evaluation samples per prompt (default 48; a quarter of them every --eval-every steps)
  --eval-every N              held-out evaluation every N RL steps, for the steps-to-target figure (default 2)
policy and training (default: a small character-level policy trained from scratch)
  --model DIR                 a Hugging Face checkpoint (config.json + safetensors + tokenizer.json) instead:
                              LoRA adapters are trained (SFT, then RL) and evaluated; --width/--layers unused
  --lora r=N,alpha=X[,dropout=X][,targets=q_proj+v_proj]   its adapters (default r=8, alpha=16 on q_proj, v_proj)
  --width N --layers N        policy size (default 48, 2)
  --sft-steps N --rl-steps N  (default 300, 16)
  --seeds N --seed N          N seeds from --seed on (default 3 from 1)
  --conditions A,B,...        RL conditions (default all: ${RL_CONDITION_NAMES.join(', ')})
  --rl-lr X --kl X            RL learning rate and KL coefficient (default 2e-4, 0.1)
  --value-warmup N            PPO conditions: before the first policy update, N steps fitting the value head
                              alone to the first rollout's returns (default off: the head starts as SFT left it)
  --value-warmup-lr X         the warm-up's learning rate (default --rl-lr)
  --malformed=X               instance reward of a completion that does not parse (default ${REWARDS.malformed})
  --backend auto|webgpu|wasm|cpu   (default auto: webgpu on a GPU, else wasm)
  --quick                     a small run for tests: 2 seeds, width 16, 1 layer, 60 SFT and 4 RL steps, 4 samples
output
  --out DIR                   (default .out/main)   --fresh   start every stage over
  --help, -h                  this text             --version the versions of the @srcode packages it runs`;

/** The packages the main job runs, in the order data flows through them. */
const PACKAGES = ['@srcode/dataset', '@srcode/syntax', '@srcode/reflect', '@srcode/token-reward', '@srcode/rl-core', '@srcode/eval'];

/** What `--version` prints: each package the main job runs and its version, one a line (the root has none). */
export function packageVersions(): string {
  const require = createRequire(import.meta.url);
  return PACKAGES.map((name) => `${name} ${(require(`${name}/package.json`) as { version: string }).version}`).join('\n');
}

const FLAGS = {
  pairs: { type: 'string', multiple: true },
  format: { type: 'string', default: 'sven' },
  endpoint: { type: 'string' },
  'judge-model': { type: 'string' },
  model: { type: 'string' },
  lora: { type: 'string' },
  'api-key-env': { type: 'string' },
  tokenizer: { type: 'string' },
  width: { type: 'string' },
  layers: { type: 'string' },
  'sft-steps': { type: 'string' },
  'rl-steps': { type: 'string' },
  samples: { type: 'string' },
  'max-chars': { type: 'string', default: '96' },
  'max-tasks': { type: 'string', default: '16' },
  heldout: { type: 'string', default: '34' },
  'max-heldout': { type: 'string', default: '16' },
  tasks: { type: 'string' },
  'per-cwe': { type: 'string' },
  'heldout-prompts': { type: 'string' },
  'eval-every': { type: 'string', default: '2' },
  backend: { type: 'string', default: 'auto' },
  seed: { type: 'string', default: '1' },
  seeds: { type: 'string' },
  conditions: { type: 'string' },
  'rl-lr': { type: 'string', default: '2e-4' },
  'value-warmup': { type: 'string' },
  'value-warmup-lr': { type: 'string' },
  kl: { type: 'string', default: '0.1' },
  malformed: { type: 'string', default: String(REWARDS.malformed) },
  quick: { type: 'boolean', default: false },
  out: { type: 'string', default: '.out/main' },
  fresh: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
  version: { type: 'boolean', default: false },
} as const;

/** The numeric flags, in the order they are checked, and the option each one sets. */
const NUMBERS = {
  width: 'width',
  layers: 'layers',
  'sft-steps': 'sftSteps',
  'rl-steps': 'rlSteps',
  samples: 'samples',
  'max-chars': 'maxChars',
  'max-tasks': 'maxTasks',
  heldout: 'heldout',
  'max-heldout': 'maxHeldout',
  'eval-every': 'evalEvery',
  seed: 'seed',
  seeds: 'seeds',
} as const;

/** The sizes a default run and a `--quick` run take when the flag is not given. */
const SIZES = {
  default: { width: '48', layers: '2', 'sft-steps': '300', 'rl-steps': '16', samples: '48', seeds: '3' },
  quick: { width: '16', layers: '1', 'sft-steps': '60', 'rl-steps': '4', samples: '4', seeds: '2' },
} as const;

type NumberOption = (typeof NUMBERS)[keyof typeof NUMBERS];

/** Everything a run of the main job is told on its command line, checked. */
export interface MainOptions extends Record<NumberOption, number> {
  /** Repair-pair inputs; undefined for the embedded sample. */
  pairs: string[] | undefined;
  format: ImportFormat;
  endpoint: string | undefined;
  /** The chat model of `--endpoint` (reflection). */
  judgeModel: string | undefined;
  /** A Hugging Face checkpoint folder to train instead of the small policy, absolute; undefined for the small policy. */
  model: string | undefined;
  /** LoRA settings of `--model`'s adapters (only the keys given; rl-core's defaults fill the others). */
  lora: LoraSpec;
  apiKeyEnv: string | undefined;
  tokenizer: string | undefined;
  /** `auto`, `webgpu`, `wasm` or `cpu`, as given (the backend loader checks it). */
  backend: string;
  /** The run's folder, absolute. */
  out: string;
  fresh: boolean;
  /** The small sizes of `--quick` for every size flag not given. */
  quick: boolean;
  /** The RL conditions to train, in the report's order. */
  conditions: RlConditionName[];
  /** RL learning rate. */
  rlLr: number;
  /** KL coefficient against the SFT policy. */
  kl: number;
  /** Instance reward of a completion that does not parse. */
  malformed: number;
  /** `--tasks` as given; undefined: hunk tasks with --pairs, region tasks for the sample ({@link taskFormOf}). */
  tasks?: TaskForm | undefined;
  /** `--per-cwe` as given; undefined: {@link DEFAULT_PER_CWE}. */
  perCwe?: number | undefined;
  /** `--heldout-prompts` as given; undefined: {@link DEFAULT_HELDOUT_PROMPTS}. */
  heldoutPrompts?: number | undefined;
  /** `--value-warmup` as given: the PPO conditions' value-only steps on their first rollout; undefined: none. */
  valueWarmup?: number | undefined;
  /** `--value-warmup-lr` as given; undefined: the warm-up runs at `rlLr`. */
  valueWarmupLr?: number | undefined;
}

/** What a task asks and answers: see `--tasks`. */
export type TaskForm = 'region' | 'hunk';
/** Hunk tasks of a language and CWE in each split: enough for several per CWE held out, few enough that SQL injection (most of SVEN) does not crowd out the others. */
export const DEFAULT_PER_CWE = 12;
/** Prompts per held-out pair (its own name and three made-up ones, as training prompts come renamed three times in four). */
export const DEFAULT_HELDOUT_PROMPTS = 4;

/** The task form a run uses: `--tasks`, else hunk tasks on real data (`--pairs`) and region tasks on the sample. */
export function taskFormOf(o: Pick<MainOptions, 'tasks' | 'pairs'>): TaskForm {
  return o.tasks ?? (o.pairs?.length ? 'hunk' : 'region');
}

/**
 * What the command line asks for: the usage text, the versions, a refusal with its message (one line
 * ending in {@link HINT}), or a run.
 */
export type ParsedFlags =
  | { kind: 'help' }
  | { kind: 'version' }
  | { kind: 'invalid'; message: string }
  | { kind: 'run'; options: MainOptions };

const invalid = (message: string): ParsedFlags => ({ kind: 'invalid', message: `${message} ${HINT}` });
const readFlags = (args: string[]) => parseArgs({ args, options: FLAGS }).values;

/**
 * Reads the main job's arguments (those after the script name). `--help` (or `-h`) anywhere wins, then
 * `--version`; unknown flags, stray arguments and every number are checked here, before any stage runs,
 * finished or not.
 */
export function parseFlags(argv: readonly string[], cwd: string = process.cwd()): ParsedFlags {
  // `pnpm run main -- --flag` hands the script a leading `--`, which parseArgs would read as the end of options.
  const args = argv[0] === '--' ? argv.slice(1) : [...argv];
  if (args.some((a) => a === '--help' || a === '-h')) return { kind: 'help' };
  let flags: ReturnType<typeof readFlags>;
  try {
    flags = readFlags(args);
  } catch (e) {
    if (String((e as { code?: unknown }).code).startsWith('ERR_PARSE_ARGS')) return invalid((e as Error).message);
    throw e;
  }
  if (flags.version) return { kind: 'version' };
  const sizes = SIZES[flags.quick ? 'quick' : 'default'];
  const numbers = {} as Record<NumberOption, number>;
  for (const [flag, option] of Object.entries(NUMBERS) as Array<[keyof typeof NUMBERS, NumberOption]>) {
    const given = flags[flag] ?? sizes[flag as keyof typeof sizes];
    const v = Number(given);
    if (!Number.isInteger(v) || v < 0 || given === '') return invalid(`--${flag} must be a non-negative integer, got ${String(given)}`);
    numbers[option] = v;
  }
  if (numbers.width === 0 || numbers.width % 4 !== 0 || numbers.layers === 0)
    return invalid(`--width must be a positive multiple of 4 (the policy's heads) and --layers at least 1`);
  if (numbers.seeds === 0) return invalid('--seeds must be at least 1');
  if (numbers.heldout === 0 || numbers.heldout >= 100)
    return invalid(`--heldout must be a percentage between 1 and 99, got ${numbers.heldout}`);
  if (numbers.evalEvery === 0) return invalid('--eval-every must be at least 1');
  const format = flags.format as ImportFormat;
  if (!IMPORT_FORMATS.includes(format)) return invalid(`--format must be one of ${IMPORT_FORMATS.join(', ')}`);
  const reals: Record<'rl-lr' | 'kl' | 'malformed', number> = { 'rl-lr': 0, kl: 0, malformed: 0 };
  for (const flag of ['rl-lr', 'kl', 'malformed'] as const) {
    const v = Number(flags[flag]);
    if (flags[flag].trim() === '' || !Number.isFinite(v)) return invalid(`--${flag} must be a number, got ${flags[flag]}`);
    reals[flag] = v;
  }
  if (!(reals['rl-lr'] > 0)) return invalid(`--rl-lr must be positive, got ${flags['rl-lr']}`);
  if (reals.kl < 0) return invalid(`--kl must be non-negative, got ${flags.kl}`);
  const conditions = flags.conditions === undefined ? [...RL_CONDITION_NAMES] : flags.conditions.split(',').map((c) => c.trim());
  const unknown = conditions.filter((c) => !(RL_CONDITION_NAMES as string[]).includes(c));
  if (unknown.length) return invalid(`--conditions: unknown condition ${unknown.join(', ')}; known: ${RL_CONDITION_NAMES.join(', ')}`);
  if (new Set(conditions).size !== conditions.length) return invalid('--conditions names a condition twice');
  if (flags.model !== undefined && flags.model.trim() === '') return invalid('--model needs a checkpoint folder');
  if (flags.lora !== undefined && flags.model === undefined) return invalid('--lora needs --model DIR');
  const lora = parseLoraSpec(flags.lora ?? '');
  if (typeof lora === 'string') return invalid(lora);
  if (flags.tasks !== undefined && flags.tasks !== 'region' && flags.tasks !== 'hunk')
    return invalid(`--tasks must be region or hunk, got ${flags.tasks}`);
  const optional: { perCwe?: number; heldoutPrompts?: number; valueWarmup?: number; valueWarmupLr?: number } = {};
  for (const [flag, key] of [
    ['per-cwe', 'perCwe'],
    ['heldout-prompts', 'heldoutPrompts'],
    ['value-warmup', 'valueWarmup'],
  ] as const) {
    const given = flags[flag];
    if (given === undefined) continue;
    const v = Number(given);
    if (!Number.isInteger(v) || v < 1 || given.trim() === '') return invalid(`--${flag} must be a positive integer, got ${given}`);
    optional[key] = v;
  }
  const warmupLr = flags['value-warmup-lr'];
  if (warmupLr !== undefined) {
    const v = Number(warmupLr);
    if (warmupLr.trim() === '' || !(Number.isFinite(v) && v > 0))
      return invalid(`--value-warmup-lr must be a positive number, got ${warmupLr}`);
    if (optional.valueWarmup === undefined) return invalid('--value-warmup-lr needs --value-warmup N');
    optional.valueWarmupLr = v;
  }
  // the warm-up fits PPO's value head: a run with no PPO condition would take the flag and do nothing with it
  if (optional.valueWarmup !== undefined && !conditions.some((c) => RL_CONDITIONS[c as RlConditionName].algo === 'ppo'))
    return invalid('--value-warmup fits the value head of the PPO conditions, and --conditions names none');
  return {
    kind: 'run',
    options: {
      pairs: flags.pairs,
      format,
      endpoint: flags.endpoint,
      judgeModel: flags['judge-model'],
      model: flags.model === undefined ? undefined : resolve(cwd, flags.model),
      lora,
      apiKeyEnv: flags['api-key-env'],
      tokenizer: flags.tokenizer,
      backend: flags.backend,
      out: resolve(cwd, flags.out),
      fresh: flags.fresh,
      quick: flags.quick,
      // the report's order, whatever the order given
      conditions: RL_CONDITION_NAMES.filter((c) => conditions.includes(c)),
      rlLr: reals['rl-lr'],
      kl: reals.kl,
      malformed: reals.malformed,
      ...numbers,
      ...(flags.tasks === undefined ? {} : { tasks: flags.tasks as TaskForm }),
      ...optional,
    },
  };
}

/**
 * The settings every stage's result depends on, in the order `settings.json` lists them: finished stages
 * and saved progress are reused only by a run with the same ones (anything else would mix two
 * configurations in one report). The API key's variable and the output folder are not among them.
 */
export function settingsOf(o: MainOptions, modelHash?: string): Record<string, unknown> {
  return {
    pairs: o.pairs ?? null,
    format: o.format,
    endpoint: o.endpoint ?? null,
    // the policy checkpoint and its config's hash (null: the small policy); the keys that only a run with
    // --model or --judge-model has are left out otherwise, so a folder of an earlier default run stays usable
    model: o.model === undefined ? null : { dir: o.model, configSha256: modelHash ?? null },
    ...(o.model === undefined ? {} : { lora: o.lora }),
    ...(o.judgeModel === undefined ? {} : { judgeModel: o.judgeModel }),
    tokenizer: o.tokenizer ?? null,
    backend: o.backend,
    width: o.width,
    layers: o.layers,
    sftSteps: o.sftSteps,
    rlSteps: o.rlSteps,
    samples: o.samples,
    maxChars: o.maxChars,
    maxTasks: o.maxTasks,
    heldout: o.heldout,
    maxHeldout: o.maxHeldout,
    evalEvery: o.evalEvery,
    seed: o.seed,
    seeds: o.seeds,
    conditions: o.conditions,
    rlLr: o.rlLr,
    kl: o.kl,
    malformed: o.malformed,
    // given only: a default run's keys stay as they were
    ...(o.tasks === undefined ? {} : { tasks: o.tasks }),
    ...(o.perCwe === undefined ? {} : { perCwe: o.perCwe }),
    ...(o.heldoutPrompts === undefined ? {} : { heldoutPrompts: o.heldoutPrompts }),
    ...(o.valueWarmup === undefined ? {} : { valueWarmup: o.valueWarmup }),
    ...(o.valueWarmupLr === undefined ? {} : { valueWarmupLr: o.valueWarmupLr }),
  };
}

/** LoRA settings as `--lora` gives them: rank, alpha, dropout and target projections. */
export interface LoraSpec {
  r?: number;
  alpha?: number;
  dropout?: number;
  /** Projections by rl-core's names (whether the checkpoint's family has them: `loraTargetProblem`). */
  targets?: LoraModule[];
}

/**
 * Reads `--lora r=8,alpha=16,dropout=0.05,targets=q_proj+v_proj` with rl-core's parser, so it takes what
 * `srcode-rl train --lora` takes (targets joined by + or listed with commas, `target_modules=` as the same
 * key; not `seed`, which is each run's own), and words a refusal the main job's way. Returns the message of
 * a refusal.
 */
export function parseLoraSpec(text: string): LoraSpec | string {
  const read = readLoraSpec(text, { keys: ['r', 'alpha', 'dropout', 'targets'] });
  if (read.ok) return read.spec;
  const p = read.problem;
  switch (p.kind) {
    case 'pair':
      return `--lora takes key=value pairs (r, alpha, dropout, targets), got ${JSON.stringify(p.part)}`;
    case 'key':
      return `--lora keys are r, alpha, dropout and targets, got ${JSON.stringify(p.key)}`;
    case 'twice':
      return `--lora gives ${p.key} twice`;
    case 'value': {
      const want = { r: 'a whole number from 1', seed: 'a whole number', alpha: 'positive', dropout: 'in [0, 1)' }[p.key];
      return `--lora ${p.key} must be ${want}, got ${p.value}`;
    }
    case 'target':
      return `--lora targets must be among ${LORA_MODULES.join(', ')}, got ${p.targets.join(', ')}`;
    case 'target-twice':
      return '--lora names a target twice';
  }
}

/** The seeds a run trains with: `--seeds` of them from `--seed` on. */
export function seedsOf(o: Pick<MainOptions, 'seed' | 'seeds'>): number[] {
  return Array.from({ length: o.seeds }, (_, i) => o.seed + i);
}
