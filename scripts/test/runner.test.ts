import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type Runner, openRunner, writeFileAtomic } from '../pipeline/runner.js';

const settings = { width: 16, layers: 1, pairs: null };

/** Opens a runner over `out`, its progress lines collected in `lines`. */
function open(out: string, lines: string[], s: Record<string, unknown> = settings, fresh = false): Runner {
  const opened = openRunner({ out, settings: s, fresh, write: (line) => lines.push(line) });
  if (!opened.ok) throw new Error(opened.message);
  return opened.runner;
}

const tmp = () => mkdtempSync(join(tmpdir(), 'srcode-runner-'));

describe('the stage runner', () => {
  it('runs a stage once, and hands a later run its kept result without running it again', async () => {
    const out = tmp();
    const lines: string[] = [];
    let runs = 0;
    const stage = async () => ({ pairs: ++runs });
    expect(await open(out, lines).stage('import', stage)).toEqual({ pairs: 1 });
    expect(await open(out, lines).stage('import', stage)).toEqual({ pairs: 1 });
    expect(runs).toBe(1);
    expect(JSON.parse(readFileSync(join(out, 'stages', 'import.json'), 'utf8'))).toEqual({ pairs: 1 });
    expect(lines[0]).toMatch(/^\[\d+\.\ds\] import: started\n$/);
    expect(lines[1]).toMatch(/^\[\d+\.\ds\] import: finished in \d+\.\ds\n$/);
    expect(lines[2]).toMatch(/^\[\d+\.\ds\] import: done in an earlier run, skipped\n$/);
  });

  it('records the settings of a new run in settings.json', () => {
    const out = tmp();
    open(out, []);
    expect(JSON.parse(readFileSync(join(out, 'settings.json'), 'utf8'))).toEqual(settings);
  });

  it('refuses a folder holding a run with other settings, naming each setting that differs', () => {
    const out = tmp();
    open(out, []);
    const opened = openRunner({ out, settings: { ...settings, width: 32, pairs: ['a.jsonl'] }, write: () => {} });
    expect(opened.ok).toBe(false);
    if (opened.ok) return;
    expect(opened.changes).toEqual([
      { key: 'width', before: 16, now: 32 },
      { key: 'pairs', before: null, now: ['a.jsonl'] },
    ]);
    expect(opened.message).toContain('holds a run with other settings (width: 16 there, 32 now; pairs: null there, ["a.jsonl"] now)');
    expect(opened.message).toContain('--fresh');
    // the refused run changed nothing there
    expect(JSON.parse(readFileSync(join(out, 'settings.json'), 'utf8'))).toEqual(settings);
  });

  it('names a setting that only one of the two runs has', () => {
    const out = tmp();
    open(out, []);
    const { width: _w, ...fewer } = settings;
    const opened = openRunner({ out, settings: fewer, write: () => {} });
    expect(opened.ok ? [] : opened.changes).toEqual([{ key: 'width', before: 16, now: undefined }]);
  });

  it('starts over with fresh: earlier results and settings are gone', async () => {
    const out = tmp();
    await open(out, []).stage('import', async () => 1);
    const runner = open(out, [], { ...settings, width: 32 }, true);
    expect(existsSync(join(out, 'stages', 'import.json'))).toBe(false);
    expect(await runner.stage('import', async () => 2)).toBe(2);
    expect(JSON.parse(readFileSync(join(out, 'settings.json'), 'utf8')).width).toBe(32);
  });

  it('keeps no result of a stage that throws, so the next run runs it again', async () => {
    const out = tmp();
    await expect(
      open(out, []).stage('sft', async () => {
        throw new Error('killed');
      }),
    ).rejects.toThrow('killed');
    expect(readdirSync(join(out, 'stages'))).toEqual([]);
    expect(await open(out, []).stage('sft', async () => 'trained')).toBe('trained');
  });

  it('leaves nothing half-written when a result cannot be written', async () => {
    const out = tmp();
    await expect(open(out, []).stage('rl', async () => ({ steps: 1n }))).rejects.toThrow(TypeError);
    expect(readdirSync(join(out, 'stages'))).toEqual([]);
  });

  it('drops a stage’s progress folder once the stage has finished', async () => {
    const out = tmp();
    const runner = open(out, []);
    const dir = runner.context.progressDir('rl');
    expect(dir).toBe(join(out, 'ckpt', 'rl-progress'));
    await runner.stage('rl', async () => {
      for (const at of [dir, `${dir}.old`, `${dir}.partial`]) {
        mkdirSync(at, { recursive: true });
        writeFileSync(join(at, 'config.json'), '{}');
      }
      return 'done';
    });
    for (const at of [dir, `${dir}.old`, `${dir}.partial`]) expect(existsSync(at), at).toBe(false);
  });
});

describe('writeFileAtomic', () => {
  it('replaces a file whole', () => {
    const file = join(tmp(), 'summary.json');
    writeFileAtomic(file, 'one');
    writeFileAtomic(file, 'two');
    expect(readFileSync(file, 'utf8')).toBe('two');
    expect(existsSync(`${file}.partial`)).toBe(false);
  });

  it('removes its temporary file when the file cannot be replaced', () => {
    const dir = tmp();
    const target = join(dir, 'report.html');
    mkdirSync(join(target, 'in-the-way'), { recursive: true }); // a folder cannot be renamed over
    expect(() => writeFileAtomic(target, '<html>')).toThrow();
    expect(readdirSync(dir)).toEqual(['report.html']);
  });
});
