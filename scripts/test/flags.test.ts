import { describe, expect, it } from 'vitest';
import { RL_CONDITION_NAMES } from '../pipeline/conditions.js';
import { HINT, type MainOptions, USAGE, packageVersions, parseFlags, seedsOf, settingsOf } from '../pipeline/flags.js';

/** The options of a command line that is expected to ask for a run. */
function run(...argv: string[]): MainOptions {
  const parsed = parseFlags(argv, '/work');
  if (parsed.kind !== 'run') throw new Error(`expected a run, got ${parsed.kind}`);
  return parsed.options;
}

describe('the main job’s flags', () => {
  it('defaults to the embedded sample, the README’s policy and training sizes, every condition over 3 seeds, and .out/main', () => {
    expect(run()).toEqual({
      pairs: undefined,
      format: 'sven',
      endpoint: undefined,
      judgeModel: undefined,
      model: undefined,
      lora: {},
      apiKeyEnv: undefined,
      tokenizer: undefined,
      backend: 'auto',
      out: '/work/.out/main',
      fresh: false,
      quick: false,
      conditions: ['ppo-instance', 'ppo-token+instance', 'grpo-instance', 'grpo-token+instance'],
      rlLr: 2e-4,
      kl: 0.1,
      malformed: -2,
      width: 48,
      layers: 2,
      sftSteps: 300,
      rlSteps: 16,
      samples: 48,
      maxChars: 96,
      maxTasks: 16,
      heldout: 34,
      maxHeldout: 16,
      evalEvery: 2,
      seed: 1,
      seeds: 3,
    });
    expect(seedsOf(run())).toEqual([1, 2, 3]);
    expect(seedsOf(run('--seed', '7', '--seeds', '2'))).toEqual([7, 8]);
  });

  it('takes the small sizes of --quick for the size flags not given, and keeps those given', () => {
    expect(run('--quick')).toMatchObject({ quick: true, width: 16, layers: 1, sftSteps: 60, rlSteps: 4, samples: 4, seeds: 2 });
    expect(run('--quick', '--seeds', '3', '--width', '24')).toMatchObject({ seeds: 3, width: 24, layers: 1 });
  });

  it('takes a subset of the conditions, in the report’s order whatever the order given, and refuses unknown ones', () => {
    expect(run('--conditions', 'grpo-token+instance,ppo-instance').conditions).toEqual(['ppo-instance', 'grpo-token+instance']);
    expect(parseFlags(['--conditions', 'grpo,ppo-instance'])).toEqual({
      kind: 'invalid',
      message: `--conditions: unknown condition grpo; known: ${RL_CONDITION_NAMES.join(', ')} ${HINT}`,
    });
    expect(parseFlags(['--conditions', 'grpo-instance,grpo-instance'])).toMatchObject({
      kind: 'invalid',
      message: expect.stringContaining('twice'),
    });
  });

  it('refuses no seeds, a held-out share outside 1-99%, and rates that are not numbers', () => {
    expect(parseFlags(['--seeds', '0'])).toMatchObject({ kind: 'invalid', message: expect.stringContaining('--seeds must be at least 1') });
    expect(parseFlags(['--heldout', '100'])).toMatchObject({
      kind: 'invalid',
      message: expect.stringContaining('--heldout must be a percentage'),
    });
    expect(parseFlags(['--eval-every', '0'])).toMatchObject({ kind: 'invalid', message: expect.stringContaining('--eval-every') });
    expect(parseFlags(['--rl-lr', 'fast'])).toMatchObject({
      kind: 'invalid',
      message: expect.stringContaining('--rl-lr must be a number, got fast'),
    });
    expect(parseFlags(['--rl-lr', '0'])).toMatchObject({ kind: 'invalid', message: expect.stringContaining('--rl-lr must be positive') });
    expect(parseFlags(['--kl=-1'])).toMatchObject({ kind: 'invalid', message: expect.stringContaining('--kl must be non-negative') });
    expect(parseFlags(['--malformed', ''])).toMatchObject({
      kind: 'invalid',
      message: expect.stringContaining('--malformed must be a number'),
    });
    expect(run('--malformed=-3', '--kl', '0', '--rl-lr', '1e-3')).toMatchObject({ malformed: -3, kl: 0, rlLr: 1e-3 });
  });

  it('takes its flags after the `--` that `pnpm run main -- ...` passes on', () => {
    expect(run('--', '--width', '96', '--fresh', '--pairs', 'a', '--pairs', 'b')).toMatchObject({
      width: 96,
      fresh: true,
      pairs: ['a', 'b'],
    });
    expect(parseFlags(['--', '--help'])).toEqual({ kind: 'help' });
  });

  it('lists every flag in its usage text', () => {
    for (const flag of [
      '--pairs',
      '--format',
      '--endpoint',
      '--judge-model',
      '--model',
      '--lora',
      '--api-key-env',
      '--tokenizer',
      '--width',
      '--layers',
    ])
      expect(USAGE).toContain(flag);
    for (const flag of ['--sft-steps', '--rl-steps', '--samples', '--max-chars', '--max-tasks', '--backend', '--seed', '--out', '--fresh'])
      expect(USAGE).toContain(flag);
    for (const flag of [
      '--seeds',
      '--conditions',
      '--heldout',
      '--max-heldout',
      '--eval-every',
      '--rl-lr',
      '--kl',
      '--malformed',
      '--quick',
    ])
      expect(USAGE).toContain(flag);
    for (const flag of ['--help, -h', '--version']) expect(USAGE).toContain(flag);
  });

  it('asks for the usage on --help or -h anywhere, even beside flags it would refuse', () => {
    for (const argv of [['--help'], ['-h'], ['--', '-h'], ['--width', '30', '--help'], ['--nope', '-h']])
      expect(parseFlags(argv)).toEqual({ kind: 'help' });
  });

  it('asks for the versions on --version', () => {
    expect(parseFlags(['--', '--version'])).toEqual({ kind: 'version' });
  });

  it('lists each package the job runs with its package.json version, one a line', () => {
    const lines = packageVersions().split('\n');
    expect(lines.map((l) => l.split(' ')[0])).toEqual([
      '@srcode/dataset',
      '@srcode/syntax',
      '@srcode/reflect',
      '@srcode/token-reward',
      '@srcode/rl-core',
      '@srcode/eval',
    ]);
    for (const line of lines) expect(line).toMatch(/^@srcode\/[a-z-]+ \d+\.\d+\.\d+/);
  });

  it('refuses an unknown flag or a stray argument in one line with a hint, rather than throwing', () => {
    expect(parseFlags(['--epochs', '3'])).toEqual({ kind: 'invalid', message: `Unknown option '--epochs' ${HINT}` });
    const stray = parseFlags(['--', 'sven']);
    expect(stray).toMatchObject({
      kind: 'invalid',
      message: expect.stringMatching(/^Unexpected argument 'sven'.*\(see 'pnpm run main -- --help'\)$/),
    });
  });

  it('rejects a number that is not a non-negative integer, in one line with a hint', () => {
    expect(parseFlags(['--rl-steps', 'many'])).toEqual({
      kind: 'invalid',
      message: "--rl-steps must be a non-negative integer, got many (see 'pnpm run main -- --help')",
    });
    expect(parseFlags(['--seed=-1'])).toMatchObject({ kind: 'invalid', message: expect.stringContaining('--seed must be') });
  });

  it('rejects a width the policy’s four heads cannot split, and no layers', () => {
    for (const argv of [
      ['--width', '30'],
      ['--width', '0'],
      ['--layers', '0'],
    ])
      expect(parseFlags(argv)).toMatchObject({
        kind: 'invalid',
        message: expect.stringContaining('--width must be a positive multiple of 4'),
      });
  });

  it('rejects an unknown import format', () => {
    expect(parseFlags(['--format', 'csv'])).toMatchObject({
      kind: 'invalid',
      message: expect.stringContaining('--format must be one of sven'),
    });
  });

  it('fingerprints the settings results depend on, without the output folder or the key’s variable', () => {
    const s = settingsOf(run('--out', 'elsewhere', '--api-key-env', 'KEY', '--fresh'));
    expect(Object.keys(s)).toEqual([
      'pairs',
      'format',
      'endpoint',
      'model',
      'tokenizer',
      'backend',
      'width',
      'layers',
      'sftSteps',
      'rlSteps',
      'samples',
      'maxChars',
      'maxTasks',
      'heldout',
      'maxHeldout',
      'evalEvery',
      'seed',
      'seeds',
      'conditions',
      'rlLr',
      'kl',
      'malformed',
    ]);
    expect(s).toMatchObject({ pairs: null, endpoint: null, model: null, tokenizer: null });
  });

  it('keeps a default run’s settings keys as before, and records the checkpoint, its config’s hash, the LoRA and the judge when given', () => {
    const s = settingsOf(run('--model', 'ckpt/qwen', '--lora', 'r=4,alpha=8,targets=q_proj,v_proj', '--judge-model', 'j'), 'abc');
    expect(s).toMatchObject({
      model: { dir: '/work/ckpt/qwen', configSha256: 'abc' },
      lora: { r: 4, alpha: 8, targets: ['q_proj', 'v_proj'] },
      judgeModel: 'j',
    });
    expect(Object.keys(settingsOf(run('--endpoint', 'http://x')))).not.toContain('lora');
  });

  it('reads --lora as srcode-rl train does (targets joined by + or listed with commas) and refuses bad specs', () => {
    expect(run('--model', 'm', '--lora', 'r=16,alpha=32,dropout=0.05,targets=q_proj+k_proj').lora).toEqual({
      r: 16,
      alpha: 32,
      dropout: 0.05,
      targets: ['q_proj', 'k_proj'],
    });
    expect(run('--model', 'm', '--lora', 'targets=q_proj,v_proj,r=2').lora).toEqual({ targets: ['q_proj', 'v_proj'], r: 2 });
    for (const [spec, says] of [
      ['r=0', 'r must be a whole number'],
      ['r=2.5', 'r must be a whole number'],
      ['alpha=-1', 'alpha must be positive'],
      ['dropout=1', 'dropout must be in'],
      ['targets=q_proj+lm_head', 'lm_head'],
      ['rank=8', 'keys are r, alpha'],
      ['r=8,r=4', 'r twice'],
      ['r', 'key=value'],
    ] as const)
      expect(parseFlags(['--model', 'm', '--lora', spec])).toMatchObject({ kind: 'invalid', message: expect.stringContaining(says) });
    expect(parseFlags(['--lora', 'r=8'])).toMatchObject({ kind: 'invalid', message: expect.stringContaining('--lora needs --model') });
    expect(parseFlags(['--model', ''])).toMatchObject({ kind: 'invalid', message: expect.stringContaining('--model needs') });
  });

  it('reads --value-warmup N and --value-warmup-lr X for the PPO conditions, and fingerprints them only when given', () => {
    expect(run('--value-warmup', '20')).toMatchObject({ valueWarmup: 20 });
    expect(run('--value-warmup', '20').valueWarmupLr).toBeUndefined();
    expect(run('--value-warmup', '5', '--value-warmup-lr', '1e-2', '--conditions', 'ppo-instance,grpo-instance')).toMatchObject({
      valueWarmup: 5,
      valueWarmupLr: 0.01,
    });
    expect(settingsOf(run('--value-warmup', '5', '--value-warmup-lr', '0.01'))).toMatchObject({ valueWarmup: 5, valueWarmupLr: 0.01 });
    expect(Object.keys(settingsOf(run('--value-warmup', '5')))).toContain('valueWarmup');
    expect(Object.keys(settingsOf(run('--value-warmup', '5')))).not.toContain('valueWarmupLr');
    // a folder of an earlier run keeps resuming: no new key without the flags
    const keys = Object.keys(settingsOf(run()));
    expect(keys).not.toContain('valueWarmup');
    expect(keys).not.toContain('valueWarmupLr');
    expect(run()).not.toHaveProperty('valueWarmup');
    for (const [argv, says] of [
      [['--value-warmup', '0'], '--value-warmup must be a positive integer, got 0'],
      [['--value-warmup', '2.5'], '--value-warmup must be a positive integer, got 2.5'],
      [['--value-warmup', ' '], '--value-warmup must be a positive integer'],
      [['--value-warmup', '5', '--value-warmup-lr', '0'], '--value-warmup-lr must be a positive number, got 0'],
      [['--value-warmup', '5', '--value-warmup-lr', 'fast'], '--value-warmup-lr must be a positive number, got fast'],
      [['--value-warmup-lr', '1e-2'], '--value-warmup-lr needs --value-warmup N'],
      [['--value-warmup', '5', '--conditions', 'grpo-instance,grpo-token+instance'], '--value-warmup fits the value head of the PPO'],
    ] as const)
      expect(parseFlags(argv)).toEqual({ kind: 'invalid', message: expect.stringMatching(new RegExp(`^${literal(says)}.* \\(see `)) });
    expect(USAGE).toContain('--value-warmup N');
    expect(USAGE).toContain('--value-warmup-lr X');
  });
});

/** `text` as a regular expression matching itself. */
function literal(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
