import { type TextRange, lineIndex } from '@srcode/dataset';

/** The sorted, distinct 1-based lines that the ranges touch (an empty range touches its line). */
export function linesOfRanges(code: string, ranges: readonly TextRange[]): number[] {
  const lineAt = lineIndex(code);
  const lines = new Set<number>();
  for (const r of ranges) {
    const first = lineAt(r.start);
    const last = lineAt(Math.max(r.start, r.end - 1));
    for (let l = first; l <= last; l++) lines.add(l);
  }
  return [...lines].sort((a, b) => a - b);
}

/** The text of the given 1-based lines, joined by newlines. */
export function pickLines(code: string, lines: readonly number[]): string {
  const all = code.split('\n');
  return lines.map((l) => all[l - 1] ?? '').join('\n');
}

/**
 * Changed lines of each side by a line-level longest common subsequence, for pairs whose change ranges
 * are empty. The common prefix and suffix are trimmed first; a middle longer than `maxCells` cells of
 * the table counts as changed entirely.
 */
export function diffLines(before: string, after: string, maxCells = 4_000_000): { deleted: number[]; added: number[] } {
  const a = before.split('\n');
  const b = after.split('\n');
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const n = a.length - head - tail;
  const m = b.length - head - tail;
  const range = (from: number, count: number) => Array.from({ length: count }, (_, i) => from + i + 1);
  if (n === 0 || m === 0 || (n + 1) * (m + 1) > maxCells) return { deleted: range(head, n), added: range(head, m) };
  const table = new Uint32Array((n + 1) * (m + 1));
  const at = (i: number, j: number) => table[i * (m + 1) + j] ?? 0;
  for (let i = n - 1; i >= 0; i--)
    for (let j = m - 1; j >= 0; j--)
      table[i * (m + 1) + j] = a[head + i] === b[head + j] ? at(i + 1, j + 1) + 1 : Math.max(at(i + 1, j), at(i, j + 1));
  const deleted: number[] = [];
  const added: number[] = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (a[head + i] === b[head + j]) {
      i++;
      j++;
    } else if (at(i + 1, j) >= at(i, j + 1)) deleted.push(head + ++i);
    else added.push(head + ++j);
  }
  while (i < n) deleted.push(head + ++i);
  while (j < m) added.push(head + ++j);
  return { deleted, added };
}
