import type { RewardSpan } from '@srcode/dataset';
import { parse, type SyntaxNode } from '@srcode/syntax';
import { bagDistance, boundedDistance, contextSimilarity, jaccard, similarity, stringDistance } from './distance.js';
import { languageOf } from './languages.js';
import { firstTokenAt, lexTokens, type SyntaxTokens } from './lexer.js';
import { CONTEXT, literalWords, type PairProfile, type UnitProfile } from './profile.js';
import { typeOf } from './node-type.js';
import { deadMarksOf, unreachable } from './reach.js';

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
   * Least context similarity for units with neither an API name nor a string literal (`(a->b & FLAG)`,
   * `i < n`) to match on their own: only their place tells them from code of the same shape in other
   * functions. Below it, or without the reference's token just before them, they match only in a
   * function where a unit with an API name or a string matched too. (Units with API names need a
   * node that calls one of them: a call of another function in the same shape is not the unit.)
   * @default 0.75
   */
  minAnchorlessContextSimilarity?: number;
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
   * Candidate nodes examined in one completion (nodes of a unit's type starting where the tokens
   * leave a unit within reach); beyond it matching stops (a bounded, partial result).
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
  /** An anchorless unit matched out of its reference's context. */
  weak: boolean;
}

/**
 * Finds where a completion realises the pair's units: every completion node of a unit's type whose
 * normalised tokens are close enough to the unit becomes a span of the unit's polarity, weighted by
 * the similarity. A node close to both a secure and a vulnerable unit takes the closer one (the raw
 * text breaks ties); an exact tie stays neutral. A statement the fix protected with an inserted
 * check is penalised unless a match of that check precedes it in the same function. A completion
 * cut off after a unit is compared on the context it has. Code that does not parse is matched on
 * the nodes tree-sitter recovers.
 *
 * Each pair unit earns its positive credit once per completion: where several nodes realise the same
 * secure unit (the fix written twice, a renamed copy, a call repeated), only the closest is credited
 * (the first among equals) and the others get no span; a node that is also close to another secure
 * unit no closer node took is credited for that one instead. Secure code the completion can never
 * run (after a `return`, `break`, `continue`, `goto` or `raise` in the same block, in the body of
 * `if (0)`, `while (false)`, `if False:` or `#if 0`) earns nothing. Penalties stay per instance:
 * every vulnerable node is penalised.
 */
export function matchCompletion(
  profile: PairProfile,
  completion: string,
  options: MatchOptions = {},
): {
  /** Spans on `completion` (source `match`), sorted by start. */
  spans: RewardSpan[];
  /**
   * For each span, the index in `profile.units` of the pair unit it realises. A secure unit's index
   * occurs at most once; a vulnerable unit's once per instance.
   */
  units: number[];
  /** Matching stopped at `maxNodes`: `spans` is partial. */
  truncated: boolean;
} {
  if (profile.unitTypes.size === 0 || completion.length === 0) return { spans: [], units: [], truncated: false };
  const lang = languageOf(profile.language);
  const minSim = options.minSimilarity ?? 0.8;
  // profiles keep CONTEXT tokens each side: compare the k nearest (or all the reference has)
  const k = Math.max(0, Math.floor(options.contextTokens ?? CONTEXT));
  const distinctive = options.distinctiveTokens ?? 6;
  const minCtx = options.minContextSimilarity ?? 0.5;
  const minAnchorlessCtx = options.minAnchorlessContextSimilarity ?? 0.75;
  const maxFuzzy = options.maxFuzzyTokens ?? 256;
  const minLiteral = options.minLiteralSimilarity ?? 0.3;
  const tree = parse(completion, profile.language);
  const tokens = lexTokens(lang, completion);
  const maxNodes = options.maxNodes ?? 200_000;
  const hasError = tree.rootNode.hasError;
  // a plain loop: Int32Array.from with a mapping function goes through the iterator protocol, ten times slower
  const ids = new Int32Array(tokens.kinds.length);
  for (let t = 0; t < ids.length; t++) ids[t] = profile.kindIds.get(tokens.kinds[t] as string) ?? -1;
  const plan = planOf(profile);
  const { byType, firsts } = plan;
  const bag = new Int32Array(profile.kindIds.size + 1);
  const used = new Uint16Array(profile.kindIds.size + 1);
  // where a node could start that realises a unit, from the tokens alone: only the nodes starting
  // at these places are read off the tree, the rest of the completion costs its parse and lexing only
  const open = matchableStarts(plan, ids, used, { k, minSim, maxFuzzy, distinctive });
  const at: number[] = [];
  for (let t = 0; t < open.length; t++) if (open[t]) at.push(t);
  const errors: Array<readonly [number, number]> = [];
  const nodes: Array<{ type: string; start: number; end: number; from: number; to: number }> = [];
  let truncated = false;
  // where the parser gave up, tokens are aligned instead
  if (hasError) errorRanges(tree.rootNode, errors);
  // the nodes starting at each open token, outermost first (the order of a full walk), read with one
  // tree cursor that climbs from the last place only as far as it must (no node objects are made)
  const cursor = tree.walk();
  for (const from of at) {
    if (truncated) break;
    const start = tokens.starts[from] as number;
    // up to the innermost node holding the place (places ascend, so the climb is short)
    while (cursor.startIndex > start || cursor.endIndex <= start) if (!cursor.gotoParent()) break;
    for (;;) {
      const s = cursor.startIndex;
      if (s > start) break;
      if (s === start) {
        const type = cursor.nodeType;
        if (firsts.get(type)?.has(ids[from] as number)) {
          if (nodes.length >= maxNodes) {
            truncated = true;
            break;
          }
          const end = cursor.endIndex;
          let to = firstTokenAt(tokens, end);
          while (to > from && (tokens.ends[to - 1] as number) > end) to--;
          nodes.push({ type, start, end, from, to });
        }
      }
      if (!movedDown(cursor.gotoFirstChildForIndex(start))) break;
    }
  }
  const found: RewardSpan[] = [];
  // the unit each span realises, and for secure spans the other secure units the node is close to
  const credit = new Map<RewardSpan, Credit>();
  // matches of statements the fix guarded: kept only where no check of the fix comes before them
  const guarded = new Set<RewardSpan>();
  const checks: RewardSpan[] = [];
  // matches of anchorless units away from their reference's context
  const weak = new Set<RewardSpan>();
  for (const node of nodes) {
    const len = node.to - node.from;
    const candidates = byType.get(node.type);
    if (len === 0 || !candidates) continue;
    const got = ids.subarray(node.from, node.to);
    let best: Candidate | undefined;
    const passed: Candidate[] = [];
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
      const sameBefore = refBefore.length === 0 || before[0] === refBefore[0];
      if ((unit.ids.length < distinctive || unit.asWritten) && (ctx < minCtx || !sameBefore)) continue;
      if (!sameBefore && plan.callees.has(unit)) continue;
      // a unit nothing in its tokens anchors, out of its reference's place: kept only beside an anchored match
      const weak = plan.anchorless.has(unit) && (ctx < minAnchorlessCtx || !sameBefore);
      const names = plan.names.get(unit);
      if (names && !names.some((id) => got.includes(id))) continue;
      if (unit.literalWords.size > 0) {
        const words = literalWords(tokens.kinds.slice(node.from, node.to), rawsOfNode());
        if (jaccard(unit.literalWords, words) < minLiteral) continue;
      }
      const entry: Candidate = { unit, score: sim + ctx / 4, sim, d, weak };
      passed.push(entry);
      if (!best || entry.score > best.score) best = entry;
    }
    if (!best) continue;
    const rivals = passed.filter((r) => r.unit.span.polarity !== best?.unit.span.polarity && r.score === best?.score);
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
    const closerToCounter = (c: Candidate) => {
      const counter = c.unit.counter;
      if (counter.ids.length === 0) return false;
      const dc = boundedDistance(counter.ids, got, c.d);
      if (dc !== c.d) return dc < c.d;
      const own = rawsOfNode();
      return stringDistance(counter.raws, own) <= stringDistance(c.unit.raws, own);
    };
    if (closerToCounter(best)) continue;
    const chosen = best;
    const span: RewardSpan = {
      start: node.start,
      end: node.end,
      polarity: best.unit.span.polarity,
      weight: matchedWeight(best.unit, best.sim),
      source: 'match',
      nodeType: node.type,
    };
    found.push(span);
    // the other secure units the node is close to, worked out only where two instances claim one unit
    const alts =
      best.unit.span.polarity === 'secure' && passed.length > 1
        ? () =>
            passed
              .filter((c) => c !== chosen && c.unit.span.polarity === 'secure' && !closerToCounter(c))
              .map((c) => ({ unit: plan.index.get(c.unit) as number, score: c.score, weight: matchedWeight(c.unit, c.sim) }))
        : noAlts;
    credit.set(span, { unit: plan.index.get(best.unit) as number, score: best.score, alts });
    if (best.weak) weak.add(span);
    if (best.unit.guarded) guarded.add(span);
    if (best.unit.check) checks.push(span);
  }
  if (weak.size > 0) dropWeak(found, weak, guarded, (at) => functionAt(tree.rootNode, at, lang.spec.functionTypes));
  if (guarded.size > 0) dropGuarded(found, guarded, checks, (at) => functionAt(tree.rootNode, at, lang.spec.functionTypes)[0]);
  if (errors.length > 0) {
    // only where the parser gave up: elsewhere the structural pass has already seen every unit
    for (const { span, unit, sim } of alignTokens(profile, tokens, completion, found, errors, { minSim, distinctive, maxFuzzy })) {
      found.push(span);
      credit.set(span, { unit: plan.index.get(unit) as number, score: sim, alts: noAlts });
    }
  }
  const kept = dropNested(found);
  const marks = kept.some((s) => s.polarity === 'secure') ? deadMarksOf(tokens, completion, kept) : undefined;
  const live = marks ? (s: RewardSpan) => !unreachable(tree.rootNode, s, lang.spec, marks) : () => true;
  return { ...creditOnce(kept, credit, live), truncated };
}

/** The unit a span realises, how closely, and (secure spans) the other secure units it is close to. */
interface Credit {
  unit: number;
  score: number;
  alts: () => Array<{ unit: number; score: number; weight: number }>;
}

const noAlts = () => [];

/**
 * Gives each secure unit its credit once: instances are taken closest first (the earliest among
 * equals), each credited as the closest of its units no earlier instance took, or dropped. Crediting
 * one instance in full rather than splitting the credit among them keeps the total of a repeated
 * unit at one instance's under every normalisation (`max-abs` would scale split shares back up).
 * Secure spans `live` rejects (code that never runs) are dropped first, so they take no credit from
 * a live instance. Vulnerable spans are all kept.
 */
function creditOnce(
  spans: readonly RewardSpan[],
  credit: ReadonlyMap<RewardSpan, Credit>,
  live: (span: RewardSpan) => boolean,
): { spans: RewardSpan[]; units: number[] } {
  const claims: Array<{ at: number; unit: number; score: number; weight: number }> = [];
  const first = new Set<number>();
  let shared = false;
  spans.forEach((s, at) => {
    if (s.polarity !== 'secure' || !live(s)) return;
    const c = credit.get(s) as Credit;
    claims.push({ at, unit: c.unit, score: c.score, weight: s.weight });
    if (first.has(c.unit)) shared = true;
    first.add(c.unit);
  });
  // no unit claimed twice: every instance keeps its own unit
  if (shared) {
    for (const { at } of [...claims]) for (const a of (credit.get(spans[at] as RewardSpan) as Credit).alts()) claims.push({ at, ...a });
  }
  claims.sort((a, b) => b.score - a.score || a.at - b.at);
  const taken = new Set<number>();
  const given = new Map<number, { unit: number; weight: number }>();
  for (const c of claims) {
    if (given.has(c.at) || taken.has(c.unit)) continue;
    taken.add(c.unit);
    given.set(c.at, c);
  }
  const out: RewardSpan[] = [];
  const units: number[] = [];
  spans.forEach((s, at) => {
    if (s.polarity === 'secure') {
      const g = given.get(at);
      if (!g) return;
      out.push(g.weight === s.weight ? s : { ...s, weight: g.weight });
      units.push(g.unit);
    } else {
      out.push(s);
      units.push((credit.get(s) as Credit).unit);
    }
  });
  return { spans: out, units };
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
): Array<{ span: RewardSpan; unit: UnitProfile; sim: number }> {
  const { minSim, distinctive, maxFuzzy } = limits;
  const inRegion = new Uint8Array(tokens.kinds.length);
  for (const [s, e] of regions) {
    for (let t = firstTokenAt(tokens, s); t < tokens.kinds.length && (tokens.starts[t] as number) < e; t++) inRegion[t] = 1;
  }
  const out: Array<{ span: RewardSpan; unit: UnitProfile; sim: number }> = [];
  const n = tokens.kinds.length;
  const anyName = profile.kindIds.get('ID') ?? -1;
  const units = alignUnits(profile, distinctive);
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
      span: {
        start,
        end,
        polarity: best.unit.span.polarity,
        weight: matchedWeight(best.unit, best.sim),
        source: 'match',
        nodeType: best.unit.span.nodeType ?? 'tokens',
      },
      unit: best.unit,
      sim: best.sim,
    });
    i += best.m - 1;
  }
  return out;
}

/** The units token alignment slides: distinctive ones, or ones that name an API. */
function alignUnits(profile: PairProfile, distinctive: number): UnitProfile[] {
  return profile.units.filter((u) => !u.generic && (u.ids.length >= distinctive || u.kinds.some((kind) => kind.startsWith('name:'))));
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

/**
 * Drops the weak matches (anchorless units out of their reference's context) that share their
 * function with no other match of the pair of the same polarity: a condition of the same shape in
 * another function of the completion is other code; beside a match of the same side's API calls or
 * strings, it is that side of the pair's function rewritten. A statement the fix guarded anchors
 * the secure side as well: the check written before it is the fix's.
 */
function dropWeak(
  found: RewardSpan[],
  weak: ReadonlySet<RewardSpan>,
  guarded: ReadonlySet<RewardSpan>,
  scope: (at: number) => readonly [number, number],
): void {
  // the weak spans' functions first: only spans inside one of them can anchor (the tree is asked
  // for no other span's function), unless some weak span lies outside functions
  const own = new Map<RewardSpan, readonly [number, number]>();
  for (const s of weak) own.set(s, scope(s.start));
  const ranges = [...own.values()];
  const anywhere = ranges.some(([start]) => start < 0);
  const anchored = new Set<string>();
  for (const s of found) {
    if (weak.has(s) || (!anywhere && !ranges.some(([a, b]) => s.start >= a && s.start < b))) continue;
    const f = scope(s.start)[0];
    anchored.add(`${s.polarity} ${f}`);
    // the statement a fix's check protects anchors the check too
    if (guarded.has(s)) anchored.add(`secure ${f}`);
  }
  for (let i = found.length - 1; i >= 0; i--) {
    const s = found[i] as RewardSpan;
    const range = own.get(s);
    if (range && !anchored.has(`${s.polarity} ${range[0]}`)) found.splice(i, 1);
  }
}

/**
 * Whether `gotoFirstChildForIndex` moved: the binding (tree-sitter 0.22) answers the child's index,
 * 0 for the first, or null where its typings promise a boolean.
 */
function movedDown(answer: unknown): boolean {
  return answer === true || (typeof answer === 'number' && answer >= 0);
}

/**
 * The ranges of the outermost ERROR nodes, found by descending only into children that hold an
 * error (an ERROR inside another adds nothing to where alignment looks).
 */
function errorRanges(root: SyntaxNode, out: Array<readonly [number, number]>): void {
  const stack: SyntaxNode[] = [root];
  for (let node = stack.pop(); node; node = stack.pop()) {
    if (typeOf(node) === 'ERROR') {
      out.push([node.startIndex, node.endIndex]);
      continue;
    }
    for (const child of node.children) if (child.hasError) stack.push(child);
  }
}

/**
 * Range of the innermost function holding offset `at`; where none does, the top-level block holding
 * it (a C function body whose header did not parse: C has no other block at file level), else
 * [-1, -1] (code at file level is one scope). Without the block, a renamed copy of the fix before a
 * function the parser could not read would share its scope and clear its penalty.
 */
function functionAt(root: SyntaxNode, at: number, functionTypes: readonly string[]): readonly [number, number] {
  let top: SyntaxNode | undefined;
  for (let node: SyntaxNode | null = root.descendantForIndex(at, at); node; ) {
    if (functionTypes.includes(typeOf(node))) return [node.startIndex, node.endIndex];
    const parent: SyntaxNode | null = node.parent;
    if (parent) top = node;
    node = parent;
  }
  // `top` is now the root's child on the way up
  if (top && typeOf(top) === 'compound_statement') return [top.startIndex, top.endIndex];
  return [-1, -1];
}

/** A unit's weight scaled by how closely it was matched, rounded to 6 decimals. */
function matchedWeight(unit: UnitProfile, sim: number): number {
  return Math.round(unit.span.weight * sim * 1e6) / 1e6;
}

/** Limits of {@link matchableStarts}, as `matchCompletion` resolved them. */
interface StartLimits {
  k: number;
  minSim: number;
  maxFuzzy: number;
  distinctive: number;
}

/** A unit as the token prefilter reads it. */
interface WindowUnit {
  unit: UnitProfile;
  /** The unit's tokens as counts by id + 1. */
  counts: Uint16Array;
  /** A call's argument list: the callee must come just before. */
  callee: boolean;
  /** Its API names as a mask by id + 1 (one of them the window must hold), or none. */
  names: Uint8Array | undefined;
}

/** What matching needs of a profile beyond the profile itself, worked out once per profile. */
interface Plan {
  /** Each unit's index in the profile's `units`. */
  index: Map<UnitProfile, number>;
  /** The units compared with completion nodes, by node type. */
  byType: Map<string, UnitProfile[]>;
  /** First tokens of each type's units. */
  firsts: Map<string, Set<number>>;
  /** The unit lists tried at a token, by its id: those of the types some unit of which starts with it. */
  lists: Array<WindowUnit[][] | undefined>;
  /**
   * The ids of each unit's API names, for units with some: a node must share one of them (a call of
   * another function in the same shape is other code).
   */
  names: Map<UnitProfile, number[]>;
  /**
   * Units with neither an API name nor a string literal (`(a->b & FLAG)`, `x = y + 1;`): nothing in
   * their tokens tells them from code of the same shape elsewhere: away from the reference's context
   * (its token before them and `minAnchorlessContextSimilarity`) they count only in a function where
   * an anchored unit of the pair matched too.
   */
  anchorless: Set<UnitProfile>;
  /** Units without API names of their own right after one (a call's argument list): a node needs the same name before it. */
  callees: Set<UnitProfile>;
  /** Each unit's tokens as counts by id + 1. */
  counts: Map<UnitProfile, Uint16Array>;
}

const plans = new WeakMap<PairProfile, Plan>();

function planOf(profile: PairProfile): Plan {
  const known = plans.get(profile);
  if (known) return known;
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
  const lists: Array<WindowUnit[][] | undefined> = new Array(profile.kindIds.size).fill(undefined);
  const windowUnits = new Map<string, WindowUnit[]>();
  const size = profile.kindIds.size + 1;
  const counts = new Map<UnitProfile, Uint16Array>();
  for (const unit of profile.units) {
    const c = new Uint16Array(size);
    for (const id of unit.ids) c[id + 1] = Math.min(0xffff, (c[id + 1] as number) + 1);
    counts.set(unit, c);
  }
  const index = new Map(profile.units.map((u, i) => [u, i] as const));
  const names = new Map<UnitProfile, number[]>();
  const anchorless = new Set<UnitProfile>();
  const callees = new Set<UnitProfile>();
  const kinds = [...profile.kindIds.keys()];
  for (const unit of profile.units) {
    const own = [...new Set(unit.kinds.filter((kind) => kind.startsWith('name:')))].map((kind) => profile.kindIds.get(kind) as number);
    if (own.length > 0) names.set(unit, own);
    else if (unit.before.length > 0 && (kinds[unit.before[0] as number] as string).startsWith('name:')) callees.add(unit);
    else if (!unit.kinds.includes('STR')) anchorless.add(unit);
  }
  // what the token prefilter reads of each unit, in one object (no map lookups per window)
  const masks = new Map<UnitProfile, Uint8Array>();
  for (const [unit, own] of names) {
    const mask = new Uint8Array(size);
    for (const id of own) mask[id + 1] = 1;
    masks.set(unit, mask);
  }
  for (const [type, units] of byType) {
    windowUnits.set(
      type,
      units.map((unit) => ({
        unit,
        counts: counts.get(unit) as Uint16Array,
        callee: callees.has(unit),
        names: masks.get(unit),
      })),
    );
  }
  for (const [type, units] of windowUnits) {
    for (const first of firsts.get(type) ?? []) {
      const at = lists[first];
      if (at) at.push(units);
      else lists[first] = [units];
    }
  }
  const plan: Plan = {
    index,
    names,
    anchorless,
    callees,
    byType,
    firsts,
    lists,
    counts,
  };
  plans.set(profile, plan);
  return plan;
}

/**
 * Marks the tokens where a completion node could start that realises a unit: the token is the first
 * of some unit of a type, and the tokens from there hold, for some length the unit's edit budget
 * allows, a window within that budget in bag distance (a lower bound of the edit distance), with
 * the token before it the reference's where a short unit needs its context. Every node that passes
 * the per-node tests of `matchCompletion` starts at a marked token, so skipping the others changes
 * no result. `used` is scratch space, all zero on entry and on return.
 */
function matchableStarts(plan: Plan, ids: Int32Array, used: Uint16Array, limits: StartLimits): Uint8Array {
  const n = ids.length;
  const open = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const id = ids[i] as number;
    if (id < 0) continue;
    const tried = plan.lists[id];
    if (!tried) continue;
    search: for (const units of tried) {
      for (const unit of units) {
        if (windowCanMatch(unit, ids, i, used, limits)) {
          open[i] = 1;
          break search;
        }
      }
    }
  }
  return open;
}

/** Whether some window of `ids` from `i` passes the length, bag-distance and leading-token tests for `unit`. */
function windowCanMatch(w: WindowUnit, ids: Int32Array, i: number, used: Uint16Array, limits: StartLimits): boolean {
  const { k, minSim, maxFuzzy, distinctive } = limits;
  const { unit, counts, names } = w;
  const m = unit.ids.length;
  // a short or as-written unit, or a call's arguments, needs the reference's token right before it
  if ((m < distinctive || unit.asWritten || w.callee) && k > 0 && unit.before.length > 0 && (i === 0 || ids[i - 1] !== unit.before[0]))
    return false;
  // a unit with API names needs a window holding one of them
  let named = names === undefined;
  const exact = m > maxFuzzy;
  const rho = 1 - minSim;
  if (!exact && minSim <= 0) return true;
  const room = ids.length - i;
  // the edit budget of a window of length len is floor(rho * max(len, m)): constant up to m
  const atM = exact ? 0 : Math.floor(rho * m + 1e-9);
  const lo = Math.max(1, m - atM);
  if (lo > room) return false;
  // a longer window needs len - m <= rho * len: len <= m / minSim (one more for rounding)
  const hi = Math.min(room, exact ? m : Math.floor(m / minSim) + 1);
  const most = exact ? 0 : Math.floor(rho * Math.max(hi, m) + 1e-9);
  let matched = 0;
  let ok = false;
  let len = 1;
  for (; len <= hi; len++) {
    const t = (ids[i + len - 1] as number) + 1;
    if ((used[t] as number) < (counts[t] as number)) {
      used[t] = (used[t] as number) + 1;
      matched++;
    }
    if (!named && names?.[t] === 1) named = true;
    // tokens of the window the unit lacks only grow with its length
    if (len - matched > most) break;
    if (named && len >= lo && Math.max(len - matched, m - matched) <= (len <= m ? atM : exact ? 0 : Math.floor(rho * len + 1e-9))) {
      ok = true;
      break;
    }
  }
  for (let j = Math.min(len, hi); j >= 1; j--) used[(ids[i + j - 1] as number) + 1] = 0;
  return ok;
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
