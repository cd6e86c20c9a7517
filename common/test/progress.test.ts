import { describe, expect, it } from 'vitest';
import { ProgressReporter, formatDuration } from '../progress.js';

function setup(isTTY: boolean) {
  let clock = 1_000_000;
  const writes: string[] = [];
  const reporter = new ProgressReporter({
    stream: { isTTY, columns: 100, write: (t: string) => writes.push(t) },
    label: 'reflect',
    unit: 'pairs',
    now: () => clock,
  });
  return { reporter, writes, tick: (ms: number) => (clock += ms) };
}

describe('ProgressReporter', () => {
  it('writes a line every few seconds when the stream is no terminal, not one per item', () => {
    const { reporter, writes, tick } = setup(false);
    for (let done = 1; done <= 1000; done++) {
      tick(20); // 50 items a second for 20 s
      reporter.update({ done, total: 1000, detail: `accepted ${done}` });
    }
    reporter.finish();
    expect(writes.length).toBeGreaterThanOrEqual(4);
    expect(writes.length).toBeLessThanOrEqual(6);
    expect(writes.every((w) => w.endsWith('\n') && !w.includes('\r'))).toBe(true);
    expect(writes.at(-1)).toBe('reflect 1000/1000 (100.0%) | 50.0 pairs/s | ETA 0s | accepted 1000\n');
  });

  it('redraws a bar with rate and ETA in place on a terminal, fitted to its width', () => {
    const { reporter, writes, tick } = setup(true);
    tick(10_000);
    reporter.update({ done: 250, total: 1000, skipped: 50, detail: `accepted 200 ${'x'.repeat(200)}` });
    const bar = writes.at(-1) ?? '';
    expect(bar.startsWith('\r\u001b[K')).toBe(true);
    expect(bar).toContain('reflect [#####---------------] 250/1000 (25.0%) | 20.0 pairs/s | ETA 38s');
    expect(bar.length - '\r\u001b[K'.length).toBeLessThan(100);
    tick(50);
    reporter.update({ done: 251, total: 1000 });
    expect(writes).toHaveLength(1); // redraws are throttled
    reporter.finish();
    expect(writes.at(-1)).toBe('\n');
  });

  it('writes a note on its own line above the bar and draws the bar again', () => {
    const { reporter, writes, tick } = setup(true);
    tick(1000);
    reporter.update({ done: 1, total: 4 });
    reporter.note('retry 1 in 500 ms: HTTP 503');
    expect(writes.at(-1)).toMatch(/^\r\u001b\[Kretry 1 in 500 ms: HTTP 503\n\u001b?.*reflect \[/s);
  });

  it('draws the bar on a terminal that reports no width (0 columns)', () => {
    const writes: string[] = [];
    const reporter = new ProgressReporter({ stream: { isTTY: true, columns: 0, write: (t: string) => writes.push(t) }, label: 'import' });
    reporter.update({ done: 5, total: 10 });
    expect(writes.at(-1)).toMatch(/^\r\u001b\[Kimport \[#{10}-{10}\] 5\/10 \(50\.0%\)/);
  });

  it('spells durations the short way', () => {
    expect([formatDuration(42_000), formatDuration(185_000), formatDuration(3_720_000), formatDuration(undefined)]).toEqual([
      '42s',
      '3m05s',
      '1h02m',
      '?',
    ]);
  });
});
