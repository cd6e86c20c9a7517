// The main job's command line: its flags, their checks, and the settings a run's results depend on.
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { IMPORT_FORMATS, type ImportFormat } from '@srcode/dataset';

/** The pointer to the usage that ends every refusal of a command line. */
export const HINT = "(see 'pnpm run main -- --help')";

/** The text `--help` prints. */
export const USAGE = `usage: pnpm run main [-- options]

The whole pipeline: import, reflect, PrimeVul+ records, token reward maps, SFT and RL of a small
policy, evaluation before and after, report. Finished stages are kept under --out and skipped on a rerun.

inputs (default: the embedded sample pairs)
  --pairs FILE|DIR ...        repair pairs to import (repeatable)
  --format F                  ${IMPORT_FORMATS.join('|')} (default sven)
reflection and prompts (default: the offline heuristic judge and template writer)
  --endpoint URL --model NAME [--api-key-env VAR]   an OpenAI-compatible chat endpoint
reward maps
  --tokenizer FILE            a Hugging Face tokenizer.json (default: bytes)
policy and training
  --width N --layers N        policy size (default 48, 2)
  --sft-steps N --rl-steps N  (default 300, 24)
  --samples N                 evaluation samples per prompt (default 8)
  --max-chars N --max-tasks N policy tasks: changed regions up to N characters, at most N tasks (default 96, 16)
  --backend auto|webgpu|wasm|cpu   (default auto: webgpu on a GPU, else wasm)
  --seed N                    (default 1)
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
  model: { type: 'string' },
  'api-key-env': { type: 'string' },
  tokenizer: { type: 'string' },
  width: { type: 'string', default: '48' },
  layers: { type: 'string', default: '2' },
  'sft-steps': { type: 'string', default: '300' },
  'rl-steps': { type: 'string', default: '24' },
  samples: { type: 'string', default: '8' },
  'max-chars': { type: 'string', default: '96' },
  'max-tasks': { type: 'string', default: '16' },
  backend: { type: 'string', default: 'auto' },
  seed: { type: 'string', default: '1' },
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
  seed: 'seed',
} as const;

type NumberOption = (typeof NUMBERS)[keyof typeof NUMBERS];

/** Everything a run of the main job is told on its command line, checked. */
export interface MainOptions extends Record<NumberOption, number> {
  /** Repair-pair inputs; undefined for the embedded sample. */
  pairs: string[] | undefined;
  format: ImportFormat;
  endpoint: string | undefined;
  model: string | undefined;
  apiKeyEnv: string | undefined;
  tokenizer: string | undefined;
  /** `auto`, `webgpu`, `wasm` or `cpu`, as given (the backend loader checks it). */
  backend: string;
  /** The run's folder, absolute. */
  out: string;
  fresh: boolean;
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
  const numbers = {} as Record<NumberOption, number>;
  for (const [flag, option] of Object.entries(NUMBERS) as Array<[keyof typeof NUMBERS, NumberOption]>) {
    const v = Number(flags[flag]);
    if (!Number.isInteger(v) || v < 0) return invalid(`--${flag} must be a non-negative integer, got ${String(flags[flag])}`);
    numbers[option] = v;
  }
  if (numbers.width === 0 || numbers.width % 4 !== 0 || numbers.layers === 0)
    return invalid(`--width must be a positive multiple of 4 (the policy's heads) and --layers at least 1`);
  const format = flags.format as ImportFormat;
  if (!IMPORT_FORMATS.includes(format)) return invalid(`--format must be one of ${IMPORT_FORMATS.join(', ')}`);
  return {
    kind: 'run',
    options: {
      pairs: flags.pairs,
      format,
      endpoint: flags.endpoint,
      model: flags.model,
      apiKeyEnv: flags['api-key-env'],
      tokenizer: flags.tokenizer,
      backend: flags.backend,
      out: resolve(cwd, flags.out),
      fresh: flags.fresh,
      ...numbers,
    },
  };
}

/**
 * The settings every stage's result depends on, in the order `settings.json` lists them: finished stages
 * and saved progress are reused only by a run with the same ones (anything else would mix two
 * configurations in one report). The API key's variable and the output folder are not among them.
 */
export function settingsOf(o: MainOptions): Record<string, unknown> {
  return {
    pairs: o.pairs ?? null,
    format: o.format,
    endpoint: o.endpoint ?? null,
    model: o.model ?? null,
    tokenizer: o.tokenizer ?? null,
    backend: o.backend,
    width: o.width,
    layers: o.layers,
    sftSteps: o.sftSteps,
    rlSteps: o.rlSteps,
    samples: o.samples,
    maxChars: o.maxChars,
    maxTasks: o.maxTasks,
    seed: o.seed,
  };
}
