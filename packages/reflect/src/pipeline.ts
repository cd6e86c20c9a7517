import { createReadStream, existsSync } from 'node:fs';
import { type PrimeVulPlusRecord, type ReflectionVerdict, type RepairPair, JsonlAppender, formatIssue, readJsonl } from '@srcode/dataset';
import { ReflectError } from './errors.js';
import type { AnalyzerLike } from './analyzer.js';
import type { Judge } from './judge.js';
import type { PrefilterOptions } from './prefilter.js';
import { generatePrompts } from './prompts/generate.js';
import type { PromptWriter } from './prompts/template-writer.js';
import { reflectPair } from './reflect.js';

/** One line of the rejected-pairs side file. */
export interface RejectedPair {
  /** The pair's id. */
  pairId: string;
  /** The pair's language. */
  language: RepairPair['language'];
  /** The pair's CWEs. */
  cwes: string[];
  /** The verdict's reject reasons (`prefilter:…`, `judge:…`, `low-confidence:…`). */
  reasons: string[];
  /** The verdict's confidence. */
  confidence: number;
  /** The whole verdict. */
  verdict: ReflectionVerdict;
}

/** Where a run is, as `RunOptions.onProgress` hears it. */
export interface RunProgress {
  /** Input pairs finished, resumed ones included. */
  done: number;
  /** Input pairs in all (the input's line count until the run has read every line). */
  total: number;
  /** Pairs written as records. */
  accepted: number;
  /** Pairs written to the side file. */
  rejected: number;
  /** Pairs found finished in the output files and skipped. */
  resumed: number;
  /** Pairs that failed in this run and are left for the next one. */
  errors: number;
  /** Time since this run started. */
  elapsedMs: number;
  /** Estimated time left, from this run's pace. */
  etaMs: number | undefined;
}

/** What a finished run did, resumed pairs included. */
export interface RunSummary extends RunProgress {
  /** Input lines that were not valid RepairPairs. */
  invalidInput: number;
  /** Accepted and rejected pairs per CWE (`unknown` for a pair without one). */
  byCwe: Record<
    string,
    {
      /** Pairs written as records. */
      accepted: number;
      /** Pairs written to the side file. */
      rejected: number;
    }
  >;
  /** Accepted and rejected pairs per language. */
  byLanguage: Record<
    string,
    {
      /** Pairs written as records. */
      accepted: number;
      /** Pairs written to the side file. */
      rejected: number;
    }
  >;
  /** Rejection reasons (thresholds stripped from `low-confidence:…`), counted once per pair. */
  reasons: Record<string, number>;
  /** The implicit prompts of the accepted pairs. */
  prompts: {
    /** Prompts written into the records. */
    written: number;
    /** Candidates dropped by the forbidden-term check. */
    leakedCandidates: number;
    /** Mean pairwise similarity of the clean candidates, averaged over this run's accepted pairs. */
    meanSimilarityBefore: number;
    /** Mean pairwise similarity of the kept prompts, averaged the same way. */
    meanSimilarityAfter: number;
  };
}

/** Options of `runReflection`. */
export interface RunOptions {
  /** RepairPair JSONL to read. */
  input: string;
  /** PrimeVulPlusRecord JSONL to append the accepted pairs to. */
  output: string;
  /** Side file of rejected pairs with reasons. @default `<output>.rejected.jsonl` */
  rejectedPath?: string;
  /** See `ReflectOptions.judge`. */
  judge: Judge;
  /** Writes the implicit prompts of accepted pairs. */
  writer: PromptWriter;
  /** See `ReflectOptions.analyzers`: no analyser evidence unless given. @default [] */
  analyzers?: readonly AnalyzerLike[];
  /** See `ReflectOptions.threshold`. @default 0.6 */
  threshold?: number;
  /** See `ReflectOptions.evidenceBonus`. @default 0.2 */
  evidenceBonus?: number;
  /** See `ReflectOptions.prefilter`. @default PREFILTER_DEFAULTS */
  prefilter?: PrefilterOptions;
  /** Candidates asked per accepted pair, and prompts kept. @default 6 and 3 */
  prompts?: {
    /** Candidates asked of the writer per accepted pair. @default 6 */
    candidates?: number;
    /** Prompts kept per accepted pair. @default 3 */
    keep?: number;
  };
  /** Pairs in flight at once. @default 1 */
  concurrency?: number;
  /**
   * fsync the output files after this many records (always on close). A killed process loses nothing
   * either way; after a machine crash, unsynced records are simply redone. @default 32
   */
  syncEvery?: number;
  /** Called after each pair (and once at the end), with the counts so far. */
  onProgress?: (progress: RunProgress) => void;
  /** Called when a pair fails (e.g. the model stays unreachable); it is left for the next run. */
  onError?: (pairId: string, error: unknown) => void;
  /** Stops the run: no new pair starts, and the judge's requests abort. */
  signal?: AbortSignal;
}

type Tally = Record<string, { accepted: number; rejected: number }>;

function count(tally: Tally, key: string, accepted: boolean): void {
  tally[key] ??= { accepted: 0, rejected: 0 };
  if (accepted) tally[key].accepted++;
  else tally[key].rejected++;
}

const reasonKey = (r: string) => r.replace(/^low-confidence:.*$/, 'low-confidence');

/**
 * Reads the input until its first valid RepairPair: a file with none (another format, an empty file) is an
 * input error naming the path and the first problem, found before any output exists.
 */
export async function checkHasPair(path: string): Promise<void> {
  const reader = readJsonl(path, { schema: 'RepairPair', mode: 'collect' });
  for await (const _ of reader) return;
  const first = reader.issues[0];
  const problems = reader.stats.rejected
    ? `${reader.stats.rejected} lines rejected; first: ${first ? formatIssue(first) : '?'}`
    : 'the file is empty';
  throw new ReflectError('invalid-input', `${path}: no valid RepairPair record (${problems})`);
}

/**
 * Runs the whole job: each input pair is reflected on, accepted ones get implicit prompts and go to
 * `output` as PrimeVul+ records, rejected ones go to the side file. Both files are append-only and
 * each pair is one whole line in exactly one of them, so a rerun after a kill skips finished pairs:
 * no duplicates, nothing lost (a torn last line is cut and its pair redone).
 *
 * @example
 * ```ts
 * import { importPairs, readJsonlAll, samplePairsPath, writeJsonlAtomic } from '@srcode/dataset';
 * import { HeuristicJudge, runReflection, TemplatePromptWriter } from '@srcode/reflect';
 *
 * await writeJsonlAtomic('pairs.jsonl', importPairs({ format: 'sven', dataset: 'sample', inputs: [samplePairsPath()] }));
 * const summary = await runReflection({
 *   input: 'pairs.jsonl',
 *   output: 'primevul-plus.jsonl', // accepted pairs with their implicit prompts; rejected ones beside it
 *   judge: new HeuristicJudge(),
 *   writer: new TemplatePromptWriter(),
 * });
 * console.log(summary.accepted, summary.rejected, summary.prompts.written); // 12 0 36
 * ```
 */
export async function runReflection(options: RunOptions): Promise<RunSummary> {
  await checkHasPair(options.input);
  const rejectedPath = options.rejectedPath ?? `${options.output}.rejected.jsonl`;
  const syncEvery = options.syncEvery ?? 32;
  const out = new JsonlAppender(options.output, { schema: 'PrimeVulPlusRecord', syncEvery });
  const side = new JsonlAppender(rejectedPath, { syncEvery });
  const summary: RunSummary = {
    done: 0,
    total: 0,
    accepted: 0,
    rejected: 0,
    resumed: 0,
    errors: 0,
    elapsedMs: 0,
    etaMs: undefined,
    invalidInput: 0,
    byCwe: {},
    byLanguage: {},
    reasons: {},
    prompts: { written: 0, leakedCandidates: 0, meanSimilarityBefore: 0, meanSimilarityAfter: 0 },
  };
  let similarityPairs = 0;
  const finished = new Set<string>();
  const tallyPair = (pair: Pick<RepairPair, 'language' | 'cwes'>, accepted: boolean, reasons: string[]) => {
    if (accepted) summary.accepted++;
    else summary.rejected++;
    for (const cwe of pair.cwes.length ? pair.cwes : ['unknown']) count(summary.byCwe, cwe, accepted);
    count(summary.byLanguage, pair.language, accepted);
    for (const r of new Set(reasons.map(reasonKey))) summary.reasons[r] = (summary.reasons[r] ?? 0) + 1;
  };
  try {
    for await (const { value } of readJsonl<PrimeVulPlusRecord>(options.output, { mode: 'collect' })) {
      if (finished.has(value.pair.id)) continue;
      finished.add(value.pair.id);
      tallyPair(value.pair, true, []);
      summary.prompts.written += value.prompts.length;
    }
    for await (const { value } of readJsonl<RejectedPair>(rejectedPath, { mode: 'collect' })) {
      if (finished.has(value.pairId)) continue;
      finished.add(value.pairId);
      tallyPair(value, false, value.reasons);
    }
    summary.resumed = finished.size;
    summary.total = await countLines(options.input);
    const started = Date.now();
    let doneThisRun = 0;
    const progress = () => {
      summary.elapsedMs = Date.now() - started;
      const left = summary.total - summary.done;
      summary.etaMs = doneThisRun ? Math.round((summary.elapsedMs / doneThisRun) * left) : undefined;
      const { done, total, accepted, rejected, resumed, errors, elapsedMs, etaMs } = summary;
      options.onProgress?.({ done, total, accepted, rejected, resumed, errors, elapsedMs, etaMs });
    };

    const reader = readJsonl(options.input, { schema: 'RepairPair', mode: 'collect' });
    const iterator = reader[Symbol.asyncIterator]();
    const work = async (pair: RepairPair) => {
      const verdict = await reflectPair(pair, {
        judge: options.judge,
        ...(options.analyzers ? { analyzers: options.analyzers } : {}),
        ...(options.threshold === undefined ? {} : { threshold: options.threshold }),
        ...(options.evidenceBonus === undefined ? {} : { evidenceBonus: options.evidenceBonus }),
        ...(options.prefilter ? { prefilter: options.prefilter } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
      });
      if (!verdict.accepted) {
        side.append({
          pairId: pair.id,
          language: pair.language,
          cwes: pair.cwes,
          reasons: verdict.rejectReasons,
          confidence: verdict.confidence,
          verdict,
        } satisfies RejectedPair);
        tallyPair(pair, false, verdict.rejectReasons);
        return;
      }
      const generated = await generatePrompts(pair, {
        writer: options.writer,
        ...(options.prompts?.candidates ? { candidates: options.prompts.candidates } : {}),
        ...(options.prompts?.keep ? { keep: options.prompts.keep } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
      });
      out.append({ schemaVersion: 1, pair, verdict, prompts: generated.prompts } satisfies PrimeVulPlusRecord);
      tallyPair(pair, true, []);
      summary.prompts.written += generated.prompts.length;
      summary.prompts.leakedCandidates += generated.leaked.length;
      summary.prompts.meanSimilarityBefore += generated.similarity.before;
      summary.prompts.meanSimilarityAfter += generated.similarity.after;
      similarityPairs++;
    };
    const seen = new Set<string>();
    const next = async (): Promise<RepairPair | undefined> => {
      for (;;) {
        const r = await iterator.next();
        if (r.done) return undefined;
        const pair = r.value.value as RepairPair;
        if (finished.has(pair.id) || seen.has(pair.id)) {
          summary.done++;
          continue;
        }
        seen.add(pair.id);
        return pair;
      }
    };
    const worker = async () => {
      for (let pair = await next(); pair; pair = await next()) {
        options.signal?.throwIfAborted();
        try {
          await work(pair);
        } catch (e) {
          if (options.signal?.aborted) throw e;
          summary.errors++;
          options.onError?.(pair.id, e);
        }
        summary.done++;
        doneThisRun++;
        progress();
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, options.concurrency ?? 1) }, worker));
    summary.invalidInput = reader.stats.rejected;
    summary.total = summary.done;
    if (similarityPairs) {
      summary.prompts.meanSimilarityBefore /= similarityPairs;
      summary.prompts.meanSimilarityAfter /= similarityPairs;
    }
    progress();
    return summary;
  } finally {
    out.close();
    side.close();
  }
}

async function countLines(file: string): Promise<number> {
  if (!existsSync(file)) return 0;
  let lines = 0;
  let last = 0x0a;
  for await (const chunk of createReadStream(file) as AsyncIterable<Buffer>) {
    for (let i = chunk.indexOf(0x0a); i !== -1; i = chunk.indexOf(0x0a, i + 1)) lines++;
    if (chunk.length) last = chunk[chunk.length - 1] ?? last;
  }
  return last === 0x0a ? lines : lines + 1;
}
