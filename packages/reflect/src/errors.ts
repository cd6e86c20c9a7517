export type ReflectErrorCode =
  | 'http'
  | 'timeout'
  | 'network'
  | 'bad-response'
  | 'invalid-output'
  | 'missing-api-key'
  | 'invalid-option'
  | 'unknown-language'
  | 'io';

/** The one error class @srcode/reflect throws for exceptional failures. */
export class ReflectError extends Error {
  override readonly name = 'ReflectError';
  readonly code: ReflectErrorCode;
  /** HTTP status, when the failure came from a response. */
  readonly status: number | undefined;
  constructor(code: ReflectErrorCode, message: string, options: { cause?: unknown; status?: number } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.status = options.status;
  }
}

/** An invariant broke: this is a bug in @srcode/reflect, not a problem with the input. */
export class ReflectInternalError extends Error {
  override readonly name = 'ReflectInternalError';
  constructor(message: string) {
    super(`internal error (a bug in @srcode/reflect): ${message}`);
  }
}
