import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const pkg = fileURLToPath(new URL('..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'rl-core-convention-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the built CLI (`pnpm --filter @srcode/rl-core build` first) as a real subprocess. */
function run(args: string[], input = '') {
  const r = spawnSync(process.execPath, ['dist/cli.js', ...args], { cwd: pkg, input, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** One line on stderr, no stack trace. */
const oneLine = (stderr: string) => {
  expect(stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(stderr).not.toMatch(/\n\s+at /);
};

describe('srcode-rl follows the shared command-line convention', () => {
  it('--help, -h and help list the commands on stdout with exit 0', () => {
    for (const args of [['--help'], ['-h'], ['help']]) {
      const r = run(args);
      expect(r.code).toBe(0);
      expect(r.stderr).toBe('');
      expect(r.stdout).toMatch(/^usage: srcode-rl <command> \[options\]/);
      for (const command of ['advantages', 'sft', 'train', 'sample', 'experiment'])
        expect(r.stdout).toMatch(new RegExp(`\n  ${command} +\\S`));
    }
  });

  it('<command> --help and help <command> print its options on stdout without running it', () => {
    const out = join(dir, 'not-made');
    for (const args of [
      ['sft', '--out', out, '--help'],
      ['sft', '-h'],
      ['help', 'sft'],
    ]) {
      const r = run(args);
      expect(r.code).toBe(0);
      expect(r.stderr).toBe('');
      expect(r.stdout).toMatch(/^usage: srcode-rl sft \[--data FILE\.jsonl\] --out DIR/);
      expect(r.stdout).toContain('--resume DIR');
    }
    expect(existsSync(out)).toBe(false);
    for (const command of ['train', 'sample', 'experiment'])
      expect(run([command, '--help']).stdout).toContain('--backend auto|webgpu|wasm|cpu');
  });

  it('advantages --help answers without waiting on stdin', async () => {
    // stdin stays open and empty: the command itself would wait for the end of its input
    const child = spawn(process.execPath, ['dist/cli.js', 'advantages', '--help'], { cwd: pkg, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    const code = await new Promise<number | null>((done) => child.on('exit', (c) => done(c)));
    clearTimeout(timer);
    child.stdin.destroy();
    expect(code).toBe(0);
    expect(stdout).toMatch(/^usage: srcode-rl advantages < batch\.json/);
  });

  it('--version prints the package version', () => {
    const { version } = JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8')) as { version: string };
    expect(run(['--version'])).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
  });

  it('no command and an unknown command exit 2 with one line and a hint', () => {
    const none = run([]);
    expect(none.code).toBe(2);
    expect(none.stdout).toBe('');
    oneLine(none.stderr);
    expect(none.stderr).toContain("see 'srcode-rl --help'");
    const unknown = run(['fine-tune']);
    expect(unknown.code).toBe(2);
    oneLine(unknown.stderr);
    expect(unknown.stderr).toMatch(/^srcode-rl: unknown command 'fine-tune' .*see 'srcode-rl --help'/);
  });

  it("an unknown option or argument exits 2 with a hint to the command's help", () => {
    for (const [command, ...rest] of [
      ['sft', '--epochs', '3'],
      ['advantages', '--pretty'],
      ['experiment', 'now'],
      ['sample', '--lr', '1'],
    ]) {
      const r = run([command as string, ...rest], '{}');
      expect(r.code).toBe(2);
      oneLine(r.stderr);
      expect(r.stderr).toMatch(new RegExp(`^srcode-rl ${command}: .*\\(see 'srcode-rl ${command} --help'\\)$`, 'm'));
    }
  });

  it('a missing --data file exits 2 naming the path', () => {
    const missing = join(dir, 'missing.jsonl');
    const r = run(['sft', '--data', missing, '--out', join(dir, 'sft')]);
    expect(r.code).toBe(2);
    oneLine(r.stderr);
    expect(r.stderr).toBe(`srcode-rl sft: ${missing}: no such file or folder\n`);
  });

  it('a folder given as --data exits 2 naming the path', () => {
    const r = run(['sft', '--data', dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`srcode-rl sft: ${dir}: is a folder, expected a file\n`);
  });

  it('a --data file that is not prompt/completion JSONL exits 2 naming the line and field', () => {
    const notJson = join(dir, 'notes.txt');
    writeFileSync(notJson, '{"prompt":"a","completion":"b"}\nsome notes\n');
    expect(run(['sft', '--data', notJson])).toMatchObject({
      code: 2,
      stderr: `srcode-rl sft: ${notJson}:2: expected a JSON object, found a line that is not JSON\n`,
    });
    const noCompletion = join(dir, 'prompts.jsonl');
    writeFileSync(noCompletion, '{"prompt":"a"}\n');
    expect(run(['sft', '--data', noCompletion]).stderr).toBe(
      `srcode-rl sft: ${noCompletion}:1: /completion: expected a string, found none\n`,
    );
    const empty = join(dir, 'empty.jsonl');
    writeFileSync(empty, '\n');
    expect(run(['sft', '--data', empty])).toMatchObject({ code: 2, stderr: expect.stringContaining(`${empty}: expected`) });
  });

  it('bad option values exit 2 before any training starts', () => {
    expect(run(['sft', '--steps', 'many'])).toMatchObject({
      code: 2,
      stderr: 'srcode-rl sft: expected --steps to be a whole number from 0, found "many"\n',
    });
    expect(run(['train', '--init', dir, '--backend', 'gpu'])).toMatchObject({
      code: 2,
      stderr: 'srcode-rl train: expected --backend auto|webgpu|wasm|cpu, found "gpu"\n',
    });
    expect(run(['experiment', '--seeds', '1,x'])).toMatchObject({ code: 2, stderr: expect.stringContaining('--seeds') });
    const sample = run(['sample', '--prompt', 'x']);
    expect(sample).toMatchObject({ code: 2, stdout: '', stderr: 'srcode-rl sample: expected --model DIR and --prompt TEXT\n' });
  });

  it('escapes control characters in messages', () => {
    const r = run(['sft', '--data', join(dir, 'a\u001b[2Jb.jsonl')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('a\\x1b[2Jb.jsonl: no such file or folder');
    expect(r.stderr).not.toContain('\u001b');
  });
});
