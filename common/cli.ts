// The one command-line convention of every @srcode bin, compiled into each package's CLI as
// common/errors.ts is: help, version, unknown commands and options, errors and exit codes behave the same
// in all of them.
import { mkdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { isSrcodeError } from './errors.js';

/** One subcommand of a bin. */
export interface Command {
  /** One line for the bin's command list. */
  summary: string;
  /** The command's own usage: its arguments and options, printed by `<bin> <command> --help`. */
  usage: string;
  /** Runs the command on the arguments after its name; resolves to the exit code. */
  run(argv: string[]): Promise<number>;
}

/** A bin: its name, version, description and commands. */
export interface CliSpec {
  /** The bin's name, e.g. `srcode-dataset`: every message starts with it. */
  bin: string;
  /** The package version `--version` prints. */
  version: string;
  /** What the bin does, in a line or two, printed at the head of its help. */
  about: string;
  commands: Readonly<Record<string, Command>>;
  /** Printed at the end of the bin's help (where output goes, data locations). */
  footer?: string;
}

/** Exit code of a run that failed on its input or arguments (what the user can fix). */
export const EXIT_USAGE = 2;
/** Exit code of a run that failed otherwise (a tool, the network, a bug). */
export const EXIT_FAILURE = 1;

// Codes of failures the user fixes by changing the input or the arguments: they exit EXIT_USAGE.
const INPUT_CODES = new Set([
  'invalid-input',
  'invalid-option',
  'invalid-record',
  'invalid-checkpoint',
  'invalid-offsets',
  'invalid-text',
  'shape-mismatch',
  'unknown-language',
  'unknown-schema',
  'unknown-format',
  'too-large',
  'missing-api-key',
  'suite-data-missing',
]);

// Node's own errors for a path the user named (a missing file, a folder where a file belongs).
const PATH_ERRORS = new Set(['ENOENT', 'EISDIR', 'ENOTDIR', 'EACCES', 'EPERM', 'EEXIST']);

/** The version field of the package.json beside a bin's `dist/` (or `src/`) folder. */
export function packageVersion(moduleUrl: string): string {
  try {
    return (createRequire(moduleUrl)('../package.json') as { version?: string }).version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/** Control characters (terminal escapes among them) made visible, so a message cannot drive the terminal. */
export function escapeControl(text: string): string {
  return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** A node error about a path the user named, in the `cause` chain of `error` (an `io` error that could not read an input, say). */
function pathCause(error: unknown): unknown {
  for (let e = (error as { cause?: unknown } | null)?.cause, depth = 0; e && depth < 8; e = (e as { cause?: unknown }).cause, depth++) {
    const { code, path } = e as { code?: unknown; path?: unknown };
    if (typeof code === 'string' && PATH_ERRORS.has(code) && typeof path === 'string') return e;
  }
  return undefined;
}

/** The message and exit code of anything a command threw. */
export function describeFailure(error: unknown): { message: string; exitCode: number; hint: boolean } {
  const e = error as { code?: unknown; message?: unknown; path?: unknown; syscall?: unknown } | null;
  const code = typeof e?.code === 'string' ? e.code : undefined;
  const message = error instanceof Error ? error.message : String(error);
  // node's own argument errors can span lines; a usage error is one line
  if (code?.startsWith('ERR_PARSE_ARGS')) return { message: message.replace(/\s*\n\s*/g, ' '), exitCode: EXIT_USAGE, hint: true };
  if (isSrcodeError(error)) {
    const input = INPUT_CODES.has(code ?? '') || pathCause(error) !== undefined;
    return { message, exitCode: input ? EXIT_USAGE : EXIT_FAILURE, hint: false };
  }
  if (code && PATH_ERRORS.has(code) && typeof e?.path === 'string') {
    const what = {
      ENOENT: 'no such file or folder',
      EISDIR: 'is a folder, expected a file',
      ENOTDIR: 'a part of the path is not a folder',
    }[code as 'ENOENT'];
    return { message: `${e.path}: ${what ?? message}`, exitCode: EXIT_USAGE, hint: false };
  }
  return { message, exitCode: EXIT_FAILURE, hint: false };
}

/** An error naming `path`, of the kind node gives (`code` and `path` set), for `describeFailure` to word. */
function pathError(code: 'EISDIR', path: string): Error {
  return Object.assign(new Error(`${path}: is a folder, expected a file`), { code, path });
}

/**
 * The path of an input that must be a file: a missing one throws node's ENOENT (which names it), a folder
 * a path-named error; both exit 2 through `runCli`.
 */
export function inputFile(path: string): string {
  if (statSync(path).isDirectory()) throw pathError('EISDIR', path);
  return path;
}

/** The path of an output file: a folder there is refused, and the folder it goes into is created. */
export function outputFile(path: string): string {
  if (statSync(path, { throwIfNoEntry: false })?.isDirectory()) throw pathError('EISDIR', path);
  mkdirSync(dirname(path), { recursive: true });
  return path;
}

/** The bin's help: what it does, its commands with their summaries, and the footer. */
function helpText(spec: CliSpec): string {
  const names = Object.keys(spec.commands);
  const width = Math.max(...names.map((n) => n.length));
  const list = names.map((n) => `  ${n.padEnd(width)}  ${spec.commands[n]?.summary ?? ''}`).join('\n');
  return [
    `usage: ${spec.bin} <command> [options]`,
    '',
    spec.about,
    '',
    'commands:',
    list,
    '',
    `${spec.bin} <command> --help shows a command's options; ${spec.bin} --version its version.`,
    ...(spec.footer ? ['', spec.footer] : []),
  ].join('\n');
}

function commandHelp(spec: CliSpec, name: string, command: Command): string {
  return `usage: ${spec.bin} ${name} ${command.usage.trimStart()}`.trimEnd();
}

const isHelp = (arg: string | undefined) => arg === '--help' || arg === '-h';

/** Output streams of a run (the process's own, unless a test gives others). */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
}

const processIo: CliIo = {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${escapeControl(text)}\n`),
};

/**
 * Runs a bin on its arguments by the shared convention: `--help`, `-h`, `help [command]` and
 * `<command> --help` print help on stdout (exit 0); `--version` prints the version; no command, an
 * unknown command or a bad option prints one line and a hint on stderr (exit 2); a failure prints
 * `<bin>: message` (exit 2 when the input or arguments are at fault, naming the path where there is one,
 * else 1), with control characters escaped.
 */
export async function runCli(spec: CliSpec, argv: readonly string[], io: CliIo = processIo): Promise<number> {
  const [first, ...rest] = argv;
  if (isHelp(first) || (first === 'help' && !spec.commands.help)) {
    const topic = first === 'help' ? rest[0] : undefined;
    const command = topic === undefined ? undefined : spec.commands[topic];
    if (topic !== undefined && !command) return unknown(spec, topic, io);
    io.out(command && topic ? commandHelp(spec, topic, command) : helpText(spec));
    return 0;
  }
  if (first === '--version' || first === '-V') {
    io.out(spec.version);
    return 0;
  }
  if (first === undefined) {
    io.err(`${spec.bin}: expected a command (one of ${Object.keys(spec.commands).join(', ')}); see '${spec.bin} --help'`);
    return EXIT_USAGE;
  }
  const command = Object.hasOwn(spec.commands, first) ? spec.commands[first] : undefined;
  if (!command) return unknown(spec, first, io);
  if (rest.some(isHelp)) {
    io.out(commandHelp(spec, first, command));
    return 0;
  }
  try {
    return await command.run(rest);
  } catch (error) {
    const failure = describeFailure(error);
    const hint = failure.hint ? ` (see '${spec.bin} ${first} --help')` : '';
    io.err(`${spec.bin} ${first}: ${failure.message}${hint}`);
    return failure.exitCode;
  }
}

function unknown(spec: CliSpec, name: string, io: CliIo): number {
  io.err(`${spec.bin}: unknown command '${name}' (commands: ${Object.keys(spec.commands).join(', ')}; see '${spec.bin} --help')`);
  return EXIT_USAGE;
}

/** Runs a bin on `process.argv` and sets the exit code (`exit`, when set, ends the process once stdout drains). */
export function main(spec: CliSpec, options: { exit?: boolean } = {}): void {
  runCli(spec, process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
      if (options.exit) process.stdout.write('', () => process.exit(code));
    },
    (error: unknown) => {
      process.stderr.write(`${spec.bin}: internal error (a bug): ${escapeControl(String(error))}\n`);
      process.exitCode = EXIT_FAILURE;
    },
  );
}
