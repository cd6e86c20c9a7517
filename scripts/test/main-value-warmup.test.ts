import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const dir = mkdtempSync(join(tmpdir(), 'srcode-main-warmup-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The main job as `pnpm run main -- ...` runs it (without the build), as a real subprocess. */
function main(...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', TSX, 'scripts/main.ts', ...args], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const jsonl = (file: string) =>
  readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe('the main job with --value-warmup', () => {
  it('warms up the PPO condition’s value head on its first step only, leaves GRPO alone, and records what it did', {
    timeout: 140_000,
  }, () => {
    const out = join(dir, 'warm');
    const r = main(
      ...['--quick', '--seeds', '1', '--sft-steps', '10', '--rl-steps', '2', '--samples', '1'],
      ...['--conditions', 'ppo-instance,grpo-instance', '--value-warmup', '5', '--value-warmup-lr', '1e-2', '--out', out],
    );
    expect(r.stderr).not.toMatch(/Error|at .*\.ts:\d+/);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/rl-ppo-instance-seed1: value warm-up: 5 steps, loss \d/);
    expect(JSON.parse(readFileSync(join(out, 'settings.json'), 'utf8'))).toMatchObject({ valueWarmup: 5, valueWarmupLr: 0.01 });
    const ppo = jsonl(join(out, 'metrics', 'rl-ppo-instance-seed1.jsonl'));
    expect(ppo.map((p) => p.step)).toEqual([1, 2]);
    const w = ppo[0]?.valueWarmup as { steps: number; loss: number[]; explainedVarianceBefore: number; explainedVarianceAfter: number };
    expect(w.steps).toBe(5);
    expect(w.loss).toHaveLength(2);
    for (const x of [...w.loss, w.explainedVarianceBefore, w.explainedVarianceAfter]) expect(Number.isFinite(x)).toBe(true);
    // the value loss falls: five Adam steps on one batch at 1e-2 fit the head's mean at least
    expect(w.loss[1]).toBeLessThan(w.loss[0] as number);
    expect(ppo[1]).not.toHaveProperty('valueWarmup');
    // GRPO has no value head: the flag does not reach it
    for (const p of jsonl(join(out, 'metrics', 'rl-grpo-instance-seed1.jsonl'))) expect(p).not.toHaveProperty('valueWarmup');
    // and the joined metrics of the report carry the record too
    const joined = jsonl(join(out, 'train-metrics.jsonl')).filter((p) => p.condition === 'ppo-instance' && p.step === 1);
    expect(joined[0]?.valueWarmup).toEqual(w);
  });
});
