import { parseArgs } from 'node:util';
import { describe, expect, it } from 'vitest';
import { type CliSpec, EXIT_USAGE, describeFailure, escapeControl, packageVersion, runCli } from '../cli.js';
import { SrcodeError } from '../errors.js';

class DemoError extends SrcodeError<'invalid-input' | 'network'> {
  static override readonly brand: symbol = Symbol.for('@srcode/test/DemoError');
}

function demo(run: (argv: string[]) => Promise<number>): CliSpec {
  return {
    bin: 'srcode-demo',
    version: '1.2.3',
    about: 'A bin for the tests.',
    commands: {
      go: { summary: 'does the thing', usage: 'FILE [--fast]', run },
      other: { summary: 'another', usage: '', run: async () => 0 },
    },
    footer: 'Results go to stdout.',
  };
}

async function call(argv: string[], run: (argv: string[]) => Promise<number> = async () => 0) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(demo(run), argv, { out: (t) => out.push(t), err: (t) => err.push(escapeControl(t)) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('the shared CLI convention', () => {
  it('prints help on stdout with exit 0 for --help, -h and help', async () => {
    for (const argv of [['--help'], ['-h'], ['help']]) {
      const r = await call(argv);
      expect(r.code).toBe(0);
      expect(r.err).toBe('');
      expect(r.out).toContain('usage: srcode-demo <command> [options]');
      expect(r.out).toMatch(/go +does the thing/);
      expect(r.out).toContain('Results go to stdout.');
    }
  });

  it("prints a command's usage for <command> --help and help <command>, without running it", async () => {
    let ran = false;
    for (const argv of [
      ['go', '--help'],
      ['go', 'x.jsonl', '-h'],
      ['help', 'go'],
    ]) {
      const r = await call(argv, async () => {
        ran = true;
        return 0;
      });
      expect(r).toEqual({ code: 0, out: 'usage: srcode-demo go FILE [--fast]', err: '' });
    }
    expect(ran).toBe(false);
  });

  it('prints the version', async () => {
    expect(await call(['--version'])).toEqual({ code: 0, out: '1.2.3', err: '' });
    expect(packageVersion(new URL('../../packages/dataset/src/cli.ts', import.meta.url).href)).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('exits 2 with one line and a hint on no command or an unknown one', async () => {
    const none = await call([]);
    expect(none.code).toBe(EXIT_USAGE);
    expect(none.err).toBe("srcode-demo: expected a command (one of go, other); see 'srcode-demo --help'");
    const unknown = await call(['gone']);
    expect(unknown.code).toBe(EXIT_USAGE);
    expect(unknown.err.split('\n')).toHaveLength(1);
    expect(unknown.err).toContain("unknown command 'gone'");
    expect((await call(['help', 'gone'])).code).toBe(EXIT_USAGE);
    expect((await call(['toString'])).code).toBe(EXIT_USAGE);
  });

  it('an unknown option exits 2 with a hint to the command help', async () => {
    const r = await call(['go', '--slow'], async (argv) => {
      parseArgs({ args: argv, options: { fast: { type: 'boolean' } } });
      return 0;
    });
    expect(r.code).toBe(EXIT_USAGE);
    expect(r.err).toMatch(/^srcode-demo go: Unknown option '--slow'.*\(see 'srcode-demo go --help'\)$/);
    const ambiguous = await call(['go', '--limit', '-1'], async (argv) => {
      parseArgs({ args: argv, options: { limit: { type: 'string' } } });
      return 0;
    });
    expect(ambiguous.code).toBe(EXIT_USAGE);
    expect(ambiguous.err.split('\n')).toHaveLength(1);
  });

  it('input errors exit 2, other failures 1, and a missing path is named', async () => {
    const input = await call(['go'], async () => {
      throw new DemoError('invalid-input', 'a.jsonl:3: /id: must be string');
    });
    expect(input).toMatchObject({ code: 2, err: 'srcode-demo go: a.jsonl:3: /id: must be string' });
    const network = await call(['go'], async () => {
      throw new DemoError('network', 'cannot reach http://127.0.0.1:9');
    });
    expect(network.code).toBe(1);
    const { readFile } = await import('node:fs/promises');
    const missing = await call(['go'], async () => {
      await readFile('/nonexistent/pairs.jsonl');
      return 0;
    });
    expect(missing).toMatchObject({ code: 2, err: 'srcode-demo go: /nonexistent/pairs.jsonl: no such file or folder' });
    expect(describeFailure(new Error('boom'))).toEqual({ message: 'boom', exitCode: 1, hint: false });
    // an error of another kind whose cause is node's error about a path the user named is an input error too
    const enoent = Object.assign(new Error('ENOENT: no such file'), { code: 'ENOENT', path: '/nonexistent/x' });
    expect(describeFailure(new DemoError('network', 'cannot read input /nonexistent/x', { cause: enoent })).exitCode).toBe(2);
    expect(describeFailure(new DemoError('network', 'down', { cause: new Error('reset') })).exitCode).toBe(1);
  });

  it('escapes control characters (tabs and newlines kept) so a message cannot drive the terminal', async () => {
    const r = await call(['go'], async () => {
      throw new DemoError('invalid-input', 'bad line: \u001b[2J\u0007x\ty');
    });
    expect(r.err).toBe('srcode-demo go: bad line: \\x1b[2J\\x07x\ty');
    expect(escapeControl('two\nlines')).toBe('two\nlines');
  });

  it("passes the command's exit code through", async () => {
    expect((await call(['go', 'a'], async (argv) => (argv[0] === 'a' ? 3 : 0))).code).toBe(3);
  });
});
