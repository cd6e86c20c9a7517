import { type ErrorCode, SrcodeError, type SrcodeErrorOptions } from '../../../common/errors.js';

/** Codes of the exceptional failures @srcode/reflect throws. */
export type ReflectErrorCode = Extract<
  ErrorCode,
  | 'http'
  | 'timeout'
  | 'network'
  | 'bad-response'
  | 'invalid-output'
  | 'missing-api-key'
  | 'invalid-option'
  | 'invalid-input'
  | 'unknown-language'
  | 'io'
>;

/** The one error class @srcode/reflect throws for exceptional failures. */
export class ReflectError extends SrcodeError<ReflectErrorCode> {
  static override readonly brand: symbol = Symbol.for('@srcode/reflect/ReflectError');
  /** The class name, as stack traces and `String(error)` show it. */
  override readonly name = 'ReflectError';
  /** HTTP status, when the failure came from a response. */
  readonly status: number | undefined;
  constructor(code: ReflectErrorCode, message: string, options: SrcodeErrorOptions & { status?: number } = {}) {
    super(code, message, options);
    this.status = options.status;
  }
}
