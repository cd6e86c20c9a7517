import type { LoadedLanguage } from '@srcode/syntax';

/** A text's normalised syntax tokens: names become `ID` (API names, before `(`, keep their text). */
export interface SyntaxTokens {
  kinds: string[];
  starts: number[];
  ends: number[];
}

const WORD = /[\p{L}\p{N}_$]/u;

/** ASCII letters, digits, `_` and `$` without a regex; other characters ask the Unicode classes. */
function isWord(text: string, i: number): boolean {
  const c = text.charCodeAt(i);
  if (c < 128) return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 36;
  return WORD.test(text[i] as string);
}
const NUMBER = /(?:0[xX][\da-fA-F_]+|\d[\d_]*(?:\.[\d_]*)?(?:[eE][+-]?\d+)?|\.\d[\d_]*(?:[eE][+-]?\d+)?)[\w.]*/y;
const SPACE = /\s+/y;

interface Lexicon {
  keywords: Map<number, string[]>;
  operators: Map<string, string[]>;
  /** The same, for operators starting with an ASCII character, by its code. */
  asciiOperators: Array<string[] | undefined>;
  /** The lexicon's comment and string patterns without the sticky flag, to search ahead with. */
  commentAhead: RegExp;
  stringAhead: RegExp;
}

const lexicons = new WeakMap<LoadedLanguage, Lexicon>();

/** A pattern searched ahead of a scan: the next place it matches is kept until the scan passes it. */
class Ahead {
  private at = -1;
  private end = -1;
  constructor(
    private readonly re: RegExp,
    private readonly text: string,
  ) {}

  /** End of the pattern's match starting at `i`, or -1; `i` never decreases between calls. */
  endAt(i: number): number {
    if (i > this.at) {
      this.re.lastIndex = i;
      const m = this.re.exec(this.text);
      if (m) {
        this.at = m.index;
        this.end = m.index + m[0].length;
      } else this.at = Number.POSITIVE_INFINITY;
    }
    return this.at === i ? this.end : -1;
  }
}

const ahead = (re: RegExp) => new RegExp(re.source, `${re.flags.replace(/[yg]/g, '')}g`);

/** `name:<word>` strings made before, by the hash of the word: one flat string per API name, hashed once. */
const callNames = new Map<number, Array<[string, string]>>();
const MAX_CALL_NAMES = 65_536;

function callName(text: string, from: number, to: number, h = wordHash(text, from, to)): string {
  const len = to - from;
  const same = callNames.get(h);
  if (same) for (const [word, kind] of same) if (word.length === len && text.startsWith(word, from)) return kind;
  if (callNames.size >= MAX_CALL_NAMES) callNames.clear();
  const word = text.slice(from, to);
  const entry: [string, string] = [word, `name:${word}`];
  callNames.set(h, [...(callNames.get(h) ?? []), entry]);
  return entry[1];
}

/** The kind of the API name `text[from, to)` (`name:<word>`), made once per word. */
export function nameKind(text: string, from: number, to: number): string {
  return callName(text, from, to);
}

function wordHash(text: string, from: number, to: number): number {
  let h = 0;
  for (let i = from; i < to; i++) h = (Math.imul(h, 31) + text.charCodeAt(i)) | 0;
  return h;
}

/**
 * Splits `text` into normalised tokens: comments and whitespace dropped, strings and numbers
 * reduced to their kind, names to `ID` unless a call follows (`strcpy(` stays `name:strcpy`), so a
 * renamed variable aligns while a different API does not. Linear in the text, no parse needed.
 */
export function lexTokens(lang: LoadedLanguage, text: string): SyntaxTokens {
  let lex = lexicons.get(lang);
  const spec = lang.spec.lexicon;
  if (!lex) {
    const operators = new Map<string, string[]>();
    for (const op of [...spec.operators].sort((a, b) => b.length - a.length)) {
      operators.set(op[0] as string, [...(operators.get(op[0] as string) ?? []), op]);
    }
    // keywords by a hash of their characters, so a word is matched without slicing it out
    const keywords = new Map<number, string[]>();
    for (const kw of spec.keywords) keywords.set(wordHash(kw, 0, kw.length), [...(keywords.get(wordHash(kw, 0, kw.length)) ?? []), kw]);
    const asciiOperators: Array<string[] | undefined> = new Array(128).fill(undefined);
    for (const [first, list] of operators) if (first.charCodeAt(0) < 128 && first.length === 1) asciiOperators[first.charCodeAt(0)] = list;
    lex = { keywords, operators, asciiOperators, commentAhead: ahead(spec.comment), stringAhead: ahead(spec.string) };
    lexicons.set(lang, lex);
  }
  const kinds: string[] = [];
  const starts: number[] = [];
  const ends: number[] = [];
  const n = text.length;
  let i = 0;
  // where comments and strings start is searched ahead, not tried at every punctuation character
  const comments = new Ahead(lex.commentAhead, text);
  const strings = new Ahead(lex.stringAhead, text);
  const tryRe = (re: RegExp) => {
    re.lastIndex = i;
    return re.test(text) ? re.lastIndex : -1;
  };
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 32 || (c >= 9 && c <= 13)) {
      i++;
      continue;
    }
    let end: number;
    if (c >= 128) {
      end = tryRe(SPACE);
      if (end > i) {
        i = end;
        continue;
      }
    }
    let kind: string | undefined;
    if (c >= 48 && c <= 57) {
      end = Math.max(tryRe(NUMBER), i + 1);
      kind = 'NUM';
    } else if (isWord(text, i)) {
      // the word's hash as it is scanned (the keyword table is keyed by it)
      let h = c;
      end = i + 1;
      while (end < n && isWord(text, end)) h = (Math.imul(h, 31) + text.charCodeAt(end++)) | 0;
      // a string prefix (`u8"`, `rb'`): comments and strings start with no word character otherwise
      const q = text.charCodeAt(end);
      if (q === 34 || q === 39 || q === 96) {
        const str = tryRe(spec.string);
        if (str > end) {
          end = str;
          kind = 'STR';
        }
      }
      if (kind === undefined) {
        const len = end - i;
        const same = lex.keywords.get(h);
        if (same) {
          for (const kw of same) {
            if (kw.length === len && text.startsWith(kw, i)) {
              kind = kw;
              break;
            }
          }
        }
        if (kind === undefined) {
          let k = end;
          while (k < n && (text.charCodeAt(k) === 32 || text.charCodeAt(k) === 9)) k++;
          // the word's hash, computed as it was scanned, is the one the call names are kept by
          kind = text.charCodeAt(k) === 40 ? callName(text, i, end, h) : 'ID';
        }
      }
    } else {
      end = comments.endAt(i);
      if (end > i) {
        i = end;
        continue;
      }
      end = strings.endAt(i);
      if (end > i) kind = 'STR';
      else {
        let op: string | undefined;
        const ops = c < 128 ? lex.asciiOperators[c] : lex.operators.get(text[i] as string);
        if (ops) {
          for (const o of ops) {
            if (text.startsWith(o, i)) {
              op = o;
              break;
            }
          }
        }
        end = i + (op ? op.length : (text.codePointAt(i) as number) > 0xffff ? 2 : 1);
        // the lexicon's own string: no new string per operator, and its hash is already known
        kind = op ?? text.slice(i, end);
      }
    }
    kinds.push(kind);
    starts.push(i);
    ends.push(end);
    i = end;
  }
  return { kinds, starts, ends };
}

/** Index of the first token starting at or after `offset` (tokens sorted by start). */
export function firstTokenAt(tokens: SyntaxTokens, offset: number): number {
  let lo = 0;
  let hi = tokens.starts.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((tokens.starts[mid] as number) < offset) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
