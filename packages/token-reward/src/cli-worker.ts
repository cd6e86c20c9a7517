// The CLI's worker setup: each worker thread of `srcode-reward serve` loads its own tokenizer and
// in-process analysers here, since neither can cross threads.
import { loadEvalAnalyzers } from './cli-analyzers.js';
import { loadHfTokenizer } from './hf.js';
import type { WorkerTools } from './server-options.js';
import { byteTokenizer } from './tokenizer.js';

/** What `serve` passes each worker: its `--tokenizer` value and the in-process analysers' names. */
export interface CliWorkerData {
  tokenizer?: string;
  analyzers?: string[];
}

/** Builds a worker's tools from the `serve` options (see `WorkerSetup`). */
export async function setupWorker(data: CliWorkerData): Promise<WorkerTools> {
  const tokenizer =
    data.tokenizer === undefined ? undefined : data.tokenizer === 'bytes' ? byteTokenizer : await loadHfTokenizer(data.tokenizer);
  const names = data.analyzers ?? [];
  const analyzers = names.length ? await loadEvalAnalyzers().then((m) => names.map((n) => m.createAnalyzer(n))) : [];
  return { ...(tokenizer ? { tokenizer } : {}), analyzers };
}
