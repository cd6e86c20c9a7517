import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const pkg = fileURLToPath(new URL('..', import.meta.url));
const tsx = fileURLToPath(new URL('../../../node_modules/.bin/tsx', import.meta.url));

/** Runs the CLI from its sources as a real subprocess. */
export function runCli(args: string[], input = '') {
  const r = spawnSync(tsx, ['src/cli.ts', ...args], { cwd: pkg, input, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('srcode-rl advantages', () => {
  it('reads a JSON batch on stdin and writes advantages and returns', () => {
    const r = runCli(
      ['advantages'],
      JSON.stringify({ estimator: 'gae', rewards: [[1, 0, 2]], values: [[0.5, 0.5, 0.5]], gamma: 0.9, lambda: 0.8, whiten: false }),
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ advantages: [[1.6916, 1.03, 1.5]], returns: [[2.1916, 1.53, 2]] });
  });

  it('handles group estimators with a mask and group ids', () => {
    const r = runCli(
      ['advantages'],
      JSON.stringify({
        estimator: 'dr-grpo',
        rewards: [
          [0, 1, 9],
          [0, 3, 9],
        ],
        mask: [
          [1, 1, 0],
          [1, 1, 0],
        ],
        groupIds: ['p', 'p'],
      }),
    );
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).advantages).toEqual([
      [-1, -1, 0],
      [1, 1, 0],
    ]);
  });

  it('reports bad input on stderr with a JSON pointer and exits 2', () => {
    const r = runCli(['advantages'], JSON.stringify({ estimator: 'ppo', rewards: [[1, 'x']] }));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/\/estimator: expected one of gae/);
    expect(r.stderr).toMatch(/\/rewards\/0\/1: expected a finite number/);
  });

  it('rejects text that is not JSON', () => {
    const r = runCli(['advantages'], '{nope');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/expected one JSON object/);
  });
});
