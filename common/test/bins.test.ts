import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// Every bin, built (`pnpm test` builds before it runs the tests), run as a user runs it: a real subprocess.
const packages = fileURLToPath(new URL('../../packages/', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'srcode-bins-'));
const missing = join(scratch, 'missing.jsonl');
const out = (name: string) => join(scratch, 'new-folder', name);

interface Bin {
  pkg: string;
  bin: string;
  /** A command, and its arguments with the input file given as `input`. */
  withInput: (input: string) => string[];
}

const BINS: Bin[] = [
  { pkg: 'dataset', bin: 'srcode-dataset', withInput: (input) => ['dedup', input, '--out', out('dedup.jsonl')] },
  { pkg: 'token-reward', bin: 'srcode-reward', withInput: (input) => ['spans', '--pairs', input, '--out', out('spans.jsonl')] },
  { pkg: 'reflect', bin: 'srcode-reflect', withInput: (input) => ['run', '--in', input, '--out', out('records.jsonl'), '--quiet'] },
  {
    pkg: 'eval',
    bin: 'srcode-eval',
    withInput: (input) => ['run', '--suite', 'humaneval-pro', '--generations', input, '--out', out('eval')],
  },
  { pkg: 'rl-core', bin: 'srcode-rl', withInput: (input) => ['sft', '--data', input, '--out', out('sft'), '--steps', '1'] },
];

function run(bin: Bin, args: string[]) {
  const file = join(packages, bin.pkg, 'dist', 'cli.js');
  if (!existsSync(file)) throw new Error(`${file} is missing: build the packages first (pnpm run build)`);
  const r = spawnSync(process.execPath, [file, ...args], { encoding: 'utf8', input: '', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe.each(BINS)('$bin follows the one CLI convention', (bin) => {
  const version = (JSON.parse(readFileSync(join(packages, bin.pkg, 'package.json'), 'utf8')) as { version: string }).version;
  const command = bin.withInput(missing)[0] as string;

  it('--help, -h and help print the usage on stdout with exit 0', () => {
    for (const flag of ['--help', '-h', 'help']) {
      const r = run(bin, [flag]);
      expect(r.code, `${bin.bin} ${flag}`).toBe(0);
      expect(r.stdout).toContain(`usage: ${bin.bin}`);
      expect(r.stdout).toContain(command);
    }
  });

  it('<command> --help prints that command usage with exit 0, without running it', () => {
    const r = run(bin, [command, '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`${bin.bin} ${command}`);
    expect(existsSync(out(''))).toBe(false);
  });

  it('--version prints the package version', () => {
    const r = run(bin, ['--version']);
    expect(r).toMatchObject({ code: 0, stdout: `${version}\n` });
  });

  it('no command, an unknown command and an unknown option exit 2 with one line on stderr', () => {
    for (const args of [[], ['no-such-command'], [...bin.withInput(missing), '--no-such-option']]) {
      const r = run(bin, args);
      expect(r.code, `${bin.bin} ${args.join(' ')}`).toBe(2);
      expect(r.stderr.trim().split('\n'), r.stderr).toHaveLength(1);
      expect(r.stderr).toMatch(/--help/);
      expect(r.stdout).toBe('');
    }
  });

  it('a missing input file and a folder given as one exit 2 naming the path, and write nothing', () => {
    for (const input of [missing, scratch]) {
      const r = run(bin, bin.withInput(input));
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toContain(input);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(existsSync(out('')), `${bin.bin} left output behind`).toBe(false);
    }
  });
});
