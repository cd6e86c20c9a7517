import { existsSync, readFileSync, statSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { Finding, Language } from '@srcode/dataset';
import { languageForFile } from '@srcode/syntax';
import { type CliSpec, inputFile, main, packageVersion } from '../../../common/cli.js';
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

const SEVERITIES: readonly Finding['severity'][] = ['high', 'medium', 'low'];

function oneOf<T extends string>(flag: string, value: string | undefined, allowed: readonly T[]): T | undefined {
  if (value === undefined || allowed.includes(value as T)) return value as T | undefined;
  throw new EvaluationError('invalid-input', `${flag} must be one of ${allowed.join(', ')}; got '${value}'`);
}

function count(flag: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new EvaluationError('invalid-input', `${flag} expects whole numbers from 1; got '${value}'`);
  return n;
}

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
  if (positionals.length === 0) throw new EvaluationError('invalid-input', 'expected files, or - for standard input');
  const format = oneOf('--format', values.format, ['json', 'sarif']);
  const failOn = oneOf('--fail-on', values['fail-on'], SEVERITIES);
  const analyzers = await analysersFrom(values.analyzers);
  const analyzer = analyzers.length === 1 ? (analyzers[0] as Analyzer) : new EnsembleAnalyzer(analyzers);
  const inputs: { file: string; findings: Finding[] }[] = [];
  for (const file of positionals) {
    if (file !== '-') inputFile(file);
    const language = (values.lang as Language | undefined) ?? languageForFile(file);
    if (!language) throw new EvaluationError('invalid-input', `cannot tell the language of '${file}': pass --lang`);
    const code = readFileSync(file === '-' ? 0 : file, 'utf8');
    const findings = (await analyzer.analyze(code, language)).map((f) => ({ ...f, file }));
    inputs.push({ file, findings });
  }
  const output = format === 'sarif' ? toSarif(inputs) : inputs.flatMap((i) => i.findings);
  process.stdout.write(`${JSON.stringify(output, null, 2)}\n`);
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
      jobs: { type: 'string' },
    },
  });
  const suiteName = values.suite as SuiteName | undefined;
  if (!suiteName || !SUITE_NAMES.includes(suiteName))
    throw new EvaluationError('invalid-input', `--suite must be one of ${SUITE_NAMES.join(', ')}`);
  if (!values.generations || !values.out) throw new EvaluationError('invalid-input', 'expected --generations FILE and --out DIR');
  const generations = inputFile(values.generations);
  const limit = values.limit === undefined ? undefined : count('--limit', values.limit);
  const ks = values.k ? values.k.split(',').map((k) => count('--k', k)) : undefined;
  const jobs = values.jobs === undefined ? undefined : count('--jobs', values.jobs);
  const data = resolve(values.data ?? '../shared/data');
  if (!existsSync(data)) throw new EvaluationError('suite-data-missing', `data folder ${data} not found: pass --data`);
  const analyzers = suiteName.startsWith('cyberseceval') ? await analysersFrom(values.analyzers) : [];
  const suite = loadSuite(suiteName, data, analyzers);
  const result = await runSuite({
    suite,
    generations,
    outDir: values.out,
    ...(limit === undefined ? {} : { limit }),
    ...(ks ? { ks } : {}),
    ...(values.label ? { label: values.label } : {}),
    ...(jobs === undefined ? {} : { jobs }),
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
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    if (!(e instanceof SyntaxError)) throw e;
    // the parser's message quotes the input, line breaks and all: one line is enough
    throw new EvaluationError('invalid-input', `${file}: not JSON (${e.message.replace(/\s+/g, ' ')})`, { cause: e });
  }
  const s = value as Partial<SuiteSummary> | null;
  if (typeof s?.benchmark !== 'string' || typeof s.label !== 'string' || typeof s.metrics !== 'object' || s.metrics === null)
    throw new EvaluationError('invalid-input', `${file}: not a run summary (the summary.json that srcode-eval run writes)`);
  return s as SuiteSummary;
}

async function report(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { format: { type: 'string', default: 'md' }, out: { type: 'string' } },
  });
  if (positionals.length === 0) throw new EvaluationError('invalid-input', 'expected run folders or summary.json files');
  const format = oneOf('--format', values.format, ['md', 'html', 'json']);
  if (values.out && existsSync(values.out) && statSync(values.out).isDirectory())
    throw new EvaluationError('invalid-input', `${values.out}: is a folder, expected a file`);
  const summaries = positionals.map(readSummary);
  const text =
    format === 'html' ? toHtml(summaries) : format === 'json' ? `${JSON.stringify(summaries, null, 2)}\n` : toMarkdown(summaries);
  if (values.out) {
    await mkdir(dirname(values.out), { recursive: true });
    await writeFile(values.out, text);
  } else process.stdout.write(text);
  return 0;
}

/** The srcode-eval bin by the shared convention. */
const spec: CliSpec = {
  bin: 'srcode-eval',
  version: packageVersion(import.meta.url),
  about: 'Security analysers, sandboxed benchmarks and reports.',
  commands: {
    scan: {
      summary: 'analyse source files (or standard input) and print the findings as JSON or SARIF',
      usage: `<files…|-> [--lang c|python] [--analyzers builtin,bandit,flawfinder,cppcheck]
                        [--format json|sarif] [--fail-on high|medium|low]

The language comes from each file's extension; standard input (-) needs --lang.
Exits 1 when a finding is at or above --fail-on.`,
      run: scan,
    },
    run: {
      summary: 'judge a generations file on a benchmark suite; resumes from --out',
      usage: `--suite ${SUITE_NAMES.join('|')}
                       --generations FILE --out DIR [--data DIR] [--limit N] [--k 1,5,10]
                       [--analyzers …] [--label NAME] [--jobs N]

Writes results.jsonl and summary.json to DIR and prints the summary as Markdown.
--jobs runs N generations at once, each in its own sandbox (default: the number of cores).
--data is the folder of the benchmarks' data (default ../shared/data).`,
      run,
    },
    report: {
      summary: 'turn run folders or summary.json files into one Markdown, HTML or JSON report',
      usage: '<run dir | summary.json>… [--format md|html|json] [--out FILE]',
      run: report,
    },
  },
  footer: 'Exit codes: 0 ok, 1 findings at or above --fail-on or another failure (a tool, the sandbox), 2 usage or input error.',
};

main(spec);
