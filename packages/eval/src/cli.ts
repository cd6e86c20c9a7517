import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DatasetError, type Finding, type Language } from '@srcode/dataset';
import { languageForFile } from '@srcode/syntax';
import { type Analyzer, severityRank } from './analyzer.js';
import { createAnalyzer } from './analyzers.js';
import { EnsembleAnalyzer } from './ensemble.js';
import { EvaluationError } from './errors.js';
import { ExternalAnalyzer } from './external.js';
import type { SuiteSummary } from './metrics.js';
import { toHtml, toMarkdown } from './report.js';
import { runSuite } from './run.js';
import { toSarif } from './sarif.js';
import { SUITE_NAMES, type SuiteName, loadSuite } from './suites.js';

const USAGE = `srcode-eval: security analysers, sandboxed benchmarks and reports

Usage:
  srcode-eval scan <files…|-> [--lang c|python] [--analyzers builtin,bandit,flawfinder,cppcheck]
                   [--format json|sarif] [--fail-on high|medium|low]
  srcode-eval run --suite ${SUITE_NAMES.join('|')}
                  --generations FILE --out DIR [--data DIR] [--limit N] [--k 1,5,10]
                  [--analyzers …] [--label NAME]
  srcode-eval report <run dir | summary.json>… [--format md|html|json] [--out FILE]

Exit codes: 0 ok, 1 findings at or above --fail-on, 2 usage or input error.`;

async function analysersFrom(list: string | undefined): Promise<Analyzer[]> {
  const names = (list ?? 'builtin')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const out: Analyzer[] = [];
  for (const name of names) {
    const a = createAnalyzer(name);
    if (a instanceof ExternalAnalyzer && !(await a.available())) {
      throw new EvaluationError('analyzer-unavailable', `analyser '${name}' is not installed here`);
    }
    out.push(a);
  }
  return out;
}

async function scan(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      lang: { type: 'string' },
      analyzers: { type: 'string' },
      format: { type: 'string', default: 'json' },
      'fail-on': { type: 'string' },
    },
  });
  if (positionals.length === 0) throw new EvaluationError('invalid-input', 'scan needs files, or - for standard input');
  const analyzers = await analysersFrom(values.analyzers);
  const analyzer = analyzers.length === 1 ? (analyzers[0] as Analyzer) : new EnsembleAnalyzer(analyzers);
  const inputs: { file: string; findings: Finding[] }[] = [];
  for (const file of positionals) {
    const code = file === '-' ? readFileSync(0, 'utf8') : readFileSync(file, 'utf8');
    const language = (values.lang as Language | undefined) ?? languageForFile(file);
    if (!language) throw new EvaluationError('invalid-input', `cannot tell the language of '${file}': pass --lang`);
    const findings = (await analyzer.analyze(code, language)).map((f) => ({ ...f, file }));
    inputs.push({ file, findings });
  }
  if (values.format === 'sarif') process.stdout.write(`${JSON.stringify(toSarif(inputs), null, 2)}\n`);
  else if (values.format === 'json')
    process.stdout.write(
      `${JSON.stringify(
        inputs.flatMap((i) => i.findings),
        null,
        2,
      )}\n`,
    );
  else throw new EvaluationError('invalid-input', `--format must be json or sarif; got '${values.format}'`);
  const failOn = values['fail-on'] as Finding['severity'] | undefined;
  if (failOn && inputs.some((i) => i.findings.some((f) => severityRank(f.severity) >= severityRank(failOn)))) return 1;
  return 0;
}

async function run(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      suite: { type: 'string' },
      generations: { type: 'string' },
      out: { type: 'string' },
      data: { type: 'string' },
      limit: { type: 'string' },
      k: { type: 'string' },
      analyzers: { type: 'string' },
      label: { type: 'string' },
    },
  });
  const suiteName = values.suite as SuiteName | undefined;
  if (!suiteName || !SUITE_NAMES.includes(suiteName))
    throw new EvaluationError('invalid-input', `--suite must be one of ${SUITE_NAMES.join(', ')}`);
  if (!values.generations || !values.out) throw new EvaluationError('invalid-input', 'run needs --generations FILE and --out DIR');
  const data = resolve(values.data ?? '../shared/data');
  if (!existsSync(data)) throw new EvaluationError('suite-data-missing', `data folder ${data} not found: pass --data`);
  const analyzers = suiteName.startsWith('cyberseceval') ? await analysersFrom(values.analyzers) : [];
  const suite = loadSuite(suiteName, data, analyzers);
  const ks = values.k ? values.k.split(',').map(Number) : undefined;
  const result = await runSuite({
    suite,
    generations: values.generations,
    outDir: values.out,
    ...(values.limit ? { limit: Number(values.limit) } : {}),
    ...(ks ? { ks } : {}),
    ...(values.label ? { label: values.label } : {}),
    onProgress: (p) => {
      if (process.stderr.isTTY) process.stderr.write(`\r${p.done} judged (${p.resumed} resumed), last ${p.taskId}   `);
    },
  });
  if (process.stderr.isTTY) process.stderr.write('\n');
  process.stderr.write(`${result.results.length} generations (${result.resumed} resumed) → ${join(values.out, 'results.jsonl')}\n`);
  process.stdout.write(toMarkdown([result.summary]));
  return 0;
}

function readSummary(path: string): SuiteSummary {
  const file = statSync(path).isDirectory() ? join(path, 'summary.json') : path;
  return JSON.parse(readFileSync(file, 'utf8')) as SuiteSummary;
}

async function report(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { format: { type: 'string', default: 'md' }, out: { type: 'string' } },
  });
  if (positionals.length === 0) throw new EvaluationError('invalid-input', 'report needs run folders or summary.json files');
  const summaries = positionals.map(readSummary);
  const text =
    values.format === 'html'
      ? toHtml(summaries)
      : values.format === 'json'
        ? `${JSON.stringify(summaries, null, 2)}\n`
        : toMarkdown(summaries);
  if (values.out) await writeFile(values.out, text);
  else process.stdout.write(text);
  return 0;
}

/** Entry point, exported for tests: returns the exit code instead of exiting. */
export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'scan':
        return await scan(rest);
      case 'run':
        return await run(rest);
      case 'report':
        return await report(rest);
      case undefined:
      case '-h':
      case '--help':
      case 'help':
        process.stdout.write(`${USAGE}\n`);
        return command === undefined ? 2 : 0;
      default:
        process.stderr.write(`unknown command '${command}'\n${USAGE}\n`);
        return 2;
    }
  } catch (e) {
    if (
      e instanceof EvaluationError ||
      e instanceof DatasetError ||
      (e as { code?: string }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' ||
      (e as NodeJS.ErrnoException).code === 'ENOENT'
    ) {
      process.stderr.write(`srcode-eval: ${(e as Error).message}\n`);
      return 2;
    }
    throw e;
  }
}

function invokedDirectly(): boolean {
  try {
    return process.argv[1] !== undefined && realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (invokedDirectly()) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`srcode-eval: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      process.exitCode = 2;
    },
  );
}
