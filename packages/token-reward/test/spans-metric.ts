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
