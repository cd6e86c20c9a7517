// Stage 1: the repair pairs, imported and validated into <out>/pairs.jsonl.
import { type ImportFormat, formatIssue, importPairs, samplePairsPath, writeJsonlAtomic } from '@srcode/dataset';
import type { MainContext } from '../context.js';

/** Which pairs to import. */
export interface ImportInput {
  /** Files or folders; the embedded sample when undefined or empty. */
  pairs: readonly string[] | undefined;
  format: ImportFormat;
}

/** What the import stage keeps: its inputs and how many pairs it wrote and rejected. */
export interface ImportOutput {
  inputs: string[];
  pairs: number;
  rejected: number;
}

/** Imports the pairs into `ctx.files.pairs`, logging the first ten rejected. */
export async function importStage(ctx: MainContext, input: ImportInput): Promise<ImportOutput> {
  const given = input.pairs?.length ? [...input.pairs] : undefined;
  const inputs = given ?? [samplePairsPath()];
  const run = importPairs({ format: input.format, inputs, ...(given ? {} : { dataset: 'sample' }) });
  const { records } = await writeJsonlAtomic(ctx.files.pairs, run, { schema: 'RepairPair' });
  for (const i of run.issues.slice(0, 10)) ctx.log('import', `rejected ${formatIssue(i)}`);
  ctx.log('import', `${records} pairs from ${inputs.length} input(s)`);
  return { inputs, pairs: records, rejected: run.issues.length };
}
