import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

function main(...args: string[]) {
  return spawnSync(process.execPath, ['--import', TSX, 'scripts/main.ts', ...args], { cwd: ROOT, encoding: 'utf8', timeout: 300_000 });
}

describe('the main job', () => {
  // A miniature run (a few steps, two tasks) of the real pipeline; the full one is `pnpm run main`.
  const out = mkdtempSync(join(tmpdir(), 'srcode-main-'));
  const tiny = [
    '--out',
    out,
    '--sft-steps',
    '4',
    '--rl-steps',
    '1',
    '--samples',
    '2',
    '--max-tasks',
    '2',
    '--width',
    '16',
    '--layers',
    '1',
    '--seeds',
    '1',
    '--conditions',
    'grpo-token+instance',
    '--backend',
    'cpu',
  ];
  const SFT = 'sft-seed1';
  const RL = 'rl-grpo-token+instance-seed1';
  const STAGES = ['import', 'reflect', 'reward-maps', SFT, RL];
  /** The folders a training stage keeps its progress in until it finishes. */
  const progressDirs = (dir: string) => [SFT, RL].map((stage) => join(dir, 'ckpt', `${stage}-progress`));

  it('runs every stage on the embedded default and writes the report and summary', () => {
    const r = main(...tiny);
    expect(r.status, r.stderr).toBe(0);
    for (const stage of STAGES) expect(r.stderr).toContain(`${stage}: finished`);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    expect(summary.import.pairs).toBe(12);
    expect(summary.reflect.accepted).toBeGreaterThan(0);
    expect(summary.rewardMaps.maps).toBe(2 * summary.reflect.accepted);
    expect(summary.tasks.length).toBe(2);
    const [sft, rl] = summary.experiment.rows;
    expect([sft.name, rl.name]).toEqual(['sft', 'grpo-token+instance']);
    expect(sft.perSeed[0].samples).toBe(2 * summary.split.tasks.heldout);
    expect(rl.perSeed[0].insecureRate).toBeGreaterThanOrEqual(0);
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect(html).toContain('<svg');
    expect(html).toContain('insecure rate');
    for (const f of ['pairs.jsonl', 'records.jsonl', 'reward-maps.jsonl', 'generations.jsonl', 'eval-results.jsonl'])
      expect(existsSync(join(out, f))).toBe(true);
  });

  it('skips finished stages when run again', () => {
    const r = main(...tiny);
    expect(r.status, r.stderr).toBe(0);
    for (const stage of STAGES) expect(r.stderr).toContain(`${stage}: done in an earlier run, skipped`);
  });

  it('refuses to reuse a run made with other settings, naming them', () => {
    const r = main(...tiny.map((a, i) => (tiny[i - 1] === '--width' ? '32' : a)));
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('holds a run with other settings (width: 16 there, 32 now)');
    expect(r.stderr).toContain('--fresh');
  });

  it('goes on from the last saved training step after a crash, and ends where an uninterrupted run ends', async () => {
    // wasm: 60 SFT steps take seconds there (progress is saved every 50 SFT steps and every RL step)
    const args = (dir: string) => [...tiny.slice(2, -2), '--backend', 'wasm', '--out', dir, '--sft-steps', '60', '--rl-steps', '3'];
    const whole = mkdtempSync(join(tmpdir(), 'srcode-main-whole-'));
    expect(main(...args(whole)).status).toBe(0);
    /** Kills the job (no chance to clean up) once its log shows `marker`, then runs it again to the end. */
    const crashThenRerun = async (marker: string) => {
      const dir = mkdtempSync(join(tmpdir(), 'srcode-main-crashed-'));
      const child = spawn(process.execPath, ['--import', TSX, 'scripts/main.ts', ...args(dir)], { cwd: ROOT });
      let err = '';
      const signal = await new Promise<NodeJS.Signals | null>((done) => {
        child.stderr.on('data', (d: Buffer) => {
          err += d.toString();
          if (err.includes(marker)) child.kill('SIGKILL');
        });
        child.on('exit', (_code, sig) => done(sig));
      });
      expect(signal, err).toBe('SIGKILL');
      const again = main(...args(dir));
      expect(again.status, again.stderr).toBe(0);
      return { dir, log: again.stderr };
    };
    const same = (dir: string) => {
      // the same weights to the bit (so the optimiser state came back too), metrics and curve
      for (const f of [`${SFT}/model.safetensors`, `${SFT}/optimizer.safetensors`, `${RL}/model.safetensors`])
        expect(readFileSync(join(dir, 'ckpt', f)).equals(readFileSync(join(whole, 'ckpt', f))), f).toBe(true);
      expect(readFileSync(join(dir, 'train-metrics.jsonl'), 'utf8')).toBe(readFileSync(join(whole, 'train-metrics.jsonl'), 'utf8'));
      const [a, b] = [whole, dir].map((d) => JSON.parse(readFileSync(join(d, 'summary.json'), 'utf8')));
      expect(b.rlCurves).toEqual(a.rlCurves);
      expect(b.experiment.rows).toEqual(a.experiment.rows);
      for (const p of progressDirs(dir)) expect(existsSync(p), p).toBe(false); // finished stages drop their progress
    };
    // killed in SFT once step 60 is logged: step 50's progress is saved by then
    const inSft = await crashThenRerun(`${SFT}: step 60/60`);
    expect(inSft.log).toMatch(/sft-seed1: resuming after step (50|60)\/60/);
    same(inSft.dir);
    // killed in RL once step 2 is logged: step 1's progress is saved by then
    const inRl = await crashThenRerun(`${RL}: step 2/3`);
    expect(inRl.log).toContain(`${SFT}: done in an earlier run, skipped`);
    expect(inRl.log).toContain(`${RL}: resuming after step `);
    expect(inRl.log).toMatch(/seed1: resuming after step [12]\/3/);
    expect(inRl.log).not.toContain(`${RL}: step 1/3`);
    same(inRl.dir);
  }, 120_000);

  it('takes its flags after the `--` that `pnpm run main -- ...` passes on', () => {
    const r = main('--', '--help');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('--fresh');
  });

  it('rejects a bad flag value with a clear message', () => {
    const r = main('--out', out, '--rl-steps', 'many');
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('--rl-steps must be a non-negative integer');
  });
});
