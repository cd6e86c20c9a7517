import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EvalResult, Finding, Generation, Language } from '@srcode/dataset';
import type { Analyzer } from './analyzer.js';
import { type CwevalTask, fillSolution, loadCwevalTasks, runCwevalTask, stripFences } from './cweval.js';
import { type ProProblem, loadProProblems, runProProblem } from './codeeval-pro.js';
import { EvaluationError } from './errors.js';

/** The benchmarks this package runs. */
export type SuiteName = 'cweval' | 'humaneval-pro' | 'mbpp-pro' | 'cyberseceval-instruct' | 'cyberseceval-autocomplete';

/** Every `SuiteName`, for option parsing and listings. */
export const SUITE_NAMES: readonly SuiteName[] = [
  'cweval',
  'humaneval-pro',
  'mbpp-pro',
  'cyberseceval-instruct',
  'cyberseceval-autocomplete',
];

/** One prompt of a benchmark. */
export interface SuiteTask {
  /** Stable id within the suite. */
  id: string;
  /** The language the code must be written in. */
  language: Language;
  /** What the model is asked. */
  prompt: string;
  /** `CWE-<n>` the task is about (security suites). */
  cwe?: string;
}

/** A benchmark: its tasks and how one generation for a task is judged. */
export interface Suite {
  /** Which benchmark. */
  name: SuiteName;
  /** Its prompts. */
  tasks: readonly SuiteTask[];
  /** The analysers a security suite scans with, and their languages (rates count only those). */
  analyzers?: readonly {
    /** The analyser's name, as in its findings. */
    name: string;
    /** The languages it knows. */
    languages: readonly Language[];
  }[];
  /** Judges one generation for one of the tasks (in the sandbox, or with the analysers). */
  evaluate(task: SuiteTask, generation: Generation): Promise<EvalResult>;
}

function baseResult(
  suite: SuiteName,
  task: SuiteTask,
  g: Generation,
): Pick<EvalResult, 'schemaVersion' | 'generationId' | 'taskId' | 'benchmark' | 'language'> {
  return { schemaVersion: 1, generationId: g.id, taskId: task.id, benchmark: suite, language: task.language };
}

/** CWEval: fill, compile, run the functionality and security tests. */
export function cwevalSuite(dataDir: string): Suite {
  const tasks = loadCwevalTasks(join(dataDir, 'cweval'));
  const byId = new Map<string, CwevalTask>(tasks.map((t) => [t.id, t]));
  return {
    name: 'cweval',
    tasks: tasks.map((t) => ({ id: t.id, language: t.language, prompt: t.prompt, cwe: t.cwe })),
    async evaluate(task, g) {
      const t = byId.get(task.id);
      if (!t) throw new EvaluationError('invalid-input', `no CWEval task '${task.id}'`);
      const out = await runCwevalTask(t, fillSolution(t, g.completion));
      const base = { ...baseResult('cweval', task, g), findings: [], durationMs: out.durationMs };
      if (!out.runnable) return { ...base, error: `not runnable here: missing ${out.missing.join(', ')}` };
      const sum = (k: 'passed' | 'failed' | 'errors') => out.functionality[k] + out.security[k];
      return {
        ...base,
        functional: out.functional,
        secure: out.secure,
        tests: { passed: sum('passed'), failed: sum('failed'), errors: sum('errors') },
        outcome: out.outcome,
        ...(out.compiled ? {} : { error: `compile failed: ${out.compileLog?.split('\n')[0] ?? ''}` }),
      };
    },
  };
}

/** HumanEval Pro or MBPP Pro: run the asserts in the sandbox. */
export function proSuite(dataDir: string, which: 'humaneval-pro' | 'mbpp-pro'): Suite {
  const file = join(dataDir, 'codeeval-pro', which === 'humaneval-pro' ? 'humaneval_pro.json' : 'mbpp_pro.json');
  const problems = loadProProblems(file);
  const byId = new Map<string, ProProblem>(problems.map((p) => [p.id, p]));
  return {
    name: which,
    tasks: problems.map((p) => ({ id: p.id, language: 'python', prompt: `${p.rawProblem}${p.rawSolution}\n${p.newProblem}` })),
    async evaluate(task, g) {
      const p = byId.get(task.id);
      if (!p) throw new EvaluationError('invalid-input', `no ${which} problem '${task.id}'`);
      const out = await runProProblem(p, g.completion);
      return {
        ...baseResult(which, task, g),
        functional: out.passed,
        tests: { passed: out.passed ? 1 : 0, failed: out.passed ? 0 : 1, errors: 0 },
        outcome: out.outcome,
        findings: [],
        durationMs: out.durationMs,
        ...(out.error ? { error: out.error } : {}),
      };
    },
  };
}

interface CyberRow {
  prompt_id: string;
  language: string;
  cwe_identifier: string;
  test_case_prompt: string;
  origin_code: string;
  line_text: string;
}

/** A CyberSecEval row, as far as this package uses it. */
export interface CyberSecEvalCase {
  id: string;
  language: Language;
  cwe: string;
  prompt: string;
  originCode: string;
  lineText: string;
}

const CYBER_LANGUAGES: Readonly<Record<string, Language>> = {
  c: 'c',
  cpp: 'cpp',
  python: 'python',
  javascript: 'javascript',
  java: 'java',
  php: 'php',
  csharp: 'csharp',
  rust: 'rust',
};

export function loadCyberSecEval(dataDir: string, variant: 'instruct' | 'autocomplete'): CyberSecEvalCase[] {
  const rows = JSON.parse(readFileSync(join(dataDir, 'cyberseceval', `${variant}.json`), 'utf8')) as CyberRow[];
  return rows.flatMap((r) => {
    const language = CYBER_LANGUAGES[r.language];
    if (!language) return [];
    return [
      {
        id: `${r.language}-${r.prompt_id}`,
        language,
        cwe: r.cwe_identifier,
        prompt: r.test_case_prompt,
        originCode: r.origin_code,
        lineText: r.line_text,
      },
    ];
  });
}

/** CyberSecEval: each analyser that knows the language scans the generation; findings keep their analyser. */
export function cyberSecEvalSuite(dataDir: string, variant: 'instruct' | 'autocomplete', analyzers: readonly Analyzer[]): Suite {
  const name: SuiteName = variant === 'instruct' ? 'cyberseceval-instruct' : 'cyberseceval-autocomplete';
  const cases = loadCyberSecEval(dataDir, variant);
  return {
    name,
    tasks: cases.map((c) => ({ id: c.id, language: c.language, prompt: c.prompt, cwe: c.cwe })),
    analyzers: analyzers.map((a) => ({ name: a.name, languages: a.languages })),
    async evaluate(task, g) {
      const started = performance.now();
      const code = stripFences(g.completion);
      const findings: Finding[] = [];
      for (const a of analyzers) if (a.languages.includes(task.language)) findings.push(...(await a.analyze(code, task.language)));
      return {
        ...baseResult(name, task, g),
        secure: findings.length === 0,
        findings,
        durationMs: performance.now() - started,
      };
    },
  };
}

/** Build a suite by name from the data folder. */
export function loadSuite(name: SuiteName, dataDir: string, analyzers: readonly Analyzer[] = []): Suite {
  switch (name) {
    case 'cweval':
      return cwevalSuite(dataDir);
    case 'humaneval-pro':
    case 'mbpp-pro':
      return proSuite(dataDir, name);
    case 'cyberseceval-instruct':
      return cyberSecEvalSuite(dataDir, 'instruct', analyzers);
    case 'cyberseceval-autocomplete':
      return cyberSecEvalSuite(dataDir, 'autocomplete', analyzers);
  }
}
