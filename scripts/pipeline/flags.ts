// The main job's command line: its flags, their checks, and the settings a run's results depend on.
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { IMPORT_FORMATS, type ImportFormat } from '@srcode/dataset';

/** The text `--help` prints, and that a bad number is answered with. */
export const USAGE = `usage: pnpm run main [-- options]

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
  --out DIR                   (default .out/main)   --fresh   start every stage over`;

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
  help: { type: 'boolean', default: false },
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

/** What the command line asks for: the usage text, a refusal with its message, or a run. */
export type ParsedFlags = { kind: 'help' } | { kind: 'invalid'; message: string } | { kind: 'run'; options: MainOptions };

/**
 * Reads the main job's arguments (those after the script name). Every number is checked here, before any
 * stage runs, finished or not. Unknown flags throw, as `node:util`'s `parseArgs` does.
 */
export function parseFlags(argv: readonly string[], cwd: string = process.cwd()): ParsedFlags {
  // `pnpm run main -- --flag` hands the script a leading `--`, which parseArgs would read as the end of options.
  const { values: flags } = parseArgs({ args: argv[0] === '--' ? argv.slice(1) : [...argv], options: FLAGS });
  if (flags.help) return { kind: 'help' };
  const numbers = {} as Record<NumberOption, number>;
  for (const [flag, option] of Object.entries(NUMBERS) as Array<[keyof typeof NUMBERS, NumberOption]>) {
    const v = Number(flags[flag]);
    if (!Number.isInteger(v) || v < 0)
      return { kind: 'invalid', message: `--${flag} must be a non-negative integer, got ${String(flags[flag])}\n\n${USAGE}` };
    numbers[option] = v;
  }
  if (numbers.width === 0 || numbers.width % 4 !== 0 || numbers.layers === 0)
    return { kind: 'invalid', message: `--width must be a positive multiple of 4 (the policy's heads) and --layers at least 1` };
  const format = flags.format as ImportFormat;
  if (!IMPORT_FORMATS.includes(format)) return { kind: 'invalid', message: `--format must be one of ${IMPORT_FORMATS.join(', ')}` };
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
