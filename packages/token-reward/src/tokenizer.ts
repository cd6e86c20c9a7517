import type { Issue, Result } from '@srcode/dataset';
import { TokenRewardError } from './errors.js';

/** A text's tokens: ids and `[start, end)` UTF-16 offsets into the text, flat (`offsets[2i]`, `offsets[2i+1]`). */
export interface TokenEncoding {
  /** One token id per token. */
  ids: ArrayLike<number>;
  /** `2 * ids.length` numbers: token `i` covers `[offsets[2i], offsets[2i+1])` of the text (UTF-16). */
  offsets: ArrayLike<number>;
  /** Non-zero for special tokens (end of text, chat markers): they take no span reward. */
  special?: ArrayLike<number>;
}

/** The minimal tokenizer the core needs: text in, ids and UTF-16 offsets out. */
export interface TokenizerLike {
  /** Recorded in each map's `tokenizer` field. */
  readonly name: string;
  /** Tokenizes `text` (without special tokens such as a BOS) and gives each token's UTF-16 offsets. */
  encode(text: string): TokenEncoding;
  /** Offsets of tokens the caller already has (ids only), when the tokenizer can compute them. */
  offsetsFor?(text: string, ids: ArrayLike<number>): TokenEncoding;
}

/** Units a caller's offsets may be in: JS string indices, code points (Python `str`), or UTF-8 bytes. */
export type OffsetUnit = 'utf16' | 'codepoint' | 'byte';

/** Throws `invalid-text` when `text` holds a lone surrogate (it has no UTF-8 bytes to tokenize). */
export function assertWellFormed(text: string): void {
  // a quick scan first: most texts have no surrogates at all
  if (!/[\uD800-\uDFFF]/.test(text)) return;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        i++;
        continue;
      }
    }
    if (c >= 0xd800 && c <= 0xdfff) {
      throw new TokenRewardError(
        'invalid-text',
        `text is not well-formed UTF-16: lone surrogate U+${c.toString(16).toUpperCase()} at index ${i}`,
      );
    }
  }
}

/** Bytes of a code point in UTF-8 (a lone surrogate counts as the 3 bytes of its replacement). */
function utf8Length(cp: number): number {
  return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
}

/**
 * Maps offsets in `unit` to UTF-16 offsets. An offset inside a character (a byte-level token that
 * splits it) moves to the character's end, so the token holding its first byte covers it and the
 * next token starts after it: the offsets still tile the text.
 */
export function toUtf16Offsets(text: string, offsets: ArrayLike<number>, unit: OffsetUnit): Uint32Array {
  const out = new Uint32Array(offsets.length);
  if (unit === 'utf16') {
    for (let i = 0; i < offsets.length; i++) out[i] = offsets[i] as number;
    return out;
  }
  // index table: position in `unit` -> UTF-16 index (rounded up inside a character)
  const table: number[] = [0];
  for (let i = 0; i < text.length; ) {
    const cp = text.codePointAt(i) as number;
    const w = cp > 0xffff ? 2 : 1;
    const n = unit === 'codepoint' ? 1 : utf8Length(cp);
    i += w;
    for (let k = 0; k < n; k++) table.push(i);
  }
  for (let i = 0; i < offsets.length; i++) {
    const o = offsets[i] as number;
    // out of range stays out of range, so validation reports it
    out[i] = o >= 0 && o < table.length ? (table[o] as number) : text.length + 1 + Math.max(0, o - table.length);
  }
  return out;
}

/** Checks offsets against a text of `length`: in range, start <= end, starts not decreasing. Overlaps are allowed (byte-level tokenizers give them for split characters). */
export function checkOffsets(offsets: ArrayLike<number>, tokenCount: number, length: number, base = 0): Result<true> {
  const issues: Issue[] = [];
  if (offsets.length !== tokenCount * 2) {
    issues.push({ code: 'length', path: '/offsets', message: `has ${offsets.length / 2} [start, end) pairs for ${tokenCount} tokens` });
    return { ok: false, issues };
  }
  let prev = 0;
  // unsigned integer arrays hold nothing but non-negative integers
  const whole = offsets instanceof Uint32Array || offsets instanceof Uint16Array;
  for (let i = 0; i < tokenCount && issues.length < 10; i++) {
    const s = offsets[2 * i] as number;
    const e = offsets[2 * i + 1] as number;
    if (!whole && (!Number.isInteger(s) || !Number.isInteger(e) || s < 0 || e < 0)) {
      issues.push({ code: 'offsets', path: `/offsets/${i}`, message: `[${s}, ${e}) is not a pair of non-negative integers` });
    } else if (e < s) {
      issues.push({ code: 'offsets', path: `/offsets/${i}`, message: `end ${e} is before start ${s}` });
    } else if (e > base + length) {
      issues.push({ code: 'offsets', path: `/offsets/${i}`, message: `end ${e} is past the text's end ${base + length}` });
    } else if (s < prev && e > s) {
      issues.push({ code: 'offsets', path: `/offsets/${i}`, message: `start ${s} is before the previous token's start ${prev}` });
    }
    if (e > s) prev = s;
  }
  return issues.length ? { ok: false, issues } : { ok: true, value: true };
}

/** Token ids and offsets a caller already has, in any {@link OffsetUnit}, for {@link callerEncoding}. */
export interface CallerEncodingInput {
  /** One token id per token. */
  ids: ArrayLike<number>;
  /** `[start, end)` per token, as pairs or flat. */
  offsets: ArrayLike<number> | ReadonlyArray<readonly [number, number] | readonly number[]>;
  /** @default 'utf16' */
  offsetUnit?: OffsetUnit;
  /** Non-zero for special tokens: they take no span reward. @default no special tokens */
  special?: ArrayLike<number>;
  /**
   * The offsets index a longer text (prompt + completion) in which `text` starts here, in
   * `offsetUnit`s. Offsets are shifted back by it; prompt tokens become empty tokens at 0 (reward 0).
   * @default 0
   */
  offsetBase?: number;
}

/**
 * Builds an encoding from ids and offsets the caller already has (e.g. `return_offsets_mapping`),
 * converted to UTF-16 offsets into `text`. Throws a `TokenRewardError` with code `invalid-offsets`
 * for offsets that are not non-negative integers.
 *
 * @example
 * ```ts
 * import { callerEncoding } from '@srcode/token-reward';
 *
 * // Python's offsets are code points: the emoji is one there and two UTF-16 units here
 * const encoding = callerEncoding('s = "🙂"', { ids: [82, 284, 366], offsets: [[0, 1], [1, 3], [3, 7]], offsetUnit: 'codepoint' });
 * encoding.offsets; // Uint32Array [0, 1, 1, 3, 3, 8]
 * ```
 */
export function callerEncoding(text: string, input: CallerEncodingInput): TokenEncoding {
  const raw = input.offsets as ArrayLike<unknown>;
  const flat: number[] = [];
  if (raw.length > 0 && Array.isArray(raw[0])) {
    for (let i = 0; i < raw.length; i++) {
      const pair = raw[i] as number[];
      flat.push(pair[0] as number, pair[1] as number);
    }
  } else {
    for (let i = 0; i < raw.length; i++) flat.push(raw[i] as number);
  }
  // checked before they are stored as unsigned integers, which would make 1.5 or NaN look valid
  for (let i = 0; i < flat.length; i++) {
    const o = flat[i];
    if (typeof o !== 'number' || !Number.isInteger(o) || o < 0) {
      throw new TokenRewardError(
        'invalid-offsets',
        `offset ${i >> 1} is [${String(flat[i & ~1])}, ${String(flat[i | 1])}]: offsets must be non-negative integers`,
      );
    }
  }
  const base = input.offsetBase ?? 0;
  if (!Number.isInteger(base) || base < 0) {
    throw new TokenRewardError('invalid-offsets', `offsetBase ${String(base)} must be a non-negative integer`);
  }
  if (base !== 0) for (let i = 0; i < flat.length; i++) flat[i] = Math.max(0, (flat[i] as number) - base);
  const offsets = toUtf16Offsets(text, flat, input.offsetUnit ?? 'utf16');
  return input.special === undefined ? { ids: input.ids, offsets } : { ids: input.ids, offsets, special: input.special };
}

/**
 * A tokenizer that returns offsets the caller computed (for trainers that already tokenized):
 * `lookup(text)` gives the ids and offsets of `text`, which {@link callerEncoding} converts.
 */
export function callerOffsetsTokenizer(name: string, lookup: (text: string) => CallerEncodingInput): TokenizerLike {
  return { name, encode: (text) => callerEncoding(text, lookup(text)) };
}

const encoder = new TextEncoder();

/**
 * One token per UTF-8 byte (id = byte value), for small byte-level models and examples. Continuation
 * bytes of a multi-byte character are zero-width tokens at the character's end. Its name is `bytes`.
 */
export const byteTokenizer: TokenizerLike = {
  name: 'bytes',
  encode(text) {
    assertWellFormed(text);
    const bytes = encoder.encode(text);
    const ids = new Int32Array(bytes.length);
    const offsets = new Uint32Array(bytes.length * 2);
    let t = 0;
    for (let i = 0; i < text.length; ) {
      const cp = text.codePointAt(i) as number;
      const w = cp > 0xffff ? 2 : 1;
      const n = utf8Length(cp);
      for (let k = 0; k < n; k++, t++) {
        ids[t] = bytes[t] as number;
        offsets[2 * t] = k === 0 ? i : i + w;
        offsets[2 * t + 1] = i + w;
      }
      i += w;
    }
    return { ids, offsets };
  },
};
