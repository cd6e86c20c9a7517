import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const pkg = fileURLToPath(new URL('..', import.meta.url));
const tsx = fileURLToPath(new URL('../../../node_modules/.bin/tsx', import.meta.url));
const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/hf/${name}`, import.meta.url));

function run(args: string[]) {
  const r = spawnSync(tsx, ['src/cli.ts', ...args], { cwd: pkg, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('srcode-rl score (real subprocess)', () => {
  it.each(['llama-tiny', 'qwen2-tiny-bf16'])('prints the reference log-probs of a fixture (%s)', (name) => {
    const want = JSON.parse(readFileSync(`${fixture(name)}/expected.json`, 'utf8')).sequences[0] as { ids: number[]; logprobs: number[] };
    const r = run(['score', '--model', fixture(name), '--ids', want.ids.join(','), '--backend', 'wasm']);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const got = JSON.parse(lines[0] as string) as { ids: number[]; logprobs: number[] };
    expect(Object.keys(got)).toEqual(['ids', 'logprobs']);
    expect(got.ids).toEqual(want.ids);
    expect(got.logprobs).toHaveLength(want.ids.length - 1);
    for (const [i, v] of got.logprobs.entries()) expect(Math.abs(v - (want.logprobs[i] as number))).toBeLessThan(1e-4);
  });

  it('--help names the options; bad ids, ids past the vocabulary and a missing folder exit 2 with one line', () => {
    const help = run(['score', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^usage: srcode-rl score --model DIR --ids 1,2,3/);
    const bad = run(['score', '--model', fixture('llama-tiny'), '--ids', '1,-2', '--backend', 'cpu']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^srcode-rl score: expected --ids to be comma-separated token ids, found "-2" at position 1\n$/);
    const past = run(['score', '--model', fixture('llama-tiny'), '--ids', '1,64', '--backend', 'cpu']);
    expect(past.code).toBe(2);
    expect(past.stderr).toMatch(/expected --ids below the vocabulary size 64 .*found 64 at position 1/);
    const missing = run(['score', '--model', '/nonexistent-folder', '--ids', '1,2', '--backend', 'cpu']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^srcode-rl score: \/nonexistent-folder\/config\.json: expected a JSON file/);
    const noIds = run(['score', '--model', fixture('llama-tiny')]);
    expect(noIds.code).toBe(2);
    expect(noIds.stderr).toMatch(/expected --ids/);
  });
});
