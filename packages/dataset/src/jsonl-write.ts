import { closeSync, fstatSync, fsyncSync, ftruncateSync, openSync, readSync, readdirSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { processRuns } from '../../../common/process.js';
import { DatasetError } from './errors.js';
import { assertValid } from './validate.js';
import type { SchemaName } from './types.js';

/** Options of {@link writeJsonlAtomic} and {@link JsonlAppender}. */
export interface WriteJsonlOptions {
  /**
   * Validate every record before writing it; an invalid record throws a `DatasetError`
   * (`invalid-record`) and nothing of it is written. @default none: records are not validated
   */
  schema?: SchemaName;
}

function serialise(record: unknown, schema: SchemaName | undefined): string {
  if (schema) assertValid(schema, record);
  const text = JSON.stringify(record);
  if (text === undefined) throw new DatasetError('invalid-input', 'record is not JSON-serialisable');
  return `${text}\n`;
}

/**
 * Removes the temporary files earlier writes of `file` left when their process was killed (SIGKILL,
 * Ctrl-C): those named for `file` whose process no longer runs.
 */
function sweepStaleTemps(file: string): void {
  const prefix = `.${basename(file)}.`;
  let names: string[];
  try {
    names = readdirSync(dirname(file));
  } catch {
    return;
  }
  for (const name of names) {
    if (!name.startsWith(prefix) || !name.endsWith('.tmp')) continue;
    const pid = Number(/^(\d+)\.[0-9a-z]+\.tmp$/.exec(name.slice(prefix.length))?.[1] ?? Number.NaN);
    if (!Number.isInteger(pid) || pid === process.pid || processRuns(pid)) continue;
    rmSync(join(dirname(file), name), { force: true });
  }
}

/**
 * Writes all records to `file` atomically: a temporary file in the same folder, fsync, then rename,
 * so readers see the old file or the whole new one, never a half-written one. `records` may be an
 * async iterable (an import, a reader), consumed as it is written.
 *
 * @example
 * ```ts
 * import { importPairs, samplePairsPath, writeJsonlAtomic } from '@srcode/dataset';
 *
 * const pairs = importPairs({ format: 'sven', dataset: 'sample', inputs: [samplePairsPath()] });
 * const { records, bytes } = await writeJsonlAtomic('pairs.jsonl', pairs, { schema: 'RepairPair' });
 * ```
 */
export async function writeJsonlAtomic(
  file: string,
  records: Iterable<unknown> | AsyncIterable<unknown>,
  options: WriteJsonlOptions = {},
): Promise<{
  /** Records written. */
  records: number;
  /** Bytes written. */
  bytes: number;
}> {
  sweepStaleTemps(file);
  const tmp = join(dirname(file), `.${basename(file)}.${process.pid}.${Date.now().toString(36)}.tmp`);
  const fd = openSync(tmp, 'w');
  let count = 0;
  let bytes = 0;
  let buffer = '';
  try {
    for await (const record of records) {
      buffer += serialise(record, options.schema);
      count++;
      if (buffer.length >= 1 << 20) {
        bytes += writeSync(fd, buffer);
        buffer = '';
      }
    }
    if (buffer) bytes += writeSync(fd, buffer);
    fsyncSync(fd);
    closeSync(fd);
    renameSync(tmp, file);
  } catch (e) {
    try {
      closeSync(fd);
    } catch {}
    rmSync(tmp, { force: true });
    throw e;
  }
  return { records: count, bytes };
}

/**
 * An append-only JSONL writer for long, resumable jobs. Each record goes out in one write call of a
 * whole line. On open, a torn last line left by a crash (no trailing newline) is cut off, so it can
 * neither be accepted by a reader nor glue itself to the next record; `tornBytes` reports it.
 */
export class JsonlAppender {
  /** Bytes of a torn last line cut on open (0 when the file ended cleanly). */
  readonly tornBytes: number;
  private fd: number | undefined;
  private pending = 0;

  /** Opens (or creates) `file` for appending and cuts a torn last line. */
  constructor(
    /** The file appended to. */
    readonly file: string,
    private readonly options: WriteJsonlOptions & {
      /** fsync after this many records (and on close). @default 1 */
      syncEvery?: number;
    } = {},
  ) {
    this.fd = openSync(file, 'a+');
    this.tornBytes = cutTornTail(this.fd);
  }

  /** Writes one record as one line (validated first when a schema is set); throws `io` once closed. */
  append(record: unknown): void {
    if (this.fd === undefined) throw new DatasetError('io', `append to closed writer (${this.file})`);
    writeSync(this.fd, serialise(record, this.options.schema));
    if (++this.pending >= (this.options.syncEvery ?? 1)) this.flush();
  }

  /** Fsyncs the records appended since the last sync. */
  flush(): void {
    if (this.fd !== undefined && this.pending) {
      fsyncSync(this.fd);
      this.pending = 0;
    }
  }

  /** Flushes and closes the file; closing twice is harmless. */
  close(): void {
    if (this.fd === undefined) return;
    this.flush();
    closeSync(this.fd);
    this.fd = undefined;
  }
}

function cutTornTail(fd: number): number {
  const size = fstatSync(fd).size;
  if (size === 0) return 0;
  const block = Buffer.alloc(64 * 1024);
  let end = size;
  while (end > 0) {
    const start = Math.max(0, end - block.length);
    const n = readSync(fd, block, 0, end - start, start);
    const at = block.subarray(0, n).lastIndexOf(0x0a);
    if (at !== -1) {
      const keep = start + at + 1;
      if (keep < size) ftruncateSync(fd, keep);
      return size - keep;
    }
    end = start;
  }
  ftruncateSync(fd, 0);
  return size;
}
