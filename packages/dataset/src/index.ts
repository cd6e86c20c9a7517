export type {
  AnalyzerEvidence,
  ChangeSet,
  EvalResult,
  Finding,
  Generation,
  ImplicitPrompt,
  Language,
  PrimeVulPlusRecord,
  PromptStyle,
  Provenance,
  ReflectionVerdict,
  RepairPair,
  RewardSpan,
  SchemaName,
  SchemaTypes,
  Severity,
  SpanPolarity,
  TextRange,
  TokenRewardMap,
} from './types.js';
export { LANGUAGES } from './types.js';
export type { DatasetErrorCode, Issue, Result } from './errors.js';
export { DatasetError, formatIssue } from './errors.js';
export { SCHEMA_NAMES, toPublishedSchema } from './schemas.js';
export { assertValid, isSchemaName, validate } from './validate.js';
export type { BadLineMode, JsonlRecord, ReadJsonlOptions, ReadProgress } from './jsonl-read.js';
export { JsonlReader, readJsonl, readJsonlAll } from './jsonl-read.js';
export type { WriteJsonlOptions } from './jsonl-write.js';
export { JsonlAppender, writeJsonlAtomic } from './jsonl-write.js';
