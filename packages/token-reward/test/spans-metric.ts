import type { RepairPair, RewardSpan, TextRange } from '@srcode/dataset';

/**
 * How well a pair's spans sit on what its fix touched, one side at a time.
 *
 * - A side's touched lines are the lines holding a non-whitespace changed character of that side
 *   (deleted on the vulnerable side, added on the fixed side). On the vulnerable side, each insertion
 *   (an added range, placed on the vulnerable code through the text both sides share) also touches
 *   the line it lands on and the line after it: the statement a guard protects.
 * - `onLines` counts span characters on touched lines, `total` all span characters (a character's
 *   line is the one it is on; a line's `\n` belongs to it).
 * - `uncovered` counts non-whitespace changed characters of the side that no span covers.
 */
export interface SideMeasure {
  onLines: number;
  total: number;
  uncovered: number;
}

const isSpace = (c: number) => c === 32 || (c >= 9 && c <= 13) || c === 0xa0 || c === 0xfeff;

function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

function lineOf(starts: readonly number[], offset: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((starts[mid] as number) <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** Where each of one side's changed ranges (sorted) begins in the text both sides share. */
function common(sorted: readonly TextRange[]): number[] {
  let removed = 0;
  return sorted.map((r) => {
    const c = r.start - removed;
    removed += r.end - r.start;
    return c;
  });
}

/**
 * Where each range of `inserted` (some of one side's changes `all`) lands on the other side, whose
 * changes are `other`.
 */
function landing(inserted: readonly TextRange[], other: readonly TextRange[], all: readonly TextRange[]): number[] {
  const own = [...all].sort((a, b) => a.start - b.start);
  const theirs = [...other].sort((a, b) => a.start - b.start);
  const ownCommon = common(own).filter((_, i) => inserted.includes(own[i] as TextRange));
  const theirCommon = common(theirs);
  return ownCommon.map((c) => {
    let p = c;
    theirs.forEach((r, i) => {
      if ((theirCommon[i] as number) < c) p += r.end - r.start;
    });
    return p;
  });
}

function measureSide(
  text: string,
  changed: readonly TextRange[],
  extraLines: readonly number[],
  spans: readonly RewardSpan[],
): SideMeasure {
  const starts = lineStarts(text);
  const touched = new Set<number>(extraLines);
  const covered = new Uint8Array(text.length);
  for (const s of spans) covered.fill(1, Math.max(0, s.start), Math.min(text.length, s.end));
  let uncovered = 0;
  for (const r of changed) {
    for (let i = Math.max(0, r.start); i < Math.min(text.length, r.end); i++) {
      if (isSpace(text.charCodeAt(i))) continue;
      touched.add(lineOf(starts, i));
      if (!covered[i]) uncovered++;
    }
  }
  let onLines = 0;
  let total = 0;
  for (let i = 0; i < text.length; i++) {
    if (!covered[i]) continue;
    total++;
    if (touched.has(lineOf(starts, i))) onLines++;
  }
  return { onLines, total, uncovered };
}

/**
 * The measure of both sides of `pair` for its spans (as `pairSpans` gives them). With `strict`, only
 * pure insertions count as insertions: added ranges holding more than whitespace that no deletion
 * faces in the text both sides share.
 */
export function measureSpans(
  pair: RepairPair,
  spans: { vulnerable: readonly RewardSpan[]; fixed: readonly RewardSpan[] },
  strict = false,
): { vulnerable: SideMeasure; fixed: SideMeasure } {
  const vStarts = lineStarts(pair.vulnerableCode);
  const added = [...pair.changes.added].sort((a, b) => a.start - b.start);
  const deleted = [...pair.changes.deleted].sort((a, b) => a.start - b.start);
  const facing = new Set(common(deleted));
  const insertions = strict
    ? added.filter((r, i) => /\S/.test(pair.fixedCode.slice(r.start, r.end)) && !facing.has(common(added)[i] as number))
    : added;
  const insertionLines = landing(insertions, pair.changes.deleted, added).flatMap((p) => {
    const line = lineOf(vStarts, Math.min(p, Math.max(0, pair.vulnerableCode.length - 1)));
    return [line, line + 1];
  });
  return {
    vulnerable: measureSide(pair.vulnerableCode, pair.changes.deleted, insertionLines, spans.vulnerable),
    fixed: measureSide(pair.fixedCode, pair.changes.added, [], spans.fixed),
  };
}

/** Sums of measures. */
export function addMeasures(a: SideMeasure, b: SideMeasure): SideMeasure {
  return { onLines: a.onLines + b.onLines, total: a.total + b.total, uncovered: a.uncovered + b.uncovered };
}

/**
 * The lines a plain line diff (whitespace ignored, longest common subsequence) says a fix touched,
 * independent of any character diff: removed lines on the vulnerable side, with the line each run of
 * added lines lands before and the one after it; added lines on the fixed side.
 */
export function lineDiffTouched(before: string, after: string): { vulnerable: Set<number>; fixed: Set<number> } {
  const key = (l: string) => l.replace(/\s+/g, '');
  const a = before.split('\n').map(key);
  const b = after.split('\n').map(key);
  const n = a.length;
  const m = b.length;
  // lcs[i][j]: common lines of a[i..] and b[j..]
  const lcs = Array.from({ length: n + 1 }, () => new Int32Array(m + 1));
  for (let i = n - 1; i >= 0; i--)
    for (let j = m - 1; j >= 0; j--)
      (lcs[i] as Int32Array)[j] =
        a[i] === b[j]
          ? ((lcs[i + 1] as Int32Array)[j + 1] as number) + 1
          : Math.max((lcs[i + 1] as Int32Array)[j] as number, (lcs[i] as Int32Array)[j + 1] as number);
  const vulnerable = new Set<number>();
  const fixed = new Set<number>();
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) {
      i++;
      j++;
    } else if (j < m && (i === n || ((lcs[i] as Int32Array)[j + 1] as number) >= ((lcs[i + 1] as Int32Array)[j] as number))) {
      fixed.add(j++);
      vulnerable.add(i);
      vulnerable.add(i + 1);
    } else vulnerable.add(i++);
  }
  return { vulnerable, fixed };
}

/** Non-whitespace span characters of `text` on `lines`, and all of them. */
export function spanCharsOnLines(
  text: string,
  spans: readonly TextRange[],
  lines: ReadonlySet<number>,
): { onLines: number; total: number } {
  const covered = new Uint8Array(text.length);
  for (const s of spans) covered.fill(1, Math.max(0, s.start), Math.min(text.length, s.end));
  let onLines = 0;
  let total = 0;
  let line = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (covered[i] && !isSpace(c)) {
      total++;
      if (lines.has(line)) onLines++;
    }
    if (c === 10) line++;
  }
  return { onLines, total };
}
