import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const pkg = fileURLToPath(new URL('..', import.meta.url));
const tsx = fileURLToPath(new URL('../../../node_modules/.bin/tsx', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'rl-core-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(args: string[]) {
  const r = spawnSync(tsx, ['src/cli.ts', ...args], { cwd: pkg, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const jsonl = (path: string) =>
  readFileSync(path, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));

describe('srcode-rl training commands (real subprocesses, wasm backend, tiny sizes)', () => {
  const sft = join(dir, 'sft');
  const rl = join(dir, 'rl');

  it('sft trains, logs JSONL metrics and writes a safetensors checkpoint', () => {
    const r = run([
      'sft',
      '--out',
      sft,
      '--steps',
      '3',
      '--batch',
      '4',
      '--width',
      '16',
      '--layers',
      '1',
      '--heads',
      '2',
      '--backend',
      'wasm',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/step 3 loss \d/);
    for (const f of ['model.safetensors', 'optimizer.safetensors', 'config.json']) expect(existsSync(join(sft, f))).toBe(true);
    const log = jsonl(join(sft, 'metrics.jsonl'));
    expect(log.map((l) => l.step)).toEqual([1, 2, 3]);
    expect(JSON.parse(readFileSync(join(sft, 'config.json'), 'utf8')).step).toBe(3);
  });

  it('sft --resume continues the step count from the checkpoint', () => {
    const r = run(['sft', '--resume', sft, '--out', sft, '--steps', '1', '--batch', '4', '--backend', 'wasm']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(sft, 'config.json'), 'utf8')).step).toBe(4);
  });

  it('train --algo grpo --reward token shows step, reward, KL and throughput', () => {
    const r = run([
      'train',
      '--algo',
      'grpo',
      '--reward',
      'token',
      '--init',
      sft,
      '--out',
      rl,
      '--steps',
      '1',
      '--prompts',
      '2',
      '--group',
      '2',
      '--backend',
      'wasm',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/step 1\/1 reward -?\d+\.\d+ kl -?\d+\.\d+ insecure \d\.\d+ \d+ tok\/s/);
    const [m] = jsonl(join(rl, 'metrics.jsonl'));
    expect(m).toMatchObject({ phase: 'rl', algo: 'grpo', reward: 'token', step: 1, optimizerStep: 6 });
  });

  it('train --algo ppo --value-warmup N warms the value head up on the first rollout and logs what it did', () => {
    const out = join(dir, 'ppo-warm');
    const r = run([
      'train',
      '--algo',
      'ppo',
      '--init',
      sft,
      '--out',
      out,
      '--steps',
      '2',
      '--prompts',
      '2',
      '--group',
      '2',
      '--value-warmup',
      '8',
      '--value-warmup-lr',
      '0.01',
      '--backend',
      'wasm',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const [first, second] = jsonl(join(out, 'metrics.jsonl'));
    expect(first).toMatchObject({ step: 1, valueWarmup: { steps: 8 } });
    expect(first.valueWarmup.loss[1]).toBeLessThan(first.valueWarmup.loss[0]);
    expect(second.valueWarmup).toBeUndefined();
    // the warm-up's steps are not the policy's: 4 SFT steps, then 2 RL steps of 2 PPO epochs
    expect(second.optimizerStep).toBe(8);
    for (const [args, message] of [
      [['--algo', 'grpo', '--value-warmup', '3'], /expected --value-warmup with --algo ppo .*found --algo grpo/],
      [['--algo', 'ppo', '--value-warmup=-1'], /expected --value-warmup to be a whole number from 0, found "-1"/],
      [['--algo', 'ppo', '--value-warmup', '1.5'], /expected --value-warmup to be a whole number from 0, found "1\.5"/],
      [['--algo', 'ppo', '--value-warmup', '2', '--value-warmup-lr', '0'], /expected --value-warmup-lr to be a number > 0/],
      [['--algo', 'ppo', '--value-warmup-lr', '0.1'], /expected --value-warmup N with --value-warmup-lr/],
    ] as const) {
      const bad = run(['train', ...args, '--init', sft, '--out', join(dir, 'never')]);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toMatch(message);
    }
    expect(existsSync(join(dir, 'never'))).toBe(false);
    expect(run(['train', '--help']).stdout).toMatch(/--value-warmup N +ppo: N value-only steps on the first rollout/);
  });

  it('train rejects an unknown algorithm', () => {
    const r = run(['train', '--algo', 'dpo', '--reward', 'token', '--init', sft]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--algo ppo\|grpo/);
  });

  it('sample prints one JSON line per completion with the analyser verdict', () => {
    const r = run(['sample', '--model', rl, '--prompt', 'c:copy(name)>', '--n', '2', '--max-new-tokens', '6', '--backend', 'wasm']);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toHaveLength(2);
    for (const l of lines) expect(l).toHaveProperty('insecure');
  });

  it('experiment --quick runs the 2-step smoke version and writes the plot and table', () => {
    const out = join(dir, 'exp');
    const r = run(['experiment', '--quick', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(join(out, 'plot.svg'), 'utf8')).toMatch(/^<svg/);
    expect(readFileSync(join(out, 'table.md'), 'utf8')).toMatch(/\| ppo-token\+instance \|/);
  });
});
