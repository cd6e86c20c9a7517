import type { RepairPair, RewardSpan, TextRange } from '@srcode/dataset';
import { languageOf } from './languages.js';
import { outermost } from './lift.js';
import { firstTokenAt, lexTokens, type SyntaxTokens } from './lexer.js';
import {
  commonStarts,
  DEFAULT_SECURE_REWARD,
  DEFAULT_VULNERABLE_REWARD,
  liftPair,
  type MatchUnit,
  type PairSpanOptions,
  type PairSpans,
  spansOf,
} from './pair-spans.js';

/** A reference unit as the matcher sees it: its normalised tokens and a little context. */
export interface UnitProfile {
  /** The unit's span, as {@link pairSpans} gave it. */
  span: RewardSpan;
  /** The unit's normalised tokens (names become `ID` unless called, literals their kind). */
  kinds: string[];
  /** The unit's tokens as written, one per entry of `kinds`. */
  raws: string[];
  /** `kinds` as ids of the profile's `kindIds` table. */
  ids: Int32Array;
  /** Normalised tokens just before the unit, nearest first (ids). */
  before: Int32Array;
  /** Normalised tokens just after the unit, nearest first (ids). */
  after: Int32Array;
  /** The same stretch of code on the pair's other side (the fix of a vulnerable unit, or the code a secure unit replaced). */
  counter: {
    /** Its normalised tokens, as ids of `kindIds`. */
    ids: Int32Array;
    /** Its tokens as written. */
    raws: string[];
  };
  /** Lower-cased words of the unit's string literals (SQL text, format strings), compared loosely. */
  literalWords: ReadonlySet<string>;
  /**
   * The unit's normalised tokens also occur unchanged elsewhere on the other side (a `goto error;`
   * the fix added next to others): it tells the two versions apart nowhere, so matching skips it.
   */
  generic: boolean;
  /**
   * A statement the fix protected with a check inserted before it (vulnerable units only): matched
   * in a completion unless a check matching the fix's comes before it in the same function.
   */
  guarded: boolean;
  /** A unit of a check the fix inserted before a statement (secure units only): what protects a `guarded` one. */
  check: boolean;
  /**
   * A `generic` check whose text as written (names included) occurs nowhere on the other side (the
   * `(tc->sock)` of a NULL check wrapped around statements): matched anyway, but only as written and
   * in the reference's context.
   */
  asWritten: boolean;
  /**
   * The pair unit this one belongs to: units of the two sides share a group where a secure unit
   * replaced (overlaps, mapped onto the vulnerable code) a vulnerable one, or where a check the fix
   * inserted stands right before the statement it guards. A completion that runs a vulnerable unit
   * of a group earns no more from the group's secure units than that unit costs.
   */
  group: number;
}

/** Everything online matching needs from a pair, computed once per pair (see `SpanCache`). */
export interface PairProfile {
  /** The pair's `id`. */
  pairId: string;
  /** The pair's language. */
  language: string;
  /** The pair's spans, as {@link pairSpans} gave them. */
  spans: PairSpans;
  /** One profile per span of either side that holds at least one token. */
  units: UnitProfile[];
  /** Node types of the units that are not `generic`: only completion nodes of these types are compared. */
  unitTypes: ReadonlySet<string>;
  /** Ids of the token kinds the units use; other kinds map to -1 (they can match no unit token). */
  kindIds: ReadonlyMap<string, number>;
}

export const CONTEXT = 3;

/**
 * Parses both sides of a pair once and profiles its units for {@link matchCompletion}; a
 * {@link SpanCache} keeps these profiles across completions. Throws `unknown-language` as
 * {@link pairSpans} does.
 */
export function profilePair(
  pair: RepairPair,
  options: PairSpanOptions & {
    /** Tokens of context kept on each side of a unit. @default 3 */
    contextTokens?: number;
  } = {},
): PairProfile {
  const lang = languageOf(pair.language);
  const lifted = liftPair(pair, options);
  const spans = spansOf(pair, lifted, options);
  const matched = (list: MatchUnit[], polarity: RewardSpan['polarity'], weight: number) => {
    const key = (u: MatchUnit) => `${u.start}:${u.end}`;
    const guarded = new Set(list.filter((u) => u.guarded).map(key));
    const checks = new Set(list.filter((u) => u.check).map(key));
    return outermost(list).map((u) => ({
      span: { start: u.start, end: u.end, polarity, weight, source: 'pair' as const, nodeType: u.nodeType },
      guarded: guarded.has(key(u)),
      check: checks.has(key(u)),
    }));
  };
  const vWeight = options.vulnerableReward ?? DEFAULT_VULNERABLE_REWARD;
  const fWeight = options.secureReward ?? DEFAULT_SECURE_REWARD;
  const k = options.contextTokens ?? CONTEXT;
  const units: UnitProfile[] = [];
  const kindIds = new Map<string, number>();
  const idOf = (kind: string) => {
    let id = kindIds.get(kind);
    if (id === undefined) {
      id = kindIds.size;
      kindIds.set(kind, id);
    }
    return id;
  };
  idOf('ID');
  const lexed = [pair.vulnerableCode, pair.fixedCode].map((text) => {
    const tokens = lexTokens(lang, text);
    return { text, tokens, ids: Int32Array.from(tokens.kinds, idOf) };
  }) as [Lexed, Lexed];
  const [v, f] = lexed;
  const toFixed = positionMap(pair.changes.deleted, pair.changes.added);
  const toVulnerable = positionMap(pair.changes.added, pair.changes.deleted);
  const sides: Array<[Lexed, Lexed, Array<{ span: RewardSpan; guarded: boolean; check: boolean }>, PositionMap]> = [
    [v, f, matched(lifted.vulnerable.units, 'vulnerable', vWeight), toFixed],
    [f, v, matched(lifted.fixed.units, 'secure', fWeight), toVulnerable],
  ];
  // each unit's place on the vulnerable side (a secure unit's mapped there), to group the pair units
  const places: Array<{ from: number; to: number; secure: boolean; inserted: boolean }> = [];
  for (const [own, other, list, map] of sides) {
    for (const { span, guarded, check } of list) {
      const [from, to] = tokenRange(own.tokens, span.start, span.end);
      if (to === from) continue;
      const [cf, ct] = tokenRange(other.tokens, map(span.start, 'left'), map(span.end, 'right'));
      const kinds = own.tokens.kinds.slice(from, to);
      const raws = rawTokens(own, from, to);
      const generic = occursOutside(other.ids, own.ids.subarray(from, to), cf, ct);
      const secure = own === f;
      places.push({
        from: secure ? map(span.start, 'left') : span.start,
        to: secure ? map(span.end, 'right') : span.end,
        secure,
        inserted: secure && ct === cf,
      });
      units.push({
        span,
        kinds,
        raws,
        ids: own.ids.slice(from, to),
        before: own.ids.slice(Math.max(0, from - k), from).reverse(),
        after: own.ids.slice(to, to + k),
        // a guarded statement reads the same in the fix: the check before it tells them apart instead
        counter: guarded ? { ids: new Int32Array(0), raws: [] } : { ids: other.ids.slice(cf, ct), raws: rawTokens(other, cf, ct) },
        literalWords: literalWords(kinds, raws),
        generic,
        guarded,
        check,
        asWritten: generic && check && !compact(other.text).includes(raws.join('')),
        group: units.length,
      });
    }
  }
  groupUnits(units, places, pair.vulnerableCode);
  return {
    pairId: pair.id,
    language: pair.language,
    spans,
    units,
    unitTypes: new Set(units.filter((u) => !u.generic || u.asWritten).map((u) => u.span.nodeType ?? '')),
    kindIds,
  };
}

/**
 * Joins into one group each secure unit and the vulnerable units it replaced: their places on the
 * vulnerable side overlap, or the secure unit was inserted (nothing of the vulnerable side in its
 * place) and only whitespace lies between it and the vulnerable unit after it (a check and the
 * statement it guards). Groups are numbered by their first unit.
 */
function groupUnits(
  units: UnitProfile[],
  places: ReadonlyArray<{ from: number; to: number; secure: boolean; inserted: boolean }>,
  vulnerableCode: string,
): void {
  const parent = units.map((_, i) => i);
  const root = (i: number): number => {
    let r = i;
    while (parent[r] !== r) r = parent[r] as number;
    parent[i] = r;
    return r;
  };
  places.forEach((s, i) => {
    if (!s.secure) return;
    places.forEach((v, j) => {
      if (v.secure) return;
      const overlaps = s.from < v.to && v.from < s.to;
      const before = s.inserted && s.to <= v.from && vulnerableCode.slice(s.to, v.from).trim() === '';
      if (!overlaps && !before) return;
      const [a, b] = [root(i), root(j)];
      if (a !== b) parent[Math.max(a, b)] = Math.min(a, b);
    });
  });
  units.forEach((u, i) => {
    u.group = root(i);
  });
}

interface Lexed {
  text: string;
  tokens: SyntaxTokens;
  ids: Int32Array;
}

type PositionMap = (p: number, bias: 'left' | 'right') => number;

/**
 * Maps offsets of one side of a pair to the other through the text both share: `from` are the
 * ranges only this side has, `to` those only the other has. A position inside a changed range maps
 * to the change's place; `left` lands before text the other side inserted there, `right` after it.
 */
function positionMap(from: readonly TextRange[], to: readonly TextRange[]): PositionMap {
  const own = [...from].sort((a, b) => a.start - b.start);
  const other = [...to].sort((a, b) => a.start - b.start);
  const otherCommon = commonStarts(other);
  return (p, bias) => {
    let c = p;
    for (const r of own) {
      if (r.end <= p) c -= r.end - r.start;
      else if (r.start < p) c -= p - r.start;
    }
    let q = c;
    other.forEach((r, i) => {
      const oc = otherCommon[i] as number;
      if (oc < c || (oc === c && bias === 'right')) q += r.end - r.start;
    });
    return q;
  };
}

/** Tokens `[from, to)` lying inside `[start, end)`. */
function tokenRange(tokens: SyntaxTokens, start: number, end: number): [number, number] {
  const from = firstTokenAt(tokens, start);
  let to = from;
  while (to < tokens.ends.length && (tokens.ends[to] as number) <= end) to++;
  return [from, to];
}

/** Whether `needle` occurs in `hay` other than inside tokens `[skipFrom, skipTo)`. */
function occursOutside(hay: Int32Array, needle: Int32Array, skipFrom: number, skipTo: number): boolean {
  const m = needle.length;
  for (let i = 0; i + m <= hay.length; i++) {
    if (hay[i] !== needle[0] || (i >= skipFrom && i + m <= skipTo)) continue;
    let j = 1;
    while (j < m && hay[i + j] === needle[j]) j++;
    if (j === m) return true;
  }
  return false;
}

/** `text` without whitespace. */
const compact = (text: string) => text.replace(/\s+/g, '');

function rawTokens(l: Lexed, from: number, to: number): string[] {
  const out: string[] = [];
  for (let i = from; i < to; i++) out.push(l.text.slice(l.tokens.starts[i], l.tokens.ends[i]));
  return out;
}

export function literalWords(kinds: readonly string[], raws: readonly string[]): Set<string> {
  const words = new Set<string>();
  kinds.forEach((kind, i) => {
    if (kind === 'STR') for (const w of (raws[i] ?? '').toLowerCase().match(/[\p{L}\p{N}_]+/gu) ?? []) words.add(w);
  });
  return words;
}
