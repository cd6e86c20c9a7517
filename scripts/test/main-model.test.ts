// The main job on a Hugging Face checkpoint (`--model DIR`): a tiny random Qwen2 of rl-core's fixtures (the
// only one there with a tokenizer.json), its LoRA adapters trained by SFT then GRPO with token rewards, run
// as a real subprocess; and the token reward maps aligned to the checkpoint's own tokens.
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { computeChanges } from '@srcode/dataset';
import { afterAll, describe, expect, it } from 'vitest';
import { CHAR_TEXT, checkModelDir, openHfModel } from '../pipeline/policy.js';
import { type Task, Scorer } from '../pipeline/tasks.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const FIXTURE = join(ROOT, 'packages', 'rl-core', 'test', 'fixtures', 'hf', 'qwen2-tiny-bf16');
const dir = mkdtempSync(join(tmpdir(), 'srcode-main-model-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The main job as `pnpm run main -- ...` runs it (without the build), as a real subprocess. */
function main(...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', TSX, 'scripts/main.ts', ...args], { cwd: ROOT, encoding: 'utf8', timeout: 110_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const ARGS = ['--quick', '--seeds', '1', '--conditions', 'grpo-token+instance'];

describe('the main job with --model DIR', () => {
  // a copy, so that its config.json can be changed for the rerun that must be refused
  const model = join(dir, 'qwen2-tiny');
  cpSync(FIXTURE, model, { recursive: true });
  const out = join(dir, 'run');

  it('fine-tunes the checkpoint’s LoRA adapters by SFT, then RL from them, evaluates it, and names it in the summary', {
    timeout: 120_000,
  }, () => {
    const r = main(...ARGS, '--model', model, '--lora', 'r=4,alpha=8', '--out', out);
    expect(r.stderr).not.toMatch(/Error|at .*\.ts:\d+/);
    expect(r.code).toBe(0);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    expect(summary.policy).toMatchObject({ model, modelType: 'qwen2', lora: { r: 4, alpha: 8, targetModules: ['q_proj', 'v_proj'] } });
    expect(summary.policy.configSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(summary.policy.maxLength).toBeLessThanOrEqual(64); // the fixture's max_position_embeddings
    expect(summary.settings.model).toEqual({ dir: model, configSha256: summary.policy.configSha256 });
    expect(summary.experiment.conditions).toEqual(['sft', 'grpo-token+instance']);
    // the report's teacher-forced maps are in the checkpoint's tokens too
    expect(summary.rewardMaps.tokenizer).toBe('hf:qwen2-tiny');
    for (const stage of ['sft-seed1', 'rl-grpo-token+instance-seed1']) {
      expect(existsSync(join(out, 'stages', `${stage}.json`))).toBe(true);
      // the stage's policy is the adapter PEFT writes, not the base weights
      const ckpt = join(out, 'ckpt', stage);
      const config = JSON.parse(readFileSync(join(ckpt, 'adapter_config.json'), 'utf8'));
      expect(config).toMatchObject({ peft_type: 'LORA', r: 4, lora_alpha: 8 });
      expect(readFileSync(join(ckpt, 'adapter_model.safetensors')).length).toBeGreaterThan(100);
      expect(existsSync(join(ckpt, 'model.safetensors'))).toBe(false);
    }
    // SFT trained (the loss moved) and RL ran its steps with rewards on the model's samples
    const losses: number[] = summary.sftLoss[0].losses;
    expect(losses).toHaveLength(summary.settings.sftSteps);
    expect(losses.at(-1)).toBeLessThan(losses[0] as number);
    expect(summary.rlCurves).toHaveLength(summary.settings.rlSteps);
    // RL changed the adapters it started from
    const a = readFileSync(join(out, 'ckpt', 'sft-seed1', 'adapter_model.safetensors'));
    const b = readFileSync(join(out, 'ckpt', 'rl-grpo-token+instance-seed1', 'adapter_model.safetensors'));
    expect(a.equals(b)).toBe(false);
    // every held-out prompt was sampled from the model
    const generations = readFileSync(join(out, 'generations.jsonl'), 'utf8').trim().split('\n');
    expect(generations).toHaveLength(2 * summary.split.tasks.heldout * summary.settings.samples);
  });

  it('reruns without training again, and refuses the folder for another LoRA or another checkpoint in the same place', {
    timeout: 60_000,
  }, () => {
    const again = main(...ARGS, '--model', model, '--lora', 'r=4,alpha=8', '--out', out);
    expect(again.code).toBe(0);
    expect(again.stderr).toContain('sft-seed1: done in an earlier run, skipped');
    expect(again.stderr).toContain('rl-grpo-token+instance-seed1: done in an earlier run, skipped');
    const lora = main(...ARGS, '--model', model, '--out', out);
    expect(lora.code).toBe(2);
    expect(lora.stderr).toContain('holds a run with other settings (lora:');
    const config = JSON.parse(readFileSync(join(model, 'config.json'), 'utf8'));
    writeFileSync(join(model, 'config.json'), JSON.stringify({ ...config, rope_theta: 10000 }));
    const other = main(...ARGS, '--model', model, '--lora', 'r=4,alpha=8', '--out', out);
    expect(other.code).toBe(2);
    expect(other.stderr).toMatch(/holds a run with other settings \(model: .*configSha256/);
    const plain = main(...ARGS, '--out', out);
    expect(plain.code).toBe(2);
    expect(plain.stderr).toContain('model: {');
  });

  it('goes on after a crash in RL from the adapters last saved, and ends with the same adapters and metrics to the bit', {
    timeout: 120_000,
  }, async () => {
    const crashed = join(dir, 'crashed');
    const args = ['--import', TSX, 'scripts/main.ts', ...ARGS, '--model', FIXTURE, '--rl-steps', '6'];
    const whole = join(dir, 'whole');
    expect(main(...ARGS, '--model', FIXTURE, '--rl-steps', '6', '--out', whole).code).toBe(0);
    const child = spawn(process.execPath, [...args, '--out', crashed], { cwd: ROOT });
    let err = '';
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
      if (/rl-grpo-token\+instance-seed1: step 3\//.test(err)) child.kill('SIGKILL');
    });
    const signal = await new Promise((done) => child.on('exit', (_code, sig) => done(sig)));
    expect(signal).toBe('SIGKILL');
    expect(existsSync(join(crashed, 'stages', 'rl-grpo-token+instance-seed1.json'))).toBe(false);
    const resumed = main(...ARGS, '--model', FIXTURE, '--rl-steps', '6', '--out', crashed);
    expect(resumed.code).toBe(0);
    expect(resumed.stderr).toContain('sft-seed1: done in an earlier run, skipped');
    expect(resumed.stderr).toMatch(/rl-grpo-token\+instance-seed1: resuming after step [1-5]\/6/);
    const adapter = (out: string) => readFileSync(join(out, 'ckpt', 'rl-grpo-token+instance-seed1', 'adapter_model.safetensors'));
    expect(adapter(crashed).equals(adapter(whole))).toBe(true);
    const metrics = (out: string) => readFileSync(join(out, 'train-metrics.jsonl'), 'utf8');
    expect(metrics(crashed)).toBe(metrics(whole));
  });

  it('exits 2 naming a missing folder, or one that is no checkpoint, before any stage runs', () => {
    const missing = join(dir, 'no-such-model');
    const r = main(...ARGS, '--model', missing, '--out', join(dir, 'missing'));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`--model ${missing}: no such folder`);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(existsSync(join(dir, 'missing'))).toBe(false);
    // a checkpoint without a tokenizer.json (the other fixtures) is refused too: the job needs its tokens
    const llama = join(ROOT, 'packages', 'rl-core', 'test', 'fixtures', 'hf', 'llama-tiny');
    const t = main(...ARGS, '--model', llama, '--out', join(dir, 'llama'));
    expect(t.code).toBe(2);
    expect(t.stderr).toContain(`--model ${llama}: no tokenizer.json`);
    // a projection the checkpoint's family does not have is refused before any stage runs
    const g = main(...ARGS, '--model', FIXTURE, '--lora', 'r=4,targets=c_attn', '--out', join(dir, 'gpt-targets'));
    expect(g.code).toBe(2);
    expect(g.stderr).toContain('--lora targets c_attn:');
    expect(g.stderr).toContain('is a qwen2 checkpoint');
    expect(existsSync(join(dir, 'gpt-targets'))).toBe(false);
    const empty = mkdtempSync(join(dir, 'empty-'));
    const e = main(...ARGS, '--model', empty, '--out', join(dir, 'empty-run'));
    expect(e.code).toBe(2);
    expect(e.stderr).toContain(`--model ${empty}: no config.json`);
  });
});

describe('token rewards on a checkpoint’s tokens', () => {
  const task: Task = {
    id: 't',
    language: 'c',
    prompt: 'c:CWE-787:copy>',
    tag: 'c:CWE-787:',
    name: 'copy',
    cwe: 'CWE-787',
    pair: {
      schemaVersion: 1,
      id: 't:region',
      language: 'c',
      vulnerableCode: 'strcpy(buf, name);',
      fixedCode: 'strncpy(buf, name, sizeof(buf) - 1);',
      cwes: ['CWE-787'],
      changes: computeChanges('strcpy(buf, name);', 'strncpy(buf, name, sizeof(buf) - 1);'),
      provenance: { source: 'test' },
    } as unknown as Task['pair'],
  };

  it('aligns the map to the model’s own tokens: the same total as on characters, none of it on the end token', async () => {
    const hf = await openHfModel(checkModelDir(FIXTURE));
    const scorer = new Scorer();
    for (const code of [task.pair.vulnerableCode, task.pair.fixedCode]) {
      const tokens = hf.text.targetIds(code);
      const decoded = hf.text.decode(tokens);
      expect(decoded.text).toBe(code);
      expect(decoded.ids.length).toBe(tokens.length - 1); // the end token is left out of the encoding
      const onTokens = scorer.rewards(task, tokens, decoded.text, true, { ids: decoded.ids, offsets: decoded.offsets });
      const chars = CHAR_TEXT.targetIds(code);
      const onChars = scorer.rewards(task, chars, code, true);
      expect(onTokens.rewards).toHaveLength(tokens.length);
      const sum = (a: Float32Array) => a.reduce((x, y) => x + y, 0);
      // span-mean normalisation: however the text is cut into tokens, a span's weight is the same
      expect(sum(onTokens.rewards)).toBeCloseTo(sum(onChars.rewards), 4);
      expect(onTokens.rewards.at(-1)).toBe(onChars.rewards.at(-1)); // the instance reward only
      expect(onTokens.map?.rewards.length).toBe(tokens.length - 1);
    }
    // the insecure call is penalised on the tokens that write it, the fix's call rewarded
    const bad = hf.text.targetIds(task.pair.vulnerableCode);
    const d = hf.text.decode(bad);
    const r = scorer.rewards(task, bad, d.text, true, { ids: d.ids, offsets: d.offsets });
    const first = r.rewards[0] as number;
    expect(first).toBeLessThan(0);
  });

  it('lets no tokenisation earn more than the characters do: a repeated answer scores as on characters', async () => {
    const hf = await openHfModel(checkModelDir(FIXTURE));
    const scorer = new Scorer();
    const code = task.pair.fixedCode;
    const sum = (a: Float32Array) => a.reduce((x, y) => x + y, 0);
    for (const text of [code, `${code}\n${code}`, `${code}${code}${code}`, `  ${code}  `]) {
      const tokens = hf.text.targetIds(text);
      const d = hf.text.decode(tokens);
      const onTokens = sum(scorer.rewards(task, tokens, d.text, true, { ids: d.ids, offsets: d.offsets }).rewards);
      const onChars = sum(scorer.rewards(task, CHAR_TEXT.targetIds(text), text, true).rewards);
      expect(onTokens).toBeCloseTo(onChars, 3);
    }
  });
});
