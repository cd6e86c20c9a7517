import { createHash } from 'node:crypto';

/**
 * Maps code-point offsets (what Python's `str` indices are) to UTF-16 offsets into the same JS string.
 * Identity when the text has no astral characters.
 */
export function codePointToUtf16Mapper(text: string): (codePointOffset: number) => number {
  if (!/[\uD800-\uDBFF]/.test(text)) return (o) => o;
  const table: number[] = [];
  let u = 0;
  for (const ch of text) {
    table.push(u);
    u += ch.length;
  }
  table.push(u);
  return (o) => table[Math.min(Math.max(o, 0), table.length - 1)] ?? u;
}

/** Inverse of {@link codePointToUtf16Mapper}: UTF-16 offsets back to code-point offsets. */
export function utf16ToCodePoint(text: string, offset: number): number {
  if (!/[\uD800-\uDBFF]/.test(text)) return offset;
  let cp = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) i++;
    cp++;
  }
  return cp;
}

/** Short, stable content hash used in record ids. */
export function shortHash(...parts: string[]): string {
  const h = createHash('sha256');
  for (const p of parts) h.update(p).update('\u0000');
  return h.digest('hex').slice(0, 16);
}

/** `cwe-787`, `CWE-787`, `787` → `CWE-787`; undefined when it is no CWE id. */
export function normaliseCwe(raw: string): string | undefined {
  const m = /^(?:cwe[-_ ]?)?0*(\d+)$/i.exec(raw.trim());
  return m ? `CWE-${Number(m[1])}` : undefined;
}

/**
 * The 1-based line of any UTF-16 offset of `code`, by binary search over its line starts (found once, when
 * the index is made): the line numbers of findings and ranges.
 *
 * @example
 * ```ts
 * import { lineIndex } from '@srcode/dataset';
 *
 * const lineOf = lineIndex('a\nbc\n');
 * console.log(lineOf(0), lineOf(3)); // 1 2
 * ```
 */
export function lineIndex(code: string): (offset: number) => number {
  const starts = [0];
  for (let i = code.indexOf('\n'); i !== -1; i = code.indexOf('\n', i + 1)) starts.push(i + 1);
  return (offset) => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((starts[mid] ?? 0) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  };
}
