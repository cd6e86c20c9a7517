import { existsSync, readFileSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import type { Finding, Language } from '@srcode/dataset';
import { languageForFile, languageNames } from '@srcode/syntax';
import { type CliSpec, inputFile, main, packageVersion } from '../../../common/cli.js';
import type { Analyzer } from './analyzer.js';
import { EvaluationError } from './errors.js';
import type { SuiteSummary } from './metrics.js';
import type { SuiteName } from './suites.js';

// Each command loads what it needs when it runs. The bin's bundle holds what a scan needs (the
// analysers, SARIF); the benchmark and report commands load the package's library build beside it
// (the sandbox, the suites, the reports), so a scan compiles none of that.

/** The suites `run` takes (the library's `SUITE_NAMES`; a test keeps the two lists equal). */
const RUN_SUITES: readonly SuiteName[] = ['cweval', 'humaneval-pro', 'mbpp-pro', 'cyberseceval-instruct', 'cyberseceval-autocomplete'];

/** The package's library: `index.js` beside this module (the built `dist/`, or `src/` under a TypeScript loader). */
async function library(): Promise<typeof import('./index.js')> {
  // a specifier the bundler leaves alone, so that the library is not copied into the bin
  const at = ['.', 'index.js'].join('/');
  return (await import(at)) as typeof import('./index.js');
}

const SEVERITIES: readonly Finding['severity'][] = ['high', 'medium', 'low'];
const SEVERITY_RANK: Readonly<Record<Finding['severity'], number>> = { low: 0, medium: 1, high: 2 };

function oneOf<T extends string>(flag: string, value: string | undefined, allowed: readonly T[]): T | undefined {
  if (value === undefined || allowed.includes(value as T)) return value as T | undefined;
  throw new EvaluationError('invalid-input', `${flag} must be one of ${allowed.join(', ')}; got '${value}'`);
}

function count(flag: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new EvaluationError('invalid-input', `${flag} expects whole numbers from 1; got '${value}'`);
  return n;
}

/** The analyser names of `--analyzers` (default: the built-in one). */
function analyserNames(list: string | undefined): string[] {
  return (list ?? 'builtin')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

async function analysersFrom(list: string | undefined): Promise<Analyzer[]> {
  const names = analyserNames(list);
  const { createAnalyzer } = await import('./analyzers.js');
  const out: Analyzer[] = [];
  for (const name of names) {
    const a = createAnalyzer(name);
    const probe = a as Partial<{ available(): Promise<boolean> }>;
    if (typeof probe.available === 'function' && !(await probe.available())) {
      throw new EvaluationError('analyzer-unavailable', `analyser '${name}' is not installed here`);
    }
    out.push(a);
  }
  return out;
}

/** One input of a scan: its path as named (or `-`) and its language. */
interface ScanInput {
  path: string;
  language: Language;
}

/** Folders a scan of a folder does not enter: dependencies and version-control stores. */
const SKIPPED_FOLDERS = new Set(['node_modules', '.git', '.hg', '.svn']);

/**
 * The inputs a scan's arguments name: `-` (standard input, in `--lang`), files (language from the
 * extension, or `--lang`), and folders, walked in name order for files of a known language (of
 * `--lang` only, when given), through symbolic links but into each folder once (no loops), skipping
 * `node_modules` and version-control folders. A file named twice is scanned once.
 */
function scanInputs(positionals: readonly string[], lang: Language | undefined): ScanInput[] {
  const out: ScanInput[] = [];
  const files = new Set<string>();
  const folders = new Set<string>();
  const add = (path: string, language: Language) => {
    const real = realpathSync.native(path);
    if (files.has(real)) return;
    files.add(real);
    out.push({ path, language });
  };
  const walk = (folder: string) => {
    const real = realpathSync.native(folder);
    if (folders.has(real)) return;
    folders.add(real);
    const entries = readdirSync(folder, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const path = join(folder, entry.name);
      let isFolder = entry.isDirectory();
      let isFile = entry.isFile();
      if (entry.isSymbolicLink()) {
        const target = statSync(path, { throwIfNoEntry: false });
        if (!target) continue; // a dangling link
        isFolder = target.isDirectory();
        isFile = target.isFile();
      }
      if (isFolder) {
        if (!SKIPPED_FOLDERS.has(entry.name)) walk(path);
      } else if (isFile) {
        const language = languageForFile(entry.name);
        if (language && (!lang || language === lang)) add(path, language);
      }
    }
  };
  let stdin = false;
  for (const arg of positionals) {
    if (arg === '-') {
      if (!lang) throw new EvaluationError('invalid-input', "cannot tell the language of '-': pass --lang");
      if (stdin) throw new EvaluationError('invalid-input', 'standard input (-) named twice');
      stdin = true;
      out.push({ path: '-', language: lang });
      continue;
    }
    if (statSync(arg).isDirectory()) {
      walk(arg);
      continue;
    }
    const language = lang ?? languageForFile(arg);
    if (!language) throw new EvaluationError('invalid-input', `cannot tell the language of '${arg}': pass --lang`);
    add(arg, language);
  }
  return out;
}

/** One file for a scan thread: its place in the scan, its text and language. */
interface ScanJob {
  i: number;
  code: string;
  language: Language;
}

/** Files handed to a thread at a time, and how many such batches it holds at once (one in work, one waiting). */
const SCAN_BATCH = 16;
const SCAN_AHEAD = 2;
/** Inputs from which a scan with the built-in analyser alone spreads over threads by default. */
const PARALLEL_FROM = 200;

/** A scan thread as the main thread drives it: the worker, and a promise settled when it has stopped. */
interface ScanThread {
  readonly worker: Worker;
  /** Set once the thread is fed: its handler of the worker's answers. */
  onMessage?: (msg: { results?: [number, Finding[]][]; ready?: true }) => void;
  readonly stopped: Promise<void>;
}

/**
 * Starts `count` scan threads (this same module started with `workerData.srcodeScanWorker`), each loading the
 * built-in analyser and the grammars of `languages` at once, so their start-up runs while this thread reads the
 * inputs and loads its own modules.
 */
function startScanThreads(count: number, languages: readonly Language[]): ScanThread[] {
  const threads: ScanThread[] = [];
  for (let k = 0; k < count; k++) {
    const worker = new Worker(new URL(import.meta.url), { workerData: { srcodeScanWorker: true, languages } });
    const thread: ScanThread = {
      worker,
      stopped: new Promise<void>((resolve, reject) => {
        worker.on('error', reject);
        worker.on('exit', (code) =>
          code === 0 ? resolve() : reject(new EvaluationError('analyzer-failed', `a scan thread stopped with exit code ${code}`)),
        );
      }),
    };
    worker.on('message', (msg) => thread.onMessage?.(msg));
    // a failure before the thread is fed is reported by the scan's own await of `stopped`
    thread.stopped.catch(() => undefined);
    threads.push(thread);
  }
  return threads;
}

/**
 * The built-in analyser over `items` on this thread and `threads`, each taking batches of files from one queue as
 * it finishes the last, so the threads share the work whatever the files cost. Each file is analysed alone, so
 * the findings are those of a scan on one thread, in input order.
 */
async function builtinOnThreads(
  items: readonly { code: string; language: Language }[],
  threads: readonly ScanThread[],
): Promise<Finding[][]> {
  const { BuiltinAnalyzer } = await import('./builtin.js');
  const analyzer = new BuiltinAnalyzer();
  const out: Finding[][] = items.map(() => []);
  const todo = items.flatMap((item, i) => (analyzer.languages.includes(item.language) ? [i] : []));
  let next = 0;
  const take = (): ScanJob[] => {
    const batch = todo
      .slice(next, next + SCAN_BATCH)
      .map((i) => ({ i, code: (items[i] as { code: string }).code, language: (items[i] as { language: Language }).language }));
    next += batch.length;
    return batch;
  };
  for (const thread of threads) {
    let held = 0;
    const feed = () => {
      while (held < SCAN_AHEAD) {
        const batch = take();
        if (!batch.length) break;
        held++;
        thread.worker.postMessage(batch);
      }
      if (held === 0) thread.worker.postMessage(null);
    };
    thread.onMessage = (msg) => {
      if (msg.results) {
        held--;
        for (const [i, findings] of msg.results) out[i] = findings;
      }
      feed();
    };
    feed();
  }
  // this thread works too, and between its batches lets the workers' messages in
  for (let batch = take(); batch.length; batch = take()) {
    for (const job of batch) out[job.i] = analyzer.analyzeSync(job.code, job.language);
    await new Promise((resolve) => setImmediate(resolve));
  }
  await Promise.all(threads.map((t) => t.stopped));
  return out;
}

/**
 * A scan thread: loads the built-in analyser and the grammars it is told of, then analyses the batches it is
 * sent, answers each, stops on `null`.
 */
async function scanWorker(): Promise<void> {
  const port = parentPort;
  if (!port) return;
  const queue: (ScanJob[] | null)[] = [];
  let analyze: ((batch: ScanJob[] | null) => void) | undefined;
  // batches that come while the analyser loads wait in order
  port.on('message', (batch: ScanJob[] | null) => (analyze ? analyze(batch) : queue.push(batch)));
  const { BuiltinAnalyzer } = await import('./builtin.js');
  const analyzer = new BuiltinAnalyzer();
  // loads each grammar (an empty text is parsed by no rule)
  for (const language of (workerData as { languages?: Language[] }).languages ?? []) {
    if (analyzer.languages.includes(language)) analyzer.analyzeSync('', language);
  }
  analyze = (batch) => {
    if (!batch) {
      port.close();
      return;
    }
    port.postMessage({ results: batch.map((job) => [job.i, analyzer.analyzeSync(job.code, job.language)]) });
  };
  for (const batch of queue.splice(0)) analyze(batch);
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
      jobs: { type: 'string' },
    },
  });
  if (positionals.length === 0) throw new EvaluationError('invalid-input', 'expected files, folders, or - for standard input');
  const jobsWanted = values.jobs === undefined ? undefined : count('--jobs', values.jobs);
  const format = oneOf('--format', values.format, ['json', 'sarif']);
  const failOn = oneOf('--fail-on', values['fail-on'], SEVERITIES);
  const lang = oneOf('--lang', values.lang, languageNames() as Language[]);
  let items: { code: string; language: Language }[] = [];
  let sarif: typeof import('./sarif.js') | undefined;
  const inputs = scanInputs(positionals, lang);
  // the built-in analyser alone spreads many files over the cores (an external tool already runs once per batch);
  // its threads start now, loading while this one reads the inputs
  const names = analyserNames(values.analyzers);
  const builtinOnly = names.length === 1 && names[0] === 'builtin';
  const jobs = jobsWanted ?? (inputs.length >= PARALLEL_FROM ? Math.min(availableParallelism(), 4) : 1);
  const threads =
    builtinOnly && jobs > 1 ? startScanThreads(Math.min(jobs, inputs.length) - 1, [...new Set(inputs.map((i) => i.language))]) : [];
  let lists: Finding[][];
  try {
    const analyzers = await analysersFrom(values.analyzers);
    const [{ analyzeAll, EnsembleAnalyzer }, sarifModule] = await Promise.all([
      import('./ensemble.js'),
      format === 'sarif' ? import('./sarif.js') : undefined,
    ]);
    sarif = sarifModule;
    const analyzer = analyzers.length === 1 ? (analyzers[0] as Analyzer) : new EnsembleAnalyzer(analyzers);
    items = inputs.map((input) => ({ code: readFileSync(input.path === '-' ? 0 : input.path, 'utf8'), language: input.language }));
    lists = threads.length ? await builtinOnThreads(items, threads) : await analyzeAll(analyzer, items);
  } catch (e) {
    await Promise.all(threads.map((t) => t.worker.terminate()));
    throw e;
  }
  const scanned = inputs.map((input, i) => ({
    file: input.path,
    code: items[i]?.code ?? '',
    findings: (lists[i] ?? []).map((f) => ({ ...f, file: input.path })),
  }));
  const output = sarif ? sarif.toSarif(scanned) : scanned.flatMap((s) => s.findings);
  process.stdout.write(`${JSON.stringify(output, null, 2)}\n`);
  const bar = failOn === undefined ? undefined : SEVERITY_RANK[failOn];
  if (bar !== undefined && scanned.some((s) => s.findings.some((f) => SEVERITY_RANK[f.severity] >= bar))) return 1;
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
  if (!suiteName || !RUN_SUITES.includes(suiteName))
    throw new EvaluationError('invalid-input', `--suite must be one of ${RUN_SUITES.join(', ')}`);
  if (!values.generations || !values.out) throw new EvaluationError('invalid-input', 'expected --generations FILE and --out DIR');
  const generations = inputFile(values.generations);
  const limit = values.limit === undefined ? undefined : count('--limit', values.limit);
  const ks = values.k ? values.k.split(',').map((k) => count('--k', k)) : undefined;
  const jobs = values.jobs === undefined ? undefined : count('--jobs', values.jobs);
  const data = resolve(values.data ?? '../shared/data');
  if (!existsSync(data)) throw new EvaluationError('suite-data-missing', `data folder ${data} not found: pass --data`);
  const analyzers = suiteName.startsWith('cyberseceval') ? await analysersFrom(values.analyzers) : [];
  const { loadSuite, runSuite, toMarkdown } = await library();
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
  const { toHtml, toMarkdown } = await library();
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
      usage: `<files…|folders…|-> [--lang c|cpp|python] [--analyzers builtin,bandit,flawfinder,cppcheck]
                        [--format json|sarif] [--fail-on high|medium|low] [--jobs N]

The language comes from each file's extension, or --lang; standard input (-) needs --lang.
A folder is walked for files of known languages (of --lang only, when given), skipping
node_modules, .git, .hg and .svn, following links into each folder once.
All inputs are read, then each analyser runs over them together (an external tool once per batch).
--jobs spreads the built-in analyser over N threads (default: up to 4, one per core, from 200 inputs;
1 below); the findings are the same whatever N.
Exits 1 when a finding is at or above --fail-on.`,
      run: scan,
    },
    run: {
      summary: 'judge a generations file on a benchmark suite; resumes from --out',
      usage: `--suite ${RUN_SUITES.join('|')}
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

if (!isMainThread && (workerData as { srcodeScanWorker?: boolean } | null)?.srcodeScanWorker) void scanWorker();
else main(spec);
