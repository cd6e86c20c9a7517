import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
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

const USAGE = `usage: srcode-dataset <command> [options]

commands:
  import --format sven|safecoder|primevul|cweval <inputs...> --out FILE [--dataset NAME] [--rejects FILE]
  validate FILE [--schema NAME] [--quarantine FILE]    exit 0 when valid, 1 with file:line: message lines
  dedup FILE --out FILE [--removed FILE]                near-duplicate removal on normalised code
  split FILE --out-dir DIR [--ratios train=0.8,val=0.1,test=0.1] [--seed N]
  stats FILE...                                         counts by CWE, language, source; sizes (JSON)
  sample-path                                           path of the embedded sample pairs

Machine-readable results go to stdout, progress and diagnostics to stderr.
Schemas: ${SCHEMA_NAMES.join(', ')}`;

const err = (s: string) => process.stderr.write(`${s}\n`);
const out = (v: unknown) => process.stdout.write(`${typeof v === 'string' ? v : JSON.stringify(v, null, 2)}\n`);

function progressLine(label: string) {
  if (!process.stderr.isTTY) return undefined;
  let last = 0;
  return (p: { bytesRead: number; totalBytes: number; records: number }) => {
    const now = Date.now();
    if (now - last < 200) return;
    last = now;
    const pct = p.totalBytes ? Math.floor((100 * p.bytesRead) / p.totalBytes) : 100;
    process.stderr.write(`\r${label}: ${pct}% ${p.records} records`);
  };
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
  if (!values.out || !positionals.length) throw new DatasetError('invalid-input', 'import needs inputs and --out FILE');
  const onProgress = progressLine(`import ${format}`);
  const run = importPairs({
    format,
    inputs: positionals,
    ...(values.dataset ? { dataset: values.dataset } : {}),
    ...(onProgress ? { onProgress } : {}),
  });
  const written = await writeJsonlAtomic(values.out, run, { schema: 'RepairPair' });
  if (onProgress) process.stderr.write('\n');
  reportIssues(run.issues, values.rejects);
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
  if (!file) throw new DatasetError('invalid-input', 'validate needs a FILE');
  const schema = values.schema ?? 'RepairPair';
  assertSchemaName(schema);
  const onProgress = progressLine(`validate ${file}`);
  const reader = readJsonl(file, {
    schema,
    mode: values.quarantine ? 'quarantine' : 'collect',
    ...(values.quarantine ? { quarantinePath: values.quarantine } : {}),
    ...(onProgress ? { onProgress } : {}),
  });
  for await (const _ of reader);
  if (onProgress) process.stderr.write('\n');
  for (const i of reader.issues) out(formatIssue(i));
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
  if (!file || !values.out) throw new DatasetError('invalid-input', 'dedup needs FILE and --out FILE');
  const { records, issues } = await readJsonlAll(file, { schema: 'RepairPair' });
  reportIssues(issues, undefined);
  const { kept, removed } = dedupPairs(records);
  await writeJsonlAtomic(values.out, kept, { schema: 'RepairPair' });
  if (values.removed)
    await writeJsonlAtomic(
      values.removed,
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
  if (!file || !dir) throw new DatasetError('invalid-input', 'split needs FILE and --out-dir DIR');
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
  const { records, issues } = await readJsonlAll(file, { schema: 'RepairPair' });
  reportIssues(issues, undefined);
  const splits = splitPairs(records, { seed: Number(values.seed), ...(ratios ? { ratios } : {}) });
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
  if (!positionals.length) throw new DatasetError('invalid-input', 'stats needs at least one FILE');
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

const COMMANDS: Record<string, (argv: string[]) => Promise<number>> = {
  import: cmdImport,
  validate: cmdValidate,
  dedup: cmdDedup,
  split: cmdSplit,
  stats: cmdStats,
  'sample-path': async () => {
    out(samplePairsPath());
    return 0;
  },
};

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h') {
    out(USAGE);
    return command ? 0 : 2;
  }
  const fn = COMMANDS[command];
  if (!fn) {
    err(`srcode-dataset: unknown command "${command}"\n\n${USAGE}`);
    return 2;
  }
  return fn(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    err(`srcode-dataset: ${e instanceof Error ? e.message : String(e)}`);
    process.exitCode = e instanceof DatasetError && e.code !== 'io' ? 2 : 1;
  },
);
