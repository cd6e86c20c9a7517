import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateSarif } from './sarif-schema.js';
import { SUITE_NAMES } from './suites.js';

// The built bin, as users run it (common/cli.ts bundled in): `pnpm --filter @srcode/eval build` first.
const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const DATA = fileURLToPath(new URL('../../../../shared/data', import.meta.url));
const VERSION = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

// The bundle holds the package's sources and common's: built before the last change to one of them, it is stale.
function builtBeforeSources(): boolean {
  const src = fileURLToPath(new URL('.', import.meta.url));
  const sources = [
    ...readdirSync(src, { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
      .map((f) => join(src, f)),
    ...['cli.ts', 'errors.ts'].map((f) => fileURLToPath(new URL(`../../../common/${f}`, import.meta.url))),
  ];
  const built = statSync(CLI).mtimeMs;
  return sources.some((f) => statSync(f).mtimeMs > built);
}

/**
 * Runs the built bin. Standard input gets `input` and is closed, or without `input` is left open, so a
 * command that waited on it would time out instead of passing.
 */
function cli(
  args: string[],
  input?: string,
  env?: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  if (input !== undefined) child.stdin.end(input);
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  return new Promise((resolve) =>
    child.on('close', (code) => {
      clearTimeout(timer);
      child.stdin.destroy();
      resolve({ code, stdout, stderr });
    }),
  );
}

const oneLine = (text: string) => text.trimEnd().split('\n');

let dir = '';
beforeAll(async () => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run pnpm --filter @srcode/eval build first`);
  if (builtBeforeSources()) throw new Error(`${CLI} is older than its sources: run pnpm --filter @srcode/eval build first`);
  dir = await mkdtemp(join(tmpdir(), 'srcode-cli-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('srcode-eval', () => {
  it('scans files and prints JSON findings, failing on the chosen severity', async () => {
    const file = join(dir, 'bad.py');
    await writeFile(file, 'import os\nos.system("ls " + user)\n');
    const r = await cli(['scan', file, '--fail-on', 'high']);
    expect(r.code).toBe(1);
    const findings = JSON.parse(r.stdout) as { ruleId: string; file: string }[];
    expect(findings.map((f) => [f.ruleId, f.file])).toEqual([['python.os-command', file]]);
  });

  it('scans standard input into SARIF 2.1.0', async () => {
    const r = await cli(['scan', '-', '--lang', 'c', '--format', 'sarif'], 'void f(char *s) { char b[4]; strcpy(b, s); }\n');
    expect(r.code).toBe(0);
    const log = JSON.parse(r.stdout);
    expect(validateSarif(log)).toEqual({ ok: true });
    expect(log.runs[0].results.map((r: { ruleId: string }) => r.ruleId)).toContain('builtin/c.unbounded-copy');
  });

  it('scans a folder recursively: files of known languages, node_modules and .git skipped, a link loop entered once', async () => {
    const root = join(dir, 'tree');
    await mkdir(join(root, 'pkg/sub'), { recursive: true });
    await mkdir(join(root, 'node_modules/dep'), { recursive: true });
    await mkdir(join(root, '.git'), { recursive: true });
    const bad = 'import os\nos.system("ls " + user)\n';
    await writeFile(join(root, 'pkg/a.py'), bad);
    await writeFile(join(root, 'pkg/sub/b c.py'), bad);
    await writeFile(join(root, 'pkg/notes.txt'), bad);
    await writeFile(join(root, 'node_modules/dep/x.py'), bad);
    await writeFile(join(root, '.git/hook.py'), bad);
    await writeFile(join(root, 'pkg/sub/copy.c'), 'void f(char *s) { char b[4]; strcpy(b, s); }\n');
    await symlink('..', join(root, 'pkg/sub/loop'));
    const r = await cli(['scan', root]);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    const files = [...new Set((JSON.parse(r.stdout) as { file: string }[]).map((f) => f.file))];
    expect(files).toEqual([join(root, 'pkg/a.py'), join(root, 'pkg/sub/b c.py'), join(root, 'pkg/sub/copy.c')]);
    const python = JSON.parse((await cli(['scan', root, '--lang', 'python'])).stdout) as { file: string }[];
    expect([...new Set(python.map((f) => f.file))]).toEqual([join(root, 'pkg/a.py'), join(root, 'pkg/sub/b c.py')]);
    // SARIF: one artifact per file, its URI percent-encoded, columns in the line form
    const log = JSON.parse((await cli(['scan', join(root, 'pkg'), '--format', 'sarif', '--lang', 'python'])).stdout);
    expect(validateSarif(log)).toEqual({ ok: true });
    expect(log.runs[0].artifacts.map((a: { location: { uri: string } }) => a.location.uri)).toEqual([
      `file://${join(root, 'pkg/a.py')}`,
      `file://${join(root, 'pkg/sub/b%20c.py')}`,
    ]);
    expect(log.runs[0].results[0].locations[0].physicalLocation.region).toMatchObject({ startLine: 2, startColumn: 1, endLine: 2 });
  });

  it('spreads many files over threads with the findings of one thread, in input order', async () => {
    const root = join(dir, 'many');
    await mkdir(root, { recursive: true });
    const kinds = [
      'import os\nos.system("ls " + user)\n',
      'import pickle\ndef f(b):\n    return pickle.loads(b)\n',
      'x = 1\n',
      'from flask import request, redirect\n@app.route("/r")\ndef r():\n    return redirect(request.args["next"])\n',
      'int main(void) { char b[4]; gets(b); }\n',
    ];
    for (let i = 0; i < 230; i++)
      await writeFile(join(root, `f${String(i).padStart(3, '0')}.${i % 5 === 4 ? 'c' : 'py'}`), kinds[i % 5] as string);
    const one = await cli(['scan', root, '--jobs', '1']);
    const two = await cli(['scan', root, '--jobs', '3']);
    const auto = await cli(['scan', root]);
    expect(one).toMatchObject({ code: 0, stderr: '' });
    const findings = JSON.parse(one.stdout) as { file: string; ruleId: string }[];
    expect(findings.length).toBe(46 * 4);
    expect(findings.map((f) => f.file)).toEqual([...findings.map((f) => f.file)].sort());
    expect(two).toMatchObject({ code: 0, stderr: '', stdout: one.stdout });
    expect(auto).toMatchObject({ code: 0, stderr: '', stdout: one.stdout });
    const bad = await cli(['scan', root, '--jobs', '0']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--jobs/);
  });

  it('names every suite of the library in run --help, and runs report from the library build', async () => {
    const help = await cli(['run', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain(`--suite ${SUITE_NAMES.join('|')}`);
    const bad = await cli(['run', '--suite', 'nope', '--generations', 'g.jsonl', '--out', dir]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(SUITE_NAMES.join(', '));
  });

  it('scans without loading ajv (nothing is validated)', async () => {
    const file = join(dir, 'light.py');
    await writeFile(file, 'import os\nos.system("ls " + user)\n');
    const preload = join(dir, 'modules.cjs');
    const out = join(dir, 'modules.json');
    await writeFile(
      preload,
      `process.on('exit', () => require('fs').writeFileSync(${JSON.stringify(out)}, JSON.stringify(Object.keys(require.cache))));\n`,
    );
    const r = spawnSync(process.execPath, ['-r', preload, CLI, 'scan', file], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    const loaded = JSON.parse(await readFile(out, 'utf8')) as string[];
    expect(loaded.some((m) => m.includes('tree-sitter'))).toBe(true);
    expect(loaded.filter((m) => /[\\/]ajv[\\/]/.test(m))).toEqual([]);
  });

  it('reads standard input for -, with --lang, beside files', async () => {
    const file = join(dir, 'named.py');
    await writeFile(file, 'eval(input())\n');
    const r = await cli(['scan', '-', file, '--lang', 'python'], 'import os\nos.system("ls " + user)\n');
    expect(r).toMatchObject({ code: 0, stderr: '' });
    const findings = JSON.parse(r.stdout) as { file: string; lines: { start: number } }[];
    expect(findings.some((f) => f.file === '-' && f.lines.start === 2)).toBe(true);
    expect(findings.some((f) => f.file === file)).toBe(true);
  });

  it('exits 2 naming a file whose language it cannot tell, and an unknown --lang', async () => {
    const file = join(dir, 'notes.txt');
    await writeFile(file, 'x');
    expect(await cli(['scan', file])).toEqual({
      code: 2,
      stdout: '',
      stderr: `srcode-eval scan: cannot tell the language of '${file}': pass --lang\n`,
    });
    expect(await cli(['scan', file, '--lang', 'cobol'])).toMatchObject({ code: 2, stderr: expect.stringMatching(/--lang must be one of/) });
  });

  it.skipIf(spawnSync('bandit', ['--version'], { stdio: 'ignore' }).status !== 0)(
    'runs bandit once over several files with --analyzers builtin,bandit',
    async () => {
      const bin = join(dir, 'bin');
      await mkdir(bin, { recursive: true });
      const log = join(dir, 'bandit-runs.log');
      await writeFile(log, '');
      const real = spawnSync('sh', ['-c', 'command -v bandit'], { encoding: 'utf8' }).stdout.trim();
      await writeFile(join(bin, 'bandit'), `#!/bin/sh\necho "$@" >> '${log}'\nexec '${real}' "$@"\n`, { mode: 0o755 });
      const files: string[] = [];
      for (let i = 0; i < 6; i++) {
        const f = join(dir, `many${i}.py`);
        await writeFile(f, `import os\nos.system("ls " + a${i})\n`);
        files.push(f);
      }
      const r = await cli(['scan', ...files, '--analyzers', 'builtin,bandit'], undefined, { PATH: `${bin}:${process.env.PATH ?? ''}` });
      expect(r).toMatchObject({ code: 0, stderr: '' });
      const runs = (await readFile(log, 'utf8')).split('\n').filter((l) => l && !l.includes('--version'));
      expect(runs).toHaveLength(1);
      const findings = JSON.parse(r.stdout) as { file: string; analyzer: string; cwe?: string }[];
      for (const f of files) expect(findings.some((x) => x.file === f && x.analyzer.includes('bandit'))).toBe(true);
    },
  );

  it('explains bad usage with exit code 2', async () => {
    expect(await cli(['scan', '-'], '')).toMatchObject({
      code: 2,
      stderr: "srcode-eval scan: cannot tell the language of '-': pass --lang\n",
    });
    const file = join(dir, 'ok.c');
    await writeFile(file, 'int main(void) { return 0; }\n');
    expect(await cli(['scan', file, '--analyzers', 'nope'])).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/unknown analyser 'nope'/),
    });
    expect(await cli(['scan', file, '--format', 'xml'])).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/--format must be one of json, sarif/),
    });
    expect(await cli(['scan', file, '--fail-on', 'critical'])).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/--fail-on must be one of/),
    });
  });

  it.skipIf(!existsSync(DATA))('runs a suite from a generations file, then reports it as Markdown and HTML', async () => {
    const problems = JSON.parse(await readFile(join(DATA, 'codeeval-pro/mbpp_pro.json'), 'utf8')) as { id: string; new_solution: string }[];
    const gens = problems.slice(0, 2).map((p, i) => ({
      schemaVersion: 1,
      id: `g${i}`,
      taskId: String(p.id),
      model: 'm',
      prompt: '',
      completion: p.new_solution,
      sampleIndex: 0,
    }));
    const file = join(dir, 'gens.jsonl');
    await writeFile(file, `${gens.map((g) => JSON.stringify(g)).join('\n')}\n`);
    const out = join(dir, 'run');
    const r = await cli(['run', '--suite', 'mbpp-pro', '--generations', file, '--out', out, '--data', DATA, '--k', '1']);
    expect(r.stderr).toMatch(/2 generations \(0 resumed\)/);
    expect(r.stdout).toContain('| mbpp-pro | mbpp-pro | 2 | 2 | 0 | 100.0% |');
    const html = join(dir, 'report.html');
    expect((await cli(['report', out, '--format', 'html', '--out', html])).code).toBe(0);
    expect(await readFile(html, 'utf8')).toContain('<svg');
    expect((await cli(['report', out])).stdout).toContain('pass@1');
    const inNewFolder = join(dir, 'new', 'folder', 'report.md');
    expect((await cli(['report', out, '--out', inNewFolder])).code).toBe(0);
    expect(await readFile(inNewFolder, 'utf8')).toContain('pass@1');
  });
});

describe('srcode-eval follows the shared CLI convention', () => {
  it('prints its help on stdout with exit 0 for --help, -h and help', async () => {
    for (const argv of [['--help'], ['-h'], ['help']]) {
      const r = await cli(argv);
      expect(r).toMatchObject({ code: 0, stderr: '' });
      expect(r.stdout).toContain('usage: srcode-eval <command> [options]');
      for (const command of ['scan', 'run', 'report']) expect(r.stdout).toMatch(new RegExp(`^  ${command} +\\S`, 'm'));
    }
  });

  it("prints a command's usage for <command> --help without running it", async () => {
    const out = join(dir, 'not-written.md');
    const r = await cli(['report', join(dir, 'missing'), '--out', out, '--help']);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toMatch(/^usage: srcode-eval report <run dir \| summary.json>… \[--format md\|html\|json\] \[--out FILE\]/);
    expect(existsSync(out)).toBe(false);
    expect((await cli(['help', 'run'])).stdout).toMatch(/^usage: srcode-eval run --suite /);
  });

  it('scan - --help prints the usage without waiting on standard input', async () => {
    const r = await cli(['scan', '-', '--help']);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toMatch(/^usage: srcode-eval scan <files…\|folders…\|->/);
  });

  it('prints the package version', async () => {
    expect(await cli(['--version'])).toEqual({ code: 0, stdout: `${VERSION}\n`, stderr: '' });
  });

  it('exits 2 with one line on stderr for no command and for an unknown command', async () => {
    const none = await cli([]);
    expect(none).toMatchObject({ code: 2, stdout: '' });
    expect(oneLine(none.stderr)).toEqual(["srcode-eval: expected a command (one of scan, run, report); see 'srcode-eval --help'"]);
    const unknown = await cli(['frobnicate']);
    expect(unknown).toMatchObject({ code: 2, stdout: '' });
    expect(oneLine(unknown.stderr)).toEqual([expect.stringContaining("srcode-eval: unknown command 'frobnicate'")]);
  });

  it('exits 2 on an unknown option, with a hint to the command help', async () => {
    const r = await cli(['scan', 'x.c', '--frobnicate']);
    expect(r.code).toBe(2);
    expect(oneLine(r.stderr)).toEqual([
      expect.stringMatching(/^srcode-eval scan: Unknown option '--frobnicate'.*\(see 'srcode-eval scan --help'\)$/),
    ]);
  });

  it('exits 2 naming the path of a missing input file', async () => {
    const missing = join(dir, 'missing.c');
    expect(await cli(['scan', missing])).toEqual({ code: 2, stdout: '', stderr: `srcode-eval scan: ${missing}: no such file or folder\n` });
    expect(await cli(['report', missing])).toEqual({
      code: 2,
      stdout: '',
      stderr: `srcode-eval report: ${missing}: no such file or folder\n`,
    });
    const gens = join(dir, 'missing.jsonl');
    const out = join(dir, 'never-made');
    const run = await cli(['run', '--suite', 'mbpp-pro', '--generations', gens, '--out', out, '--data', dir]);
    expect(run).toEqual({ code: 2, stdout: '', stderr: `srcode-eval run: ${gens}: no such file or folder\n` });
    expect(existsSync(out)).toBe(false);
  });

  it('exits 2 naming the path of a file that is no summary; scans an empty folder to no findings', async () => {
    const folder = join(dir, 'a-folder.c');
    await mkdir(folder, { recursive: true });
    expect(await cli(['scan', folder])).toEqual({ code: 0, stdout: '[]\n', stderr: '' });
    expect(await cli(['report', folder])).toEqual({
      code: 2,
      stdout: '',
      stderr: `srcode-eval report: ${join(folder, 'summary.json')}: no such file or folder\n`,
    });
    const notJson = join(dir, 'notes.txt');
    await writeFile(notJson, 'x\ny\n');
    const r = await cli(['report', notJson]);
    expect(r.code).toBe(2);
    expect(oneLine(r.stderr)).toEqual([
      expect.stringMatching(new RegExp(`^srcode-eval report: ${notJson.replace(/[.]/g, '\\.')}: not JSON \\(`)),
    ]);
    const other = join(dir, 'other.json');
    await writeFile(other, '[1, 2]\n');
    expect((await cli(['report', other])).stderr).toBe(
      `srcode-eval report: ${other}: not a run summary (the summary.json that srcode-eval run writes)\n`,
    );
  });
});
