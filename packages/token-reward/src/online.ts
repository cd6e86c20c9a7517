import type { Finding, RepairPair, TokenRewardMap } from '@srcode/dataset';
import type { SpanCache } from './cache.js';
import { type FindingSpanOptions, findingSpans } from './findings.js';
import { buildRewardMap } from './map.js';
import { type MatchOptions, matchCompletion } from './match.js';
import { type PairProfile, profilePair } from './profile.js';
import type { ProjectionOptions } from './project.js';
import type { TokenEncoding } from './tokenizer.js';

export interface OnlineInput {
  /** The pair the prompt came from, or its profile (from `SpanCache.get` or `profilePair`). */
  pair?: RepairPair;
  profile?: PairProfile;
  /** Cache consulted when `pair` is given. */
  cache?: SpanCache;
  completion: string;
  encoding: TokenEncoding;
  /** Analyser findings on the completion. */
  findings?: readonly Finding[];
  id: string;
  tokenizer: string;
}

export interface OnlineOptions extends MatchOptions, FindingSpanOptions, ProjectionOptions {}

/**
 * Scores a sampled completion: matched secure/vulnerable units and findings, projected on its tokens.
 * `truncated` says matching stopped at `maxNodes` (a huge completion): the map is then partial.
 */
export function onlineRewardMap(input: OnlineInput, options: OnlineOptions = {}): { map: TokenRewardMap; truncated: boolean } {
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
