import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const pkg = fileURLToPath(new URL('..', import.meta.url));
const hook = fileURLToPath(new URL('./fixtures/without-tfjs.mjs', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'rl-core-peers-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the built CLI (`pnpm --filter @srcode/rl-core build` first) as if no TF.js peer were installed. */
function runWithoutTfjs(args: string[], input = '') {
  const r = spawnSync(process.execPath, ['--import', hook, 'dist/cli.js', ...args], { cwd: pkg, input, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('srcode-rl with only @srcode/rl-core installed (TF.js peers missing)', () => {
  it('the built CLI imports no TF.js module up front', () => {
    const cli = readFileSync(join(pkg, 'dist', 'cli.js'), 'utf8');
    expect(cli).not.toMatch(/^import .*['"](@tensorflow\/|webgpu['"])/m);
  });

  it('advantages runs', () => {
    const r = runWithoutTfjs(
      ['advantages'],
      JSON.stringify({
        estimator: 'grpo',
        rewards: [
          [0, 1],
          [0, 3],
        ],
        groupIds: ['p', 'p'],
      }),
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).returns).toEqual([
      [1, 1],
      [3, 3],
    ]);
  });

  it("--help, a command's --help and --version run", () => {
    const r = runWithoutTfjs(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^usage: srcode-rl <command>/);
    const sft = runWithoutTfjs(['sft', '--help']);
    expect(sft.code).toBe(0);
    expect(sft.stdout).toMatch(/^usage: srcode-rl sft /);
    expect(runWithoutTfjs(['--version']).code).toBe(0);
  });

  it('a bad option is refused before the engine would load', () => {
    const r = runWithoutTfjs(['sft', '--epochs', '3']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^srcode-rl sft: Unknown option '--epochs'/);
  });

  it('a training command says which packages to install', () => {
    const r = runWithoutTfjs(['sft', '--out', join(dir, 'sft'), '--steps', '1']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /^srcode-rl sft: this command needs the optional peer dependencies of @srcode\/rl-core\/tfjs, which are not installed: npm i @tensorflow\/tfjs @tensorflow\/tfjs-core @tensorflow\/tfjs-backend-wasm @tensorflow\/tfjs-backend-webgpu webgpu/,
    );
  });
});
