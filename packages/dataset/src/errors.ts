import { type ErrorCode, SrcodeError } from '../../../common/errors.js';

export type { Issue, Result, SrcodeErrorOptions } from '../../../common/errors.js';
export { formatIssue } from '../../../common/errors.js';

/** Codes of the exceptional failures @srcode/dataset throws. */
export type DatasetErrorCode = Extract<ErrorCode, 'invalid-record' | 'invalid-input' | 'io' | 'unknown-schema' | 'unknown-format'>;

/** The one error class @srcode/dataset throws for exceptional failures (`issues` lists the problems behind it). */
export class DatasetError extends SrcodeError<DatasetErrorCode> {
  static override readonly brand: symbol = Symbol.for('@srcode/dataset/DatasetError');
  /** The class name, as stack traces and `String(error)` show it. */
  override readonly name = 'DatasetError';
}
