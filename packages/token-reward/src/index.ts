export type { TokenRewardErrorCode } from './errors.js';
export { TokenRewardError } from './errors.js';
export type { LanguageSpec, LoadedLanguage } from './languages.js';
export { getLanguage, languageNames, registerLanguage } from './languages.js';
export type { Unit } from './lift.js';
export { liftPoint, liftRange } from './lift.js';
export { parseCode } from './parse.js';
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
