import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Finding, Language, Severity } from '@srcode/dataset';
import { type Analyzer, lineRange, sortFindings } from './analyzer.js';
import { EvaluationError } from './errors.js';

/** How a tool counts columns: UTF-16 units (as JavaScript strings do), Unicode code points, or UTF-8 bytes. */
export type ColumnUnit = 'utf16' | 'codepoint' | 'utf8';

/** A finding as a tool reports it: a file it was given, a 1-based line, maybe columns. */
export interface RawToolFinding {
  /** The file name the tool reports (matched to the inputs by base name). */
  file: string;
  /** 1-based first line. */
  line: number;
  /** 1-based last line, when the tool gives one. */
  endLine?: number;
  /** 1-based column of the first character on `line`, when the tool gives one (counted in the spec's `columns`). */
  column?: number;
  /**
   * 1-based column just past the last character, on `endLine` (or `line`), when the tool gives one:
   * SARIF's convention, so a tool's 0-based exclusive end offset is that offset plus one.
   */
  endColumn?: number;
  /** The tool's rule or test id. */
  ruleId: string;
  /** `CWE-<n>`, when the tool (or the spec's table) knows it. */
  cwe?: string;
  /** Severity, mapped from the tool's scale. */
  severity: Severity;
  /** The tool's message. */
  message: string;
}

/** How to run one external analyser and read its output: the only tool-specific part. */
export interface ToolSpec {
  /** Analyser name written into findings, and the name `createAnalyzer` knows it by. */
  name: string;
  /** File extension to write each language's code under. */
  extensions: Partial<Record<Language, string>>;
  /** Executable and its fixed arguments. */
  command: readonly string[];
  /** Arguments after the fixed ones, for the given file names (relative to the working directory). */
  args(files: readonly string[]): string[];
  /** Exit codes that mean success (tools often exit 1 when they found something). */
  okExitCodes: readonly number[];
  /** The version probe's arguments. */
  versionArgs: readonly string[];
  /** The findings in one run's output. */
  parse(output: { stdout: string; stderr: string }): RawToolFinding[];
  /**
   * How the tool counts the columns it reports.
   * @default 'utf16'
   */
  columns?: ColumnUnit;
}

export interface ToolRunResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/** Run a command without a shell, collecting its output (bounded) and exit code. */
export function runTool(
  command: string,
  args: readonly string[],
  options: { cwd?: string; timeoutMs?: number; maxBuffer?: number } = {},
): Promise<ToolRunResult> {
  return new Promise((resolve, reject) => {
    execFile(
      command,
      args,
      { cwd: options.cwd, timeout: options.timeoutMs ?? 300_000, maxBuffer: options.maxBuffer ?? 256 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error?.killed || error?.signal) {
          reject(
            new EvaluationError(
              'analyzer-failed',
              `${command} was stopped (${error.signal ?? 'killed'}) after ${options.timeoutMs ?? 300_000} ms or on too much output`,
              { cause: error },
            ),
          );
          return;
        }
        if (error && typeof error.code !== 'number') {
          reject(new EvaluationError('analyzer-unavailable', `could not run ${command}: ${error.message}`, { cause: error }));
          return;
        }
        resolve({ stdout: String(stdout), stderr: String(stderr), exitCode: typeof error?.code === 'number' ? error.code : 0 });
      },
    );
  });
}

/** One piece of code to analyse in a batch. */
export interface BatchItem {
  /** The source. */
  code: string;
  /** Its language (one the tool knows). */
  language: Language;
}

/** Options of `ExternalAnalyzer`. */
export interface ExternalAnalyzerOptions {
  /**
   * Replace the executable and fixed arguments (e.g. `['/usr/bin/python3', '-m', 'bandit']`).
   * @default the spec's command
   */
  command?: readonly string[];
  /**
   * Kill the tool after this long (per run).
   * @default 300000
   */
  timeoutMs?: number;
  /**
   * At most this many inputs per tool run; a larger batch runs the tool on consecutive chunks.
   * @default 1000
   */
  batchSize?: number;
}

/** An analyser backed by a real subprocess; batches many inputs into one run. */
export class ExternalAnalyzer implements Analyzer {
  readonly name: string;
  readonly languages: readonly Language[];
  readonly #spec: ToolSpec;
  readonly #command: readonly string[];
  readonly #timeoutMs: number;
  readonly #batchSize: number;

  constructor(spec: ToolSpec, options: ExternalAnalyzerOptions = {}) {
    this.#spec = spec;
    this.name = spec.name;
    this.languages = Object.keys(spec.extensions) as Language[];
    this.#command = options.command ?? spec.command;
    this.#timeoutMs = options.timeoutMs ?? 300_000;
    this.#batchSize = Math.max(1, options.batchSize ?? 1000);
  }

  /** Whether the tool runs here (its version probe exits 0). */
  async available(): Promise<boolean> {
    try {
      const [cmd, ...fixed] = this.#command;
      if (!cmd) return false;
      const r = await runTool(cmd, [...fixed, ...this.#spec.versionArgs], { timeoutMs: 30_000 });
      return r.exitCode === 0;
    } catch {
      return false;
    }
  }

  async analyze(code: string, language: Language): Promise<Finding[]> {
    const [out] = await this.analyzeBatch([{ code, language }]);
    return out ?? [];
  }

  /**
   * Analyse many inputs with one tool run (one per `batchSize` inputs): the tool starts once, not once
   * per input. Returns one findings list per input, in order.
   */
  async analyzeBatch(items: readonly BatchItem[]): Promise<Finding[][]> {
    const out: Finding[][] = [];
    for (let i = 0; i < items.length; i += this.#batchSize) out.push(...(await this.#run(items.slice(i, i + this.#batchSize))));
    return out;
  }

  /** One tool run over `items`, each written to a temporary folder under a name of its own. */
  async #run(items: readonly BatchItem[]): Promise<Finding[][]> {
    const results: Finding[][] = items.map(() => []);
    const names: string[] = [];
    const indexOf = new Map<string, number>();
    const dir = await mkdtemp(join(tmpdir(), `srcode-${this.name}-`));
    try {
      for (const [i, item] of items.entries()) {
        const ext = this.#spec.extensions[item.language];
        if (!ext) {
          throw new EvaluationError('unknown-language', `${this.name} analyses ${this.languages.join(', ')}; got '${item.language}'`);
        }
        const name = `f${i}${ext}`;
        await writeFile(join(dir, name), item.code);
        names.push(name);
        indexOf.set(name, i);
      }
      if (names.length === 0) return results;
      const [cmd, ...fixed] = this.#command;
      if (!cmd) throw new EvaluationError('analyzer-unavailable', `${this.name} has an empty command`);
      const run = await runTool(cmd, [...fixed, ...this.#spec.args(names)], { cwd: dir, timeoutMs: this.#timeoutMs });
      if (!this.#spec.okExitCodes.includes(run.exitCode)) {
        throw new EvaluationError(
          'analyzer-failed',
          `${this.name} exited with ${run.exitCode} (expected ${this.#spec.okExitCodes.join(' or ')}): ${run.stderr.slice(0, 500)}`,
        );
      }
      for (const raw of this.#spec.parse(run)) {
        const i = indexOf.get(raw.file.replace(/^\.\//, '').split('/').pop() ?? '');
        const item = i === undefined ? undefined : items[i];
        if (i === undefined || !item) continue;
        results[i]?.push(toFinding(this.name, raw, item.code, this.#spec.columns ?? 'utf16'));
      }
      return results.map(sortFindings);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
}

/** The UTF-16 offset into `line` of a 1-based column counted in `unit` (clamped to the line). */
function columnOffset(line: string, column: number, unit: ColumnUnit): number {
  const wanted = Math.max(0, column - 1);
  if (unit === 'utf16') return Math.min(wanted, line.length);
  let counted = 0;
  let offset = 0;
  for (const ch of line) {
    if (counted >= wanted) break;
    const cp = ch.codePointAt(0) ?? 0;
    counted += unit === 'codepoint' ? 1 : cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    offset += ch.length;
  }
  return offset;
}

/**
 * Place a tool's line/column report on the code as a UTF-16 range: from its column (or the line's
 * first non-blank character) to its end column on its end line (or that line's end).
 */
function toFinding(analyzer: string, raw: RawToolFinding, code: string, unit: ColumnUnit): Finding {
  const first = lineRange(code, raw.line);
  const endLine = raw.endLine && raw.endLine >= raw.line ? raw.endLine : raw.line;
  const last = endLine === raw.line ? first : lineRange(code, endLine);
  let start = first.start;
  if (raw.column && raw.column > 0) start = first.start + columnOffset(code.slice(first.start, first.end), raw.column, unit);
  else while (start < first.end && /\s/.test(code[start] ?? '')) start++;
  let end = last.end;
  if (raw.endColumn && raw.endColumn > 0) end = last.start + columnOffset(code.slice(last.start, last.end), raw.endColumn, unit);
  if (end < start) end = endLine === raw.line ? first.end : start;
  if (end < start) end = start;
  return {
    schemaVersion: 1,
    analyzer,
    ruleId: raw.ruleId,
    ...(raw.cwe ? { cwe: raw.cwe } : {}),
    severity: raw.severity,
    range: { start, end },
    lines: { start: raw.line, end: endLine },
    message: raw.message,
  };
}
