import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { type CwevalTask, fillSolution, loadCwevalTasks, missingDependencies, runCwevalTask } from './cweval.js';

const DIR = fileURLToPath(new URL('../../../../shared/data/cweval', import.meta.url));
const ready = existsSync(DIR) && spawnSync('/usr/bin/python3', ['-m', 'pytest', '--version'], { stdio: 'ignore' }).status === 0;

describe.skipIf(!ready)('CWEval (needs ../shared/data and Debian pytest)', () => {
  const tasks = ready ? loadCwevalTasks(DIR) : [];
  const task = (id: string) => tasks.find((t) => t.id === id) as CwevalTask;

  it('loads 20 C and 25 Python tasks with their prompt, solution and entry point', () => {
    expect(tasks.filter((t) => t.language === 'c')).toHaveLength(20);
    expect(tasks.filter((t) => t.language === 'python')).toHaveLength(25);
    const c = task('cwe_078_0_c');
    expect(c.prompt).toMatch(/BEGIN SOLUTION\n$/);
    expect(c.entrypoint).toMatch(/^\/\/ BEGIN ENTRYPOINT/);
    expect(c.signature).toBe('char *get_ls_result(const char *dir_path) {');
    expect(c.unsafe).toBeDefined();
    expect(task('cwe_078_0').signature).toBe('def get_ls_result(dir_path: str) -> str:');
  });

  it('fills a continuation after the prompt and takes a whole-function answer as the file', () => {
    const c = task('cwe_078_0_c');
    expect(fillSolution(c, c.solution)).toBe(`${c.prompt}${c.solution}\n${c.entrypoint}`);
    const whole = '```c\n#include <stdio.h>\nchar *get_ls_result(const char *dir_path) {\n  return "";\n}\n```';
    const filled = fillSolution(c, whole);
    expect(filled.startsWith('#include <stdio.h>\nchar *get_ls_result')).toBe(true);
    expect(filled).toContain('int main(');
  });

  it('passes the C reference on both kinds of tests and fails the unsafe one on security', async () => {
    const c = task('cwe_078_0_c');
    const ref = await runCwevalTask(c, fillSolution(c, c.solution));
    expect(ref).toMatchObject({ runnable: true, compiled: true, functional: true, secure: true });
    expect(ref.functionality.passed).toBeGreaterThan(0);
    const unsafe = await runCwevalTask(c, c.unsafe as string);
    expect(unsafe).toMatchObject({ functional: true, secure: false });
  });

  it('fails security for a Python generation that runs the command through a shell', async () => {
    const py = task('cwe_078_0');
    const shell = `    import subprocess
    try:
        return subprocess.check_output(f"ls -l {dir_path}", shell=True, text=True)
    except subprocess.CalledProcessError:
        return ''
`;
    const out = await runCwevalTask(py, fillSolution(py, shell));
    expect(out).toMatchObject({ runnable: true, functional: true, secure: false });
  });

  it('runs a task importing Crypto through the Cryptodome alias', async () => {
    const py = task('cwe_327_2');
    expect(missingDependencies(py)).toEqual([]);
    const out = await runCwevalTask(py, fillSolution(py, py.solution));
    expect(out).toMatchObject({ functional: true, secure: true });
  });

  it('reports a task whose test needs an unavailable module as not runnable', async () => {
    const out = await runCwevalTask(task('cwe_1333_0'), 'pass');
    expect(out).toMatchObject({ runnable: false, missing: ['wrapt_timeout_decorator'] });
  });

  it('counts a C generation that does not compile as neither functional nor secure', async () => {
    const c = task('cwe_078_0_c');
    const out = await runCwevalTask(c, fillSolution(c, '  return undeclared_symbol;\n}\n'));
    expect(out).toMatchObject({ runnable: true, compiled: false, functional: false, secure: false });
    expect(out.compileLog).toMatch(/undeclared_symbol/);
  });
});
