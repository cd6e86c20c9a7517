import type { Finding, RepairPair, RewardSpan, TextRange, TokenRewardMap } from '@srcode/dataset';
import type { SpanCache } from './cache.js';
import { type FindingSpanOptions, findingSpans } from './findings.js';
import { buildRewardMap } from './map.js';
import { type MatchOptions, matchCompletion } from './match.js';
import { type PairProfile, profilePair } from './profile.js';
import { type ProjectionOptions, unitTotals } from './project.js';
import type { TokenEncoding } from './tokenizer.js';

/**
 * A sampled completion to score, and what to score it against: a pair (or its profile), analyser
 * findings, or both. With neither, every token gets 0 (plus any `instanceReward`).
 */
export interface OnlineInput {
  /** The pair the prompt came from. */
  pair?: RepairPair;
  /** The pair's profile (from `SpanCache.get` or `profilePair`), used instead of `pair`. */
  profile?: PairProfile;
  /** Cache consulted when `pair` is given. @default none: the pair is profiled on each call */
  cache?: SpanCache;
  /** The completion's text (without its prompt, unless `offsetBase` says where it starts). */
  completion: string;
  /** The completion's tokens. */
  encoding: TokenEncoding;
  /** Analyser findings on the completion. */
  findings?: readonly Finding[];
  /** The map's `id`. */
  id: string;
  /** The tokenizer's name, recorded in the map. */
  tokenizer: string;
}

/** Options of {@link onlineRewardMap}: matching thresholds, finding weights and the projection. */
export interface OnlineOptions extends MatchOptions, FindingSpanOptions, ProjectionOptions {}

/**
 * Scores a sampled completion: matched secure/vulnerable units and findings, projected on its tokens.
 * `truncated` says matching stopped at `maxNodes` (a huge completion): the map is then partial.
 *
 * A completion holding Markdown code fences is scored on the fenced code alone (an unclosed fence
 * runs to the end): the prose around it is neutral, so naming the secure call in prose earns nothing
 * and naming the replaced call in an explanation costs nothing. Without fences the whole text is code.
 * Where the completion runs a vulnerable unit, the secure units of the same pair unit (what the fix
 * put in its place, see `UnitProfile.group`) keep their spans but earn together no more than that
 * unit's penalties cost: writing both versions never pays.
 *
 * @example
 * ```ts
 * import { computeChanges, type RepairPair } from '@srcode/dataset';
 * import { byteTokenizer, onlineRewardMap, SpanCache } from '@srcode/token-reward';
 *
 * const vulnerableCode = 'void f(char *s) { char b[8]; strcpy(b, s); }';
 * const fixedCode = 'void f(char *s) { char b[8]; strncpy(b, s, sizeof b); }';
 * const pair: RepairPair = {
 *   schemaVersion: 1, id: 'p1', language: 'c', cwes: ['CWE-787'], provenance: { dataset: 'mine' },
 *   vulnerableCode, fixedCode, changes: computeChanges(vulnerableCode, fixedCode),
 * };
 * const cache = new SpanCache(); // one per training run: each pair is profiled once
 * // a completion sampled for the pair's prompt: the fix, written with other names
 * const completion = 'void g(char *src) { char dst[8]; strncpy(dst, src, sizeof dst); }';
 * const { map } = onlineRewardMap({
 *   pair,
 *   cache,
 *   completion,
 *   encoding: byteTokenizer.encode(completion),
 *   id: 'step-1/sample-0',
 *   tokenizer: byteTokenizer.name,
 * });
 * map.spans; // one secure span, weight 1, over `strncpy(dst, src, sizeof dst)`; its tokens share that 1 in map.rewards (span-mean)
 * ```
 */
export function onlineRewardMap(
  input: OnlineInput,
  options: OnlineOptions = {},
): {
  /** The completion's `TokenRewardMap` (mode `online`, side `completion`). */
  map: TokenRewardMap;
  /** Matching stopped at `maxNodes`: the map is partial. */
  truncated: boolean;
} {
  const profile = input.profile ?? (input.pair ? (input.cache ? input.cache.get(input.pair) : profilePair(input.pair)) : undefined);
  const code = codeRegions(input.completion);
  const matched = profile
    ? matchCompletion(profile, code ? blankProse(input.completion, code) : input.completion, options)
    : { spans: [], units: [], truncated: false };
  const own = profile ? capGroups(profile, matched.spans, matched.units, input, options) : matched.spans;
  const found = findingSpans(input.completion, input.findings ?? [], options).filter(
    (s) => !code || code.some((r) => s.start >= r.start && s.end <= r.end),
  );
  const spans = [...own, ...found].sort((a, b) => a.start - b.start);
  const map = buildRewardMap(
    {
      id: input.id,
      ...(profile ? { pairId: profile.pairId } : {}),
      mode: 'online',
      side: 'completion',
      tokenizer: input.tokenizer,
      text: input.completion,
      encoding: input.encoding,
      spans,
    },
    options,
  );
  return { map, truncated: matched.truncated };
}

/**
 * A fence line: three or more backticks or tildes after at most three spaces (CommonMark; a fence
 * indented further, like an example in a docstring, is part of the code), then the info string.
 */
const FENCE = /^ {0,3}(`{3,}|~{3,})(.*)$/;

/**
 * The code inside a text's Markdown fences (an unclosed fence runs to the end), or `undefined` when
 * the text has no fence line: then all of it is code.
 */
export function codeRegions(text: string): TextRange[] | undefined {
  if (!text.includes('```') && !text.includes('~~~')) return undefined;
  const out: TextRange[] = [];
  let open: { fence: string; start: number } | undefined;
  let at = 0;
  while (at <= text.length) {
    const nl = text.indexOf('\n', at);
    const end = nl < 0 ? text.length : nl;
    const m = FENCE.exec(text.slice(at, end));
    if (m) {
      const fence = m[1] as string;
      if (!open) {
        // an opening fence's info string holds no backtick (CommonMark)
        if (fence[0] !== '`' || !(m[2] ?? '').includes('`')) open = { fence, start: nl < 0 ? text.length : nl + 1 };
      } else if (fence[0] === open.fence[0] && fence.length >= open.fence.length && (m[2] ?? '').trim() === '') {
        out.push({ start: open.start, end: at });
        open = undefined;
      }
    }
    if (nl < 0) break;
    at = nl + 1;
  }
  if (open) out.push({ start: open.start, end: text.length });
  return out.length > 0 || open ? out : undefined;
}

/** The text with everything outside `code` blanked to spaces (line breaks kept, offsets unchanged). */
function blankProse(text: string, code: readonly TextRange[]): string {
  let out = '';
  let at = 0;
  const blank = (from: number, to: number) => text.slice(from, to).replace(/[^\n]/g, ' ');
  for (const r of code) {
    out += blank(at, r.start) + text.slice(r.start, r.end);
    at = r.end;
  }
  return out + blank(at, text.length);
}

/**
 * Scales down the secure spans of each pair unit (group) the completion also realises a vulnerable
 * unit of, so that their total over the tokens stays below the penalties' (by a margin for the
 * rounding of token rewards): the spans stay, the group nets at most zero.
 */
function capGroups(
  profile: PairProfile,
  spans: readonly RewardSpan[],
  units: readonly number[],
  input: OnlineInput,
  options: ProjectionOptions,
): RewardSpan[] {
  const groupOf = (i: number) => profile.units[units[i] as number]?.group;
  const vulnerable = new Set<number>();
  const secure = new Set<number>();
  spans.forEach((s, i) => {
    const g = groupOf(i);
    if (g === undefined) return;
    if (s.polarity === 'vulnerable') vulnerable.add(g);
    else if (s.weight > 0) secure.add(g);
  });
  const out = [...spans];
  // the total over the tokens of some spans, each of weight 1 (summed where they share tokens), and
  // how many tokens carry it, counted without projecting (offsets are checked by buildRewardMap
  // before anything is returned)
  const totalOf = (list: readonly RewardSpan[]) =>
    unitTotals(input.encoding, list, { ...options, normalize: options.normalize === 'none' ? 'none' : 'span-mean' });
  for (const g of vulnerable) {
    if (!secure.has(g)) continue;
    const members = spans.map((s, i) => ({ s, i })).filter(({ s, i }) => groupOf(i) === g && (s.polarity === 'vulnerable' || s.weight > 0));
    const good = members.filter(({ s }) => s.polarity !== 'vulnerable');
    // a vulnerable match inside or across a secure one is the same code read both ways, not another
    // instance the completion runs (the projection lets the penalty win the tokens they share)
    const bad = members.filter(({ s }) => s.polarity === 'vulnerable' && !good.some(({ s: g }) => s.start < g.end && g.start < s.end));
    if (bad.length === 0) continue;
    // penalties and credits of one pair unit share their unit's weight, so a weight-1 total scales
    const pen = totalOf(bad.map(({ s }) => s));
    const cred = totalOf(good.map(({ s }) => s));
    const penalty = pen.total * Math.min(...bad.map(({ s }) => Math.abs(s.weight)));
    const credit = cred.total * Math.max(...good.map(({ s }) => s.weight));
    const room = Math.max(0, penalty - 1e-6 * (pen.tokens + cred.tokens + 1));
    if (credit <= room) continue;
    const scale = room / credit;
    for (const { i } of good) {
      const s = out[i] as RewardSpan;
      out[i] = { ...s, weight: Math.floor(s.weight * scale * 1e6) / 1e6 };
    }
  }
  return out;
}
