import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { computeChanges, fromSvenRecord, type TextRange } from '../src/index.js';
import { HAS_SHARED_DATA, NO_DATA_REASON, SHARED_DATA } from './helpers.js';

/** The text of each range. */
const texts = (text: string, ranges: readonly TextRange[]) => ranges.map((r) => text.slice(r.start, r.end));
/** The text with `ranges` taken out. */
function strip(text: string, ranges: readonly TextRange[]): string {
  let out = '';
  let at = 0;
  for (const r of [...ranges].sort((a, b) => a.start - b.start)) {
    out += text.slice(at, r.start);
    at = r.end;
  }
  return out + text.slice(at);
}
/** The changed characters other than whitespace, in order. */
const solid = (text: string, ranges: readonly TextRange[]) => texts(text, ranges).join('').replace(/\s+/g, '');
/** The 0-based lines holding a changed character other than whitespace. */
function solidLines(text: string, ranges: readonly TextRange[]): number[] {
  const lines = new Set<number>();
  for (const r of ranges)
    for (let i = r.start; i < r.end; i++) if (/\S/.test(text[i] as string)) lines.add(text.slice(0, i).split('\n').length - 1);
  return [...lines].sort((a, b) => a - b);
}
/** Both sides keep the same text once their changes are taken out, and the ranges are sorted and apart. */
function expectValid(before: string, after: string) {
  const c = computeChanges(before, after);
  expect(strip(before, c.deleted)).toBe(strip(after, c.added));
  for (const side of [c.deleted, c.added])
    side.forEach((r, i) => {
      expect(r.start).toBeLessThan(r.end);
      if (i > 0) expect(r.start).toBeGreaterThan((side[i - 1] as TextRange).end);
    });
  return c;
}

describe('computeChanges', () => {
  it('marks only the check of a C wrap fix on one line', () => {
    const c = expectValid('  g(); h();\n', '  if (n < 16) { g(); h(); }\n');
    expect(c.deleted).toEqual([]);
    expect(texts('  if (n < 16) { g(); h(); }\n', c.added)).toEqual(['if (n < 16) { ', ' }']);
  });

  it('leaves re-indented C statements inside a new block unmarked but for their indentation', () => {
    const before = 'void f(int n) {\n  g();\n  h();\n}\n';
    const after = 'void f(int n) {\n  if (n < 16) {\n    g();\n    h();\n  }\n}\n';
    const c = expectValid(before, after);
    expect(c.deleted).toEqual([]);
    expect(solid(after, c.added)).toBe('if(n<16){}');
    expect(solidLines(after, c.added)).toEqual([1, 4]);
  });

  it('takes out the inner brace, not the outer one, when a block is unwrapped', () => {
    const wrapped = 'void f(int n) {\n  if (n < 16) {\n    g();\n  }\n}\n';
    const c = expectValid(wrapped, 'void f(int n) {\n  g();\n}\n');
    expect(c.added).toEqual([]);
    expect(solidLines(wrapped, c.deleted)).toEqual([1, 3]);
  });

  it('leaves a re-indented Python body unmarked', () => {
    const before = 'def f(path):\n    data = open(path).read()\n    return data\n';
    const after = 'def f(path):\n    if ".." not in path:\n        data = open(path).read()\n        return data\n    return None\n';
    const c = expectValid(before, after);
    expect(c.deleted).toEqual([]);
    expect(solidLines(after, c.added)).toEqual([1, 4]);
    expect(solid(after, c.added)).toBe('if".."notinpath:returnNone');
  });

  it('compares an edited line character by character', () => {
    const c = expectValid('  f(image);\n', '  f(next_image);\n');
    expect(texts('  f(next_image);\n', c.added)).toEqual(['next_']);
  });

  it('compares a line replaced by an unrelated one word by word, not by shared letters', () => {
    const before = 'a();\n    try:\n        user = query(name)\nb();\n';
    const after = 'a();\n    user = load_user(name)\n    if user:\nb();\n';
    const c = expectValid(before, after);
    // no scattered letters: each changed range on the new side is whole words
    for (const t of texts(after, c.added)) expect(t.trim()).toMatch(/^\S.*\S$|^\S$/);
    expect(solidLines(after, c.added)).toEqual([1, 2]);
    expect(solidLines(before, c.deleted)).toEqual([1, 2]);
  });

  it('compares runs of replaced lines of different lengths word by word', () => {
    const before = 'x = 1\nsize_t a, b;\nuse(a, b)\n';
    const after = 'x = 1\nsize_t a;\nsize_t b = get();\nsize_t c = a + b;\nuse(a, b)\n';
    const c = expectValid(before, after);
    expect(solidLines(after, c.added)).toEqual([1, 2, 3]);
    expect(solidLines(before, c.deleted)).toEqual([1]);
  });

  it('handles texts without a final line break, empty texts and line-break changes', () => {
    for (const [a, b] of [
      ['', ''],
      ['', 'x\n'],
      ['x\n', ''],
      ['a\nb', 'a\nb\n'],
      ['a\r\nb\r\n', 'a\nb\n'],
      ['  a\n', 'a\n'],
      ['é𝒳\n', 'é𝒴\n'],
    ] as const)
      expectValid(a, b);
    expect(computeChanges('a\nb', 'a\nb\n')).toEqual({ deleted: [], added: [{ start: 3, end: 4 }], origin: 'diff' });
    expect(computeChanges('same\n', 'same\n')).toEqual({ deleted: [], added: [], origin: 'diff' });
  });

  it('gives valid changes for random edits of random code', () => {
    let seed = 7;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const words = ['if', '(n', '<', '16)', '{', '}', 'g();', 'h();', 'x', '=', '1;', '  ', '\n', '\t', 'return', 'é'];
    const code = (len: number) => Array.from({ length: len }, () => words[rand(words.length)]).join(' ');
    for (let k = 0; k < 300; k++) {
      const before = code(rand(40));
      const lines = before.split('\n');
      const after = lines
        .flatMap((l) => {
          const r = rand(6);
          if (r === 0) return [];
          if (r === 1) return [`  ${l}`];
          if (r === 2) return [l, code(rand(6))];
          if (r === 3) return [code(rand(8))];
          return [l];
        })
        .join('\n');
      expectValid(before, after);
    }
  });
});

describe.skipIf(!HAS_SHARED_DATA)(`computeChanges on real wrap fixes ${HAS_SHARED_DATA ? '' : NO_DATA_REASON}`, () => {
  const record = (file: string, line: number) =>
    JSON.parse(readFileSync(join(SHARED_DATA, file), 'utf8').split('\n')[line - 1] as string) as {
      func_src_before: string;
      func_src_after: string;
    };

  it.each([
    // a NULL check wrapped around three statements (linux rds)
    ['sven/val/cwe-476.jsonl', 3, 'if(tc->t_sock){}'],
    // a NULL check wrapped around a call and its error return (Bento4)
    ['sven/train/cwe-476.jsonl', 65, 'if(m_SttsAtom){}'],
  ])('%s:%i marks the new check and its brace, not the statements it wraps', (file, line, guard) => {
    const rec = record(file, line);
    const c = expectValid(rec.func_src_before, rec.func_src_after);
    expect(c.deleted).toEqual([]);
    expect(solid(rec.func_src_after, c.added)).toBe(guard);
    expect(solidLines(rec.func_src_after, c.added)).toHaveLength(2);
  });

  it('a Python fix that wraps a re-indented body in a password check leaves that body unmarked', () => {
    const rec = record('safecoder/train/sec-new-desc.jsonl', 334);
    const c = expectValid(rec.func_src_before, rec.func_src_after);
    const after = rec.func_src_after.split('\n');
    const marked = new Set(solidLines(rec.func_src_after, c.added));
    for (const body of ['if user.activated:', 'log.info("Login successfull', 'return user']) {
      const i = after.findIndex((l) => l.includes(body));
      expect(i, body).toBeGreaterThanOrEqual(0);
      expect(marked.has(i), body).toBe(false);
    }
    expect(marked.has(after.findIndex((l) => l.includes('if verify_password(')))).toBe(true);
  });

  it('gives valid changes for the SVEN NULL-pointer, overflow and SQL pairs and SafeCoder val', () => {
    let pairs = 0;
    for (const file of [
      'sven/train/cwe-476.jsonl',
      'sven/train/cwe-190.jsonl',
      'sven/val/cwe-089.jsonl',
      'safecoder/val/sec-new-desc.jsonl',
    ]) {
      for (const line of readFileSync(join(SHARED_DATA, file), 'utf8').split('\n')) {
        if (!line.trim()) continue;
        const rec = JSON.parse(line);
        expectValid(rec.func_src_before, rec.func_src_after);
        const pair = fromSvenRecord({ ...rec, char_changes: undefined }, { dataset: 'sven' });
        expect(pair.ok).toBe(true);
        pairs++;
      }
    }
    expect(pairs).toBeGreaterThan(100);
  });
});
