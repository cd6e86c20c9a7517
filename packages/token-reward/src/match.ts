import type { RepairPair, RewardSpan } from '@srcode/dataset';
import { getLanguage } from './languages.js';
import { type PairSpanOptions, type PairSpans, pairSpans } from './pair-spans.js';
import { parseCode } from './parse.js';
import { syntaxTokens } from './syntax.js';

/** A reference unit as the matcher sees it: its normalised tokens and a little context. */
export interface UnitProfile {
  span: RewardSpan;
  kinds: string[];
  raws: string[];
  /** Normalised tokens just before the unit, nearest first. */
  before: string[];
  /** Normalised tokens just after the unit, nearest first. */
  after: string[];
}

/** Everything online matching needs from a pair, computed once per pair (see `SpanCache`). */
export interface PairProfile {
  pairId: string;
  language: string;
  spans: PairSpans;
  units: UnitProfile[];
  unitTypes: ReadonlySet<string>;
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
  const sides: Array<[string, RewardSpan[]]> = [
    [pair.vulnerableCode, spans.vulnerable],
    [pair.fixedCode, spans.fixed],
  ];
  for (const [text, list] of sides) {
    if (list.length === 0) continue;
    const { tokens } = syntaxTokens(lang, parseCode(lang, text), text);
    for (const span of list) {
      let from = 0;
      while (from < tokens.starts.length && (tokens.starts[from] as number) < span.start) from++;
      let to = from;
      while (to < tokens.ends.length && (tokens.ends[to] as number) <= span.end) to++;
      if (to === from) continue;
      units.push({
        span,
        kinds: tokens.kinds.slice(from, to),
        raws: tokens.raws.slice(from, to),
        before: tokens.kinds.slice(Math.max(0, from - k), from).reverse(),
        after: tokens.kinds.slice(to, to + k),
      });
    }
  }
  return { pairId: pair.id, language: pair.language, spans, units, unitTypes: new Set(units.map((u) => u.span.nodeType ?? '')) };
}

/** 1 - edit distance / longer length, over token arrays (`eq` compares positions, exact by default). */
export function similarity(
  a: readonly string[],
  b: readonly string[],
  eq: (i: number, j: number) => boolean = (i, j) => a[i] === b[j],
): number {
  const n = a.length;
  const m = b.length;
  if (n === 0 && m === 0) return 1;
  if (n === 0 || m === 0) return 0;
  let prev = new Uint32Array(m + 1);
  let cur = new Uint32Array(m + 1);
  for (let j = 0; j <= m; j++) prev[j] = j;
  for (let i = 1; i <= n; i++) {
    cur[0] = i;
    for (let j = 1; j <= m; j++) {
      const sub = (prev[j - 1] as number) + (eq(i - 1, j - 1) ? 0 : 1);
      cur[j] = Math.min(sub, (prev[j] as number) + 1, (cur[j - 1] as number) + 1);
    }
    [prev, cur] = [cur, prev];
  }
  return 1 - (prev[m] as number) / Math.max(n, m);
}

function contextSimilarity(ref: readonly string[], got: readonly string[]): number {
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
  if (profile.units.length === 0 || completion.length === 0) return { spans: [], truncated: false };
  const lang = getLanguage(profile.language);
  const minSim = options.minSimilarity ?? 0.8;
  const k = options.contextTokens ?? CONTEXT;
  const distinctive = options.distinctiveTokens ?? 6;
  const minCtx = options.minContextSimilarity ?? 0.5;
  const tree = parseCode(lang, completion);
  const { tokens, nodes, truncated } = syntaxTokens(lang, tree, completion, profile.unitTypes, options.maxNodes ?? 200_000);
  const found: RewardSpan[] = [];
  for (const node of nodes) {
    const kinds = tokens.kinds.slice(node.from, node.to);
    if (kinds.length === 0) continue;
    let best: { unit: UnitProfile; score: number; sim: number } | undefined;
    let tie = false;
    for (const unit of profile.units) {
      if (unit.span.nodeType !== node.type) continue;
      const lo = Math.min(kinds.length, unit.kinds.length);
      const hi = Math.max(kinds.length, unit.kinds.length);
      if (lo / hi < minSim) continue;
      const sim = similarity(unit.kinds, kinds);
      if (sim < minSim) continue;
      const before = tokens.kinds.slice(Math.max(0, node.from - k), node.from).reverse();
      const after = tokens.kinds.slice(node.to, node.to + k);
      const ctx = (contextSimilarity(unit.before, before) + contextSimilarity(unit.after, after)) / 2;
      if (unit.kinds.length < distinctive && ctx < minCtx) continue;
      const raw = similarity(unit.raws, tokens.raws.slice(node.from, node.to));
      const score = sim + ctx / 4 + raw / 16;
      if (!best || score > best.score) {
        best = { unit, score, sim };
        tie = false;
      } else if (score === best.score && unit.span.polarity !== best.unit.span.polarity) {
        tie = true;
      }
    }
    if (!best || tie) continue;
    found.push({
      start: node.start,
      end: node.end,
      polarity: best.unit.span.polarity,
      weight: Math.round(best.unit.span.weight * best.sim * 1e6) / 1e6,
      source: 'match',
      nodeType: node.type,
    });
  }
  if (tree.rootNode.hasError) found.push(...alignTokens(profile, tokens, found, minSim, distinctive));
  return { spans: dropNested(found), truncated };
}

/** Whether completion token `c` can stand for unit token `u`: API names must agree, other names need not. */
function looseEqual(uKind: string, uRaw: string, cKind: string, cRaw: string): boolean {
  const cName = cKind === 'ID' || cKind.startsWith('name:');
  if (uKind.startsWith('name:')) return cName && cRaw === uRaw;
  if (uKind === 'ID') return cName;
  return uKind === cKind;
}

/**
 * For code that does not parse, where tree-sitter may recover a call as something else: slides each
 * distinctive unit over the token stream and keeps windows similar enough, outside spans already found.
 */
function alignTokens(
  profile: PairProfile,
  tokens: ReturnType<typeof syntaxTokens>['tokens'],
  found: readonly RewardSpan[],
  minSim: number,
  distinctive: number,
): RewardSpan[] {
  const out: RewardSpan[] = [];
  const n = tokens.kinds.length;
  const covered = new Uint8Array(n > 0 ? (tokens.ends[n - 1] as number) : 0);
  for (const f of found) covered.fill(1, f.start, f.end);
  const taken = (s: number, e: number) => {
    for (let c = s; c < e; c++) if (covered[c]) return true;
    return false;
  };
  for (let i = 0; i < n; i++) {
    let best: { unit: UnitProfile; sim: number; m: number } | undefined;
    for (const unit of profile.units) {
      const m = unit.kinds.length;
      if (i + m > n || (m < distinctive && !unit.kinds.some((k) => k.startsWith('name:')))) continue;
      if (!looseEqual(unit.kinds[0] as string, unit.raws[0] as string, tokens.kinds[i] as string, tokens.raws[i] as string)) continue;
      const sim = similarity(unit.kinds, tokens.kinds.slice(i, i + m), (a, b) =>
        looseEqual(unit.kinds[a] as string, unit.raws[a] as string, tokens.kinds[i + b] as string, tokens.raws[i + b] as string),
      );
      if (sim >= minSim && (!best || sim > best.sim)) best = { unit, sim, m };
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
