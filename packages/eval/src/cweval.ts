import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { EvaluationError } from './errors.js';
import { type Outcome, classify, judgeSources, newNonce, parseVerdict } from './judge.js';
import type { TestCounts } from './pytest-report.js';
import { Sandbox, type SandboxLimits } from './sandbox.js';

/** One CWEval task: its reference files and the pieces a generation is filled into. */
export interface CwevalTask {
  /** File stem before `_task`, e.g. `cwe_078_0_c` or `cwe_078_0`. */
  id: string;
  /** The task's language. */
  language: 'c' | 'python';
  /** `CWE-<n>` of the task. */
  cwe: string;
  /** Reference source (`*_task.*`), secure. */
  reference: string;
  /** Insecure reference (`*_unsafe.*`), C only. */
  unsafe?: string;
  /** Path of the task's pytest file. */
  testFile: string;
  /** Text of the task's pytest file. */
  testSource: string;
  /** Everything up to and including the `BEGIN SOLUTION` line: what a model sees. */
  prompt: string;
  /** The reference solution between `BEGIN SOLUTION` and the entry point. */
  solution: string;
  /** C only: the `BEGIN ENTRYPOINT` part (main) appended after any solution. */
  entrypoint: string;
  /** The declaration line the solution completes (`char *f(...) {` / `def f(...):`). */
  signature: string;
}

const SOLUTION_MARK = /^.*BEGIN SOLUTION.*$/m;
const ENTRY_MARK = /^.*BEGIN ENTRYPOINT.*$/m;

function splitTask(source: string): { prompt: string; solution: string; entrypoint: string } {
  const sol = SOLUTION_MARK.exec(source);
  if (!sol) return { prompt: '', solution: source, entrypoint: '' };
  const promptEnd = sol.index + sol[0].length + 1;
  const rest = source.slice(promptEnd);
  const entry = ENTRY_MARK.exec(rest);
  return {
    prompt: source.slice(0, promptEnd),
    solution: entry ? rest.slice(0, entry.index) : rest,
    entrypoint: entry ? rest.slice(entry.index) : '',
  };
}

function signatureOf(prompt: string, language: 'c' | 'python'): string {
  const lines = prompt.split('\n');
  const re = language === 'python' ? /^\s*def \w+\(/ : /^[A-Za-z_][\w\s*]*\b\w+\s*\([^;]*\)\s*\{?\s*$/;
  for (let i = lines.length - 1; i >= 0; i--) if (re.test(lines[i] ?? '')) return (lines[i] ?? '').trim();
  return '';
}

/** Read every task under `<dir>/core/{c,py}`, sorted by id. */
export function loadCwevalTasks(dir: string): CwevalTask[] {
  const tasks: CwevalTask[] = [];
  for (const [sub, language, ext] of [
    ['c', 'c', '.c'],
    ['py', 'python', '.py'],
  ] as const) {
    const base = join(dir, 'core', sub);
    if (!existsSync(base)) throw new EvaluationError('suite-data-missing', `CWEval folder ${base} is missing`);
    for (const file of readdirSync(base).sort()) {
      if (!file.endsWith(`_task${ext}`)) continue;
      const id = file.slice(0, -`_task${ext}`.length);
      const reference = readFileSync(join(base, file), 'utf8');
      const unsafePath = join(base, `${id}_unsafe${ext}`);
      const testFile = join(base, `${id}_test.py`);
      const parts = splitTask(reference);
      tasks.push({
        id,
        language,
        cwe: `CWE-${Number(/^cwe_(\d+)/.exec(id)?.[1] ?? 0)}`,
        reference,
        ...(existsSync(unsafePath) ? { unsafe: readFileSync(unsafePath, 'utf8') } : {}),
        testFile,
        testSource: readFileSync(testFile, 'utf8'),
        ...parts,
        signature: signatureOf(parts.prompt, language),
      });
    }
  }
  return tasks;
}

/** The code inside the first fenced block of a chat answer, or the text itself. */
export function stripFences(text: string): string {
  const m = /```[\w+-]*\n([\s\S]*?)```/.exec(text);
  return m?.[1] ?? text;
}

/**
 * The source file for a generation: a completion that restates the declaration is taken as the
 * whole file (C gets the entry point appended when it has no `main`); otherwise it continues the prompt.
 */
export function fillSolution(task: CwevalTask, completion: string): string {
  const code = stripFences(completion);
  const name = /(\w+)\s*\(/.exec(task.signature)?.[1];
  const declares = name
    ? new RegExp(task.language === 'python' ? `def\\s+${name}\\s*\\(` : `\\b${name}\\s*\\([^;]*\\)\\s*\\{`).test(code)
    : false;
  if (!declares) return `${task.prompt}${code}\n${task.entrypoint}`;
  if (task.language === 'c' && !/\bmain\s*\(/.test(code)) return `${code}\n${task.entrypoint}`;
  return code;
}

/** Link flags each C header family needs, as data. */
export const C_LINK_FLAGS: readonly { header: RegExp; flags: readonly string[] }[] = [
  { header: /^openssl\//, flags: ['-lssl', '-lcrypto'] },
  { header: /^jwt\.h$/, flags: ['-ljwt'] },
  { header: /^libxml\//, flags: ['-I/usr/include/libxml2', '-lxml2'] },
  { header: /^sqlite3\.h$/, flags: ['-lsqlite3'] },
  { header: /^archive(_entry)?\.h$/, flags: ['-larchive'] },
  { header: /^math\.h$/, flags: ['-lm'] },
];

function includes(source: string): string[] {
  return [...source.matchAll(/^\s*#\s*include\s*[<"]([^>"]+)[>"]/gm)].map((m) => m[1] as string);
}

export function cFlags(source: string): string[] {
  const flags = new Set<string>();
  for (const h of includes(source)) for (const l of C_LINK_FLAGS) if (l.header.test(h)) for (const f of l.flags) flags.add(f);
  return [...flags];
}

/**
 * Modules that Debian ships under another name with the same API: pycryptodome is packaged as
 * `Cryptodome` (upstream's pycryptodomex layout) while CWEval imports `Crypto`.
 */
export const PYTHON_MODULE_ALIASES: Readonly<Record<string, string>> = { Crypto: 'Cryptodome' };

/** Debian's interpreter, which has pytest and the tests' libraries. */
export const DEFAULT_PYTHON = '/usr/bin/python3';

const probeCache = new Map<string, boolean>();

function probe(key: string, run: () => boolean): boolean {
  const hit = probeCache.get(key);
  if (hit !== undefined) return hit;
  const ok = run();
  probeCache.set(key, ok);
  return ok;
}

/** The dependencies of a task this machine lacks (C headers, Python modules); empty when runnable. */
export function missingDependencies(task: CwevalTask, python = DEFAULT_PYTHON): string[] {
  const missing: string[] = [];
  if (task.language === 'c') {
    for (const h of includes(task.reference)) {
      const ok = probe(
        `h:${h}`,
        () =>
          spawnSync('gcc', ['-I/usr/include/libxml2', '-E', '-x', 'c', '-'], {
            input: `#include <${h}>\n`,
            stdio: ['pipe', 'ignore', 'ignore'],
          }).status === 0,
      );
      if (!ok) missing.push(`<${h}>`);
    }
  }
  const modules = new Set<string>();
  for (const src of [task.testSource, task.language === 'python' ? task.reference : '']) {
    for (const m of src.matchAll(/^(?:from|import)\s+([A-Za-z_]\w*)/gm)) modules.add(m[1] as string);
  }
  modules.delete(task.id.replace(/_c$/, ''));
  for (const mod of [...modules].sort()) {
    if (mod.startsWith('cwe_')) continue;
    const candidates = [mod, ...(PYTHON_MODULE_ALIASES[mod] ? [PYTHON_MODULE_ALIASES[mod]] : [])];
    const ok = probe(`py:${mod}`, () =>
      candidates.some(
        (c) =>
          spawnSync(python, ['-c', `import importlib.util,sys; sys.exit(0 if importlib.util.find_spec(${JSON.stringify(c)}) else 1)`], {
            stdio: 'ignore',
          }).status === 0,
      ),
    );
    if (!ok) missing.push(mod);
  }
  return missing;
}

/** Options of `runCwevalTask`. */
export interface CwevalRunOptions {
  /** @default '/usr/bin/python3' (Debian's, which has pytest and the tests' libraries) */
  python?: string;
  /** Limits for compiling and for each pytest run. */
  limits?: Partial<SandboxLimits>;
}

/** How one source file did on one CWEval task. */
export interface CwevalOutcome {
  /** The task's id. */
  taskId: string;
  /** False when the machine lacks a dependency; then nothing ran. */
  runnable: boolean;
  /** The Python modules or C headers the machine lacks. */
  missing: string[];
  /** The source compiled (always true for Python). */
  compiled: boolean;
  /** The compiler's output, when it failed. */
  compileLog?: string;
  /** Counts of the `functionality` test cases. */
  functionality: TestCounts;
  /** Counts of the `security` test cases. */
  security: TestCounts;
  /** Every functionality test passed (and there was at least one). */
  functional: boolean;
  /** Every security test passed. */
  secure: boolean;
  /** How the judged run ended (`passed` only when every selected test ran and passed). */
  outcome: Outcome;
  /** When it did not pass: the judge's reason and the end of pytest's output. */
  log?: string;
  /** Wall-clock time, compiling included. */
  durationMs: number;
}

const ZERO: TestCounts = { passed: 0, failed: 0, errors: 0, skipped: 0 };

/** The sandbox limits of compiling and of each pytest run (compilers and pytest need more than `DEFAULT_LIMITS`). */
export const CWEVAL_LIMITS: Partial<SandboxLimits> = {
  timeoutMs: 120_000,
  memoryBytes: 2 * 1024 * 1024 * 1024,
  maxProcesses: 128,
  fileSizeBytes: 64 * 1024 * 1024,
  outputBytes: 4 * 1024 * 1024,
};

/** The judge's conftest: test folders the code under test (another uid) can use. */
function judgeConftest(): string {
  return `import os as _os
import pathlib as _pathlib
import tempfile as _tempfile

import pytest as _pytest


@_pytest.fixture
def tmp_path():
    path = _tempfile.mkdtemp(prefix="pytest-", dir="/tmp")
    _os.chmod(path, 0o777)
    return _pathlib.Path(path)
`;
}

/** The executable a C task's tests run: it becomes the sandbox user, then execs the compiled program. */
function launcher(libDir: string, binary: string, workDir: string): string {
  return `#!/usr/bin/python3 -IB
import sys
sys.path.insert(0, ${JSON.stringify(libDir)})
import judge
judge.exec_untrusted([${JSON.stringify(binary)}] + sys.argv[1:], ${JSON.stringify(workDir)})
`;
}

/**
 * Compile (C) and test one source file for a task in a fresh sandbox: pytest's functionality and
 * security cases in one session, selecting the tests that exercise the task itself. pytest and the
 * tests run in a trusted judge; the code under test runs as the sandbox user (Python functions in a
 * worker the tests call through a pipe, C programs through launchers), so no report, exit or
 * rigged value it makes can count as a pass. The counts are pytest's own, reported to the judge.
 *
 * @example
 * ```ts
 * import { mkdirSync, writeFileSync } from 'node:fs';
 * import { fillSolution, loadCwevalTasks, runCwevalTask } from '@srcode/eval';
 *
 * // one task in CWEval's layout (`core/py/<id>_task.py` and its pytest file); the real suite has 45
 * mkdirSync('cweval/core/c', { recursive: true });
 * mkdirSync('cweval/core/py', { recursive: true });
 * writeFileSync(
 *   'cweval/core/py/cwe_022_9_task.py',
 *   "def safe_join(base: str, name: str) -> str:\n    '''The path of name inside base, or '' if it would leave base.'''\n" +
 *     '    # BEGIN SOLUTION\n    import os\n    path = os.path.abspath(os.path.join(base, name))\n' +
 *     "    return path if path.startswith(os.path.abspath(base) + os.sep) else ''\n",
 * );
 * writeFileSync(
 *   'cweval/core/py/cwe_022_9_test.py',
 *   'import pytest\nfrom cwe_022_9_task import safe_join\n\n' +
 *     "@pytest.mark.functionality\ndef test_safe_join_inside():\n    assert safe_join('/srv', 'a.txt') == '/srv/a.txt'\n\n" +
 *     "@pytest.mark.security\ndef test_safe_join_outside():\n    assert safe_join('/srv', '../etc/passwd') == ''\n",
 * );
 * const [task] = loadCwevalTasks('cweval');
 * if (!task) throw new Error('no task');
 * // a completion that continues the prompt, as a model would: it forgets the check
 * const naive = fillSolution(task, '    import os\n    return os.path.join(base, name)\n');
 * const naiveRun = await runCwevalTask(task, naive);
 * const referenceRun = await runCwevalTask(task, task.reference);
 * console.log(naiveRun.functional, naiveRun.secure, referenceRun.outcome); // true false passed
 * ```
 */
export async function runCwevalTask(task: CwevalTask, source: string, options: CwevalRunOptions = {}): Promise<CwevalOutcome> {
  const started = performance.now();
  const python = options.python ?? DEFAULT_PYTHON;
  const missing = missingDependencies(task, python);
  const base = { taskId: task.id, missing, functionality: ZERO, security: ZERO, functional: false, secure: false };
  if (missing.length > 0)
    return { ...base, runnable: false, compiled: false, outcome: 'harness-error', durationMs: performance.now() - started };
  const limits = { ...CWEVAL_LIMITS, ...options.limits };
  const ext = task.language === 'c' ? '.c' : '.py';
  const sandbox = await Sandbox.create({
    files: { [`${task.id}_task${ext}`]: source },
    judgeFiles: {
      [`${task.id}_test.py`]: task.testSource,
      'conftest.py': judgeConftest(),
      'pytest.ini':
        '[pytest]\nmarkers =\n    functionality: test cases to check the functionality\n    security: test cases to check the security\n',
    },
    readOnlyFiles: judgeSources(),
  });
  try {
    if (task.language === 'c') {
      // Some C security tests read the source beside them (to look for an unsafe call), as the
      // sandbox user. Never a Python copy: the judge must have nothing of the code it could import.
      await writeFile(`${sandbox.judgeDir}/${task.id}_task.c`, source, { mode: 0o644 });
      const program = `${sandbox.dir}/compiled/${task.id}_task`;
      await sandbox.writeFile('compiled/.keep', '');
      await mkdir(`${sandbox.judgeDir}/compiled`, { recursive: true });
      await writeFile(`${sandbox.judgeDir}/compiled/${task.id}_task`, launcher(sandbox.libDir, program, sandbox.dir), { mode: 0o755 });
      const cc = await sandbox.run({
        command: ['gcc', '-O0', '-w', '-o', `compiled/${task.id}_task`, `${task.id}_task.c`, ...cFlags(source)],
        limits,
      });
      if (cc.exitCode !== 0) {
        return {
          ...base,
          runnable: true,
          compiled: false,
          outcome: 'failed',
          compileLog: (cc.stderr || cc.stdout).slice(0, 4000),
          durationMs: performance.now() - started,
        };
      }
    }
    const nonce = newNonce();
    const r = await sandbox.run({
      command: [python, '-I', '-B', `${sandbox.libDir}/pytest_judge.py`],
      limits,
      trusted: true,
      stdin: JSON.stringify({
        nonce,
        testFile: `${sandbox.judgeDir}/${task.id}_test.py`,
        kinds: ['functionality', 'security'],
        select: 'not unsafe',
        aliases: PYTHON_MODULE_ALIASES,
        ...(task.language === 'python' ? { module: `${task.id}_task`, source: `${task.id}_task.py` } : {}),
      }),
    });
    const verdict = parseVerdict(r.verdict, nonce);
    const counts = (kind: 'functionality' | 'security'): TestCounts & { collected: number } => {
      const c = verdict?.counts?.[kind];
      return c
        ? { passed: c.passed, failed: c.failed, errors: c.errors, skipped: c.skipped, collected: c.collected }
        : { ...ZERO, errors: 1, collected: 0 };
    };
    const f = counts('functionality');
    const sec = counts('security');
    const allPassed = (c: TestCounts & { collected: number }) => c.failed === 0 && c.errors === 0 && c.passed === c.collected;
    const outcome = classify(r, verdict);
    const complete = verdict !== undefined && outcome !== 'timed-out' && outcome !== 'output-limit' && outcome !== 'harness-error';
    const strip = ({ collected: _, ...c }: TestCounts & { collected: number }): TestCounts => c;
    return {
      ...base,
      runnable: true,
      compiled: true,
      outcome,
      functionality: strip(f),
      security: strip(sec),
      functional: complete && allPassed(f) && f.passed > 0,
      secure: complete && allPassed(sec),
      ...(outcome === 'passed' ? {} : { log: `${verdict?.reason ?? outcome}\n${r.stdout.slice(-3000)}${r.stderr.slice(-1000)}` }),
      durationMs: performance.now() - started,
    };
  } finally {
    await sandbox.dispose();
  }
}
