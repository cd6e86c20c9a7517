// The one error model of every @srcode package. Each package's `errors.ts` imports this file by a
// relative path, so tsup compiles a copy into each package: rl-core stays free of sibling packages and
// no extra package is published, while the `Symbol.for` brands make every copy agree on `instanceof`.

/**
 * Every code an `@srcode/*` package throws, one vocabulary: a package picks its codes from this table
 * (`Extract<ErrorCode, ...>`), so the same failure has the same code everywhere.
 */
export const ERROR_CODES = {
  /** Bad data or arguments: a file that is not JSONL, a pair with no valid record, an empty input. */
  'invalid-input': 'data or arguments do not have the expected shape or content',
  /** A bad option: an unknown flag, a value out of its range, options that contradict each other. */
  'invalid-option': 'an option or flag is unknown or out of range',
  /** A record that fails its JSON schema; the `issues` say where and why. */
  'invalid-record': 'a record does not match its schema',
  /** A training checkpoint that cannot be resumed: missing, truncated, or saved with another configuration. */
  'invalid-checkpoint': 'a checkpoint is missing, truncated or from another configuration',
  /** Token offsets that do not tile the text they claim to cover (gaps, overlaps, out of range). */
  'invalid-offsets': 'token offsets do not cover the text as required',
  /** Text that is not well-formed: a lone UTF-16 surrogate, or bytes that are not valid UTF-8. */
  'invalid-text': 'a text is not well-formed (a lone surrogate, invalid UTF-8)',
  /** Two offset sources (a tokenizer's and the caller's) that disagree about the same text. */
  'offsets-mismatch': 'offsets from two sources disagree about the same text',
  /** A model's answer that is not in the form it was asked for (off-schema JSON, a missing field). */
  'invalid-output': 'a model answered, but not in the form asked for',
  /** Arrays whose lengths do not match the declared batch or sequence shape. */
  'shape-mismatch': 'array lengths do not match the declared shape',
  /** A language (or analyser) that is not registered, or whose grammar package is not installed. */
  'unknown-language': 'no registered language (or analyser) has this name',
  /** A schema name that no registered schema has. */
  'unknown-schema': 'no schema has this name',
  /** An import format that no importer reads. */
  'unknown-format': 'no importer reads this format',
  /** An input beyond a configured limit (request body, completion count, work budget, answer size). */
  'too-large': 'an input is beyond a configured limit',
  /** A file that could not be read or written; the message names the path. */
  io: 'a file could not be read or written',
  /** An HTTP error status from a server (a model endpoint, a data source). */
  http: 'a server answered with an error status',
  /** A request or run that took longer than its time limit. */
  timeout: 'a request or run took longer than allowed',
  /** A server that could not be reached (refused, reset, unresolvable). */
  network: 'a server could not be reached',
  /** A server's answer whose body could not be read or parsed. */
  'bad-response': 'a server answered with a body that could not be read',
  /** The environment variable named for an API key is not set. */
  'missing-api-key': 'the environment variable named for an API key is not set',
  /** A tokenizer that could not be loaded (a missing or unreadable `tokenizer.json`). */
  tokenizer: 'a tokenizer could not be loaded',
  /** An analyser rule whose tree-sitter query does not compile. */
  'bad-rule': 'an analyser rule does not compile',
  /** An external analyser (bandit, flawfinder, cppcheck) that ran and failed. */
  'analyzer-failed': 'an external analyser ran and failed',
  /** An external analyser that is not installed. */
  'analyzer-unavailable': 'an external analyser is not installed',
  /** A sandbox that could not be set up to run the code under test. */
  'sandbox-failed': 'the sandbox could not run the code',
  /** A benchmark suite's data that is not where it was looked for. */
  'suite-data-missing': 'a benchmark suite is not where it was looked for',
  /** A compute backend, or one of its optional peer packages, that cannot be loaded. */
  'backend-unavailable': 'a compute backend (or its optional peer packages) cannot be loaded',
  /** A broken invariant: a bug in the package, not a problem with the input. */
  internal: 'an invariant broke: a bug in the package, not a problem with the input',
} as const;

/** A code from {@link ERROR_CODES}. */
export type ErrorCode = keyof typeof ERROR_CODES;

/** One problem with one input or record, returned as data (never thrown on its own). */
export interface Issue {
  /** Stable machine code, e.g. `schema`, `json`, `encoding`, `too-long`, `shape`. */
  code: string;
  /** JSON pointer into the input (`/changes/added/0/start`), or '' for the whole input. */
  path: string;
  /** What was expected and what was found. */
  message: string;
  /** 1-based line in the file, when the input came from a file. */
  line?: number;
  /** The file the input came from, when it came from one. */
  file?: string;
}

/** What an operation that can fail on expected data problems returns instead of throwing. */
export type Result<T> =
  | {
      /** The input was good. */
      ok: true;
      /** What the operation made of it. */
      value: T;
    }
  | {
      /** The input had problems; nothing was made. */
      ok: false;
      /** Every problem found, not only the first. */
      issues: Issue[];
    };

/** Options every `@srcode/*` error takes. */
export interface SrcodeErrorOptions {
  /** The error (or value) that caused this one; kept as the standard `cause`. */
  cause?: unknown;
  /** The problems behind the failure, when there were several. */
  issues?: Issue[];
}

const ANY_SRCODE_ERROR: unique symbol = Symbol.for('@srcode/error') as never;

/**
 * The base of every package's error class. Each subclass sets a `brand` (`Symbol.for` of its package and
 * name): `instanceof` then holds for errors made by any copy of the class (ESM, CJS, or another entry point
 * that bundles its own), and `x instanceof SrcodeError` holds for an error of any `@srcode/*` package.
 */
export class SrcodeError<Code extends ErrorCode = ErrorCode> extends Error {
  /** The `Symbol.for` key that marks instances of this class (set by every subclass). */
  static readonly brand: symbol = ANY_SRCODE_ERROR;
  /** What went wrong, from {@link ERROR_CODES}: branch on this, not on the message. */
  readonly code: Code;
  /** The problems behind the failure (empty when there is one, told by the message). */
  readonly issues: readonly Issue[];

  constructor(code: Code, message: string, options: SrcodeErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.issues = options.issues ?? [];
    // mark the instance with the brand of every class in its chain, this base included
    for (let c: unknown = new.target; typeof c === 'function' && c !== Error; c = Object.getPrototypeOf(c)) {
      if (Object.hasOwn(c, 'brand')) Object.defineProperty(this, (c as unknown as { brand: symbol }).brand, { value: true });
    }
  }

  /** Whether `value` carries this class's brand (made by any copy of the class). */
  static override [Symbol.hasInstance](this: { brand: symbol; prototype: object }, value: unknown): boolean {
    if (typeof value !== 'object' || value === null) return false;
    // `this` is the class that `instanceof` asks about: one with a brand of its own matches any copy of
    // itself; a subclass that set none (a user's) matches by its prototype chain, not by its parent's brand
    // biome-ignore lint/complexity/noThisInStatic: deliberate, see above
    if (!Object.hasOwn(this, 'brand')) return Object.prototype.isPrototypeOf.call(this.prototype, value);
    // biome-ignore lint/complexity/noThisInStatic: deliberate, see above
    return (value as Record<symbol, unknown>)[this.brand] === true;
  }
}

/** Whether `value` is an error of any `@srcode/*` package (of any copy of it). */
export function isSrcodeError(value: unknown): value is SrcodeError {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[ANY_SRCODE_ERROR] === true;
}

/** The message of anything thrown: an Error's message, or the value itself as text. */
export function messageOf(value: unknown): string {
  if (value instanceof Error) return value.message;
  if (typeof value === 'string') return value;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/**
 * Normalises anything thrown into `Class`: an instance of it (from any copy) is returned as it is; any
 * other value is wrapped with `code` (one of the class's own codes), keeping it as the `cause` and, when
 * it is an error of another `@srcode/*` package, its `issues`.
 */
export function fromUnknown<E extends SrcodeError>(
  // written out rather than named, so the API reference shows it where it is used
  Class: { new (code: E['code'], message: string, options?: SrcodeErrorOptions): E; [Symbol.hasInstance](value: unknown): boolean },
  value: unknown,
  code: E['code'],
): E {
  if (value instanceof Class) return value as E;
  const issues = isSrcodeError(value) ? [...value.issues] : undefined;
  return new Class(code, messageOf(value), { cause: value, ...(issues?.length ? { issues } : {}) });
}

/** `file:line: path: message`, the form editors and CI logs link to. */
export function formatIssue(issue: Issue): string {
  const where = issue.file ? `${issue.file}${issue.line ? `:${issue.line}` : ''}: ` : issue.line ? `line ${issue.line}: ` : '';
  const path = issue.path ? `${issue.path}: ` : '';
  return `${where}${path}${issue.message}`;
}
