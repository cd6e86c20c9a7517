import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

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

  it('--text scores the ids the tokenizer gives the text', () => {
    const want = JSON.parse(readFileSync(`${fixture('qwen2-tiny-bf16')}/expected.json`, 'utf8')).tokenizer[0] as {
      text: string;
      ids: number[];
    };
    const text = run(['score', '--model', fixture('qwen2-tiny-bf16'), '--text', want.text, '--backend', 'cpu']);
    expect(text.code, text.stderr).toBe(0);
    const got = JSON.parse(text.stdout) as { ids: number[]; logprobs: number[] };
    expect(got.ids).toEqual(want.ids);
    expect(got.logprobs).toHaveLength(got.ids.length - 1);
    const byIds = run(['score', '--model', fixture('qwen2-tiny-bf16'), '--ids', got.ids.join(','), '--backend', 'cpu']);
    expect(JSON.parse(byIds.stdout)).toEqual(got);
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
    expect(missing.stderr).toBe(
      'srcode-rl score: --model /nonexistent-folder: expected a Hugging Face checkpoint folder, found no such path\n',
    );
    const file = run(['score', '--model', join(fixture('llama-tiny'), 'config.json'), '--ids', '1,2', '--backend', 'cpu']);
    expect(file.code).toBe(2);
    expect(file.stderr).toMatch(
      /^srcode-rl score: --model .*llama-tiny\/config\.json: expected a Hugging Face checkpoint folder, found a file\n$/,
    );
    const noConfig = run(['score', '--model', tmp, '--ids', '1,2', '--backend', 'cpu']);
    expect(noConfig.code).toBe(2);
    expect(noConfig.stderr).toMatch(/^srcode-rl score: .*\/config\.json: expected a JSON file, found none readable\n$/);
    // only plain decimal ids: exponents, hex, fractions and empty items are not token ids
    for (const [ids, piece] of [
      ['1e1,2', '1e1'],
      ['0x3', '0x3'],
      ['2.0,1', '2.0'],
      ['', ''],
      ['1,,2', ''],
      ['1, a', 'a'],
      ['99999999999999999999', '99999999999999999999'],
    ] as const) {
      const r = run(['score', '--model', fixture('llama-tiny'), '--ids', ids, '--backend', 'cpu']);
      expect(r.code, ids).toBe(2);
      expect(r.stderr).toMatch(
        new RegExp(
          `^srcode-rl score: expected --ids to be comma-separated token ids, found ${JSON.stringify(piece).replace(/[.]/g, '\\.')} at position \\d\n$`,
        ),
      );
    }
    const noIds = run(['score', '--model', fixture('llama-tiny')]);
    expect(noIds.code).toBe(2);
    expect(noIds.stderr).toMatch(/expected one of --ids 1,2,3 .* and --text TEXT/);
  });
});

const tmp = mkdtempSync(join(tmpdir(), 'rl-core-hf-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const qwen = fixture('qwen2-tiny-bf16');

describe('srcode-rl sample and train on a Hugging Face checkpoint (real subprocesses, wasm)', () => {
  it('sample prints one JSON line per completion, the same for the same seed', () => {
    const args = ['sample', '--model', qwen, '--prompt', 'copy s', '--n', '2', '--max-new-tokens', '5', '--seed', '4', '--backend', 'wasm'];
    const r = run(args);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { completion: string; tokens: number[]; stop: string });
    expect(lines).toHaveLength(2);
    for (const l of lines) {
      expect(l.tokens.length).toBeGreaterThan(0);
      expect(l.tokens.length).toBeLessThanOrEqual(5);
      expect(['eos', 'length']).toContain(l.stop);
      expect(typeof l.completion).toBe('string');
    }
    expect(run(args).stdout).toBe(r.stdout);
  });

  it('train --lora runs SFT on --data, writes a PEFT adapter and goes on with PPO from it', () => {
    const data = join(tmp, 'sft.jsonl');
    writeFileSync(data, '{"prompt":"copy s","completion":"strncpy(b, s, n);"}\n{"prompt":"read p","completion":"open(p).read()"}\n');
    const out = join(tmp, 'sft');
    const r = run([
      'train',
      '--model',
      qwen,
      '--lora',
      'r=4,alpha=8,targets=q_proj+v_proj+down_proj',
      '--data',
      data,
      '--out',
      out,
      '--steps',
      '3',
      '--batch',
      '2',
      '--lr',
      '1e-2',
      '--max-length',
      '48',
      '--backend',
      'wasm',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const losses = [...r.stderr.matchAll(/step \d+ loss ([\d.]+)/g)].map((m) => Number(m[1]));
    expect(losses).toHaveLength(3);
    expect(losses[2] as number).toBeLessThan(losses[0] as number);
    for (const f of [
      'adapter_model.safetensors',
      'adapter_config.json',
      'value_head.safetensors',
      'optimizer.safetensors',
      'metrics.jsonl',
    ])
      expect(existsSync(join(out, f)), f).toBe(true);
    expect(JSON.parse(readFileSync(join(out, 'adapter_config.json'), 'utf8'))).toMatchObject({
      r: 4,
      lora_alpha: 8,
      target_modules: ['q_proj', 'v_proj', 'down_proj'],
    });
    const rl = run([
      'train',
      '--model',
      qwen,
      '--algo',
      'ppo',
      '--resume',
      out,
      '--out',
      join(tmp, 'ppo'),
      '--steps',
      '1',
      '--prompts',
      '2',
      '--group',
      '2',
      '--max-new-tokens',
      '6',
      '--max-length',
      '48',
      '--value-warmup',
      '4',
      '--backend',
      'wasm',
    ]);
    expect(rl.code, rl.stderr).toBe(0);
    expect(rl.stderr).toMatch(/step 1\/1 reward -?[\d.]+ kl [\d.]+ insecure/);
    expect(JSON.parse(readFileSync(join(tmp, 'ppo', 'hf-policy.json'), 'utf8')).step).toBeGreaterThan(3);
    // the value head was warmed up on the first rollout (its value-only steps are not the policy's steps)
    const [warm] = readFileSync(join(tmp, 'ppo', 'metrics.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(warm).toMatchObject({ phase: 'rl', step: 1, valueWarmup: { steps: 4 } });
  });

  it('bad --lora values and data exit 2 naming the problem; --help shows the Hugging Face options', () => {
    for (const [lora, message] of [
      ['r=0', /expected --lora r to be a whole number/],
      ['r=8,alpha=16,targets=qkv', /expected --lora targets among q_proj\+k_proj/],
      ['rank=8', /expected --lora keys r, alpha, dropout, targets, seed; found "rank"/],
      ['r=8,r=4', /expected each --lora key once, found r twice/],
      ['alpha=x', /expected --lora alpha > 0, found "x"/],
      ['r=2.5', /expected --lora r to be a whole number, found "2\.5"/],
      ['dropout=1', /expected --lora dropout in \[0, 1\), found "1"/],
      ['targets=', /expected --lora targets among .*found ""/],
      ['r=8,alpha', /expected --lora key=value pairs .*found "alpha"/],
    ] as const) {
      const r = run(['train', '--model', qwen, '--lora', lora, '--backend', 'cpu']);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(message);
    }
    // a module of another family is refused once the checkpoint says which family it is, before any training
    const pairs = join(tmp, 'pairs.jsonl');
    writeFileSync(pairs, '{"prompt":"a","completion":"b"}\n');
    const gpt2Module = run([
      'train',
      '--model',
      qwen,
      '--lora',
      'targets=c_attn',
      '--data',
      pairs,
      '--out',
      join(tmp, 'never'),
      '--backend',
      'cpu',
    ]);
    expect(gpt2Module.code).toBe(2);
    expect(gpt2Module.stderr).toMatch(/(^|\n)srcode-rl train: expected LoRA target modules of qwen2 among q_proj, .*found "c_attn"\n$/);
    expect(existsSync(join(tmp, 'never'))).toBe(false);
    const long = run(['train', '--model', qwen, '--data', pairs, '--max-length', '100000', '--backend', 'wasm']);
    expect(long.code).toBe(2);
    expect(long.stderr).toMatch(
      /^srcode-rl train: expected --max-length at most 64 \(\/max_position_embeddings of .*qwen2-tiny-bf16\/config\.json\), found 100000\n$/,
    );
    // a Hugging Face folder whose config.json is broken or lacks model_type is still read as one, and the problem named
    const broken = join(tmp, 'broken');
    cpSync(qwen, broken, { recursive: true });
    writeFileSync(join(broken, 'config.json'), '{"model_type": "qwen2", "hidden');
    const cut = run(['sample', '--model', broken, '--prompt', 'x', '--backend', 'wasm']);
    expect(cut.code).toBe(2);
    expect(cut.stderr).toMatch(/^srcode-rl sample: .*broken\/config\.json: expected JSON, found unparsable text/);
    writeFileSync(join(broken, 'config.json'), '{"hidden_size": 32}');
    const untyped = run(['sample', '--model', broken, '--prompt', 'x', '--backend', 'wasm']);
    expect(untyped.code).toBe(2);
    expect(untyped.stderr).toMatch(
      /^srcode-rl sample: .*broken\/config\.json: \/model_type: expected llama or qwen2 or gpt2, found none\n$/,
    );
    const bad = join(tmp, 'bad.jsonl');
    writeFileSync(bad, '{"prompt":"p"}\n');
    const r = run(['train', '--model', qwen, '--data', bad, '--backend', 'cpu']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/bad\.jsonl:1: \/completion: expected a string, found none/);
    const top = run(['--help']);
    expect(top.code).toBe(0);
    expect(top.stdout).toMatch(/Hugging Face checkpoints \(Llama, Qwen2, GPT-2\) with --model DIR/);
    expect(top.stdout).toMatch(/\n {2}score +log-probabilities of token ids under a Hugging Face checkpoint\n/);
    // a value-head warm-up needs PPO: refused before the model loads
    const sftWarm = run(['train', '--model', qwen, '--data', pairs, '--value-warmup', '2', '--backend', 'cpu']);
    expect(sftWarm.code).toBe(2);
    expect(sftWarm.stderr).toMatch(/expected --value-warmup with --algo ppo .*found --algo sft/);
    const help = run(['train', '--help']);
    expect(help.stdout).toMatch(/--lora r=N,alpha=X/);
    expect(help.stdout).toMatch(/--value-warmup N --value-warmup-lr X +ppo: N value-only steps \(the adapters frozen\)/);
    expect(run(['sample', '--help']).stdout).toMatch(/--adapter DIR/);
  });
});
