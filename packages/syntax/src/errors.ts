import { type ErrorCode, SrcodeError } from '../../../common/errors.js';

/** Codes of the exceptional failures @srcode/syntax throws. */
export type SyntaxLayerErrorCode = Extract<ErrorCode, 'unknown-language' | 'invalid-input'>;

/**
 * The one error class @srcode/syntax throws: an unregistered language or a grammar that fails to load
 * (`unknown-language`), a query the grammar rejects (`invalid-input`). Not named `SyntaxError`, which
 * would shadow the built-in one.
 */
export class SyntaxLayerError extends SrcodeError<SyntaxLayerErrorCode> {
  static override readonly brand: symbol = Symbol.for('@srcode/syntax/SyntaxLayerError');
  /** The class name, as stack traces and `String(error)` show it. */
  override readonly name = 'SyntaxLayerError';
}
