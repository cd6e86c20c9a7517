import type { RewardSpan } from '@srcode/dataset';
import { TokenRewardError } from './errors.js';
import { checkOffsets, type TokenEncoding } from './tokenizer.js';

/** How a token must overlap a span to take its reward. */
export type OverlapRule = 'any' | 'majority' | 'proportional';
/** How the rewards of several spans on one token combine. */
export type CombineRule = 'strongest' | 'sum';
/** How rewards are scaled after projection. */
export type Normalization = 'none' | 'span-mean' | 'max-abs';

/** How span rewards become token rewards: overlap, combination, scaling and offsets. */
export interface ProjectionOptions {
  /**
   * `any`: a token sharing one character with a span takes its weight; `majority`: at least half the
   * token's characters lie in the span; `proportional`: weight times the fraction of the token inside.
   * @default 'any'
   */
  overlap?: OverlapRule;
  /**
   * `strongest`: the span of largest magnitude wins (a penalty wins a tie); `sum`: weights add up.
   * @default 'strongest'
   */
  combine?: CombineRule;
  /**
   * Added to the last token (an outcome-level reward on top of the token rewards). Off when undefined.
   * @default undefined
   */
  instanceReward?: number;
  /**
   * `span-mean`: each span's weight is shared by the tokens it covers, so a span's total is its weight
   * however finely its text is tokenized (padding a span with comments, spaces or `\r`, or cutting it
   * into more tokens, earns nothing); `max-abs`: shared as under `span-mean`, then scaled so the
   * largest span weight's magnitude is 1; `none`: every token of a span takes the span's full weight,
   * so a span's total grows with its token count (longer spellings and finer tokens earn more: use it
   * only where every sequence is scored per token, never summed).
   * @default 'span-mean'
   */
  normalize?: Normalization;
  /**
   * Token offsets index a longer string in which the scored text starts here (a completion after its
   * prompt). Tokens ending at or before it get 0; the map's offsets are shifted back by it.
   * @default 0
   */
  offsetBase?: number;
  /**
   * A zero-width token that is not special (the tail of a character split across byte-level tokens)
   * takes the reward of the token before it (`inherit`) or 0 (`zero`).
   * @default 'inherit'
   */
  emptyTokens?: 'inherit' | 'zero';
}

function coverage(rule: OverlapRule, ts: number, te: number, span: RewardSpan): number {
  const o = Math.min(te, span.end) - Math.max(ts, span.start);
  if (o <= 0) return 0;
  if (rule === 'any') return 1;
  const len = te - ts;
  if (rule === 'majority') return 2 * o >= len ? 1 : 0;
  return o / len;
}

/**
 * One reward per token from the spans it overlaps. Spans index the scored text; token offsets index
 * it after `offsetBase`. Throws a `TokenRewardError` with code `invalid-offsets` for offsets out of
 * range, reversed or out of order. Special tokens and tokens outside every span get 0.
 *
 * @example
 * ```ts
 * import { byteTokenizer, projectRewards } from '@srcode/token-reward';
 *
 * const text = 'gets(buf);';
 * const rewards = projectRewards(text.length, byteTokenizer.encode(text), [
 *   { start: 0, end: 9, polarity: 'vulnerable', weight: -1, source: 'finding' },
 * ]);
 * // nine tokens of -1/9 each (span-mean, the default: they share the span's weight), then 0 for the `;`
 * ```
 */
export function projectRewards(
  textLength: number,
  encoding: TokenEncoding,
  spans: readonly RewardSpan[],
  options: ProjectionOptions = {},
): Float32Array {
  const n = encoding.ids.length;
  const base = options.offsetBase ?? 0;
  const checked = checkOffsets(encoding.offsets, n, textLength, base);
  if (!checked.ok) {
    throw new TokenRewardError('invalid-offsets', `bad token offsets: ${checked.issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`);
  }
  return projectChecked(encoding, spans, options);
}

/**
 * Visits each token's overlapping spans (`live`, sorted by start) with the token's coverage. Non-empty
 * tokens come with non-decreasing starts (checked), so one sweep visits them without scanning every
 * span, and stops after the last span's end, since no later token can reach one.
 */
function sweepSpans(
  encoding: TokenEncoding,
  base: number,
  rule: OverlapRule,
  live: readonly RewardSpan[],
  visit: (token: number, span: number, cover: number) => void,
): void {
  const n = encoding.ids.length;
  const special = encoding.special;
  const offsets = encoding.offsets;
  let lastEnd = 0;
  for (const s of live) lastEnd = Math.max(lastEnd, s.end);
  let next = 0;
  const active: number[] = [];
  for (let i = 0; i < n && live.length > 0; i++) {
    if (special?.[i]) continue;
    const ts = (offsets[2 * i] as number) - base;
    const te = (offsets[2 * i + 1] as number) - base;
    if (te <= ts || te <= 0) continue;
    if (ts >= lastEnd) break;
    while (next < live.length && (live[next] as RewardSpan).start < te) active.push(next++);
    if (active.length === 0) continue;
    // drop spans that ended before this token, in place (no array per token)
    let kept = 0;
    for (let a = 0; a < active.length; a++) {
      const k = active[a] as number;
      if ((live[k] as RewardSpan).end > ts) active[kept++] = k;
    }
    active.length = kept;
    for (let a = 0; a < kept; a++) {
      const k = active[a] as number;
      const c = coverage(rule, ts, te, live[k] as RewardSpan);
      if (c > 0) visit(i, k, c);
    }
  }
}

/** Whether token `i` is the tail of a character split across tokens: empty, where the token before it ends. */
function tailAt(encoding: TokenEncoding, base: number, i: number): boolean {
  if (i <= 0 || i >= encoding.ids.length || encoding.special?.[i]) return false;
  const ts = (encoding.offsets[2 * i] as number) - base;
  const te = (encoding.offsets[2 * i + 1] as number) - base;
  return ts === te && ts > 0 && (encoding.offsets[2 * i - 1] as number) - base === ts;
}

/** How many tails follow token `i` (they take its reward). */
function tailCount(encoding: TokenEncoding, base: number, i: number): number {
  let j = i + 1;
  while (tailAt(encoding, base, j)) j++;
  return j - i - 1;
}

/** {@link projectRewards} on offsets already checked against the text (`checkOffsets`). */
function projectChecked(encoding: TokenEncoding, spans: readonly RewardSpan[], options: ProjectionOptions = {}): Float32Array {
  const n = encoding.ids.length;
  const base = options.offsetBase ?? 0;
  const rule = options.overlap ?? 'any';
  const combine = options.combine ?? 'strongest';
  const normalize = options.normalize ?? 'span-mean';
  const live = spans.filter((s) => s.end > s.start && s.weight !== 0).sort((a, b) => a.start - b.start);
  const out = new Float32Array(n);
  if (live.length === 0) {
    if (options.instanceReward !== undefined && n > 0) out[n - 1] = options.instanceReward;
    return out;
  }
  const weights = live.map((s) => s.weight);
  const sweep = (visit: (token: number, span: number, cover: number) => void) => sweepSpans(encoding, base, rule, live, visit);
  const inherit = (options.emptyTokens ?? 'inherit') === 'inherit';
  const isTail = (i: number) => tailAt(encoding, base, i);
  const tailsAfter = (i: number) => (inherit ? tailCount(encoding, base, i) : 0);
  const covered = new Float64Array(live.length);
  if (normalize === 'span-mean' || normalize === 'max-abs') {
    // tails take their token's reward, so they count as that many more tokens of the span
    sweep((i, k, c) => {
      covered[k] = (covered[k] as number) + c * (1 + tailsAfter(i));
    });
    live.forEach((span, k) => {
      if ((covered[k] as number) > 0) weights[k] = span.weight / (covered[k] as number);
    });
  }
  const seen = new Uint8Array(n);
  const visited: number[] = [];
  sweep((i, k, c) => {
    const w = (weights[k] as number) * c;
    const r = out[i] as number;
    if (!seen[i]) {
      seen[i] = 1;
      visited.push(i);
      out[i] = w;
    } else if (combine === 'sum') out[i] = r + w;
    else if (Math.abs(w) > Math.abs(r) || (Math.abs(w) === Math.abs(r) && w < r)) out[i] = w;
  });
  // tails hold 0 unless the token before them took a reward
  if (inherit) for (const i of visited) for (let j = i + 1; isTail(j); j++) out[j] = out[i] as number;
  if (normalize === 'max-abs') {
    // by the largest weight of a span that reached a token: a per-token maximum would grow as the
    // span with the densest share is cut into fewer tokens, and the totals with it
    let m = 0;
    live.forEach((span, k) => {
      if ((covered[k] as number) > 0) m = Math.max(m, Math.abs(span.weight));
    });
    if (m > 0) for (const i of visited) out[i] = (out[i] as number) / m;
    if (m > 0 && inherit) for (const i of visited) for (let j = i + 1; isTail(j); j++) out[j] = out[i] as number;
  }
  if (options.instanceReward !== undefined && n > 0) out[n - 1] = (out[n - 1] as number) + options.instanceReward;
  return out;
}

/**
 * What projecting `spans`, each of weight 1, with `combine: 'sum'` would give in total over the
 * tokens, and how many tokens it would reach, without building the rewards: under `span-mean` each
 * span that reaches a token adds its 1 (shared by its tokens), under `none` its coverage. Offsets
 * must be checked (`checkOffsets`).
 * @internal
 */
export function unitTotals(
  encoding: TokenEncoding,
  spans: readonly RewardSpan[],
  options: Pick<ProjectionOptions, 'overlap' | 'offsetBase' | 'emptyTokens'> & { normalize: 'span-mean' | 'none' },
): { total: number; tokens: number } {
  const base = options.offsetBase ?? 0;
  const rule = options.overlap ?? 'any';
  const inherit = (options.emptyTokens ?? 'inherit') === 'inherit';
  const live = spans.filter((s) => s.end > s.start).sort((a, b) => a.start - b.start);
  const covered = new Float64Array(live.length);
  // visits come in token order: a token and its tails are counted once, at its first span
  let tokens = 0;
  let last = -1;
  let tails = 0;
  sweepSpans(encoding, base, rule, live, (i, k, c) => {
    if (i !== last) {
      last = i;
      tails = inherit ? tailCount(encoding, base, i) : 0;
      tokens += 1 + tails;
    }
    covered[k] = (covered[k] as number) + c * (1 + tails);
  });
  let total = 0;
  for (const c of covered) if (c > 0) total += options.normalize === 'none' ? c : 1;
  return { total, tokens };
}
