import { describe, expect, it } from 'vitest';
import { HINT, type MainOptions, USAGE, packageVersions, parseFlags, settingsOf } from '../pipeline/flags.js';

/** The options of a command line that is expected to ask for a run. */
function run(...argv: string[]): MainOptions {
  const parsed = parseFlags(argv, '/work');
  if (parsed.kind !== 'run') throw new Error(`expected a run, got ${parsed.kind}`);
  return parsed.options;
}

describe('the main job’s flags', () => {
  it('defaults to the embedded sample, the README’s policy and training sizes, and .out/main', () => {
    expect(run()).toEqual({
      pairs: undefined,
      format: 'sven',
      endpoint: undefined,
      model: undefined,
      apiKeyEnv: undefined,
      tokenizer: undefined,
      backend: 'auto',
      out: '/work/.out/main',
      fresh: false,
      width: 48,
      layers: 2,
      sftSteps: 300,
      rlSteps: 24,
      samples: 8,
      maxChars: 96,
      maxTasks: 16,
      seed: 1,
    });
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
    for (const flag of ['--pairs', '--format', '--endpoint', '--model', '--api-key-env', '--tokenizer', '--width', '--layers'])
      expect(USAGE).toContain(flag);
    for (const flag of ['--sft-steps', '--rl-steps', '--samples', '--max-chars', '--max-tasks', '--backend', '--seed', '--out', '--fresh'])
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
      'seed',
    ]);
    expect(s).toMatchObject({ pairs: null, endpoint: null, model: null, tokenizer: null });
  });
});
