/** One problem with an input, returned as data. */
export interface Issue {
  /** Stable machine code, e.g. `shape`, `type`, `missing`, `json`. */
  code: string;
  /** JSON pointer into the input (`/rewards/2`), or '' for the whole input. */
  path: string;
  message: string;
}

export type Result<T> = { ok: true; value: T } | { ok: false; issues: Issue[] };

export type RlCoreErrorCode =
  | 'shape-mismatch'
  | 'invalid-option'
  | 'invalid-checkpoint'
  | 'backend-unavailable'
  | 'invalid-input'
  | 'internal';

/** The one error class @srcode/rl-core throws for exceptional failures. */
export class RlCoreError extends Error {
  override readonly name = 'RlCoreError';
  readonly code: RlCoreErrorCode;
  constructor(code: RlCoreErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
  }
}

/** Thrown when an invariant of this package breaks: always a bug here, never bad input. */
export function bug(message: string): never {
  throw new RlCoreError('internal', `internal error (a bug in @srcode/rl-core): ${message}`);
}
