/** What went wrong, as a literal union so callers can branch on it. */
export type EvaluationErrorCode =
  | 'unknown-language'
  | 'bad-rule'
  | 'analyzer-failed'
  | 'analyzer-unavailable'
  | 'sandbox-failed'
  | 'invalid-input'
  | 'suite-data-missing';

/** The one error class this package throws for exceptional failures. */
export class EvaluationError extends Error {
  readonly code: EvaluationErrorCode;

  constructor(code: EvaluationErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'EvaluationError';
    this.code = code;
  }
}

/** An invariant broke: a bug in this package, not bad input. */
export class EvaluationInternalError extends Error {
  constructor(message: string) {
    super(`internal error in @srcode/eval (this is a bug): ${message}`);
    this.name = 'EvaluationInternalError';
  }
}
