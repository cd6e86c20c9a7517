import { type ErrorCode, SrcodeError } from '../../../common/errors.js';

export type { Issue, Result } from '../../../common/errors.js';

/** Codes of the exceptional failures @srcode/rl-core throws. */
export type RlCoreErrorCode = Extract<
  ErrorCode,
  'shape-mismatch' | 'invalid-option' | 'invalid-checkpoint' | 'backend-unavailable' | 'invalid-input' | 'internal'
>;

/**
 * The one error class @srcode/rl-core throws for exceptional failures. `instanceof` holds for errors
 * from every entry point (`@srcode/rl-core`, `/tfjs`, `/experiment`), ESM or CJS.
 */
export class RlCoreError extends SrcodeError<RlCoreErrorCode> {
  static override readonly brand: symbol = Symbol.for('@srcode/rl-core/RlCoreError');
  /** The class name, as stack traces and `String(error)` show it. */
  override readonly name = 'RlCoreError';
}

/** Thrown when an invariant of this package breaks: always a bug here, never bad input. */
export function bug(message: string): never {
  throw new RlCoreError('internal', `internal error (a bug in @srcode/rl-core): ${message}`);
}
