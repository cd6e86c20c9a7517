import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { samplePairsPath } from '../src/index.js';
import { HAS_SHARED_DATA, NO_DATA_REASON, SHARED_DATA, tempDir } from './helpers.js';

const CLI = fileURLToPath(new URL('../src/cli.ts', import.meta.url));

/** Runs the real command in a child process (through tsx, so no build is needed). */
function cli(...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', CLI, ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

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

  it('fails with a usage message on an unknown command or format', () => {
    expect(cli('frobnicate').code).toBe(2);
    const r = cli('import', '--format', 'nope', 'x', '--out', 'y');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--format must be one of sven, safecoder, primevul, cweval/);
  });

  it.skipIf(!HAS_SHARED_DATA)(`imports all SVEN data through the command ${HAS_SHARED_DATA ? '' : NO_DATA_REASON}`, () => {
    const dir = tempDir();
    const r = cli('import', '--format', 'sven', join(SHARED_DATA, 'sven'), '--out', join(dir, 'sven.jsonl'));
    expect(JSON.parse(r.stdout)).toMatchObject({ records: 803, imported: 803, written: 803 });
  });
});
