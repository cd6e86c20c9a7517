import { createReadStream, statSync } from 'node:fs';
import { DatasetError, type Issue, formatIssue } from './errors.js';
import { QuarantineSink } from './quarantine.js';
import { validate } from './validate.js';
import type { SchemaName, SchemaTypes } from './types.js';

/** What to do with a line that is not a valid record. */
export type BadLineMode = 'fail-fast' | 'collect' | 'quarantine';

/** How far a read has come, as `onProgress` reports it. */
export interface ReadProgress {
  /** The file being read. */
  file: string;
  /** Bytes read so far. */
  bytesRead: number;
  /** The file's size when the read began. */
  totalBytes: number;
  /** Lines seen so far, blank ones included. */
  lines: number;
  /** Valid records yielded so far. */
  records: number;
  /** Lines rejected so far. */
  rejected: number;
}

/** Options of {@link readJsonl}: validation, what to do with bad lines, limits and progress. */
export interface ReadJsonlOptions<N extends SchemaName = SchemaName> {
  /** Validate each record against this schema. @default none: any JSON value is accepted */
  schema?: N;
  /**
   * `fail-fast` throws a DatasetError on the first bad line; `collect` keeps the valid records and
   * reports every issue in `reader.issues`; `quarantine` also writes each rejected line verbatim.
   * @default 'fail-fast'
   */
  mode?: BadLineMode;
  /**
   * Quarantine file (rejected lines byte for byte); reasons go to `<path>.reasons.jsonl`. Required
   * in quarantine mode, ignored in the others.
   */
  quarantinePath?: string;
  /**
   * Lines longer than this many bytes are rejected without being buffered whole, so memory stays bounded.
   * @default 64 MiB
   */
  maxLineBytes?: number;
  /** Extra checks on a schema-valid record; returned issues reject the line. @default none */
  check?: (record: N extends SchemaName ? SchemaTypes[N] : unknown) => Issue[];
  /** Called about every 1 MiB read, and once at the end. @default none */
  onProgress?: (progress: ReadProgress) => void;
}

/** One record of a JSONL file and where it stands. */
export interface JsonlRecord<T> {
  /** 1-based line number in the file. */
  line: number;
  /** The parsed (and, with a schema, validated) record. */
  value: T;
}

const NL = 0x0a;
const DEFAULT_MAX_LINE = 64 * 1024 * 1024;

/**
 * A streaming reader over a JSONL file: constant memory (one line at a time, and never more than
 * `maxLineBytes` of one line), UTF-8 with or without BOM, LF or CRLF, blank lines skipped.
 */
export class JsonlReader<T> implements AsyncIterable<JsonlRecord<T>> {
  /** Every rejected line's issues (collect and quarantine modes), in file order. */
  readonly issues: Issue[] = [];
  /** Counts so far, final once iteration ends. */
  readonly stats: {
    /** Lines seen, blank ones included. */
    lines: number;
    /** Blank lines, skipped. */
    blank: number;
    /** Valid records yielded. */
    records: number;
    /** Lines rejected. */
    rejected: number;
  } = { lines: 0, blank: 0, records: 0, rejected: 0 };
  private readonly mode: BadLineMode;
  private readonly maxLineBytes: number;
  private readonly decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

  /** Throws an `invalid-input` `DatasetError` in quarantine mode without a `quarantinePath`. */
  constructor(
    /** The file read. */
    readonly file: string,
    private readonly options: ReadJsonlOptions = {},
  ) {
    this.mode = options.mode ?? 'fail-fast';
    this.maxLineBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE;
    if (this.mode === 'quarantine' && !options.quarantinePath) {
      throw new DatasetError('invalid-input', `quarantine mode needs a quarantinePath (reading ${file})`);
    }
  }

  /** Reads the file once, line by line: each valid record with its line number. */
  async *[Symbol.asyncIterator](): AsyncIterator<JsonlRecord<T>> {
    const totalBytes = statSync(this.file).size;
    const sink = this.mode === 'quarantine' ? new QuarantineSink(this.options.quarantinePath!, this.file) : undefined;
    const parts: Buffer[] = [];
    let partBytes = 0;
    let overlong = false; // the current line passed maxLineBytes: its bytes are streamed to the sink, not kept
    let lineNo = 0;
    let bytesRead = 0;
    let nextProgress = 1 << 20;

    const progress = () =>
      this.options.onProgress?.({
        file: this.file,
        bytesRead,
        totalBytes,
        lines: lineNo,
        records: this.stats.records,
        rejected: this.stats.rejected,
      });

    try {
      for await (const chunk of createReadStream(this.file, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
        bytesRead += chunk.length;
        let from = 0;
        while (from <= chunk.length) {
          const nl = chunk.indexOf(NL, from);
          const end = nl === -1 ? chunk.length : nl;
          const piece = chunk.subarray(from, end);
          if (overlong) {
            sink?.writeRaw(piece);
          } else if (partBytes + piece.length > this.maxLineBytes) {
            overlong = true;
            if (sink) {
              for (const p of parts) sink.writeRaw(p);
              sink.writeRaw(piece);
            }
            parts.length = 0;
          } else if (nl === -1) {
            if (piece.length) parts.push(Buffer.from(piece)); // copy: kept past this chunk, which the stream may reuse
          }
          partBytes += piece.length;
          if (nl === -1) break;
          lineNo++;
          if (overlong) {
            this.rejectTooLong(partBytes, lineNo, sink);
          } else {
            // The line ends in this chunk and is handled before the chunk is left, so its last piece needs no copy.
            const raw = parts.length ? Buffer.concat([...parts, piece], partBytes) : piece;
            const rec = this.handleLine(raw, lineNo, sink);
            if (rec) yield rec;
          }
          parts.length = 0;
          partBytes = 0;
          overlong = false;
          from = nl + 1;
        }
        if (bytesRead >= nextProgress) {
          nextProgress = bytesRead + (1 << 20);
          progress();
        }
      }
      if (partBytes > 0 || overlong) {
        lineNo++;
        if (overlong) {
          this.rejectTooLong(partBytes, lineNo, sink);
        } else {
          const rec = this.handleLine(Buffer.concat(parts, partBytes), lineNo, sink);
          if (rec) yield rec;
        }
      }
      progress();
    } finally {
      sink?.close();
    }
  }

  private handleLine(raw: Buffer, lineNo: number, sink: QuarantineSink | undefined): JsonlRecord<T> | undefined {
    this.stats.lines = lineNo;
    let bytes = raw;
    if (lineNo === 1 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) bytes = bytes.subarray(3);
    if (bytes.length && bytes[bytes.length - 1] === 0x0d) bytes = bytes.subarray(0, bytes.length - 1);
    let text: string;
    try {
      text = this.decoder.decode(bytes);
    } catch {
      return this.reject({ code: 'encoding', path: '', message: 'line is not valid UTF-8', line: lineNo, file: this.file }, sink, raw);
    }
    if (text.trim() === '') {
      this.stats.blank++;
      return undefined;
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (e) {
      const message = `broken JSON: ${(e as Error).message}`;
      return this.reject({ code: 'json', path: '', message, line: lineNo, file: this.file }, sink, raw);
    }
    const issues = this.check(value);
    if (issues.length) {
      return this.reject(
        issues.map((i) => ({ ...i, line: lineNo, file: this.file })),
        sink,
        raw,
      );
    }
    this.stats.records++;
    return { line: lineNo, value: value as T };
  }

  private rejectTooLong(bytes: number, lineNo: number, sink: QuarantineSink | undefined): undefined {
    this.stats.lines = lineNo;
    const message = `line of ${bytes} bytes exceeds the limit of ${this.maxLineBytes} bytes`;
    return this.reject({ code: 'too-long', path: '', message, line: lineNo, file: this.file }, sink, undefined);
  }

  private check(value: unknown): Issue[] {
    const { schema, check } = this.options;
    if (schema) {
      const r = validate(schema, value);
      if (!r.ok) return r.issues;
    }
    return check ? check(value as never) : [];
  }

  private reject(issue: Issue | Issue[], sink: QuarantineSink | undefined, raw: Buffer | undefined): undefined {
    const issues = Array.isArray(issue) ? issue : [issue];
    this.stats.rejected++;
    if (this.mode === 'fail-fast') {
      throw new DatasetError('invalid-record', issues.map(formatIssue).join('\n'), { issues });
    }
    this.issues.push(...issues);
    if (sink) {
      if (raw) sink.writeLine(raw);
      else sink.endRaw();
      sink.writeReasons(issues);
    }
    return undefined;
  }
}

/**
 * Streams the records of a JSONL file, validated against `schema`; see {@link JsonlReader}. In the
 * default `fail-fast` mode a bad line throws a `DatasetError` (`invalid-record`) naming
 * `file:line: path: message`.
 *
 * @example
 * ```ts
 * import { importPairs, readJsonl, samplePairsPath, writeJsonlAtomic } from '@srcode/dataset';
 *
 * await writeJsonlAtomic('pairs.jsonl', importPairs({ format: 'sven', dataset: 'sample', inputs: [samplePairsPath()] }));
 * const reader = readJsonl('pairs.jsonl', { schema: 'RepairPair', mode: 'collect' });
 * for await (const { line, value: pair } of reader) console.log(line, pair.id, pair.cwes);
 * console.log(reader.stats.rejected, 'lines rejected:', reader.issues);
 * ```
 */
export function readJsonl<N extends SchemaName>(file: string, options: ReadJsonlOptions<N> & { schema: N }): JsonlReader<SchemaTypes[N]>;
/** Streams the JSON values of a JSONL file, unvalidated unless `schema` is given; typed as `T`. */
export function readJsonl<T = unknown>(file: string, options?: ReadJsonlOptions): JsonlReader<T>;
export function readJsonl(file: string, options: ReadJsonlOptions = {}): JsonlReader<unknown> {
  return new JsonlReader(file, options);
}

/** Reads a whole (small) file into memory: the valid records and every issue (mode `collect` by default). */
export async function readJsonlAll<N extends SchemaName>(
  file: string,
  options: Omit<ReadJsonlOptions<N>, 'mode'> & { schema: N; mode?: 'collect' | 'quarantine' },
): Promise<{
  /** The valid records, in file order. */
  records: SchemaTypes[N][];
  /** The issues of every rejected line, with file and line. */
  issues: Issue[];
}> {
  const reader = readJsonl(file, { mode: 'collect', ...options });
  const records: SchemaTypes[N][] = [];
  for await (const r of reader) records.push(r.value);
  return { records, issues: reader.issues };
}
