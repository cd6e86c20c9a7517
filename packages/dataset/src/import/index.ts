import { readdirSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { DatasetError, type Issue } from '../errors.js';
import { readJsonl, type ReadProgress } from '../jsonl-read.js';
import { validate } from '../validate.js';
import type { RepairPair } from '../types.js';
import { importCwevalDir } from './cweval.js';
import { PrimeVulPairer } from './primevul.js';
import { fromSvenRecord } from './sven.js';

/** The source data sets {@link importPairs} reads. */
export type ImportFormat = 'sven' | 'safecoder' | 'primevul' | 'cweval';
/** Every {@link ImportFormat}. */
export const IMPORT_FORMATS: readonly ImportFormat[] = ['sven', 'safecoder', 'primevul', 'cweval'];

/** What to import and from where. */
export interface ImportOptions {
  /** The source's format. */
  format: ImportFormat;
  /** Files or folders; folders are searched for `*.jsonl` (or, for CWEval, task files). */
  inputs: string[];
  /** Dataset name recorded in provenance and ids. @default the format */
  dataset?: string;
  /** Called as each JSONL input is read, with its place among the inputs. @default none */
  onProgress?: (
    progress: ReadProgress & {
      /** 0-based index of the file being read. */
      fileIndex: number;
      /** Files to read in all. */
      fileCount: number;
    },
  ) => void;
}

/** The outcome of an import, filled while its pairs are consumed. */
export interface ImportRun extends AsyncIterable<RepairPair> {
  /** Every record that was not imported, with file, line and reason. */
  readonly issues: Issue[];
  /** Counts so far, final once the pairs are consumed. */
  readonly stats: {
    /** Input files (or CWEval folders) read. */
    files: number;
    /** Source records seen. */
    records: number;
    /** Pairs yielded. */
    imported: number;
    /** Source records that gave no pair. */
    rejected: number;
  };
}

const SPLIT = /^(train|val|valid|validation|test|dev)$/;

function splitOf(file: string): string | undefined {
  return file.split(sep).find((seg) => SPLIT.test(seg));
}

function expand(inputs: string[], accept: (name: string) => boolean): string[] {
  const out: string[] = [];
  const walk = (p: string) => {
    let st: ReturnType<typeof statSync>;
    try {
      st = statSync(p);
    } catch (e) {
      throw new DatasetError('io', `cannot read input ${p}: ${(e as Error).message}`, { cause: e });
    }
    if (st.isDirectory()) for (const n of readdirSync(p).sort()) walk(join(p, n));
    else if (accept(p)) out.push(p);
  };
  for (const i of inputs) {
    if (statSync(i, { throwIfNoEntry: false })?.isFile()) out.push(i);
    else walk(i);
  }
  return out;
}

/**
 * Imports repair pairs from source data sets, streaming: each pair is validated as a `RepairPair`,
 * and records that give none are counted and kept in `issues` rather than thrown. Ids are unique
 * within one run. Throws a `DatasetError` (`io`) for an input that cannot be read.
 *
 * @example
 * ```ts
 * import { importPairs, samplePairsPath } from '@srcode/dataset';
 *
 * // a file or a folder of SVEN's JSONL (here the embedded sample: 12 pairs)
 * const run = importPairs({ format: 'sven', dataset: 'sample', inputs: [samplePairsPath()] });
 * for await (const pair of run) console.log(pair.id, pair.language, pair.cwes);
 * console.log(run.stats, run.issues.length);
 * ```
 */
export function importPairs(options: ImportOptions): ImportRun {
  const issues: Issue[] = [];
  const stats = { files: 0, records: 0, imported: 0, rejected: 0 };
  const seen = new Map<string, number>();
  const unique = (pair: RepairPair): RepairPair => {
    const n = seen.get(pair.id) ?? 0;
    seen.set(pair.id, n + 1);
    return n === 0 ? pair : { ...pair, id: `${pair.id}-${n + 1}` };
  };
  /** Counts one rejected record and keeps its issues, tagged with where it came from. */
  const reject = (bad: Issue[], file: string, line?: number) => {
    stats.rejected++;
    for (const i of bad) issues.push({ ...i, file, ...(line ? { line } : {}) });
  };
  const accept = (pair: RepairPair, file: string, line?: number): RepairPair | undefined => {
    const v = validate('RepairPair', pair);
    if (!v.ok) {
      reject(v.issues, file, line);
      return undefined;
    }
    stats.imported++;
    return unique(pair);
  };

  async function* run(): AsyncGenerator<RepairPair> {
    if (options.format === 'cweval') {
      for (const dir of options.inputs.flatMap(cwevalDirs)) {
        stats.files++;
        for (const { pair, issue } of importCwevalDir(dir)) {
          stats.records++;
          if (issue) {
            stats.rejected++;
            issues.push(issue);
          } else if (pair) {
            const ok = accept(pair, join(dir, pair.provenance.file ?? ''));
            if (ok) yield ok;
          }
        }
      }
      return;
    }
    const files = expand(options.inputs, (p) => p.endsWith('.jsonl') || p.endsWith('.json'));
    const pairer = options.format === 'primevul' ? new PrimeVulPairer() : undefined;
    for (const [fileIndex, file] of files.entries()) {
      stats.files++;
      const split = splitOf(file);
      const reader = readJsonl(file, {
        mode: 'collect',
        onProgress: options.onProgress && ((p) => options.onProgress?.({ ...p, fileIndex, fileCount: files.length })),
      });
      const shortName = relative(process.cwd(), file) || file;
      for await (const { line, value } of reader) {
        stats.records++;
        const origin = `${shortName}:${line}`;
        if (pairer) {
          const { pair, issues: bad } = pairer.add(value, origin);
          if (bad) reject(bad, file, line);
          if (pair) {
            if (split) pair.provenance.split = split;
            const ok = accept(pair, file, line);
            if (ok) yield ok;
          }
          continue;
        }
        const r = fromSvenRecord(value, { dataset: options.dataset ?? options.format, origin, ...(split ? { split } : {}) });
        if (!r.ok) {
          reject(r.issues, file, line);
          continue;
        }
        const ok = accept(r.value, file, line);
        if (ok) yield ok;
      }
      stats.records += reader.stats.rejected;
      stats.rejected += reader.stats.rejected;
      issues.push(...reader.issues);
    }
    if (pairer) {
      const left = pairer.finish();
      stats.rejected += left.length;
      issues.push(...left);
    }
  }

  const iterable = run();
  return { issues, stats, [Symbol.asyncIterator]: () => iterable };
}

/** CWEval folders: the given one if it holds task files, else its `c`/`py` (or `core/c`, `core/py`) subfolders. */
function cwevalDirs(dir: string): string[] {
  const names = readdirSync(dir);
  if (names.some((n) => /_task\.\w+$/.test(n))) return [dir];
  return names
    .sort()
    .map((n) => join(dir, n))
    .filter((p) => statSync(p).isDirectory())
    .flatMap(cwevalDirs);
}
