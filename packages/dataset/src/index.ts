export type {
  Analyzer,
  AnalyzerEvidence,
  ChangeSet,
  EvalResult,
  Finding,
  FlowStep,
  Generation,
  ImplicitPrompt,
  Language,
  PrimeVulPlusRecord,
  PromptStyle,
  Provenance,
  ReflectionVerdict,
  RepairPair,
  RewardSpan,
  RunOutcome,
  SchemaName,
  SchemaTypes,
  Severity,
  SpanPolarity,
  SyncAnalyzer,
  TextRange,
  TokenRewardMap,
} from './types.js';
export { LANGUAGES, RUN_OUTCOMES } from './types.js';
export type { DatasetErrorCode, Issue, Result, SrcodeErrorOptions } from './errors.js';
export { DatasetError, formatIssue } from './errors.js';
export type { ErrorCode } from '../../../common/errors.js';
export { ERROR_CODES, SrcodeError, fromUnknown, isSrcodeError } from '../../../common/errors.js';
export { SCHEMA_NAMES } from './schemas.js';
export { assertValid, validate } from './validate.js';
export type { BadLineMode, JsonlRecord, ReadJsonlOptions, ReadProgress } from './jsonl-read.js';
export { JsonlReader, readJsonl, readJsonlAll } from './jsonl-read.js';
export type { WriteJsonlOptions } from './jsonl-write.js';
export { JsonlAppender, writeJsonlAtomic } from './jsonl-write.js';
export { computeChanges } from './changes.js';
export { languageFromFileName } from './languages.js';
export { lineIndex } from './text.js';
export type { ImportFormat, ImportOptions, ImportRun } from './import/index.js';
export { IMPORT_FORMATS, importPairs } from './import/index.js';
export type { SvenImportContext } from './import/sven.js';
export { fromSvenRecord } from './import/sven.js';
export type { DedupResult } from './dedup.js';
export { dedupPairs } from './dedup.js';
export type { SplitOptions } from './split.js';
export { splitPairs } from './split.js';
export type { PairStats, SizeSummary } from './stats.js';
export { PairStatsCollector, pairStats } from './stats.js';
export { samplePairsPath } from './sample.js';
