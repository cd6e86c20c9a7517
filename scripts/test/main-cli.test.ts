import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const dir = mkdtempSync(join(tmpdir(), 'srcode-main-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The main job as `pnpm run main -- ...` runs it (without the build), as a real subprocess. */
function main(...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', TSX, 'scripts/main.ts', ...args], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('the main job’s command line', () => {
  it('prints its usage on stdout with exit 0 for --help and -h', () => {
    for (const flag of ['--help', '-h']) {
      const r = main('--', flag);
      expect(r).toMatchObject({ code: 0, stderr: '' });
      expect(r.stdout).toMatch(/^usage: pnpm run main \[-- options\]/);
    }
  });

  it('prints the version of each package it runs for --version', () => {
    const r = main('--', '--version');
    expect(r.code).toBe(0);
    const { version } = JSON.parse(readFileSync(join(ROOT, 'packages/rl-core/package.json'), 'utf8')) as { version: string };
    expect(r.stdout).toContain(`@srcode/rl-core ${version}\n`);
    expect(r.stdout.trim().split('\n')).toHaveLength(6);
  });

  it('refuses an unknown flag with exit 2, one line and a hint, before any stage runs', () => {
    const out = join(dir, 'unknown');
    const r = main('--out', out, '--epochs', '3');
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("main: Unknown option '--epochs' (see 'pnpm run main -- --help')\n");
    expect(existsSync(out)).toBe(false);
  });

  it('reports a failure as one line without a stack trace, naming the path', () => {
    const file = join(dir, 'a-file');
    spawnSync('touch', [file]);
    const r = main('--out', join(file, 'run'));
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`main: ${join(file, 'run', 'stages')}: a part of the path is not a folder\n`);
  });

  it('leaves no folder behind when its first stage fails on bad input', () => {
    const out = join(dir, 'failed-at-once');
    const r = main('--out', out, '--pairs', join(dir, 'no-such-pairs.jsonl'));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no-such-pairs.jsonl');
    expect(existsSync(out)).toBe(false);
  });

  it('escapes control characters in its messages', () => {
    const r = main('--ep\u001b[2Jochs');
    expect(r.code).toBe(2);
    expect(r.stderr).not.toContain('\u001b');
    expect(r.stderr).toContain('\\x1b[2J');
  });
});
