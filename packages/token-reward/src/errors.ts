import { type ErrorCode, SrcodeError } from '../../../common/errors.js';

/** Codes of the exceptional failures @srcode/token-reward throws. */
export type TokenRewardErrorCode = Extract<
  ErrorCode,
  'unknown-language' | 'invalid-offsets' | 'invalid-text' | 'offsets-mismatch' | 'too-large' | 'invalid-input' | 'tokenizer'
>;

/**
 * The one error class @srcode/token-reward throws for exceptional failures. `instanceof` holds for
 * errors from every entry point (`@srcode/token-reward`, `@srcode/token-reward/hf`), ESM or CJS.
 */
export class TokenRewardError extends SrcodeError<TokenRewardErrorCode> {
  static override readonly brand: symbol = Symbol.for('@srcode/token-reward/TokenRewardError');
  /** The class name, as stack traces and `String(error)` show it. */
  override readonly name = 'TokenRewardError';
}
