import type { RewardSpan } from '@srcode/dataset';
import { parse, type SyntaxNode } from '@srcode/syntax';
import { bagDistance, boundedDistance, contextSimilarity, jaccard, similarity, stringDistance } from './distance.js';
import { languageOf } from './languages.js';
import { firstTokenAt, lexTokens, type SyntaxTokens } from './lexer.js';
import { CONTEXT, literalWords, type PairProfile, type UnitProfile } from './profile.js';

/** Thresholds of online matching: how close a completion node must be to a reference unit. */
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

interface Candidate {
  unit: UnitProfile;
  score: number;
  sim: number;
  /** Token edit distance to the unit. */
  d: number;
}

/**
 * Finds where a completion realises the pair's units: every completion node of a unit's type whose
 * normalised tokens are close enough to the unit becomes a span of the unit's polarity, weighted by
 * the similarity. A node close to both a secure and a vulnerable unit takes the closer one (the raw
 * text breaks ties); an exact tie stays neutral. A statement the fix protected with an inserted
 * check is penalised unless a match of that check precedes it in the same function. A completion
 * cut off after a unit is compared on the context it has. Code that does not parse is matched on
 * the nodes tree-sitter recovers.
 */
export function matchCompletion(
  profile: PairProfile,
  completion: string,
  options: MatchOptions = {},
): {
  /** Spans on `completion` (source `match`), sorted by start. */
  spans: RewardSpan[];
  /** Matching stopped at `maxNodes`: `spans` is partial. */
  truncated: boolean;
} {
  if (profile.unitTypes.size === 0 || completion.length === 0) return { spans: [], truncated: false };
  const lang = languageOf(profile.language);
  const minSim = options.minSimilarity ?? 0.8;
  // profiles keep CONTEXT tokens each side: compare the k nearest (or all the reference has)
  const k = Math.max(0, Math.floor(options.contextTokens ?? CONTEXT));
  const distinctive = options.distinctiveTokens ?? 6;
  const minCtx = options.minContextSimilarity ?? 0.5;
  const maxFuzzy = options.maxFuzzyTokens ?? 256;
  const minLiteral = options.minLiteralSimilarity ?? 0.3;
  const tree = parse(completion, profile.language);
  const tokens = lexTokens(lang, completion);
  // candidate nodes in one native call; their token ranges come from the lexer's sorted starts
  const maxNodes = options.maxNodes ?? 200_000;
  // ERROR nodes come in the same walk: where the parser gave up, tokens are aligned instead
  const hasError = tree.rootNode.hasError;
  const all = tree.rootNode.descendantsOfType(hasError ? [...profile.unitTypes, 'ERROR'] : [...profile.unitTypes]);
  const errors: Array<readonly [number, number]> = [];
  const truncated = all.length > maxNodes;
  // a plain loop: Int32Array.from with a mapping function goes through the iterator protocol, ten times slower
  const ids = new Int32Array(tokens.kinds.length);
  for (let t = 0; t < ids.length; t++) ids[t] = profile.kindIds.get(tokens.kinds[t] as string) ?? -1;
  const byType = new Map<string, UnitProfile[]>();
  for (const unit of profile.units) {
    if (unit.generic && !unit.asWritten) continue;
    const type = unit.span.nodeType ?? '';
    const list = byType.get(type);
    if (list) list.push(unit);
    else byType.set(type, [unit]);
  }
  // first tokens of each type's units: a node starting with none of them cannot match well enough
  // to matter, so its end (a native call) is never asked for
  const firsts = new Map<string, Set<number>>();
  for (const [type, units] of byType) firsts.set(type, new Set(units.map((u) => u.ids[0] as number)));
  const nodes: Array<{ type: string; start: number; end: number; from: number; to: number }> = [];
  const startOf = startReader(all[0]);
  for (const node of truncated ? all.slice(0, maxNodes) : all) {
    const type = typeOf(node);
    if (type === 'ERROR') {
      errors.push([node.startIndex, node.endIndex]);
      continue;
    }
    const start = startOf(node);
    const from = firstTokenAt(tokens, start);
    if (!firsts.get(type)?.has(ids[from] as number)) continue;
    const end = node.endIndex;
    let to = firstTokenAt(tokens, end);
    while (to > from && (tokens.ends[to - 1] as number) > end) to--;
    nodes.push({ type, start, end, from, to });
  }
  const found: RewardSpan[] = [];
  // matches of statements the fix guarded: kept only where no check of the fix comes before them
  const guarded = new Set<RewardSpan>();
  const checks: RewardSpan[] = [];
  const bag = new Int32Array(profile.kindIds.size + 1);
  for (const node of nodes) {
    const len = node.to - node.from;
    const candidates = byType.get(node.type);
    if (len === 0 || !candidates) continue;
    const got = ids.subarray(node.from, node.to);
    let best: Candidate | undefined;
    let rivals: Candidate[] = [];
    let raws: string[] | undefined;
    // the node's context, nearest token first: read once, for the first unit that gets this far
    let before: Int32Array | undefined;
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
      if (d > max || (unit.asWritten && (d > 0 || stringDistance(unit.raws, rawsOfNode()) > 0))) continue;
      const sim = 1 - d / longer;
      before ??= ids
        .subarray(Math.max(0, node.from - k), node.from)
        .slice()
        .reverse();
      const after = ids.subarray(node.to, node.to + k);
      const refBefore = unit.before.subarray(0, k);
      const refAfter = unit.after.subarray(0, k);
      // a completion cut off after the node (a token limit) could not write the context there: what
      // it lacks is taken as the reference's, what it has must agree
      const afterSim =
        after.length >= refAfter.length
          ? contextSimilarity(refAfter, after)
          : (contextSimilarity(refAfter.subarray(0, after.length), after) * after.length + refAfter.length - after.length) /
            refAfter.length;
      const ctx = (contextSimilarity(refBefore, before) + afterSim) / 2;
      // a generic unit such as `(x)` must sit where the reference had it: same token just before
      if ((unit.ids.length < distinctive || unit.asWritten) && (ctx < minCtx || (refBefore.length > 0 && before[0] !== refBefore[0])))
        continue;
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
      const rawSim = (u: UnitProfile) => similarity(u.raws, own);
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
    const span: RewardSpan = {
      start: node.start,
      end: node.end,
      polarity: best.unit.span.polarity,
      weight: matchedWeight(best.unit, best.sim),
      source: 'match',
      nodeType: node.type,
    };
    found.push(span);
    if (best.unit.guarded) guarded.add(span);
    if (best.unit.check) checks.push(span);
  }
  if (guarded.size > 0) dropGuarded(found, guarded, checks, (at) => functionStart(tree.rootNode, at, lang.spec.functionTypes));
  if (hasError) {
    // only where the parser gave up: elsewhere the structural pass has already seen every unit
    found.push(...alignTokens(profile, tokens, completion, found, errors, { minSim, distinctive, maxFuzzy }));
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
  const units = profile.units.filter(
    (u) => !u.generic && (u.ids.length >= distinctive || u.kinds.some((kind) => kind.startsWith('name:'))),
  );
  // loose ids only where a window starting in a region can reach
  const reach = units.reduce((m, u) => Math.max(m, u.ids.length), 0);
  const loose = new Int32Array(n).fill(-1);
  for (let t = 0, until = -1; t < n; t++) {
    if (inRegion[t]) until = t + reach;
    if (t >= until) continue;
    const kind = tokens.kinds[t] as string;
    loose[t] =
      kind === 'ID' || kind.startsWith('name:')
        ? (profile.kindIds.get(`name:${text.slice(tokens.starts[t], tokens.ends[t])}`) ?? anyName)
        : (profile.kindIds.get(kind) ?? -1);
  }
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
      weight: matchedWeight(best.unit, best.sim),
      source: 'match',
      nodeType: best.unit.span.nodeType ?? 'tokens',
    });
    i += best.m - 1;
  }
  return out;
}

/**
 * Drops the matches of guarded statements that a matched check precedes inside the same function
 * (or anywhere before, outside functions): the completion protects them as the fix did.
 */
function dropGuarded(
  found: RewardSpan[],
  guarded: ReadonlySet<RewardSpan>,
  checks: readonly RewardSpan[],
  scope: (at: number) => number,
): void {
  for (let i = found.length - 1; i >= 0; i--) {
    const s = found[i] as RewardSpan;
    if (!guarded.has(s)) continue;
    const from = scope(s.start);
    if (checks.some((c) => c.end <= s.start && c.start >= from)) found.splice(i, 1);
  }
}

/** Start of the innermost function holding offset `at`, or 0 outside functions. */
function functionStart(root: SyntaxNode, at: number, functionTypes: readonly string[]): number {
  for (let node: SyntaxNode | null = root.descendantForIndex(at, at); node; node = node.parent) {
    if (functionTypes.includes(node.type)) return node.startIndex;
  }
  return 0;
}

/** A unit's weight scaled by how closely it was matched, rounded to 6 decimals. */
function matchedWeight(unit: UnitProfile, sim: number): number {
  return Math.round(unit.span.weight * sim * 1e6) / 1e6;
}

/**
 * How to read a node's start offset. The native binding (tree-sitter 0.22) already copied the start,
 * in bytes of UTF-16, into the node's transfer fields; reading it there saves a native call per
 * candidate. The layout is checked on a real node and the public getter is used when it differs.
 */
/**
 * A node's type. The native binding (tree-sitter 0.22) gives each named node type of a grammar its
 * own subclass, so the type is read from the binding for the first nodes of a subclass and then
 * remembered; nodes of the base class (ERROR and anonymous types), or of a subclass seen with two
 * types, always ask the binding.
 */
function typeOf(node: SyntaxNode): string {
  const cls = node.constructor;
  const known = typeByClass.get(cls);
  if (known !== undefined && known.seen >= 2) return known.type ?? node.type;
  const type = node.type;
  if (known === undefined) {
    const subclass = Object.getPrototypeOf(cls.prototype) !== Object.prototype;
    typeByClass.set(cls, { type: subclass ? type : undefined, seen: 1 });
  } else {
    if (known.type !== type) known.type = undefined;
    known.seen++;
  }
  return type;
}

const typeByClass = new WeakMap<object, { type: string | undefined; seen: number }>();

function startReader(sample: SyntaxNode | undefined): (node: SyntaxNode) => number {
  const field = (node: SyntaxNode) => (node as unknown as Record<number, unknown>)[2];
  const fast = (node: SyntaxNode) => (field(node) as number) >>> 1;
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
