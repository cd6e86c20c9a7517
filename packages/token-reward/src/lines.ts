import type { TextRange } from '@srcode/dataset';

const isSpace = (code: number) => code === 32 || (code >= 9 && code <= 13) || code === 0xa0 || code === 0xfeff;

/**
 * The lines of one side of a pair that its fix touched: those holding a changed character other than
 * whitespace, plus the lines given explicitly (where the other side inserted code, and the line after
 * it). Spans are kept to these lines, so a change never marks the unchanged body of the statement it
 * sits in.
 */
export class TouchedLines {
  private readonly starts: number[] = [0];
  private readonly touched: Uint8Array;

  constructor(
    private readonly text: string,
    changed: readonly TextRange[],
    extra: readonly number[] = [],
  ) {
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) this.starts.push(i + 1);
    this.touched = new Uint8Array(this.starts.length);
    for (const line of extra) if (line >= 0 && line < this.touched.length) this.touched[line] = 1;
    for (const r of changed) {
      const end = Math.min(text.length, r.end);
      for (let i = Math.max(0, r.start); i < end; i++) {
        if (isSpace(text.charCodeAt(i))) continue;
        const line = this.lineOf(i);
        this.touched[line] = 1;
        // the rest of this line is decided: skip to the next one
        i = Math.min(end, this.lineEnd(line)) - 1;
      }
    }
  }

  /** The 0-based line of `offset`. */
  lineOf(offset: number): number {
    const starts = this.starts;
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((starts[mid] as number) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** Whether `line` was touched. */
  has(line: number): boolean {
    return this.touched[line] === 1;
  }

  /** Offset of the first character of the line holding `offset`. */
  lineStart(offset: number): number {
    return this.starts[this.lineOf(offset)] as number;
  }

  /** Offset just past the end of `line` (past its `\n`). */
  lineEnd(line: number): number {
    return this.starts[line + 1] ?? this.text.length;
  }

  /** Whether every character of `[start, end)` other than whitespace lies on a touched line. */
  fits(start: number, end: number): boolean {
    const last = this.lineOf(Math.max(start, end - 1));
    for (let line = this.lineOf(start); line <= last; line++) {
      if (this.touched[line]) continue;
      const from = Math.max(start, this.starts[line] as number);
      const to = Math.min(end, this.lineEnd(line));
      for (let i = from; i < to; i++) if (!isSpace(this.text.charCodeAt(i))) return false;
    }
    return true;
  }

  /**
   * `[start, end)` cut to its runs of consecutive touched lines, each run trimmed of surrounding
   * whitespace; runs holding nothing else are dropped.
   */
  clip(start: number, end: number): Array<[number, number]> {
    const out: Array<[number, number]> = [];
    const last = this.lineOf(Math.max(start, end - 1));
    let runStart = -1;
    const close = (runEnd: number) => {
      if (runStart < 0) return;
      let s = runStart;
      let e = runEnd;
      while (s < e && isSpace(this.text.charCodeAt(s))) s++;
      while (e > s && isSpace(this.text.charCodeAt(e - 1))) e--;
      if (s < e) out.push([s, e]);
      runStart = -1;
    };
    for (let line = this.lineOf(start); line <= last; line++) {
      const from = Math.max(start, this.starts[line] as number);
      if (this.touched[line]) {
        if (runStart < 0) runStart = from;
      } else close(from);
    }
    close(end);
    return out;
  }
}
