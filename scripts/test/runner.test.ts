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

describe('a stage’s progress', () => {
  it('comes as log lines without a terminal: the first reading and the last, with rate and ETA', async () => {
    const lines: string[] = [];
    const runner = open(tmp(), lines);
    await runner.stage('sft', async () => {
      const progress = runner.context.progress('sft', { label: 'steps', unit: 'steps' });
      for (let step = 1; step <= 3; step++) progress.update({ done: step, total: 3, detail: `loss ${step}` });
      progress.finish();
      return 'done';
    });
    const progress = lines.filter((l) => l.includes('sft: steps '));
    expect(progress).toHaveLength(2);
    expect(progress[0]).toMatch(/^\[\d+\.\ds\] sft: steps 1\/3 \(33\.3%\) \| [\d.]+ steps\/s \| ETA \S+ \| loss 1\n$/);
    expect(progress[1]).toMatch(/^\[\d+\.\ds\] sft: steps 3\/3 \(100\.0%\) \| [\d.]+ steps\/s \| ETA \S+ \| loss 3\n$/);
  });

  it('does not repeat the last line when the last reading was written already', async () => {
    const lines: string[] = [];
    const runner = open(tmp(), lines);
    await runner.stage('rl', async () => {
      const progress = runner.context.progress('rl', { label: 'steps', unit: 'steps' });
      progress.update({ done: 1, total: 1 }); // the first reading is always written
      progress.finish();
      return 'done';
    });
    expect(lines.filter((l) => l.includes('rl: steps '))).toHaveLength(1);
  });

  it('is a bar on a terminal, with the log lines written above it and after it as usual', async () => {
    const lines: string[] = [];
    const drawn: string[] = [];
    const opened = openRunner({
      out: tmp(),
      settings,
      write: (line) => lines.push(line),
      terminal: { write: (text) => drawn.push(text), isTTY: true, columns: 100 },
    });
    if (!opened.ok) throw new Error(opened.message);
    const { runner } = opened;
    await runner.stage('rl', async () => {
      const progress = runner.context.progress('rl', { label: 'steps', unit: 'steps' });
      progress.update({ done: 1, total: 4 });
      runner.context.log('rl', 'step 1/4 reward 0.5');
      progress.finish({ done: 4, total: 4 });
      runner.context.log('rl', 'saved');
      return 'done';
    });
    const screen = drawn.join('');
    expect(screen).toMatch(/^\r\u001b\[Krl: steps \[#{5}-{15}\] 1\/4 \(25\.0%\)/);
    // the log line clears the bar, takes its place, and the bar is drawn again under it
    expect(screen).toMatch(/\r\u001b\[K\[\d+\.\ds\] rl: step 1\/4 reward 0\.5\nrl: steps \[#{5}-{15}\]/);
    expect(screen).toMatch(/\r\u001b\[Krl: steps \[#{20}\] 4\/4 \(100\.0%\) \| [\d.]+ steps\/s \| ETA \S+\n$/);
    expect(lines.map((l) => l.replace(/^\[\d+\.\ds\] /, ''))).toEqual([
      'rl: started\n',
      'rl: saved\n',
      expect.stringMatching(/^rl: finished in/),
    ]);
  });

  it('ends a bar a failing stage left drawn, so the failure starts on a line of its own', async () => {
    const drawn: string[] = [];
    const opened = openRunner({ out: tmp(), settings, write: () => {}, terminal: { write: (text) => drawn.push(text), isTTY: true } });
    if (!opened.ok) throw new Error(opened.message);
    const { runner } = opened;
    await expect(
      runner.stage('sft', async () => {
        runner.context.progress('sft', { label: 'steps', unit: 'steps' }).update({ done: 2, total: 10 });
        throw new Error('out of memory');
      }),
    ).rejects.toThrow('out of memory');
    expect(drawn.join('')).toMatch(/sft: steps \[#{4}-{16}\] 2\/10 \(20\.0%\).*\n$/);
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
