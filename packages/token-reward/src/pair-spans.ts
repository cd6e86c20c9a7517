import type { RepairPair, RewardSpan, TextRange } from '@srcode/dataset';
import { parse } from '@srcode/syntax';
import { languageOf } from './languages.js';
import { liftPoint, liftRange, outermost, trimRange, type Unit } from './lift.js';

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
   * inserted or removed text (so `f(image)` -> `f(next_image)` marks both argument lists).
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

const DEFAULT_SECURE_REWARD = 1;
const DEFAULT_VULNERABLE_REWARD = -1;

/** Where each of one side's changed ranges (sorted by start) begins in the text both sides share. */
export function commonStarts(sorted: readonly TextRange[]): number[] {
  let removed = 0;
  return sorted.map((r) => {
    const c = r.start - removed;
    removed += r.end - r.start;
    return c;
  });
}

/** Where each side's insertions sit on the other side, for changes with no counterpart there. */
function anchors(pair: RepairPair): { onVulnerable: number[]; onFixed: number[] } {
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
  if (strip(pair.vulnerableCode, del) !== strip(pair.fixedCode, add)) return { onVulnerable: [], onFixed: [] };
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
  const meaningful = (text: string, r: TextRange) => {
    const [s, e] = trimRange(text, r.start, r.end);
    return s < e;
  };
  const onVulnerable: number[] = [];
  add.forEach((r, i) => {
    const c = cAdd[i] as number;
    if (cDel.includes(c) || !meaningful(pair.fixedCode, r)) return;
    onVulnerable.push(toSide(c, del, cDel));
  });
  const onFixed: number[] = [];
  del.forEach((r, i) => {
    const c = cDel[i] as number;
    if (cAdd.includes(c) || !meaningful(pair.vulnerableCode, r)) return;
    onFixed.push(toSide(c, add, cAdd));
  });
  return { onVulnerable, onFixed };
}

function toSpans(units: Unit[], polarity: RewardSpan['polarity'], weight: number): RewardSpan[] {
  return outermost(units).map((u) => ({ start: u.start, end: u.end, polarity, weight, source: 'pair', nodeType: u.nodeType }));
}

/**
 * Lifts a pair's changed ranges to AST units: deleted ranges of `vulnerableCode` become vulnerable
 * spans, added ranges of `fixedCode` secure spans. Throws a `TokenRewardError` with code
 * `unknown-language` for a language `@srcode/syntax` has not registered.
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
  const lang = languageOf(pair.language);
  const secure = options.secureReward ?? DEFAULT_SECURE_REWARD;
  const vulnerable = options.vulnerableReward ?? DEFAULT_VULNERABLE_REWARD;
  const vTree = parse(pair.vulnerableCode, pair.language);
  const fTree = parse(pair.fixedCode, pair.language);
  const vUnits = pair.changes.deleted.flatMap((r) => liftRange(lang, vTree, pair.vulnerableCode, r.start, r.end));
  const fUnits = pair.changes.added.flatMap((r) => liftRange(lang, fTree, pair.fixedCode, r.start, r.end));
  if (options.anchorInsertions ?? true) {
    const a = anchors(pair);
    for (const p of a.onVulnerable) vUnits.push(...liftPoint(lang, vTree, p));
    for (const p of a.onFixed) fUnits.push(...liftPoint(lang, fTree, p));
  }
  return {
    pairId: pair.id,
    language: pair.language,
    vulnerable: toSpans(vUnits, 'vulnerable', vulnerable),
    fixed: toSpans(fUnits, 'secure', secure),
  };
}
