import type { Finding, RepairPair, TokenRewardMap } from '@srcode/dataset';
import type { SpanCache } from './cache.js';
import { type FindingSpanOptions, findingSpans } from './findings.js';
import { buildRewardMap } from './map.js';
import { type MatchOptions, matchCompletion } from './match.js';
import { type PairProfile, profilePair } from './profile.js';
import type { ProjectionOptions } from './project.js';
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
 * map.spans; // one secure span, weight 1, over `strncpy(dst, src, sizeof dst)`; map.rewards is 1 on its tokens
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
  const matched = profile ? matchCompletion(profile, input.completion, options) : { spans: [], truncated: false };
  const spans = [...matched.spans, ...findingSpans(input.completion, input.findings ?? [], options)].sort((a, b) => a.start - b.start);
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
