import { diffChars } from 'diff';
import type { ChangeSet, TextRange } from './types.js';

/**
 * Changed ranges of each side computed with a character diff: `deleted` index `before`, `added`
 * index `after` (UTF-16 offsets). Adjacent changed characters form one range.
 */
export function computeChanges(before: string, after: string): ChangeSet {
  const deleted: TextRange[] = [];
  const added: TextRange[] = [];
  let a = 0;
  let b = 0;
  const push = (list: TextRange[], start: number, end: number) => {
    const last = list[list.length - 1];
    if (last && last.end === start) last.end = end;
    else list.push({ start, end });
  };
  for (const part of diffChars(before, after)) {
    const n = part.value.length;
    if (part.added) {
      push(added, b, b + n);
      b += n;
    } else if (part.removed) {
      push(deleted, a, a + n);
      a += n;
    } else {
      a += n;
      b += n;
    }
  }
  return { deleted, added, origin: 'diff' };
}
