// A byte-level BPE tokenizer read from a Hugging Face tokenizer.json (GPT-2, Qwen2, Llama 3 style): added
// tokens split out first, an optional NFC/NFKC normaliser, the split regex of the pre-tokeniser, bytes
// mapped to their printable stand-ins, then merges by rank. Written from the file format's definition
// (rl-core depends on no tokenizer library).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { RlCoreError } from '../errors.js';

/** GPT-2's printable stand-in of each byte, and its inverse. */
function byteTables(): { toChar: string[]; toByte: Map<string, number> } {
  const direct = new Set<number>();
  for (let b = 0x21; b <= 0x7e; b++) direct.add(b);
  for (let b = 0xa1; b <= 0xac; b++) direct.add(b);
  for (let b = 0xae; b <= 0xff; b++) direct.add(b);
  const toChar: string[] = [];
  let shifted = 0;
  for (let b = 0; b < 256; b++) toChar[b] = String.fromCodePoint(direct.has(b) ? b : 256 + shifted++);
  const toByte = new Map<string, number>();
  for (const [b, c] of toChar.entries()) toByte.set(c, b);
  return { toChar, toByte };
}
const BYTES = byteTables();

/** The ByteLevel pre-tokeniser's own split pattern (used when its `use_regex` is on). */
const GPT2_SPLIT = String.raw`'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`;

/**
 * A tokenizer.json regex as a JavaScript one. Scoped case-insensitive groups `(?i:...)` (Qwen2, Llama 3),
 * which Node 20's engine lacks, become groups with each ASCII letter as a two-case class.
 */
export function toJsRegex(pattern: string, where: string): RegExp {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    if (pattern.startsWith('(?i:', i)) {
      let depth = 1;
      let j = i + 4;
      let body = '';
      for (; j < pattern.length && depth > 0; j++) {
        const ch = pattern[j] as string;
        if (ch === '\\') {
          body += ch + (pattern[j + 1] ?? '');
          j++;
          continue;
        }
        if (ch === '(') depth++;
        if (ch === ')') depth--;
        if (depth > 0) body += ch;
      }
      if (body.includes('['))
        throw new RlCoreError('invalid-checkpoint', `${where}: expected a (?i:...) group without classes, found ${JSON.stringify(body)}`);
      out += `(?:${body.replace(/(?<!\\)[A-Za-z]/g, (c) => `[${c.toLowerCase()}${c.toUpperCase()}]`)})`;
      i = j - 1;
      continue;
    }
    out += pattern[i];
  }
  try {
    return new RegExp(out, 'gu');
  } catch (cause) {
    throw new RlCoreError(
      'invalid-checkpoint',
      `${where}: expected a regular expression JavaScript can run, found ${JSON.stringify(pattern)}`,
      { cause },
    );
  }
}

/** One pre-tokenisation step: split every piece by a regex (matches and the text between them kept), maybe with a prefix space. */
interface SplitStep {
  regex: RegExp;
  /** ByteLevel's add_prefix_space: a space before a first piece that lacks one. */
  prefixSpace: boolean;
}

type Json = Record<string, unknown>;

function splitSteps(p: unknown, where: string): { steps: SplitStep[]; byteLevel: boolean } {
  if (p === null || p === undefined) return { steps: [], byteLevel: false };
  const o = p as Json;
  if (o.type === 'Sequence') {
    const list = o.pretokenizers;
    if (!Array.isArray(list))
      throw new RlCoreError('invalid-checkpoint', `${where}/pretokenizers: expected a list, found ${JSON.stringify(list)}`);
    const parts = list.map((q, i) => splitSteps(q, `${where}/pretokenizers/${i}`));
    return { steps: parts.flatMap((x) => x.steps), byteLevel: parts.some((x) => x.byteLevel) };
  }
  if (o.type === 'ByteLevel') {
    const steps: SplitStep[] = [];
    if (o.use_regex !== false) steps.push({ regex: toJsRegex(GPT2_SPLIT, where), prefixSpace: o.add_prefix_space === true });
    else if (o.add_prefix_space === true)
      throw new RlCoreError('invalid-checkpoint', `${where}/add_prefix_space: expected false without use_regex, found true`);
    return { steps, byteLevel: true };
  }
  if (o.type === 'Split') {
    const pat = o.pattern as Json | undefined;
    if (o.behavior !== 'Isolated' || o.invert === true)
      throw new RlCoreError(
        'invalid-checkpoint',
        `${where}: expected a Split with behavior Isolated and no invert, found ${JSON.stringify({ behavior: o.behavior, invert: o.invert })}`,
      );
    const src =
      typeof pat?.Regex === 'string'
        ? pat.Regex
        : typeof pat?.String === 'string'
          ? pat.String.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
          : undefined;
    if (src === undefined)
      throw new RlCoreError(
        'invalid-checkpoint',
        `${where}/pattern: expected {"Regex": ...} or {"String": ...}, found ${JSON.stringify(pat)}`,
      );
    return { steps: [{ regex: toJsRegex(src, `${where}/pattern`), prefixSpace: false }], byteLevel: false };
  }
  throw new RlCoreError(
    'invalid-checkpoint',
    `${where}/type: expected ByteLevel, Split or Sequence (a byte-level BPE tokenizer), found ${JSON.stringify(o.type)}`,
  );
}

function normalizer(n: unknown, where: string): (s: string) => string {
  if (n === null || n === undefined) return (s) => s;
  const o = n as Json;
  if (o.type === 'NFC') return (s) => s.normalize('NFC');
  if (o.type === 'NFKC') return (s) => s.normalize('NFKC');
  if (o.type === 'Sequence' && Array.isArray(o.normalizers)) {
    const fs = o.normalizers.map((q, i) => normalizer(q, `${where}/normalizers/${i}`));
    return (s) => fs.reduce((acc, f) => f(acc), s);
  }
  throw new RlCoreError('invalid-checkpoint', `${where}/type: expected NFC, NFKC or none, found ${JSON.stringify(o.type)}`);
}

/** A decoded text and each token's span in it. */
export interface DecodedOffsets {
  /** The decoded text (special tokens dropped). */
  text: string;
  /** Flat `[start, end)` UTF-16 offsets, two per token. */
  offsets: Uint32Array;
}

/** Ids and UTF-16 offsets of a text, as `@srcode/token-reward`'s `TokenizerLike.encode` returns them. */
export interface OffsetEncoding {
  /** Token ids. */
  ids: Int32Array;
  /** Flat `[start, end)` UTF-16 offsets, two per token. */
  offsets: Uint32Array;
}

/** The shape of `@srcode/token-reward`'s `TokenizerLike` (structurally compatible, no import). */
export interface OffsetTokenizer {
  /** Recorded in reward maps' `tokenizer` field. */
  name: string;
  /** Ids and offsets of `text`. */
  encode(text: string): OffsetEncoding;
}

/** Appends `items` to `out` one by one: a spread (`push(...items)`) of a long word's 100k ids overflows the stack. */
function append(out: number[], items: ArrayLike<number>): void {
  for (let i = 0; i < items.length; i++) out.push(items[i] as number);
}

/** Token ids are whole numbers below 2^24 (real vocabularies stay under a million): a larger one is a corrupt file. */
const isId = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 0 && (v as number) < 2 ** 24;

/** The special tokens a TemplateProcessing post-processor writes before the text of a single sequence. */
function templatePrefix(p: unknown): number[] {
  const o = p as Json | null | undefined;
  if (o?.type === 'Sequence' && Array.isArray(o.processors)) return o.processors.flatMap((q) => templatePrefix(q));
  if (o?.type !== 'TemplateProcessing' || !Array.isArray(o.single)) return [];
  const specials = (o.special_tokens ?? {}) as Record<string, { ids?: unknown }>;
  const out: number[] = [];
  for (const piece of o.single as (Json | null)[]) {
    const sp = piece?.SpecialToken as { id?: unknown } | undefined;
    if (!sp) break;
    const ids = specials[String(sp.id)]?.ids;
    if (Array.isArray(ids))
      append(
        out,
        ids.filter((i): i is number => Number.isInteger(i)),
      );
  }
  return out;
}

/** A special or added token: its id and text. */
export interface AddedToken {
  /** Its id. */
  id: number;
  /** Its text. */
  content: string;
  /** Special tokens (EOS, chat markers) are dropped by `decode` unless asked for. */
  special: boolean;
}

/**
 * A Hugging Face byte-level BPE tokenizer (tokenizer.json), encoding and decoding in plain TypeScript.
 * Unsupported parts of a file (a SentencePiece or WordPiece model, byte fallback, another normaliser)
 * are refused with an error naming the file and the field.
 */
export class HfTokenizer {
  /** Added tokens (special tokens among them), by content. */
  readonly added: ReadonlyMap<string, AddedToken>;
  private readonly vocab: Map<string, number>;
  private readonly tokens: string[] = [];
  private readonly ranks = new Map<string, number>();
  private readonly steps: SplitStep[];
  private readonly normalize: (s: string) => string;
  private readonly addedById = new Map<number, AddedToken>();
  private readonly addedSplit?: RegExp;
  private readonly ignoreMerges: boolean;
  private readonly cache = new Map<string, number[]>();
  /** Ids the file's post-processor puts before a single text (Llama 3's `<|begin_of_text|>`), none for most byte-level files. */
  readonly prefixIds: readonly number[];

  private constructor(json: Json, file: string) {
    if (typeof json !== 'object' || json === null || Array.isArray(json))
      throw new RlCoreError(
        'invalid-checkpoint',
        `${file}: expected a JSON object, found ${Array.isArray(json) ? 'an array' : JSON.stringify(json)}`,
      );
    const model = json.model as Json | undefined;
    if (model?.type !== 'BPE')
      throw new RlCoreError('invalid-checkpoint', `${file}: /model/type: expected BPE, found ${JSON.stringify(model?.type)}`);
    if (model.byte_fallback === true)
      throw new RlCoreError('invalid-checkpoint', `${file}: /model/byte_fallback: expected false (a byte-level BPE), found true`);
    const vocab = model.vocab as Record<string, number> | undefined;
    if (typeof vocab !== 'object' || vocab === null || Array.isArray(vocab))
      throw new RlCoreError('invalid-checkpoint', `${file}: /model/vocab: expected an object, found ${JSON.stringify(vocab)}`);
    this.vocab = new Map(Object.entries(vocab));
    for (const [t, id] of this.vocab) {
      if (!isId(id))
        throw new RlCoreError(
          'invalid-checkpoint',
          `${file}: /model/vocab/${JSON.stringify(t)}: expected a token id (a whole number from 0 below 2^24), found ${JSON.stringify(id)}`,
        );
      this.tokens[id] = t;
    }
    const merges = model.merges;
    if (!Array.isArray(merges))
      throw new RlCoreError('invalid-checkpoint', `${file}: /model/merges: expected a list, found ${JSON.stringify(merges)}`);
    merges.forEach((m, i) => {
      const pair = typeof m === 'string' ? m.split(' ') : m;
      if (!Array.isArray(pair) || pair.length !== 2)
        throw new RlCoreError(
          'invalid-checkpoint',
          `${file}: /model/merges/${i}: expected "a b" or ["a", "b"], found ${JSON.stringify(m)}`,
        );
      this.ranks.set(`${pair[0]} ${pair[1]}`, i);
    });
    this.ignoreMerges = model.ignore_merges === true;
    const pre = splitSteps(json.pre_tokenizer, `${file}: /pre_tokenizer`);
    const decoder = json.decoder as Json | undefined;
    if (!pre.byteLevel && decoder?.type !== 'ByteLevel')
      throw new RlCoreError('invalid-checkpoint', `${file}: /pre_tokenizer: expected a ByteLevel step (a byte-level BPE), found none`);
    this.steps = pre.steps;
    this.normalize = normalizer(json.normalizer, `${file}: /normalizer`);
    const added = new Map<string, AddedToken>();
    const addedList = json.added_tokens ?? [];
    if (!Array.isArray(addedList))
      throw new RlCoreError('invalid-checkpoint', `${file}: /added_tokens: expected a list, found ${JSON.stringify(addedList)}`);
    for (const [i, t] of (addedList as (Json | null)[]).entries()) {
      if (typeof t?.content !== 'string' || t.content === '' || !isId(t.id))
        throw new RlCoreError(
          'invalid-checkpoint',
          `${file}: /added_tokens/${i}: expected {"id": a token id, "content": a non-empty string}, found ${JSON.stringify(t)}`,
        );
      const a = { id: t.id as number, content: t.content, special: t.special === true };
      added.set(a.content, a);
      this.addedById.set(a.id, a);
      this.tokens[a.id] = a.content;
    }
    this.added = added;
    this.prefixIds = templatePrefix(json.post_processor);
    if (added.size) {
      // longest first, so a token that extends another wins
      const alts = [...added.keys()].sort((a, b) => b.length - a.length).map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
      this.addedSplit = new RegExp(`(${alts.join('|')})`, 'u');
    }
  }

  /** Reads `tokenizer.json` from a checkpoint folder (or the file itself). */
  static async load(path: string): Promise<HfTokenizer> {
    const file = path.endsWith('.json') ? path : join(path, 'tokenizer.json');
    let json: unknown;
    try {
      json = JSON.parse(await readFile(file, 'utf8'));
    } catch (cause) {
      throw new RlCoreError('invalid-checkpoint', `${file}: expected a tokenizer.json, found ${(cause as Error).message}`, { cause });
    }
    return new HfTokenizer(json as Json, file);
  }

  /** Ids (the vocabulary and the added tokens together) are below this. */
  get size(): number {
    return this.tokens.length;
  }

  /** The id of a token string (an added token's content, or a vocabulary entry), if it has one. */
  tokenId(token: string): number | undefined {
    return this.added.get(token)?.id ?? this.vocab.get(token);
  }

  /**
   * Applies the merges by rank: always the lowest-ranked adjacent pair, leftmost first among equals, as
   * the format defines. Candidate pairs wait in a binary heap keyed (rank, position) and symbols sit in a
   * linked list, so a word of n bytes costs O(n log n) however many merges it takes (a rescan of the whole
   * word per merge would make one long word quadratic).
   */
  private merge(chars: string[]): string[] {
    const n = chars.length;
    if (n < 2) return chars;
    const sym = chars.slice();
    const next = new Int32Array(n);
    const prev = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      next[i] = i + 1 < n ? i + 1 : -1;
      prev[i] = i - 1;
    }
    // heap of candidate merges: rank and left position, packed side by side
    const hr: number[] = [];
    const hp: number[] = [];
    const less = (i: number, j: number) =>
      (hr[i] as number) < (hr[j] as number) || (hr[i] === hr[j] && (hp[i] as number) < (hp[j] as number));
    const swap = (i: number, j: number) => {
      [hr[i], hr[j]] = [hr[j] as number, hr[i] as number];
      [hp[i], hp[j]] = [hp[j] as number, hp[i] as number];
    };
    const push = (left: number) => {
      const right = next[left] as number;
      if (left < 0 || right < 0) return;
      const rank = this.ranks.get(`${sym[left]} ${sym[right]}`);
      if (rank === undefined) return;
      hr.push(rank);
      hp.push(left);
      for (let i = hr.length - 1; i > 0; ) {
        const up = (i - 1) >> 1;
        if (!less(i, up)) break;
        swap(i, up);
        i = up;
      }
    };
    const pop = (): [number, number] => {
      const top: [number, number] = [hr[0] as number, hp[0] as number];
      const lastR = hr.pop() as number;
      const lastP = hp.pop() as number;
      if (hr.length) {
        hr[0] = lastR;
        hp[0] = lastP;
        for (let i = 0; ; ) {
          const l = 2 * i + 1;
          const r = l + 1;
          let m = i;
          if (l < hr.length && less(l, m)) m = l;
          if (r < hr.length && less(r, m)) m = r;
          if (m === i) break;
          swap(i, m);
          i = m;
        }
      }
      return top;
    };
    const alive = new Uint8Array(n).fill(1);
    for (let i = 0; i < n - 1; i++) push(i);
    while (hr.length) {
      const [rank, left] = pop();
      const right = next[left] as number;
      // stale: the left symbol was merged away, or either side has changed since the pair was queued
      if (!alive[left] || right < 0 || this.ranks.get(`${sym[left]} ${sym[right]}`) !== rank) continue;
      sym[left] = (sym[left] as string) + (sym[right] as string);
      alive[right] = 0;
      const after = next[right] as number;
      next[left] = after;
      if (after >= 0) prev[after] = left;
      push(prev[left] as number);
      push(left);
    }
    const out: string[] = [];
    for (let i = 0; i >= 0; i = next[i] as number) out.push(sym[i] as string);
    return out;
  }

  private bpe(word: string): number[] {
    const hit = this.cache.get(word);
    if (hit) return hit;
    const chars = Array.from(new TextEncoder().encode(word), (b) => BYTES.toChar[b] as string);
    const whole = chars.join('');
    const parts = this.ignoreMerges && this.vocab.has(whole) ? [whole] : this.merge(chars);
    const ids = parts.map((p) => {
      const id = this.vocab.get(p);
      if (id === undefined)
        throw new RlCoreError(
          'invalid-input',
          `expected token ${JSON.stringify(p)} in the vocabulary (a byte-level BPE has every byte), found none`,
        );
      return id;
    });
    if (this.cache.size > 50_000) this.cache.clear();
    this.cache.set(word, ids);
    return ids;
  }

  private pieces(text: string): string[] {
    let pieces = [text];
    for (const step of this.steps) {
      const next: string[] = [];
      pieces.forEach((p, idx) => {
        const s = step.prefixSpace && idx === 0 && !p.startsWith(' ') ? ` ${p}` : p;
        let last = 0;
        for (const m of s.matchAll(step.regex)) {
          if (m[0] === '') continue;
          if ((m.index as number) > last) next.push(s.slice(last, m.index));
          next.push(m[0]);
          last = (m.index as number) + m[0].length;
        }
        if (last < s.length) next.push(s.slice(last));
      });
      pieces = next;
    }
    return pieces;
  }

  /** Token ids of `text`; added tokens written in it (`<|im_end|>`) become their ids. No BOS or EOS is added. */
  encode(text: string): number[] {
    const out: number[] = [];
    const parts = this.addedSplit ? text.split(this.addedSplit) : [text];
    for (const [i, part] of parts.entries()) {
      if (part === '') continue;
      // split() puts the captured added tokens at odd positions
      if (i % 2 === 1 && this.addedSplit) {
        out.push((this.added.get(part) as AddedToken).id);
        continue;
      }
      for (const piece of this.pieces(this.normalize(part))) append(out, this.bpe(piece));
    }
    return out;
  }

  /** The bytes of `ids` (added tokens as their UTF-8 text; special ones only with `special`). */
  bytes(ids: readonly number[], special = false): Uint8Array {
    const out: number[] = [];
    const enc = new TextEncoder();
    for (const id of ids) {
      const a = this.addedById.get(id);
      if (a) {
        if (special || !a.special) append(out, enc.encode(a.content));
        continue;
      }
      const t = this.tokens[id];
      if (t === undefined) continue; // an id past the tokenizer (the embedding's padding rows) decodes to nothing
      for (const ch of t) {
        const b = BYTES.toByte.get(ch);
        if (b !== undefined) out.push(b);
      }
    }
    return Uint8Array.from(out);
  }

  /**
   * `decode(ids)` and each token's `[start, end)` UTF-16 offsets into it (flat: token i covers
   * `offsets[2i]..offsets[2i+1]`). A token ending inside a character ends after it, so the tokens still
   * tile the text; special tokens (dropped by decode) get empty spans where they stand.
   */
  decodeWithOffsets(ids: readonly number[]): DecodedOffsets {
    const ends: number[] = [];
    const all: number[] = [];
    for (const id of ids) {
      append(all, this.bytes([id]));
      ends.push(all.length);
    }
    const bytes = Uint8Array.from(all);
    const text = new TextDecoder().decode(bytes);
    // byte position -> UTF-16 index of the character that byte ends (valid UTF-8 maps exactly)
    const at = new Uint32Array(bytes.length + 1);
    let u = 0;
    let b = 0;
    for (const ch of text) {
      const n = new TextEncoder().encode(ch).length;
      u += ch.length;
      for (let k = 0; k < n && b < bytes.length; k++) at[++b] = u;
    }
    for (; b < bytes.length; b++) at[b + 1] = u;
    const offsets = new Uint32Array(ids.length * 2);
    let start = 0;
    ends.forEach((e, i) => {
      offsets[2 * i] = at[start] as number;
      offsets[2 * i + 1] = at[e] as number;
      start = e;
    });
    return { text, offsets };
  }

  /**
   * This tokenizer in the shape `@srcode/token-reward` takes (`TokenizerLike`: a name, and `encode` giving
   * ids and UTF-16 offsets), so its reward maps come out aligned to this model's own tokens.
   */
  asTokenizerLike(name = 'hf'): OffsetTokenizer {
    return {
      name,
      encode: (text) => {
        const ids = this.encode(text);
        return { ids: Int32Array.from(ids), offsets: this.decodeWithOffsets(ids).offsets };
      },
    };
  }

  /** Text of `ids`; bytes that are not valid UTF-8 (a character cut off) become U+FFFD. */
  decode(ids: readonly number[], special = false): string {
    return new TextDecoder().decode(this.bytes(ids, special));
  }
}
