/** Codes of the exceptional failures @srcode/token-reward throws. */
export type TokenRewardErrorCode =
  | 'unknown-language'
  | 'invalid-offsets'
  | 'invalid-text'
  | 'offsets-mismatch'
  | 'too-large'
  | 'invalid-input'
  | 'tokenizer';

/** The one error class @srcode/token-reward throws for exceptional failures. */
export class TokenRewardError extends Error {
  override readonly name = 'TokenRewardError';
  readonly code: TokenRewardErrorCode;
  constructor(code: TokenRewardErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
  }
}

/** An invariant broke: a bug in this package, never a data problem. */
export function internalError(message: string): Error {
  return new Error(`@srcode/token-reward internal error (this is a bug): ${message}`);
}
