/** Codes of the exceptional failures @srcode/token-reward throws. */
export type TokenRewardErrorCode =
  | 'unknown-language'
  | 'invalid-offsets'
  | 'invalid-text'
  | 'offsets-mismatch'
  | 'too-large'
  | 'invalid-input'
  | 'tokenizer';

/** Marks instances, so `instanceof` holds across the copies of this class each entry point bundles. */
const BRAND: unique symbol = Symbol.for('@srcode/token-reward/TokenRewardError') as never;

/**
 * The one error class @srcode/token-reward throws for exceptional failures. `instanceof` holds for
 * errors from every entry point (`@srcode/token-reward`, `@srcode/token-reward/hf`), CJS or ESM.
 */
export class TokenRewardError extends Error {
  override readonly name = 'TokenRewardError';
  readonly code: TokenRewardErrorCode;
  constructor(code: TokenRewardErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    Object.defineProperty(this, BRAND, { value: true });
  }

  // the class is not meant to be subclassed: the brand alone decides
  static override [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === 'object' && value !== null && (value as { [BRAND]?: unknown })[BRAND] === true;
  }
}
