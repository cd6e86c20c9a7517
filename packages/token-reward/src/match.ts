import type { RepairPair, RewardSpan, TextRange } from '@srcode/dataset';
import type Parser from 'tree-sitter';
import { getLanguage } from './languages.js';
import { type PairSpanOptions, type PairSpans, pairSpans } from './pair-spans.js';
import { parseCode } from './parse.js';
import { firstTokenAt, lexTokens, type SyntaxTokens } from './lexer.js';

/** A reference unit as the matcher sees it: its normalised tokens and a little context. */
export interface UnitProfile {
  span: RewardSpan;
  kinds: string[];
  raws: string[];
  /** `kinds` as ids of the profile's `kindIds` table. */
  ids: Int32Array;
  /** Normalised tokens just before the unit, nearest first (ids). */
  before: Int32Array;
  /** Normalised tokens just after the unit, nearest first (ids). */
  after: Int32Array;
  /** The same stretch of code on the pair's other side (the fix of a vulnerable unit, or the code a secure unit replaced). */
  counter: { ids: Int32Array; raws: string[] };
  /** Lower-cased words of the unit's string literals (SQL text, format strings), compared loosely. */
  literalWords: ReadonlySet<string>;
  /**
   * The unit's normalised tokens also occur unchanged elsewhere on the other side (a `goto error;`
   * the fix added next to others): it tells the two versions apart nowhere, so matching skips it.
   */
  generic: boolean;
}

/** Everything online matching needs from a pair, computed once per pair (see `SpanCache`). */
export interface PairProfile {
  pairId: string;
  language: string;
  spans: PairSpans;
  units: UnitProfile[];
  unitTypes: ReadonlySet<string>;
  /** Ids of the token kinds the units use; other kinds map to -1 (they can match no unit token). */
  kindIds: ReadonlyMap<string, number>;
}

export interface MatchOptions {
  /**
   * Least similarity (1 - token edit distance / length) between a completion node and a reference
   * unit for the node to count as realising it.
   * @default 0.8
   */
  minSimilarity?: number;
  /**
   * Tokens of context compared on each side of a unit.
   * @default 3
   */
  contextTokens?: number;
  /**
   * Units shorter than this many tokens (generic ones like `(x)`) also need their context to match.
   * @default 6
   */
  distinctiveTokens?: number;
  /**
   * Least context similarity for units shorter than `distinctiveTokens`.
   * @default 0.5
   */
  minContextSimilarity?: number;
  /**
   * Least overlap (Jaccard) between the words of a unit's string literals and a node's, for units
   * with string literals: a format call on a message is not the format call that built a query.
   * @default 0.3
   */
  minLiteralSimilarity?: number;
  /**
   * Units longer than this many tokens must match exactly (after normalisation), which keeps the cost
   * of matching a completion linear in the size of such units.
   * @default 256
   */
  maxFuzzyTokens?: number;
  /**
   * Candidate nodes examined in one completion; beyond it matching stops (a bounded, partial result).
   * @default 200000
   */
  maxNodes?: number;
}

const CONTEXT = 3;

/** Parses both sides of a pair once and profiles its units for matching. */
export function profilePair(pair: RepairPair, options: PairSpanOptions & { contextTokens?: number } = {}): PairProfile {
  const lang = getLanguage(pair.language);
  const spans = pairSpans(pair, options);
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
  const sides: Array<[Lexed, Lexed, RewardSpan[], PositionMap]> = [
    [v, f, spans.vulnerable, toFixed],
    [f, v, spans.fixed, toVulnerable],
  ];
  for (const [own, other, list, map] of sides) {
    for (const span of list) {
      const [from, to] = tokenRange(own.tokens, span.start, span.end);
      if (to === from) continue;
      const [cf, ct] = tokenRange(other.tokens, map(span.start, 'left'), map(span.end, 'right'));
      const kinds = own.tokens.kinds.slice(from, to);
      const raws = rawTokens(own, from, to);
      units.push({
        span,
        kinds,
        raws,
        ids: own.ids.slice(from, to),
        before: own.ids.slice(Math.max(0, from - k), from).reverse(),
        after: own.ids.slice(to, to + k),
        counter: { ids: other.ids.slice(cf, ct), raws: rawTokens(other, cf, ct) },
        literalWords: literalWords(kinds, raws),
        generic: occursOutside(other.ids, own.ids.subarray(from, to), cf, ct),
      });
    }
  }
  return {
    pairId: pair.id,
    language: pair.language,
    spans,
    units,
    unitTypes: new Set(units.filter((u) => !u.generic).map((u) => u.span.nodeType ?? '')),
    kindIds,
  };
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
  let removed = 0;
  const otherCommon = other.map((r) => {
    const c = r.start - removed;
    removed += r.end - r.start;
    return c;
  });
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

function rawTokens(l: Lexed, from: number, to: number): string[] {
  const out: string[] = [];
  for (let i = from; i < to; i++) out.push(l.text.slice(l.tokens.starts[i], l.tokens.ends[i]));
  return out;
}

function literalWords(kinds: readonly string[], raws: readonly string[]): Set<string> {
  const words = new Set<string>();
  kinds.forEach((kind, i) => {
    if (kind === 'STR') for (const w of (raws[i] ?? '').toLowerCase().match(/[\p{L}\p{N}_]+/gu) ?? []) words.add(w);
  });
  return words;
}

function jaccard(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  let shared = 0;
  for (const x of a) if (b.has(x)) shared++;
  const union = a.size + b.size - shared;
  return union === 0 ? 1 : shared / union;
}

/**
 * A lower bound of the edit distance that costs two passes: tokens of one bag missing from the other.
 * `counts` is scratch space indexed by id + 1, all zero on entry and on return.
 */
function bagDistance(a: ArrayLike<number>, b: ArrayLike<number>, counts: Int32Array): number {
  for (let i = 0; i < a.length; i++) {
    const k = (a[i] as number) + 1;
    counts[k] = (counts[k] as number) + 1;
  }
  let missing = 0;
  for (let i = 0; i < b.length; i++) {
    const k = (b[i] as number) + 1;
    if ((counts[k] as number) > 0) counts[k] = (counts[k] as number) - 1;
    else missing++;
  }
  let extra = 0;
  for (let i = 0; i < a.length; i++) {
    const k = (a[i] as number) + 1;
    extra += counts[k] as number;
    counts[k] = 0;
  }
  return Math.max(missing, extra);
}

let rowA = new Int32Array(64);
let rowB = new Int32Array(64);

/**
 * Edit distance between `a` and `b`, or `max + 1` as soon as it must exceed `max` (only a band of
 * width 2 * max + 1 is computed, so unrelated sequences are rejected cheaply).
 */
export function boundedDistance(a: Int32Array, b: Int32Array, max: number): number {
  const inf = max + 1;
  if (Math.abs(a.length - b.length) > max) return inf;
  // a common prefix and suffix cost nothing: near-identical sequences leave a tiny table
  let p = 0;
  while (p < a.length && p < b.length && a[p] === b[p]) p++;
  let q = 0;
  while (q < a.length - p && q < b.length - p && a[a.length - 1 - q] === b[b.length - 1 - q]) q++;
  if (p > 0 || q > 0) {
    a = a.subarray(p, a.length - q);
    b = b.subarray(p, b.length - q);
  }
  const n = a.length;
  const m = b.length;
  if (n === 0 || m === 0) return Math.min(Math.max(n, m), inf);
  if (rowA.length <= m + 1) {
    rowA = new Int32Array(2 * (m + 1));
    rowB = new Int32Array(2 * (m + 1));
  }
  let prev = rowA;
  let cur = rowB;
  for (let j = 0; j <= m; j++) prev[j] = j <= max ? j : inf;
  for (let i = 1; i <= n; i++) {
    const lo = Math.max(1, i - max);
    const hi = Math.min(m, i + max);
    cur[0] = i <= max ? i : inf;
    if (lo > 1) cur[lo - 1] = inf;
    let rowMin = cur[0] as number;
    const ai = a[i - 1];
    for (let j = lo; j <= hi; j++) {
      let v = (prev[j - 1] as number) + (ai === b[j - 1] ? 0 : 1);
      const del = (prev[j] as number) + 1;
      const ins = (cur[j - 1] as number) + 1;
      if (del < v) v = del;
      if (ins < v) v = ins;
      if (v > inf) v = inf;
      cur[j] = v;
      if (v < rowMin) rowMin = v;
    }
    if (hi < m) cur[hi + 1] = inf;
    if (rowMin > max) return inf;
    const t = prev;
    prev = cur;
    cur = t;
  }
  return Math.min(prev[m] as number, inf);
}

/** Edit distance between two token arrays (full table: used on the few close matches only). */
export function stringDistance(a: readonly string[], b: readonly string[]): number {
  const n = a.length;
  const m = b.length;
  if (n === 0 || m === 0) return Math.max(n, m);
  let prev = new Uint32Array(m + 1);
  let cur = new Uint32Array(m + 1);
  for (let j = 0; j <= m; j++) prev[j] = j;
  for (let i = 1; i <= n; i++) {
    cur[0] = i;
    const ai = a[i - 1];
    for (let j = 1; j <= m; j++) {
      const sub = (prev[j - 1] as number) + (ai === b[j - 1] ? 0 : 1);
      cur[j] = Math.min(sub, (prev[j] as number) + 1, (cur[j - 1] as number) + 1);
    }
    [prev, cur] = [cur, prev];
  }
  return prev[m] as number;
}

interface Candidate {
  unit: UnitProfile;
  score: number;
  sim: number;
  /** Token edit distance to the unit. */
  d: number;
}

/** 1 - edit distance / longer length, over token arrays. */
export function similarity(a: readonly string[], b: readonly string[]): number {
  if (a.length === 0 && b.length === 0) return 1;
  return 1 - stringDistance(a, b) / Math.max(a.length, b.length);
}

function contextSimilarity(ref: ArrayLike<number>, got: ArrayLike<number>): number {
  if (ref.length === 0) return got.length === 0 ? 1 : 0.5;
  let same = 0;
  for (let i = 0; i < ref.length; i++) if (ref[i] === got[i]) same++;
  return same / ref.length;
}

/**
 * Finds where a completion realises the pair's units: every completion node of a unit's type whose
 * normalised tokens are close enough to the unit becomes a span of the unit's polarity, weighted by
 * the similarity. A node close to both a secure and a vulnerable unit takes the closer one (the raw
 * text breaks ties); an exact tie stays neutral. Code that does not parse is matched on the nodes
 * tree-sitter recovers.
 */
export function matchCompletion(
  profile: PairProfile,
  completion: string,
  options: MatchOptions = {},
): { spans: RewardSpan[]; truncated: boolean } {
  if (profile.unitTypes.size === 0 || completion.length === 0) return { spans: [], truncated: false };
  const lang = getLanguage(profile.language);
  const minSim = options.minSimilarity ?? 0.8;
  const k = options.contextTokens ?? CONTEXT;
  const distinctive = options.distinctiveTokens ?? 6;
  const minCtx = options.minContextSimilarity ?? 0.5;
  const maxFuzzy = options.maxFuzzyTokens ?? 256;
  const minLiteral = options.minLiteralSimilarity ?? 0.3;
  const tree = parseCode(lang, completion);
  const tokens = lexTokens(lang, completion);
  // candidate nodes in one native call; their token ranges come from the lexer's sorted starts
  const maxNodes = options.maxNodes ?? 200_000;
  const all = tree.rootNode.descendantsOfType([...profile.unitTypes]);
  const truncated = all.length > maxNodes;
  const ids = Int32Array.from(tokens.kinds, (kind) => profile.kindIds.get(kind) ?? -1);
  const byType = new Map<string, UnitProfile[]>();
  for (const unit of profile.units) {
    if (!unit.generic) byType.set(unit.span.nodeType ?? '', [...(byType.get(unit.span.nodeType ?? '') ?? []), unit]);
  }
  // first tokens of each type's units: a node starting with none of them cannot match well enough
  // to matter, so its end (a native call) is never asked for
  const firsts = new Map<string, Set<number>>();
  for (const [type, units] of byType) firsts.set(type, new Set(units.map((u) => u.ids[0] as number)));
  const nodes: Array<{ type: string; start: number; end: number; from: number; to: number }> = [];
  const startOf = startReader(all[0]);
  for (const node of truncated ? all.slice(0, maxNodes) : all) {
    const type = node.type;
    const start = startOf(node);
    const from = firstTokenAt(tokens, start);
    if (!firsts.get(type)?.has(ids[from] as number)) continue;
    const end = node.endIndex;
    let to = firstTokenAt(tokens, end);
    while (to > from && (tokens.ends[to - 1] as number) > end) to--;
    nodes.push({ type, start, end, from, to });
  }
  const found: RewardSpan[] = [];
  const bag = new Int32Array(profile.kindIds.size + 1);
  for (const node of nodes) {
    const len = node.to - node.from;
    const candidates = byType.get(node.type);
    if (len === 0 || !candidates) continue;
    const got = ids.subarray(node.from, node.to);
    let best: Candidate | undefined;
    let rivals: Candidate[] = [];
    let raws: string[] | undefined;
    const rawsOfNode = () => {
      raws ??= tokens.starts.slice(node.from, node.to).map((s, i) => completion.slice(s, tokens.ends[node.from + i]));
      return raws;
    };
    for (const unit of candidates) {
      const longer = Math.max(len, unit.ids.length);
      // long units (whole case blocks) are matched exactly, keeping the cost linear in their size
      const max = unit.ids.length > maxFuzzy ? 0 : Math.floor((1 - minSim) * longer + 1e-9);
      if (Math.abs(len - unit.ids.length) > max || bagDistance(unit.ids, got, bag) > max) continue;
      const d = boundedDistance(unit.ids, got, max);
      if (d > max) continue;
      const sim = 1 - d / longer;
      const before = ids
        .subarray(Math.max(0, node.from - k), node.from)
        .slice()
        .reverse();
      const after = ids.subarray(node.to, node.to + k);
      const ctx = (contextSimilarity(unit.before, before) + contextSimilarity(unit.after, after)) / 2;
      // a generic unit such as `(x)` must sit where the reference had it: same token just before
      if (unit.ids.length < distinctive && (ctx < minCtx || (unit.before.length > 0 && before[0] !== unit.before[0]))) continue;
      if (unit.literalWords.size > 0) {
        const words = literalWords(tokens.kinds.slice(node.from, node.to), rawsOfNode());
        if (jaccard(unit.literalWords, words) < minLiteral) continue;
      }
      const entry: Candidate = { unit, score: sim + ctx / 4, sim, d };
      rivals.push(entry);
      if (!best || entry.score > best.score) best = entry;
    }
    if (!best) continue;
    rivals = rivals.filter((r) => r.unit.span.polarity !== best?.unit.span.polarity && r.score === best?.score);
    if (rivals.length > 0) {
      // equally close to a secure and a vulnerable unit: the raw text decides, or nothing does
      const own = rawsOfNode();
      const rawSim = (u: UnitProfile) => 1 - stringDistance(u.raws, own) / Math.max(u.raws.length, own.length);
      const mine = rawSim(best.unit);
      const theirs = Math.max(...rivals.map((r) => rawSim(r.unit)));
      if (mine === theirs) continue;
      if (theirs > mine) best = rivals.find((r) => rawSim(r.unit) === theirs) ?? best;
    }
    // closer to the other side's version of the same code (a fix of this vulnerable unit, or the code
    // this secure unit replaced): not a realisation of this unit
    const counter = best.unit.counter;
    if (counter.ids.length > 0) {
      const dc = boundedDistance(counter.ids, got, best.d);
      if (dc < best.d) continue;
      if (dc === best.d) {
        const own = rawsOfNode();
        if (stringDistance(counter.raws, own) <= stringDistance(best.unit.raws, own)) continue;
      }
    }
    found.push({
      start: node.start,
      end: node.end,
      polarity: best.unit.span.polarity,
      weight: Math.round(best.unit.span.weight * best.sim * 1e6) / 1e6,
      source: 'match',
      nodeType: node.type,
    });
  }
  if (tree.rootNode.hasError) {
    // only where the parser gave up: elsewhere the structural pass has already seen every unit
    const root = tree.rootNode;
    const errors = root.type === 'ERROR' ? [root] : root.descendantsOfType('ERROR');
    const regions = errors.map((e) => [e.startIndex, e.endIndex] as const);
    found.push(...alignTokens(profile, tokens, completion, found, regions, { minSim, distinctive, maxFuzzy }));
  }
  return { spans: dropNested(found), truncated };
}

/**
 * For code that does not parse, where tree-sitter may recover a call as something else: slides each
 * distinctive unit over the token stream and keeps windows similar enough, outside spans already
 * found. Names compare loosely here: a unit's API name matches the same identifier whatever the
 * parser made of it, and any other name matches any identifier.
 */
function alignTokens(
  profile: PairProfile,
  tokens: SyntaxTokens,
  text: string,
  found: readonly RewardSpan[],
  regions: ReadonlyArray<readonly [number, number]>,
  limits: { minSim: number; distinctive: number; maxFuzzy: number },
): RewardSpan[] {
  const { minSim, distinctive, maxFuzzy } = limits;
  const inRegion = new Uint8Array(tokens.kinds.length);
  for (const [s, e] of regions) {
    for (let t = firstTokenAt(tokens, s); t < tokens.kinds.length && (tokens.starts[t] as number) < e; t++) inRegion[t] = 1;
  }
  const out: RewardSpan[] = [];
  const n = tokens.kinds.length;
  const anyName = profile.kindIds.get('ID') ?? -1;
  const loose = new Int32Array(n);
  for (let t = 0; t < n; t++) {
    const kind = tokens.kinds[t] as string;
    loose[t] =
      kind === 'ID' || kind.startsWith('name:')
        ? (profile.kindIds.get(`name:${text.slice(tokens.starts[t], tokens.ends[t])}`) ?? anyName)
        : (profile.kindIds.get(kind) ?? -1);
  }
  const units = profile.units.filter(
    (u) => !u.generic && (u.ids.length >= distinctive || u.kinds.some((kind) => kind.startsWith('name:'))),
  );
  const covered = new Uint8Array(n > 0 ? (tokens.ends[n - 1] as number) : 0);
  for (const f of found) covered.fill(1, f.start, f.end);
  const taken = (s: number, e: number) => {
    for (let c = s; c < e; c++) if (covered[c]) return true;
    return false;
  };
  for (let i = 0; i < n; i++) {
    if (!inRegion[i]) continue;
    let best: { unit: UnitProfile; sim: number; m: number } | undefined;
    for (const unit of units) {
      const m = unit.ids.length;
      if (i + m > n || loose[i] !== unit.ids[0]) continue;
      const max = m > maxFuzzy ? 0 : Math.floor((1 - minSim) * m + 1e-9);
      const d = boundedDistance(unit.ids, loose.subarray(i, i + m), max);
      if (d > max) continue;
      const sim = 1 - d / m;
      if (!best || sim > best.sim) best = { unit, sim, m };
    }
    if (!best) continue;
    const start = tokens.starts[i] as number;
    const end = tokens.ends[i + best.m - 1] as number;
    if (taken(start, end)) continue;
    covered.fill(1, start, end);
    out.push({
      start,
      end,
      polarity: best.unit.span.polarity,
      weight: Math.round(best.unit.span.weight * best.sim * 1e6) / 1e6,
      source: 'match',
      nodeType: best.unit.span.nodeType ?? 'tokens',
    });
    i += best.m - 1;
  }
  return out;
}

/**
 * How to read a node's start offset. The native binding (tree-sitter 0.22) already copied the start,
 * in bytes of UTF-16, into the node's transfer fields; reading it there saves a native call per
 * candidate. The layout is checked on a real node and the public getter is used when it differs.
 */
function startReader(sample: Parser.SyntaxNode | undefined): (node: Parser.SyntaxNode) => number {
  const field = (node: Parser.SyntaxNode) => (node as unknown as Record<number, unknown>)[2];
  const fast = (node: Parser.SyntaxNode) => (field(node) as number) >>> 1;
  if (sample && typeof field(sample) === 'number' && fast(sample) === sample.startIndex) return fast;
  return (node) => node.startIndex;
}

/** Drops spans lying inside a span of the same polarity, and duplicates. */
function dropNested(spans: RewardSpan[]): RewardSpan[] {
  const sorted = [...spans].sort((a, b) => a.start - b.start || b.end - a.end);
  const out: RewardSpan[] = [];
  // sorted by start, so a kept span of the same polarity contains `s` exactly when it reaches its end
  const reach = { secure: -1, vulnerable: -1 };
  for (const s of sorted) {
    if (reach[s.polarity] >= s.end) continue;
    reach[s.polarity] = s.end;
    out.push(s);
  }
  return out;
}
