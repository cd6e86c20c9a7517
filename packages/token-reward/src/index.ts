export type { TokenRewardErrorCode } from './errors.js';
export { TokenRewardError } from './errors.js';
export type { LanguageSpec, Lexicon } from '@srcode/syntax';
export { languageNames, registerLanguage } from '@srcode/syntax';
export type { Unit } from './lift.js';
export { liftPoint, liftRange } from './lift.js';
export type { PairSpanOptions, PairSpans, SpanWeights } from './pair-spans.js';
export { DEFAULT_SECURE_REWARD, DEFAULT_VULNERABLE_REWARD, pairSpans } from './pair-spans.js';
export type { CombineRule, Normalization, OverlapRule, ProjectionOptions } from './project.js';
export { projectRewards } from './project.js';
export type { MapInput, TeacherForcedOptions } from './map.js';
export { buildRewardMap, teacherForcedMaps } from './map.js';
export type { CallerEncodingInput, OffsetUnit, TokenEncoding, TokenizerLike } from './tokenizer.js';
export {
  assertWellFormed,
  byteTokenizer,
  callerEncoding,
  callerOffsetsTokenizer,
  checkOffsets,
  toUtf16Offsets,
} from './tokenizer.js';
export type { MatchOptions } from './match.js';
export type { PairProfile, UnitProfile } from './profile.js';
export { boundedDistance, similarity } from './distance.js';
export { matchCompletion } from './match.js';
export { profilePair } from './profile.js';
export type { FindingSpanOptions } from './findings.js';
export { DEFAULT_SEVERITY_REWARDS, findingSpans } from './findings.js';
export { SpanCache } from './cache.js';
export type { OnlineInput, OnlineOptions } from './online.js';
export { onlineRewardMap } from './online.js';
export type { RenderOptions } from './render.js';
export { renderHtml, rewardColor } from './render.js';
export type { RewardServer, ServerOptions } from './server.js';
export { createRewardServer } from './server.js';
export type { SyntaxTokens } from './lexer.js';
export { lexTokens } from './lexer.js';
