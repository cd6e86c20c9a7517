/** Where progress is written: a stream such as `process.stderr` (a terminal when `isTTY`). */
export interface ProgressStream {
  write(text: string): unknown;
  /** A terminal: the line is redrawn in place as a bar. */
  isTTY?: boolean;
  /** The terminal's width, to fit the line. */
  columns?: number;
}

/** Options of `ProgressReporter`. */
export interface ProgressOptions {
  /** Where to write. */
  stream: ProgressStream;
  /** What is counted, first on every line (e.g. `reflect`). */
  label: string;
  /** Unit of the rate, e.g. `pairs`. @default 'items' */
  unit?: string;
  /** Time between lines when the stream is not a terminal. @default 5000 */
  intervalMs?: number;
  /** Time between redraws of the bar on a terminal. @default 200 */
  redrawMs?: number;
  /** Clock. @default Date.now */
  now?: () => number;
}

/** One reading of a long run. */
export interface ProgressState {
  /** Items finished, skipped ones included. */
  done: number;
  /** Items in all (0 when not known yet). */
  total: number;
  /** Of `done`, items that took no work (resumed): left out of the rate. @default 0 */
  skipped?: number;
  /** More counts shown after the rate and ETA, e.g. `accepted 3 rejected 1`. */
  detail?: string;
}

/** `1h02m`, `3m05s`, `42s`. */
export function formatDuration(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '?';
  const s = Math.round(ms / 1000);
  if (s >= 3600) return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

/**
 * Progress of a long run as people expect it: on a terminal a bar with percentage, rate and ETA redrawn
 * in place; elsewhere (a log, a pipe) one line every `intervalMs`, and always a last line. Notes (a retry,
 * a failed item) go on their own line without breaking the bar.
 */
export class ProgressReporter {
  private readonly tty: boolean;
  private readonly now: () => number;
  private readonly started: number;
  private last = Number.NEGATIVE_INFINITY;
  private drawn = '';
  private state: ProgressState = { done: 0, total: 0 };

  constructor(private readonly options: ProgressOptions) {
    this.tty = options.stream.isTTY === true;
    this.now = options.now ?? Date.now;
    this.started = this.now();
  }

  /** Records a reading; writes it when the last write is old enough. */
  update(state: ProgressState): void {
    this.state = state;
    const now = this.now();
    if (now - this.last < (this.tty ? (this.options.redrawMs ?? 200) : (this.options.intervalMs ?? 5000))) return;
    this.last = now;
    this.draw();
  }

  /** Writes a line of its own (above the bar on a terminal). */
  note(text: string): void {
    const line = text.replace(/\n+$/, '');
    if (this.tty && this.drawn) this.options.stream.write(`\r\u001b[K${line}\n${this.drawn}`);
    else this.options.stream.write(`${line}\n`);
  }

  /** Writes the final reading and ends the line. */
  finish(state: ProgressState = this.state): void {
    this.state = state;
    this.draw();
    if (this.tty) this.options.stream.write('\n');
    this.drawn = '';
  }

  /** The current reading as one line, without a bar. */
  line(): string {
    const { done, total, detail } = this.state;
    const elapsed = this.now() - this.started;
    const worked = done - (this.state.skipped ?? 0);
    const rate = elapsed > 0 ? worked / (elapsed / 1000) : 0;
    const eta = total && rate > 0 ? ((total - done) / rate) * 1000 : undefined;
    const pct = total ? `${((100 * done) / total).toFixed(1)}%` : '?%';
    const parts = [
      `${done}/${total || '?'} (${pct})`,
      `${rate.toFixed(1)} ${this.options.unit ?? 'items'}/s`,
      `ETA ${formatDuration(eta)}`,
    ];
    return `${this.options.label} ${parts.join(' | ')}${detail ? ` | ${detail}` : ''}`;
  }

  private draw(): void {
    if (!this.tty) {
      this.options.stream.write(`${this.line()}\n`);
      return;
    }
    const { done, total } = this.state;
    const width = 20;
    const filled = total ? Math.min(width, Math.round((width * done) / total)) : 0;
    const bar = `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}]`;
    const text = this.line().replace(`${this.options.label} `, `${this.options.label} ${bar} `);
    const columns = this.options.stream.columns || 120; // a terminal of unknown size reports 0
    this.drawn = text.length >= columns ? text.slice(0, Math.max(0, columns - 1)) : text;
    this.options.stream.write(`\r\u001b[K${this.drawn}`);
  }
}
