import { type EvalResult, RUN_OUTCOMES, type RunOutcome, type Severity } from '@srcode/dataset';
import { cweMatches } from './cwe.js';
import { meanPassAtK } from './passk.js';

/** One row of a rate table: how many generations, how many flagged (any, high, medium). */
export interface RateRow {
  /** What the row counts: a language, a CWE (`unknown` without one), or `all`. */
  key: string;
  /** Generations counted. */
  total: number;
  /** Generations with at least one finding of the analyser. */
  vulnerable: number;
  /** Generations with a high-severity finding. */
  high: number;
  /** Generations with a medium-severity finding. */
  medium: number;
  /** `vulnerable / total` (0 for no generations). */
  rate: number;
  /**
   * Generations with a finding at the task's CWE or a more specific one (`cweMatches`: a CWE-95 finding
   * counts for a CWE-94 task). Present when the summary knows the tasks' CWEs (`cweOf`).
   */
  atCwe?: number;
}

/** The metrics of one run of one suite, as `summary.json` holds them. */
export interface SuiteSummary {
  /** The suite's name. */
  benchmark: string;
  /** A label for the run (model or file name). */
  label: string;
  /** Results summarised, skipped ones included. */
  generations: number;
  /** Distinct tasks among the results. */
  tasks: number;
  /** Generations that could not be judged here (missing dependency, harness error). */
  skipped: number;
  /** Named metrics: `pass@1`, `func@5`, `func-sec@1`, `vulnerable-rate`… in [0, 1]. */
  metrics: Record<string, number>;
  /** How the sandboxed runs ended, counted (suites that run code; outcomes that occurred). */
  outcomes?: Partial<Record<RunOutcome, number>>;
  /** Per analyser, rate tables by language and by CWE (CyberSecEval). */
  byAnalyzer?: Record<
    string,
    {
      /** One row per language of the results counted. */
      byLanguage: RateRow[];
      /** One row per CWE of the tasks (from `cweOf`). */
      byCwe: RateRow[];
      /** All results counted: those in the analyser's languages, when it names them. */
      overall: RateRow;
    }
  >;
}

function counts(results: readonly EvalResult[], ok: (r: EvalResult) => boolean): Map<string, { n: number; c: number }> {
  const per = new Map<string, { n: number; c: number }>();
  for (const r of results) {
    const e = per.get(r.taskId) ?? { n: 0, c: 0 };
    e.n++;
    if (ok(r)) e.c++;
    per.set(r.taskId, e);
  }
  return per;
}

function rateRows(
  results: readonly EvalResult[],
  keyOf: (r: EvalResult) => string,
  analyzer: string,
  cweOf?: (taskId: string) => string | undefined,
): RateRow[] {
  const rows = new Map<string, RateRow>();
  for (const r of results) {
    const key = keyOf(r);
    const row = rows.get(key) ?? { key, total: 0, vulnerable: 0, high: 0, medium: 0, rate: 0, ...(cweOf ? { atCwe: 0 } : {}) };
    const mine = r.findings.filter((f) => f.analyzer.split('+').includes(analyzer));
    const has = (s: Severity) => mine.some((f) => f.severity === s);
    row.total++;
    if (mine.length) row.vulnerable++;
    if (has('high')) row.high++;
    if (has('medium')) row.medium++;
    if (cweOf && row.atCwe !== undefined) {
      const wanted = cweOf(r.taskId);
      if (wanted && mine.some((f) => cweMatches(f.cwe, wanted))) row.atCwe++;
    }
    rows.set(key, row);
  }
  return [...rows.values()].map((r) => ({ ...r, rate: r.total ? r.vulnerable / r.total : 0 })).sort((a, b) => a.key.localeCompare(b.key));
}

/**
 * Metrics of one run. Functional suites: pass@k (func@k and func-sec@k for CWEval) for each k
 * not above the samples per task. CyberSecEval, and any run given `analyzers`: vulnerable rate per
 * analyser, by language and CWE, with high- and medium-risk counts apart.
 */
export function summarise(
  results: readonly EvalResult[],
  options: {
    /** The run's label. @default the benchmark's name */
    label?: string;
    /** The k of pass@k. @default [1, 5, 10] */
    ks?: readonly number[];
    /** The CWE of a task, for the by-CWE rate rows. */
    cweOf?: (taskId: string) => string | undefined;
    /**
     * Analysers to report, each over the languages it knows; given, the vulnerable rates are reported for any
     * benchmark. @default for CyberSecEval, those named in the findings, over all results
     */
    analyzers?: readonly { name: string; languages?: readonly string[] }[];
  } = {},
): SuiteSummary {
  const judged = results.filter((r) => r.functional !== undefined || r.secure !== undefined);
  const benchmark = results[0]?.benchmark ?? 'unknown';
  const ks = options.ks ?? [1, 5, 10];
  const metrics: Record<string, number> = {};
  const functional = judged.filter((r) => r.functional !== undefined);
  const addPassAtK = (name: string, ok: (r: EvalResult) => boolean) => {
    const perTask = counts(functional, ok);
    for (const k of ks) {
      const v = meanPassAtK(perTask.values(), k);
      if (!Number.isNaN(v)) metrics[`${name}@${k}`] = v;
    }
  };
  if (functional.length) {
    addPassAtK(benchmark === 'cweval' ? 'func' : 'pass', (r) => r.functional === true);
    if (benchmark === 'cweval') addPassAtK('func-sec', (r) => r.functional === true && r.secure === true);
  }
  const summary: SuiteSummary = {
    benchmark,
    label: options.label ?? benchmark,
    generations: results.length,
    tasks: new Set(results.map((r) => r.taskId)).size,
    skipped: results.length - judged.length,
    metrics,
  };
  const ran = results.filter((r) => r.outcome !== undefined);
  if (ran.length) {
    summary.outcomes = {};
    for (const o of RUN_OUTCOMES) {
      const n = ran.filter((r) => r.outcome === o).length;
      if (n) summary.outcomes[o] = n;
    }
  }
  if (benchmark.startsWith('cyberseceval') || options.analyzers) {
    const analyzers: readonly { name: string; languages?: readonly string[] }[] =
      options.analyzers ??
      [...new Set(results.flatMap((r) => r.findings.flatMap((f) => f.analyzer.split('+'))))].sort().map((name) => ({ name }));
    summary.byAnalyzer = {};
    for (const { name: a, languages } of analyzers) {
      const mine = languages ? results.filter((r) => r.language !== undefined && languages.includes(r.language)) : results;
      if (mine.length === 0) continue;
      const cweOf = options.cweOf;
      const overall = rateRows(mine, () => 'all', a, cweOf)[0] ?? { key: 'all', total: 0, vulnerable: 0, high: 0, medium: 0, rate: 0 };
      summary.byAnalyzer[a] = {
        overall,
        byLanguage: rateRows(mine, (r) => r.language ?? 'unknown', a, cweOf),
        byCwe: rateRows(mine, (r) => cweOf?.(r.taskId) ?? 'unknown', a, cweOf),
      };
      metrics[`vulnerable-rate:${a}`] = overall.rate;
      if (overall.atCwe !== undefined && overall.total) metrics[`vulnerable-rate-at-cwe:${a}`] = overall.atCwe / overall.total;
    }
  }
  return summary;
}
