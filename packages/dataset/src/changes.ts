import { diffArrays, diffChars, diffWordsWithSpace } from 'diff';
import type { ChangeSet, TextRange } from './types.js';

/** A text's lines, each with its line break. */
function splitLines(text: string): string[] {
  const lines: string[] = [];
  let at = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) {
    lines.push(text.slice(at, i + 1));
    at = i + 1;
  }
  if (at < text.length) lines.push(text.slice(at));
  return lines;
}

/** What a line is compared by: its text without whitespace, so re-indented lines stay equal. */
const lineKey = (line: string) => line.replace(/\s+/g, '');

type Part = { value: string; added?: boolean; removed?: boolean };

const nonSpace = (s: string) => s.replace(/\s+/g, '').length;

/**
 * Two lines facing each other in a replaced run, compared character by character when at least half
 * of the longer line's non-whitespace characters survive that way (an edited line), else word by word
 * (a line replaced by another, whose shared letters mean nothing).
 */
function lineDiff(from: string, to: string): Part[] {
  const chars = diffChars(from, to);
  let kept = 0;
  for (const part of chars) if (!part.added && !part.removed) kept += nonSpace(part.value);
  return 2 * kept >= Math.max(nonSpace(from), nonSpace(to)) ? chars : diffWordsWithSpace(from, to);
}

/** Collects the changed ranges of both sides, merging adjacent ones. */
class Ranges {
  readonly deleted: TextRange[] = [];
  readonly added: TextRange[] = [];

  push(list: TextRange[], start: number, end: number): void {
    if (start >= end) return;
    const last = list[list.length - 1];
    if (last && last.end === start) last.end = end;
    else list.push({ start, end });
  }

  /** Adds the result of a diff of `before` (at `a`) against `after` (at `b`). */
  parts(parts: readonly Part[], a: number, b: number): void {
    for (const part of parts) {
      const n = part.value.length;
      if (part.added) {
        this.push(this.added, b, b + n);
        b += n;
      } else if (part.removed) {
        this.push(this.deleted, a, a + n);
        a += n;
      } else {
        a += n;
        b += n;
      }
    }
  }
}

/** One line of an alignment: kept (`old[i]` facing `new[j]`), removed (`old[i]`) or added (`new[j]`). */
interface LineOp {
  kind: 'kept' | 'removed' | 'added';
  i: number;
  j: number;
}

/**
 * Slides each run of only removed or only added lines along the kept lines around it whose keys
 * repeat the run's, to where the most kept lines face an identical line (ties: where it was): a
 * closing brace added with a wrap goes on the new, inner brace, and the old one keeps facing its twin.
 */
function slide(
  ops: LineOp[],
  oldLines: readonly string[],
  newLines: readonly string[],
  oldKeys: readonly string[],
  newKeys: readonly string[],
): void {
  const kept = (k: number) => ops[k]?.kind === 'kept';
  for (let r = 0; r < ops.length; r++) {
    const run = ops[r] as LineOp;
    if (run.kind === 'kept') continue;
    let e = r;
    while (e < ops.length && (ops[e] as LineOp).kind === run.kind) e++;
    const n = e - r;
    if ((r > 0 && !kept(r - 1)) || (e < ops.length && !kept(e))) {
      r = e - 1;
      continue;
    }
    // the run's own side (`own`, lines from `s`) and the other side (lines from `o`, the run sits before `o`)
    const added = run.kind === 'added';
    const ownKeys = added ? newKeys : oldKeys;
    const s = added ? run.j : run.i;
    const o = added ? run.i : run.j;
    let up = 0;
    while (kept(r - up - 1) && ownKeys[s - up - 1] === ownKeys[s + n - up - 1]) up++;
    let down = 0;
    while (kept(e + down) && ownKeys[s + down] === ownKeys[s + n + down]) down++;
    if (up + down === 0) {
      r = e - 1;
      continue;
    }
    // whether own line `own` and other line `other` are identical
    const same = (own: number, other: number) => ((added ? oldLines[other] === newLines[own] : oldLines[own] === newLines[other]) ? 1 : 0);
    // at offset t the run holds own lines [s + t, s + t + n); other line x faces own line x + s - o,
    // or n further once past the run
    const score = (t: number) => {
      let sum = 0;
      for (let x = o - up; x < o + down; x++) sum += same(x < o + t ? x + s - o : x + s - o + n, x);
      return sum;
    };
    let best = 0;
    let bestScore = score(0);
    for (let t = -up; t <= down; t++) {
      const v = score(t);
      if (v > bestScore) {
        best = t;
        bestScore = v;
      }
    }
    const window: LineOp[] = [];
    let x = o - up;
    let y = s - up;
    const pair = (other: number, own: number): LineOp => (added ? { kind: 'kept', i: other, j: own } : { kind: 'kept', i: own, j: other });
    for (let k = 0; k < up + best; k++) window.push(pair(x++, y++));
    for (let k = 0; k < n; k++) window.push(added ? { kind: 'added', i: x, j: y++ } : { kind: 'removed', i: y++, j: x });
    for (let k = 0; k < down - best; k++) window.push(pair(x++, y++));
    ops.splice(r - up, up + n + down, ...window);
    r = r + best + n - 1;
  }
}

/**
 * Changed ranges of each side: `deleted` index `before`, `added` index `after` (UTF-16 offsets).
 * Adjacent changed characters form one range.
 *
 * Lines are matched first with whitespace ignored, so code a fix only re-indented (the body of a
 * check wrapped around existing statements, `g(); h();` → `if (n < 16) { g(); h(); }`) keeps its
 * text unchanged and only its whitespace changed. Within a matched line, and within a run of
 * replaced lines facing as many replaced lines, lines are compared one pair at a time, by character
 * when most of them survives, else by word; a run facing a run of another length is compared word by
 * word. Removing `deleted` from `before` and
 * `added` from `after` always leaves the same text.
 */
export function computeChanges(before: string, after: string): ChangeSet {
  const out = new Ranges();
  const oldLines = splitLines(before);
  const newLines = splitLines(after);
  const oldKeys = oldLines.map(lineKey);
  const newKeys = newLines.map(lineKey);
  const index = (keys: string[]) => keys.map((_, i) => i);
  const blocks = diffArrays(index(oldKeys), index(newKeys), {
    comparator: (i, j) => oldKeys[i] === newKeys[j],
  });
  const ops: LineOp[] = [];
  let li = 0; // line index in `before`
  let lj = 0; // line index in `after`
  for (const block of blocks) {
    for (let k = 0; k < block.value.length; k++) {
      if (block.removed) ops.push({ kind: 'removed', i: li++, j: lj });
      else if (block.added) ops.push({ kind: 'added', i: li, j: lj++ });
      else ops.push({ kind: 'kept', i: li++, j: lj++ });
    }
  }
  slide(ops, oldLines, newLines, oldKeys, newKeys);
  let a = 0; // offset in `before`
  let b = 0; // offset in `after`
  let removed: string[] = [];
  let added: string[] = [];
  const flush = () => {
    if (removed.length === added.length) {
      removed.forEach((line, k) => {
        const next = added[k] as string;
        out.parts(lineDiff(line, next), a, b);
        a += line.length;
        b += next.length;
      });
    } else {
      const from = removed.join('');
      const to = added.join('');
      if (!from || !to) {
        out.push(out.deleted, a, a + from.length);
        out.push(out.added, b, b + to.length);
      } else out.parts(diffWordsWithSpace(from, to), a, b);
      a += from.length;
      b += to.length;
    }
    removed = [];
    added = [];
  };
  for (const op of ops) {
    if (op.kind === 'removed') removed.push(oldLines[op.i] as string);
    else if (op.kind === 'added') added.push(newLines[op.j] as string);
    else {
      flush();
      const from = oldLines[op.i] as string;
      const to = newLines[op.j] as string;
      if (from !== to) out.parts(diffChars(from, to), a, b);
      a += from.length;
      b += to.length;
    }
  }
  flush();
  return { deleted: out.deleted, added: out.added, origin: 'diff' };
}
