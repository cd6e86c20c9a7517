/** One problem with one record, returned as data. */
export interface Issue {
  /** Stable machine code, e.g. `schema`, `json`, `encoding`, `too-long`. */
  code: string;
  /** JSON pointer into the record (`/changes/added/0/start`), or '' for the whole line. */
  path: string;
  message: string;
  /** 1-based line in the file, when the record came from a file. */
  line?: number;
  file?: string;
}

export type Result<T> = { ok: true; value: T } | { ok: false; issues: Issue[] };

export type DatasetErrorCode = 'invalid-record' | 'invalid-input' | 'io' | 'unknown-schema' | 'unknown-format';

/** The one error class @srcode/dataset throws for exceptional failures. */
export class DatasetError extends Error {
  override readonly name = 'DatasetError';
  readonly code: DatasetErrorCode;
  readonly issues: Issue[];
  constructor(code: DatasetErrorCode, message: string, options: { cause?: unknown; issues?: Issue[] } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.issues = options.issues ?? [];
  }
}

/** `file:line: path: message`, the form editors and CI logs link to. */
export function formatIssue(issue: Issue): string {
  const where = issue.file ? `${issue.file}${issue.line ? `:${issue.line}` : ''}: ` : issue.line ? `line ${issue.line}: ` : '';
  const path = issue.path ? `${issue.path}: ` : '';
  return `${where}${path}${issue.message}`;
}
