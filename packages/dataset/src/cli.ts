import { mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { type CliSpec, escapeControl, inputFile, main, outputFile, packageVersion } from '../../../common/cli.js';
import { ProgressReporter } from '../../../common/progress.js';
import { dedupPairs } from './dedup.js';
import { DatasetError, formatIssue, type Issue } from './errors.js';
import { IMPORT_FORMATS, type ImportFormat, importPairs } from './import/index.js';
import { readJsonl, readJsonlAll } from './jsonl-read.js';
import { writeJsonlAtomic } from './jsonl-write.js';
import { samplePairsPath } from './sample.js';
import { SCHEMA_NAMES } from './schemas.js';
import { splitPairs } from './split.js';
import { PairStatsCollector } from './stats.js';
import { assertSchemaName } from './validate.js';

const err = (s: string) => process.stderr.write(`${escapeControl(s)}\n`);
const out = (v: unknown) => process.stdout.write(`${typeof v === 'string' ? v : JSON.stringify(v, null, 2)}\n`);

/**
 * Progress of a read: a bar with rate and ETA on a terminal; elsewhere a line every 5 s once the run has
 * lasted that long (short runs stay quiet), and a last line when any was written.
 */
function progressLine(label: string) {
  const tty = process.stderr.isTTY === true;
  const reporter = new ProgressReporter({ stream: process.stderr, label: escapeControl(label), unit: 'KiB' });
  const started = Date.now();
  let shown = false;
  // Readings come per input file: summed over the files seen so far.
  const files = new Map<number, { bytesRead: number; totalBytes: number; records: number }>();
  const onProgress = (p: { bytesRead: number; totalBytes: number; records: number; fileIndex?: number; fileCount?: number }) => {
    files.set(p.fileIndex ?? 0, p);
    if (!tty && Date.now() - started < 5000) return;
    shown = true;
    let [done, total, records] = [0, 0, 0];
    for (const f of files.values()) [done, total, records] = [done + f.bytesRead, total + f.totalBytes, records + f.records];
    const file = p.fileCount && p.fileCount > 1 ? `, file ${(p.fileIndex ?? 0) + 1}/${p.fileCount}` : '';
    reporter.update({ done: Math.round(done / 1024), total: Math.max(1, Math.round(total / 1024)), detail: `${records} records${file}` });
  };
  return { onProgress, finish: () => shown && reporter.finish() };
}

async function cmdImport(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { format: { type: 'string' }, out: { type: 'string' }, dataset: { type: 'string' }, rejects: { type: 'string' } },
  });
  const format = values.format as ImportFormat | undefined;
  if (!format || !IMPORT_FORMATS.includes(format))
    throw new DatasetError('unknown-format', `--format must be one of ${IMPORT_FORMATS.join(', ')}`);
  if (!values.out || !positionals.length) throw new DatasetError('invalid-input', 'expected inputs and --out FILE');
  // Folders are walked for their files, so an input only has to exist.
  for (const input of positionals) statSync(input);
  const progress = progressLine(`import ${format}`);
  const run = importPairs({
    format,
    inputs: positionals,
    ...(values.dataset ? { dataset: values.dataset } : {}),
    onProgress: progress.onProgress,
  });
  const written = await writeJsonlAtomic(outputFile(values.out), run, { schema: 'RepairPair' });
  progress.finish();
  reportIssues(run.issues, values.rejects ? outputFile(values.rejects) : undefined);
  if (written.records === 0) {
    // nothing valid was read (a file of another format, an empty folder): a failed run leaves no empty output
    rmSync(values.out, { force: true });
    throw new DatasetError(
      'invalid-input',
      `${positionals.join(', ')}: no valid ${format} record read (${run.issues.length} rejected${values.rejects ? `, listed in ${values.rejects}` : ''})`,
    );
  }
  out({ ...run.stats, written: written.records, out: values.out, rejects: values.rejects ?? null });
  return 0;
}

function reportIssues(issues: Issue[], file: string | undefined) {
  const shown = issues.slice(0, 20);
  for (const i of shown) err(formatIssue(i));
  if (issues.length > shown.length) err(`… and ${issues.length - shown.length} more`);
  if (file) writeFileSync(file, issues.map((i) => `${JSON.stringify(i)}\n`).join(''));
}

async function cmdValidate(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { schema: { type: 'string', default: 'RepairPair' }, quarantine: { type: 'string' } },
  });
  const [file] = positionals;
  if (!file) throw new DatasetError('invalid-input', 'expected a FILE');
  const schema = values.schema ?? 'RepairPair';
  assertSchemaName(schema);
  inputFile(file);
  const progress = progressLine(`validate ${file}`);
  const reader = readJsonl(file, {
    schema,
    mode: values.quarantine ? 'quarantine' : 'collect',
    ...(values.quarantine ? { quarantinePath: outputFile(values.quarantine) } : {}),
    onProgress: progress.onProgress,
  });
  for await (const _ of reader);
  progress.finish();
  for (const i of reader.issues) out(escapeControl(formatIssue(i)));
  err(`${file}: ${reader.stats.records} valid, ${reader.stats.rejected} invalid, ${reader.stats.blank} blank lines (${schema})`);
  return reader.stats.rejected ? 1 : 0;
}

async function cmdDedup(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { out: { type: 'string' }, removed: { type: 'string' } },
  });
  const [file] = positionals;
  if (!file || !values.out) throw new DatasetError('invalid-input', 'expected FILE and --out FILE');
  const { records, issues } = await readJsonlAll(inputFile(file), { schema: 'RepairPair' });
  reportIssues(issues, undefined);
  const { kept, removed } = dedupPairs(records);
  await writeJsonlAtomic(outputFile(values.out), kept, { schema: 'RepairPair' });
  if (values.removed)
    await writeJsonlAtomic(
      outputFile(values.removed),
      removed.map((r) => ({ id: r.pair.id, duplicateOf: r.duplicateOf })),
    );
  out({ input: records.length, kept: kept.length, removed: removed.length, invalid: issues.length });
  return issues.length ? 1 : 0;
}

async function cmdSplit(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { 'out-dir': { type: 'string' }, ratios: { type: 'string' }, seed: { type: 'string', default: '0' } },
  });
  const [file] = positionals;
  const dir = values['out-dir'];
  if (!file || !dir) throw new DatasetError('invalid-input', 'expected FILE and --out-dir DIR');
  const ratios = values.ratios
    ? Object.fromEntries(
        values.ratios.split(',').map((kv) => {
          const [k, v] = kv.split('=');
          if (!k || v === undefined || Number.isNaN(Number(v)))
            throw new DatasetError('invalid-input', `bad ratio "${kv}" (expected name=fraction)`);
          return [k, Number(v)];
        }),
      )
    : undefined;
  const seed = Number(values.seed);
  if (!Number.isFinite(seed)) throw new DatasetError('invalid-input', `--seed must be a number, not "${values.seed}"`);
  const { records, issues } = await readJsonlAll(inputFile(file), { schema: 'RepairPair' });
  reportIssues(issues, undefined);
  const splits = splitPairs(records, { seed, ...(ratios ? { ratios } : {}) });
  mkdirSync(dir, { recursive: true });
  const counts: Record<string, number> = {};
  for (const [name, pairs] of Object.entries(splits)) {
    await writeJsonlAtomic(join(dir, `${name}.jsonl`), pairs, { schema: 'RepairPair' });
    counts[name] = pairs.length;
  }
  out({ input: records.length, splits: counts, outDir: dir });
  return issues.length ? 1 : 0;
}

async function cmdStats(argv: string[]): Promise<number> {
  const { positionals } = parseArgs({ args: argv, allowPositionals: true, options: {} });
  if (!positionals.length) throw new DatasetError('invalid-input', 'expected at least one FILE');
  for (const file of positionals) inputFile(file);
  const collector = new PairStatsCollector();
  let invalid = 0;
  for (const file of positionals) {
    const reader = readJsonl(file, { schema: 'RepairPair', mode: 'collect' });
    for await (const { value } of reader) collector.add(value);
    reportIssues(reader.issues, undefined);
    invalid += reader.stats.rejected;
  }
  out({ ...collector.result(), invalid });
  return invalid ? 1 : 0;
}

async function cmdSamplePath(argv: string[]): Promise<number> {
  parseArgs({ args: argv, options: {} });
  out(samplePairsPath());
  return 0;
}

const SPEC: CliSpec = {
  bin: 'srcode-dataset',
  version: packageVersion(import.meta.url),
  about: 'Imports, validates, deduplicates, splits and summarises repair pairs (RepairPair JSONL).',
  commands: {
    import: {
      summary: 'repair pairs from SVEN, SafeCoder, PrimeVul or CWEval data (JSONL)',
      usage: `--format sven|safecoder|primevul|cweval <inputs...> --out FILE [--dataset NAME] [--rejects FILE]

Inputs are files or folders (searched for *.jsonl, or CWEval's task files). Every pair is validated
as a RepairPair and written atomically to --out; --dataset names the data set in ids and provenance
(default: the format); --rejects gets one JSON line per source record that gave no pair.`,
      run: cmdImport,
    },
    validate: {
      summary: 'schema check: exit 0 when valid, 1 with file:line: message lines',
      usage: `FILE [--schema NAME] [--quarantine FILE]

Checks every line of FILE against --schema (default RepairPair) and prints file:line: message for each
invalid one; exit 0 when valid, 1 otherwise. --quarantine FILE gets the invalid lines as they were.
Schemas: ${SCHEMA_NAMES.join(', ')}`,
      run: cmdValidate,
    },
    dedup: {
      summary: 'near-duplicate removal on normalised code',
      usage: `FILE --out FILE [--removed FILE]

Keeps the first pair of each group with the same language and the same code once comments and
whitespace are removed; --removed FILE gets { id, duplicateOf } for each pair removed.`,
      run: cmdDedup,
    },
    split: {
      summary: 'leak-free splits: all pairs of one project in one split',
      usage: `FILE --out-dir DIR [--ratios train=0.8,val=0.1,test=0.1] [--seed N]

Writes DIR/<name>.jsonl for each split name in --ratios (fractions summing to 1); --seed (default 0)
orders the projects.`,
      run: cmdSplit,
    },
    stats: {
      summary: 'counts by CWE, language, source; sizes (JSON)',
      usage: `FILE...

Prints the counts of the pairs in all the files together as JSON; exit 1 when a line is invalid.`,
      run: cmdStats,
    },
    'sample-path': {
      summary: 'path of the embedded sample pairs',
      usage: '',
      run: cmdSamplePath,
    },
  },
  footer: `Machine-readable results go to stdout, progress and diagnostics to stderr.
Exit codes: 0 done, 1 invalid records found (validate, dedup, split, stats) or a failure, 2 bad arguments or input.`,
};

main(SPEC);
