import type { RepairPair, RewardSpan, TextRange } from '@srcode/dataset';
import { parse } from '@srcode/syntax';
import { languageOf } from './languages.js';
import { isConditional, Lifter, outermost, trimRange, type Unit } from './lift.js';
import { TouchedLines } from './lines.js';

/** Reward magnitudes carried by spans. */
export interface SpanWeights {
  /**
   * Reward per token of a secure unit (added by the fix, or matched to one).
   * @default 1
   */
  secureReward?: number;
  /**
   * Reward per token of a vulnerable unit (removed by the fix, matched to one, or flagged). Negative.
   * @default -1
   */
  vulnerableReward?: number;
}

/** Options of {@link pairSpans}: the span weights and whether insertions mark the other side. */
export interface PairSpanOptions extends SpanWeights {
  /**
   * Also mark, on the side a change did not touch, the unit around the point where the other side
   * inserted or removed text (so `f(image)` -> `f(next_image)` marks both argument lists), and, for
   * a check inserted between statements, the statement after it.
   * @default true
   */
  anchorInsertions?: boolean;
}

/** The security spans of a repair pair: vulnerable spans on its vulnerable code, secure on its fix. */
export interface PairSpans {
  /** The pair's `id`. */
  pairId: string;
  /** The pair's language. */
  language: string;
  /** Spans on `vulnerableCode`, polarity `vulnerable`, sorted by start, none nested in another. */
  vulnerable: RewardSpan[];
  /** Spans on `fixedCode`, polarity `secure`, sorted by start, none nested in another. */
  fixed: RewardSpan[];
}

export const DEFAULT_SECURE_REWARD = 1;
export const DEFAULT_VULNERABLE_REWARD = -1;

/** Where each of one side's changed ranges (sorted by start) begins in the text both sides share. */
export function commonStarts(sorted: readonly TextRange[]): number[] {
  let removed = 0;
  return sorted.map((r) => {
    const c = r.start - removed;
    removed += r.end - r.start;
    return c;
  });
}

/** An insertion or removal of one side placed on the other side: where, and the range it came from. */
interface Anchor {
  at: number;
  range: TextRange;
}

/** Where each side's insertions sit on the other side, for changes with no counterpart there. */
function anchors(pair: RepairPair): { onVulnerable: Anchor[]; onFixed: Anchor[] } {
  const del = [...pair.changes.deleted].sort((a, b) => a.start - b.start);
  const add = [...pair.changes.added].sort((a, b) => a.start - b.start);
  const strip = (text: string, ranges: TextRange[]) => {
    let out = '';
    let at = 0;
    for (const r of ranges) {
      out += text.slice(at, r.start);
      at = Math.max(at, r.end);
    }
    return out + text.slice(at);
  };
  const cDel = commonStarts(del);
  const cAdd = commonStarts(add);
  const toSide = (c: number, others: TextRange[], otherCommon: number[]) => {
    let p = c;
    otherCommon.forEach((oc, i) => {
      const r = others[i];
      if (r && oc < c) p += r.end - r.start;
    });
    return p;
  };
  if (strip(pair.vulnerableCode, del) !== strip(pair.fixedCode, add)) return { onVulnerable: [], onFixed: [] };
  const meaningful = (text: string, r: TextRange) => {
    const [s, e] = trimRange(text, r.start, r.end);
    return s < e;
  };
  const onVulnerable: Anchor[] = [];
  add.forEach((r, i) => {
    const c = cAdd[i] as number;
    if (cDel.includes(c) || !meaningful(pair.fixedCode, r)) return;
    onVulnerable.push({ at: toSide(c, del, cDel), range: r });
  });
  const onFixed: Anchor[] = [];
  del.forEach((r, i) => {
    const c = cDel[i] as number;
    if (cAdd.includes(c) || !meaningful(pair.vulnerableCode, r)) return;
    onFixed.push({ at: toSide(c, add, cAdd), range: r });
  });
  return { onVulnerable, onFixed };
}

function toSpans(units: Unit[], polarity: RewardSpan['polarity'], weight: number): RewardSpan[] {
  return outermost(units).map((u) => ({ start: u.start, end: u.end, polarity, weight, source: 'pair', nodeType: u.nodeType }));
}

/**
 * A unit online matching compares: `guarded` marks a statement the fix protected with a check
 * inserted before it, `check` a unit of such a check.
 */
export interface MatchUnit extends Unit {
  guarded?: boolean;
  check?: boolean;
}

/** Both sides of a pair lifted: the rewarded ranges and the whole units inside them. */
export interface LiftedPair {
  vulnerable: { spans: Unit[]; units: MatchUnit[] };
  fixed: { spans: Unit[]; units: MatchUnit[] };
}

/** Lifts a pair's changes on both sides (see {@link pairSpans}). */
export function liftPair(pair: RepairPair, options: PairSpanOptions = {}): LiftedPair {
  const lang = languageOf(pair.language);
  const a = anchors(pair);
  // an insertion touches the line it lands on and the next (the statement a missing check protects)
  const vLines = new TouchedLines(
    pair.vulnerableCode,
    pair.changes.deleted,
    landingLines(
      pair.vulnerableCode,
      a.onVulnerable.map((x) => x.at),
    ),
  );
  const fLines = new TouchedLines(pair.fixedCode, pair.changes.added);
  const v = new Lifter(lang, parse(pair.vulnerableCode, pair.language), pair.vulnerableCode, vLines);
  const f = new Lifter(lang, parse(pair.fixedCode, pair.language), pair.fixedCode, fLines);
  for (const r of pair.changes.deleted) v.liftRange(r.start, r.end);
  const guards = new Set<TextRange>();
  const fUnits: MatchUnit[] = f.units;
  for (const r of pair.changes.added) {
    const before = fUnits.length;
    f.liftRange(r.start, r.end);
    if (!f.lastNodes.some((n) => isConditional(lang, n))) continue;
    guards.add(r);
    for (let i = before; i < fUnits.length; i++) fUnits[i] = { ...(fUnits[i] as Unit), check: true };
  }
  const vUnits: MatchUnit[] = v.units;
  if (options.anchorInsertions ?? true) {
    for (const { at, range } of a.onVulnerable) {
      const before = vUnits.length;
      const guard = guards.has(range);
      v.liftPoint(at, guard);
      if (guard) for (let i = before; i < vUnits.length; i++) vUnits[i] = { ...(vUnits[i] as Unit), guarded: true };
    }
    for (const { at } of a.onFixed) f.liftPoint(at, false);
  }
  return { vulnerable: { spans: v.spans, units: vUnits }, fixed: { spans: f.spans, units: fUnits } };
}

/**
 * The lines insertions land on, and the line after each one that lands at the end of its line (past
 * the last non-whitespace character): the statement a check inserted there protects. An insertion
 * landing before a line's code touches that line alone.
 */
function landingLines(text: string, landings: readonly number[]): number[] {
  const lines = new TouchedLines(text, []);
  return landings.flatMap((p) => {
    const line = lines.lineOf(Math.min(p, Math.max(0, text.length - 1)));
    const rest = text.slice(p, lines.lineEnd(line));
    return /\S/.test(rest) && p < text.length ? [line] : [line, line + 1];
  });
}

/**
 * Lifts a pair's changed ranges to AST units: deleted ranges of `vulnerableCode` become vulnerable
 * spans, added ranges of `fixedCode` secure spans. Spans stay on the lines the fix touched: a unit
 * that reaches onto untouched lines (an `if` whose condition changed, not its body) gives its parts
 * on the touched lines instead, with that unit's node type. A check the fix inserted before a
 * statement marks that statement on the vulnerable side (the line after the insertion). Throws a
 * `TokenRewardError` with code `unknown-language` for a language `@srcode/syntax` has not registered.
 *
 * @example
 * ```ts
 * import { computeChanges } from '@srcode/dataset';
 * import { pairSpans } from '@srcode/token-reward';
 *
 * const vulnerableCode = 'void f(char *s) { char b[8]; strcpy(b, s); }';
 * const fixedCode = 'void f(char *s) { char b[8]; strncpy(b, s, sizeof b); }';
 * const spans = pairSpans({
 *   schemaVersion: 1, id: 'p1', language: 'c', cwes: ['CWE-787'], provenance: { dataset: 'mine' },
 *   vulnerableCode, fixedCode, changes: computeChanges(vulnerableCode, fixedCode),
 * });
 * spans.fixed.map((s) => fixedCode.slice(s.start, s.end)); // ['strncpy(b, s, sizeof b)']
 * spans.vulnerable.map((s) => vulnerableCode.slice(s.start, s.end)); // ['strcpy(b, s)']
 * ```
 */
export function pairSpans(pair: RepairPair, options: PairSpanOptions = {}): PairSpans {
  return spansOf(pair, liftPair(pair, options), options);
}

/** The spans of a lifted pair. */
export function spansOf(pair: RepairPair, lifted: LiftedPair, options: SpanWeights = {}): PairSpans {
  const secure = options.secureReward ?? DEFAULT_SECURE_REWARD;
  const vulnerable = options.vulnerableReward ?? DEFAULT_VULNERABLE_REWARD;
  return {
    pairId: pair.id,
    language: pair.language,
    vulnerable: toSpans(lifted.vulnerable.spans, 'vulnerable', vulnerable),
    fixed: toSpans(lifted.fixed.spans, 'secure', secure),
  };
}
