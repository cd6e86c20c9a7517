import { type ErrorCode, SrcodeError } from '../../../common/errors.js';

/** Codes of the exceptional failures @srcode/eval throws. */
export type EvaluationErrorCode = Extract<
  ErrorCode,
  'unknown-language' | 'bad-rule' | 'analyzer-failed' | 'analyzer-unavailable' | 'sandbox-failed' | 'invalid-input' | 'suite-data-missing'
>;

/** The one error class @srcode/eval throws for exceptional failures. */
export class EvaluationError extends SrcodeError<EvaluationErrorCode> {
  static override readonly brand: symbol = Symbol.for('@srcode/eval/EvaluationError');
  /** The class name, as stack traces and `String(error)` show it. */
  override readonly name = 'EvaluationError';
}
