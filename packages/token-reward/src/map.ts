import type { RepairPair, RewardSpan, TokenRewardMap } from '@srcode/dataset';
import { type PairSpanOptions, type PairSpans, pairSpans } from './pair-spans.js';
import { type ProjectionOptions, projectRewards } from './project.js';
import type { TokenEncoding, TokenizerLike } from './tokenizer.js';

/** What {@link buildRewardMap} turns into a `TokenRewardMap`: a text, its tokens and its spans. */
export interface MapInput {
  /** The map's `id`. */
  id: string;
  /** The repair pair the text belongs to, when there is one. */
  pairId?: string;
  /** `teacher-forced` for a side of a pair, `online` for a sampled completion. */
  mode: TokenRewardMap['mode'];
  /** Which text was scored: a side of the pair, or a completion. */
  side?: TokenRewardMap['side'];
  /** The tokenizer's name, recorded in the map. */
  tokenizer: string;
  /** The scored text (a completion, or one side of a pair). */
  text: string;
  /** The text's tokens (offsets after `offsetBase`, see {@link ProjectionOptions.offsetBase}). */
  encoding: TokenEncoding;
  /** Spans on `text`; copied into the map. */
  spans: readonly RewardSpan[];
  /** Include `text` in the record. @default true */
  includeText?: boolean;
}

/** Rewards as plain numbers, rounded to 6 decimals so float32 noise does not reach the records. */
function rounded(rewards: Float32Array): number[] {
  const out = new Array<number>(rewards.length);
  for (let i = 0; i < rewards.length; i++) {
    const r = rewards[i] as number;
    out[i] = r === 0 ? 0 : Math.round(r * 1e6) / 1e6;
  }
  return out;
}

/**
 * Projects `spans` onto the encoding's tokens and returns the dataset's `TokenRewardMap` record
 * (rewards rounded to 6 decimals; offsets shifted back by `offsetBase`).
 *
 * @example
 * ```ts
 * import { buildRewardMap, byteTokenizer, findingSpans } from '@srcode/token-reward';
 *
 * const text = 'gets(buf);';
 * const map = buildRewardMap({
 *   id: 'sample-1',
 *   mode: 'online',
 *   side: 'completion',
 *   tokenizer: byteTokenizer.name,
 *   text,
 *   encoding: byteTokenizer.encode(text),
 *   spans: findingSpans(text, [
 *     { schemaVersion: 1, analyzer: 'mine', ruleId: 'gets', severity: 'high', range: { start: 0, end: 9 }, message: 'gets has no bound' },
 *   ]),
 * });
 * map.rewards; // nine tokens sharing the finding's -1 (span-mean, the default), 0 for the `;`
 * ```
 */
export function buildRewardMap(input: MapInput, options: ProjectionOptions = {}): TokenRewardMap {
  const rewards = projectRewards(input.text.length, input.encoding, input.spans, options);
  const base = options.offsetBase ?? 0;
  const n = input.encoding.ids.length;
  const offsets: number[][] = new Array(n);
  const tokenIds: number[] = new Array(n);
  for (let i = 0; i < n; i++) {
    tokenIds[i] = input.encoding.ids[i] as number;
    const s = Math.max(0, (input.encoding.offsets[2 * i] as number) - base);
    const e = Math.max(0, (input.encoding.offsets[2 * i + 1] as number) - base);
    offsets[i] = [s, e];
  }
  const map: TokenRewardMap = {
    schemaVersion: 1,
    id: input.id,
    mode: input.mode,
    tokenizer: input.tokenizer,
    tokenIds,
    offsets,
    rewards: rounded(rewards),
    spans: input.spans.map((s) => ({ ...s })),
  };
  if (input.pairId !== undefined) map.pairId = input.pairId;
  if (input.side !== undefined) map.side = input.side;
  if (input.includeText ?? true) map.text = input.text;
  return map;
}

/** Options of {@link teacherForcedMaps}: those of {@link pairSpans} and of the projection. */
export interface TeacherForcedOptions extends PairSpanOptions, ProjectionOptions {
  /** Spans computed before (e.g. from a `SpanCache`), to skip parsing. */
  spans?: PairSpans;
}

/**
 * Offline training maps for a pair: its fixed code (secure spans, positive) and its vulnerable code
 * (negative), each tokenized with `tokenizer`. `offsetBase` is ignored: each side is scored whole.
 *
 * @example
 * ```ts
 * import { importPairs, samplePairsPath } from '@srcode/dataset';
 * import { byteTokenizer, teacherForcedMaps } from '@srcode/token-reward';
 *
 * for await (const pair of importPairs({ format: 'sven', dataset: 'sample', inputs: [samplePairsPath()] })) {
 *   const { fixed, vulnerable } = teacherForcedMaps(pair, byteTokenizer);
 *   // fixed.rewards[i] > 0 on the fix's tokens, vulnerable.rewards[i] < 0 on the removed code's
 * }
 * ```
 */
export function teacherForcedMaps(
  pair: RepairPair,
  tokenizer: TokenizerLike,
  options: TeacherForcedOptions = {},
): {
  /** The map of `vulnerableCode` (side `vulnerable`, id `<pair id>:vulnerable`). */
  vulnerable: TokenRewardMap;
  /** The map of `fixedCode` (side `fixed`, id `<pair id>:fixed`). */
  fixed: TokenRewardMap;
} {
  const spans = options.spans ?? pairSpans(pair, options);
  const side = (which: 'vulnerable' | 'fixed'): TokenRewardMap => {
    const text = which === 'vulnerable' ? pair.vulnerableCode : pair.fixedCode;
    return buildRewardMap(
      {
        id: `${pair.id}:${which}`,
        pairId: pair.id,
        mode: 'teacher-forced',
        side: which,
        tokenizer: tokenizer.name,
        text,
        encoding: tokenizer.encode(text),
        spans: which === 'vulnerable' ? spans.vulnerable : spans.fixed,
      },
      { ...options, offsetBase: 0 },
    );
  };
  return { vulnerable: side('vulnerable'), fixed: side('fixed') };
}
