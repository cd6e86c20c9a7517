import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const dir = mkdtempSync(join(tmpdir(), 'srcode-main-quick-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The main job as `pnpm run main -- ...` runs it (without the build), as a real subprocess. */
function main(...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', TSX, 'scripts/main.ts', ...args], { cwd: ROOT, encoding: 'utf8', timeout: 150_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('the main job with --quick, end to end', () => {
  const out = join(dir, 'quick');
  let first: ReturnType<typeof main>;

  it('trains SFT once per seed and every RL condition from it, and evaluates each on the held-out prompts only', {
    timeout: 170_000,
  }, () => {
    first = main('--quick', '--out', out);
    expect(first.stderr).not.toMatch(/Error|at .*\.ts:\d+/);
    expect(first.code).toBe(0);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    const x = summary.experiment;
    expect(x.seeds).toEqual([1, 2]);
    expect(x.conditions).toEqual(['sft', 'ppo-instance', 'ppo-token+instance', 'grpo-instance', 'grpo-token+instance']);
    // every condition has a row with one evaluation per seed and an interval over them
    for (const row of x.rows) {
      expect(row.perSeed.map((s: { seed: number }) => s.seed)).toEqual([1, 2]);
      expect(row.insecure.n).toBe(2);
      expect(row.insecure.low).not.toBeNull();
    }
    // the held-out split: counts stated, and no training prompt among the evaluated ones
    expect(summary.split.tasks.heldout).toBeGreaterThan(0);
    expect(summary.split.tasks.train).toBeGreaterThan(0);
    expect(summary.heldout).toHaveLength(summary.split.tasks.heldout);
    expect(summary.split.unit).toBe('commit'); // the embedded sample is one project
    expect(summary.split.detectable.train).toBeGreaterThan(0);
    const trained = new Set(summary.tasks.map((t: { id: string }) => t.id));
    const evaluated = readFileSync(join(out, 'eval-results.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l).taskId as string);
    expect(evaluated.length).toBe(5 * 2 * summary.split.tasks.heldout * summary.settings.samples);
    expect(evaluated.filter((id) => trained.has(id))).toEqual([]);
    // one SFT checkpoint per seed, each RL condition its own
    for (const seed of [1, 2]) {
      expect(existsSync(join(out, 'stages', `sft-seed${seed}.json`))).toBe(true);
      expect(existsSync(join(out, 'stages', `rl-grpo-token+instance-seed${seed}.json`))).toBe(true);
    }
    expect(summary.sftLoss).toHaveLength(2);
    expect(summary.rlCurves.length).toBe(4 * 2 * summary.settings.rlSteps);
    expect(typeof summary.experiment.target.met).toBe('boolean');
    expect(summary.experiment.claim).toContain('The paper claims over 50% fewer');
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect(html).toContain('held-out prompts');
    expect(html).toContain('SFT loss');
    for (const t of summary.heldout) expect(html).toContain(`id="map-${t.pairId}"`);
    // the held-out set: every held-out pair asked under its own prompt and three made-up names
    expect(summary.split.form).toBe('region');
    expect(summary.split.promptsPerPair).toBe(4);
    expect(summary.split.tasks.heldout).toBe(summary.split.heldoutPairs * 4);
    expect(new Set(summary.heldout.map((t: { prompt: string }) => t.prompt)).size).toBe(summary.split.tasks.heldout);
    // the training prompts evaluated beside them, labelled apart, with a row per condition
    expect(summary.split.trainEvaluated).toBe(Math.min(summary.split.tasks.train, 16));
    expect(summary.trainingSplit.rows.map((r: { name: string }) => r.name)).toEqual(x.conditions);
    expect(summary.trainingSplit.rows[0].perSeed[0].samples).toBe(summary.split.trainEvaluated * summary.settings.samples);
    expect(html).toContain('The same conditions on the training prompts');
  });

  it('reruns into the same folder without training again', { timeout: 60_000 }, () => {
    const again = main('--quick', '--out', out);
    expect(again.code).toBe(0);
    expect(again.stderr).toContain('sft-seed1: done in an earlier run, skipped');
    expect(again.stderr).toContain('rl-ppo-instance-seed2: done in an earlier run, skipped');
    expect(again.stderr).not.toContain('steps 1/');
  });
});
