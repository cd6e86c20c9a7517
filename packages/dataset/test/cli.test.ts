import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { samplePairsPath } from '../src/index.js';
import { HAS_SHARED_DATA, NO_DATA_REASON, SHARED_DATA, tempDir } from './helpers.js';

const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const VERSION = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/** Runs the built command in a child process, as a user runs it (`pnpm --filter @srcode/dataset build` first). */
function cli(...args: string[]) {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run pnpm --filter @srcode/dataset build`);
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', input: '' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const lines = (text: string) => text.trimEnd().split('\n');

describe('srcode-dataset', () => {
  it('imports, validates, dedups, splits and summarises the embedded sample', () => {
    const dir = tempDir();
    const pairs = join(dir, 'pairs.jsonl');
    const imp = cli('import', '--format', 'sven', '--dataset', 'sample', samplePairsPath(), '--out', pairs);
    expect(imp.code).toBe(0);
    expect(JSON.parse(imp.stdout)).toMatchObject({ imported: 12, rejected: 0, written: 12 });
    expect(cli('validate', pairs).code).toBe(0);
    const dd = cli('dedup', pairs, '--out', join(dir, 'dd.jsonl'));
    expect(JSON.parse(dd.stdout)).toMatchObject({ input: 12, kept: 12 });
    const sp = cli('split', pairs, '--out-dir', join(dir, 'splits'), '--ratios', 'train=0.5,test=0.5');
    expect(sp.code).toBe(0);
    expect(Object.keys(JSON.parse(sp.stdout).splits)).toEqual(['train', 'test']);
    const bad = cli('split', pairs, '--out-dir', join(dir, 'bad-splits'), '--ratios', 'train=0.8,val=0.3,test=0.2');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/sum to 1/);
    expect(existsSync(join(dir, 'bad-splits'))).toBe(false);
    const st = cli('stats', pairs);
    expect(JSON.parse(st.stdout)).toMatchObject({ pairs: 12, byLanguage: { c: 6, python: 6 }, invalid: 0 });
  });

  it('validate exits 1 with file:line: message lines and writes the quarantine', () => {
    const dir = tempDir();
    const file = join(dir, 'mixed.jsonl');
    const good = readFileSync(samplePairsPath(), 'utf8').split('\n')[0];
    const pairs = join(dir, 'p.jsonl');
    cli('import', '--format', 'sven', samplePairsPath(), '--out', pairs);
    const first = readFileSync(pairs, 'utf8').split('\n')[0]!;
    writeFileSync(file, `${first}\n{oops\n${good}\n`);
    const q = join(dir, 'q.jsonl');
    const r = cli('validate', file, '--quarantine', q);
    expect(r.code).toBe(1);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toMatch(new RegExp(`^${file}:2: broken JSON`));
    expect(lines.some((l) => l.startsWith(`${file}:3: missing required field "schemaVersion"`))).toBe(true);
    expect(readFileSync(q, 'utf8')).toBe(`{oops\n${good}\n`);
  });

  it('fails with exit 2 on an unknown format', () => {
    const r = cli('import', '--format', 'nope', 'x', '--out', 'y');
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('srcode-dataset import: --format must be one of sven, safecoder, primevul, cweval\n');
  });

  it('imports into an output folder that does not exist yet', () => {
    const out = join(tempDir(), 'new', 'folder', 'pairs.jsonl');
    const r = cli('import', '--format', 'sven', samplePairsPath(), '--out', out);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(out, 'utf8').trim().split('\n')).toHaveLength(12);
  });

  it('an import that reads no valid record exits 2 and leaves no output, its rejects listed', () => {
    const dir = tempDir();
    const notJsonl = join(dir, 'notes.txt');
    writeFileSync(notJsonl, 'these are notes, not SVEN records\n');
    const empty = join(dir, 'empty-folder');
    mkdirSync(empty);
    for (const input of [notJsonl, empty]) {
      const out = join(dir, 'out', 'pairs.jsonl');
      const rejects = join(dir, 'out', 'rejects.jsonl');
      const r = cli('import', '--format', 'sven', input, '--out', out, '--rejects', rejects);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toContain(`${input}: no valid sven record read`);
      expect(r.stdout).toBe('');
      expect(existsSync(out)).toBe(false);
      if (input === notJsonl) expect(readFileSync(rejects, 'utf8')).toContain(notJsonl);
    }
  });

  it('escapes control characters of a broken line in its messages', () => {
    const file = join(tempDir(), 'escape.jsonl');
    writeFileSync(file, '\u001b[2J\u0007oops\n');
    const r = cli('validate', file);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('\\x1b[2J\\x07oops');
    expect(r.stdout + r.stderr).not.toMatch(/[\u0000-\u0008\u000b-\u001f]/);
  });

  it.skipIf(!HAS_SHARED_DATA)(`imports all SVEN data through the command ${HAS_SHARED_DATA ? '' : NO_DATA_REASON}`, () => {
    const dir = tempDir();
    const r = cli('import', '--format', 'sven', join(SHARED_DATA, 'sven'), '--out', join(dir, 'sven.jsonl'));
    expect(JSON.parse(r.stdout)).toMatchObject({ records: 803, imported: 803, written: 803 });
  });
});

describe('srcode-dataset follows the shared CLI convention', () => {
  const COMMANDS = ['import', 'validate', 'dedup', 'split', 'stats', 'sample-path'];

  it('--help, -h and help list every command on stdout with exit 0', () => {
    for (const flag of ['--help', '-h', 'help']) {
      const r = cli(flag);
      expect(r.code, flag).toBe(0);
      expect(r.stderr).toBe('');
      expect(r.stdout).toMatch(/^usage: srcode-dataset <command> \[options\]/);
      for (const command of COMMANDS) expect(r.stdout).toMatch(new RegExp(`\\n  ${command} +\\S`));
      expect(r.stdout).toContain('Machine-readable results go to stdout');
    }
  });

  it('<command> --help prints its usage on stdout with exit 0 and does not run it', () => {
    const out = join(tempDir(), 'new', 'dd.jsonl');
    const r = cli('dedup', join(tempDir(), 'missing.jsonl'), '--out', out, '--help');
    expect(r).toEqual({
      code: 0,
      stdout: expect.stringMatching(/^usage: srcode-dataset dedup FILE --out FILE \[--removed FILE\]\n/),
      stderr: '',
    });
    expect(existsSync(out)).toBe(false);
    expect(cli('help', 'validate').stdout).toMatch(
      /^usage: srcode-dataset validate FILE \[--schema NAME\] \[--quarantine FILE\]\n[\s\S]*Schemas: RepairPair, /,
    );
    for (const command of COMMANDS) expect(cli(command, '-h').stdout).toMatch(new RegExp(`^usage: srcode-dataset ${command}\\b`));
  });

  it('--version prints the package version', () => {
    expect(cli('--version')).toEqual({ code: 0, stdout: `${VERSION}\n`, stderr: '' });
  });

  it('no command and an unknown command exit 2 with one line on stderr', () => {
    const none = cli();
    expect(none.code).toBe(2);
    expect(none.stdout).toBe('');
    expect(lines(none.stderr)).toEqual([
      "srcode-dataset: expected a command (one of import, validate, dedup, split, stats, sample-path); see 'srcode-dataset --help'",
    ]);
    const unknown = cli('frobnicate');
    expect(unknown.code).toBe(2);
    expect(lines(unknown.stderr)).toHaveLength(1);
    expect(unknown.stderr).toMatch(/^srcode-dataset: unknown command 'frobnicate' .*srcode-dataset --help/);
  });

  it('an unknown option exits 2 with a hint to the command help', () => {
    const r = cli('stats', samplePairsPath(), '--no-such-option');
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(lines(r.stderr)).toHaveLength(1);
    expect(r.stderr).toMatch(/^srcode-dataset stats: Unknown option '--no-such-option'.*\(see 'srcode-dataset stats --help'\)$/m);
  });

  it('a missing option exits 2', () => {
    const r = cli('dedup', samplePairsPath());
    expect(r).toEqual({ code: 2, stdout: '', stderr: 'srcode-dataset dedup: expected FILE and --out FILE\n' });
  });

  it('a missing input file exits 2 naming the path, and writes nothing', () => {
    const dir = tempDir();
    const missing = join(dir, 'missing.jsonl');
    const out = join(dir, 'new', 'out.jsonl');
    for (const args of [
      ['import', '--format', 'sven', missing, '--out', out],
      ['validate', missing],
      ['dedup', missing, '--out', out],
      ['split', missing, '--out-dir', join(dir, 'new')],
      ['stats', samplePairsPath(), missing],
    ]) {
      const r = cli(...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toBe(`srcode-dataset ${args[0]}: ${missing}: no such file or folder\n`);
      expect(r.stdout).toBe('');
      expect(existsSync(join(dir, 'new'))).toBe(false);
    }
  });

  it('a folder where a file is expected exits 2 naming the path, and writes nothing', () => {
    const dir = tempDir();
    const out = join(dir, 'new', 'out.jsonl');
    for (const args of [
      ['validate', dir],
      ['dedup', dir, '--out', out],
      ['split', dir, '--out-dir', join(dir, 'new')],
      ['stats', dir],
    ]) {
      const r = cli(...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toBe(`srcode-dataset ${args[0]}: ${dir}: is a folder, expected a file\n`);
      expect(existsSync(join(dir, 'new'))).toBe(false);
    }
  });
});
