import { readFileSync } from 'node:fs';
import { EvaluationError } from './errors.js';
import { DEFAULT_PYTHON, stripFences } from './cweval.js';
import { type Outcome, classify, judgeSources, newNonce, parseVerdict } from './judge.js';
import { Sandbox, type SandboxLimits } from './sandbox.js';

/** One self-invoking problem of HumanEval Pro or MBPP Pro. */
export interface ProProblem {
  /** The problem's id in its file. */
  id: string;
  /** The base problem's prompt. */
  rawProblem: string;
  /** The base problem's solution. */
  rawSolution: string;
  /** The self-invoking problem's prompt, which calls the base function. */
  newProblem: string;
  /** The canonical solution of the self-invoking problem. */
  newSolution: string;
  /** The asserts the program must pass. */
  testCode: string;
}

/** Read `humaneval_pro.json` or `mbpp_pro.json`. */
export function loadProProblems(file: string): ProProblem[] {
  let rows: Record<string, string>[];
  try {
    rows = JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>[];
  } catch (cause) {
    throw new EvaluationError('suite-data-missing', `could not read problems from ${file}`, { cause });
  }
  return rows.map((r) => ({
    id: String(r.id),
    rawProblem: r.raw_problem ?? '',
    rawSolution: r.raw_solution ?? '',
    newProblem: r.new_problem ?? '',
    newSolution: r.new_solution ?? '',
    testCode: r.test_code ?? '',
  }));
}

/** The name of the self-invoking function a problem asks for. */
function newFunctionName(p: ProProblem): string | undefined {
  return [...p.newProblem.matchAll(/^def\s+(\w+)\s*\(/gm)].pop()?.[1];
}

/**
 * The program under test: a completion that defines the new function is taken whole (it must carry
 * the base function too); otherwise it continues the prompt (raw problem, its solution, the new problem).
 * The tests are not part of it: they run in the judge, out of the program's reach.
 */
export function proProgram(p: ProProblem, completion: string): string {
  const code = stripFences(completion);
  const name = newFunctionName(p);
  const whole = name !== undefined && new RegExp(`^def\\s+${name}\\s*\\(`, 'm').test(code);
  const body = whole ? code : `${p.rawProblem}${p.rawSolution}\n${p.newProblem}${code}`;
  return `${body}\n`;
}

/** The canonical solution as a completion of the prompt. */
export function canonicalCompletion(p: ProProblem): string {
  return p.newSolution;
}

/** How one completion did on one problem. */
export interface ProOutcome {
  /** The problem's id. */
  problemId: string;
  /** The judge saw every assert run to its end and hold (`outcome === 'passed'`). */
  passed: boolean;
  /** How the run ended. */
  outcome: Outcome;
  /** The wall-clock limit killed the program. */
  timedOut: boolean;
  /** Why it failed: the judge's reason, or the last line of stderr. */
  error?: string;
  /** Wall-clock time of the run. */
  durationMs: number;
}

/** The sandbox limits of each program (more than `DEFAULT_LIMITS`: some canonical solutions are slow). */
export const PRO_LIMITS: Partial<SandboxLimits> = { timeoutMs: 20_000, memoryBytes: 1024 * 1024 * 1024, maxProcesses: 32 };

/**
 * Run one completion of one problem in a fresh sandbox. The program runs as the sandbox user in an
 * untrusted worker; the asserts run in a trusted judge that calls into it over a pipe and compares
 * plain values decoded on its own side, so no exit, forged output or rigged object can pass them.
 *
 * @example
 * ```ts
 * import { type ProProblem, runProProblem } from '@srcode/eval';
 *
 * // one self-invoking problem in HumanEval Pro's shape: a base function, then one that calls it
 * const problem: ProProblem = {
 *   id: 'double-all',
 *   rawProblem: 'def double(x):\n    """Twice x."""\n',
 *   rawSolution: '    return 2 * x\n',
 *   newProblem: 'def double_all(xs):\n    """Every element of xs, doubled."""\n',
 *   newSolution: '    return [double(x) for x in xs]\n',
 *   testCode: 'assert double_all([1, 2]) == [2, 4]\nassert double_all([]) == []\n',
 * };
 * const right = await runProProblem(problem, '    return [double(x) for x in xs]\n');
 * const wrong = await runProProblem(problem, '    return xs + xs\n');
 * console.log(right.outcome, wrong.outcome); // passed failed
 * ```
 */
export async function runProProblem(
  p: ProProblem,
  completion: string,
  options: { python?: string; limits?: Partial<SandboxLimits> } = {},
): Promise<ProOutcome> {
  const started = performance.now();
  const sandbox = await Sandbox.create({ files: { 'solution.py': proProgram(p, completion) }, readOnlyFiles: judgeSources() });
  try {
    const nonce = newNonce();
    const r = await sandbox.run({
      command: [options.python ?? DEFAULT_PYTHON, '-I', '-B', `${sandbox.libDir}/pro.py`],
      limits: { ...PRO_LIMITS, ...options.limits },
      stdin: JSON.stringify({ nonce, solution: 'solution.py', tests: p.testCode }),
      trusted: true,
    });
    const verdict = parseVerdict(r.verdict, nonce);
    const outcome = classify(r, verdict);
    const passed = outcome === 'passed';
    // Without a verdict the run's own last words say nothing trustworthy: name the limit, or the judge's failure.
    const error = passed
      ? undefined
      : outcome === 'harness-error'
        ? `harness error: ${r.stderr.trim().split('\n').pop() ?? ''}`
        : outcome === 'failed'
          ? (verdict?.reason ?? 'failed')
          : `${outcome}${verdict?.reason ? `: ${verdict.reason}` : ''}`;
    return {
      problemId: p.id,
      passed,
      outcome,
      timedOut: outcome === 'timed-out',
      ...(error !== undefined ? { error } : {}),
      durationMs: performance.now() - started,
    };
  } finally {
    await sandbox.dispose();
  }
}
