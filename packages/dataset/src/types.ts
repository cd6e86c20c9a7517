/**
 * The records every @srcode package speaks. Each has a `schemaVersion`; the JSON Schemas in
 * `schemas/*.json` are generated from `schemas.ts`, which ajv type-checks against these types.
 *
 * All character ranges are offsets into the JavaScript (UTF-16) string: `start` inclusive,
 * `end` exclusive. Importers convert from the sources' code-point or byte offsets.
 */

/** Languages the data sets contain. */
export type Language = 'c' | 'cpp' | 'python' | 'javascript' | 'typescript' | 'ruby' | 'go' | 'java' | 'php' | 'csharp' | 'rust';

export const LANGUAGES: readonly Language[] = [
  'c',
  'cpp',
  'python',
  'javascript',
  'typescript',
  'ruby',
  'go',
  'java',
  'php',
  'csharp',
  'rust',
];

/** A half-open range `[start, end)` of UTF-16 code-unit offsets into a JS string. */
export interface TextRange {
  start: number;
  end: number;
}

/** Where a repair pair came from. */
export interface Provenance {
  /** Source data set, e.g. `sven`, `safecoder`, `primevul`, `cweval`, `sample`. */
  dataset: string;
  /** Split in the source data set, e.g. `train` or `val`. */
  split?: string;
  /** Project (repository) the commit belongs to. */
  project?: string;
  commitUrl?: string;
  commitMessage?: string;
  file?: string;
  functionName?: string;
  /** Free-form pointer back into the source file, e.g. `cwe-787.jsonl:12`. */
  origin?: string;
}

/** The changed ranges of each side and whether they came from the source or from a diff. */
export interface ChangeSet {
  /** Ranges of `vulnerableCode` that the fix deletes. */
  deleted: TextRange[];
  /** Ranges of `fixedCode` that the fix adds. */
  added: TextRange[];
  origin: 'source' | 'diff';
}

export interface RepairPair {
  schemaVersion: 1;
  id: string;
  language: Language;
  /** CWE identifiers, `CWE-<n>`. May be empty when the source has none. */
  cwes: string[];
  cve?: string;
  description?: string;
  provenance: Provenance;
  vulnerableCode: string;
  fixedCode: string;
  changes: ChangeSet;
}

export interface AnalyzerEvidence {
  analyzer: string;
  ruleId: string;
  cwe?: string;
  /** Whether the finding is present in the vulnerable version and gone from the fixed one. */
  removedByFix: boolean;
}

export interface ReflectionVerdict {
  schemaVersion: 1;
  pairId: string;
  accepted: boolean;
  /** Agreement-based confidence in [0, 1]. */
  confidence: number;
  securityRelevant: boolean;
  fixComplete: boolean;
  rootCause: string;
  rationale: string;
  /** 1-based line numbers in the vulnerable code. */
  vulnerableLines: number[];
  /** 1-based line numbers in the fixed code. */
  fixingLines: number[];
  votes: { accept: number; reject: number; samples: number };
  evidence: AnalyzerEvidence[];
  /** Reasons for rejection (pre-filter codes or the judge's reasons). Empty when accepted. */
  rejectReasons: string[];
  judge: { kind: 'llm' | 'heuristic'; model: string; promptHash: string };
}

export type PromptStyle = 'user-request' | 'docstring' | 'specification' | 'code-comment' | 'other';

export interface ImplicitPrompt {
  schemaVersion: 1;
  id: string;
  pairId: string;
  style: PromptStyle;
  language: Language;
  text: string;
  generator: { kind: 'llm' | 'template'; model: string };
  leakCheck: { passed: boolean; matchedTerms: string[] };
}

export interface PrimeVulPlusRecord {
  schemaVersion: 1;
  pair: RepairPair;
  verdict: ReflectionVerdict;
  prompts: ImplicitPrompt[];
}

export type Severity = 'high' | 'medium' | 'low';

export interface Finding {
  schemaVersion: 1;
  analyzer: string;
  ruleId: string;
  cwe?: string;
  severity: Severity;
  range: TextRange;
  /** 1-based first and last line of the range, when known. */
  lines?: { start: number; end: number };
  message: string;
  remediation?: string;
  file?: string;
}

/**
 * The one analyser contract every package speaks: source code in, findings out. eval's analysers
 * implement it; reflect's evidence and any trainer's reward take any object of this shape.
 */
export interface Analyzer {
  /** Stable name, written into every finding's `analyzer` field. */
  readonly name: string;
  /** Languages this analyser understands; it is not asked about others. */
  readonly languages: readonly Language[];
  /** Findings in `code`, sorted by position. */
  analyze(code: string, language: Language): Promise<Finding[]>;
}

/** An analyser that can also answer synchronously (an in-process rule engine). */
export interface SyncAnalyzer extends Analyzer {
  analyzeSync(code: string, language: Language): Finding[];
}

export type SpanPolarity = 'secure' | 'vulnerable';

/** A scored region of text that token rewards are projected from. */
export interface RewardSpan {
  start: number;
  end: number;
  polarity: SpanPolarity;
  /** Signed reward magnitude this span contributes per token. */
  weight: number;
  /** What produced the span: a repair-pair unit, a structural match, or an analyser finding. */
  source: 'pair' | 'match' | 'finding';
  /** The AST node type (or finding rule id) the span covers. */
  nodeType?: string;
}

export interface TokenRewardMap {
  schemaVersion: 1;
  id: string;
  pairId?: string;
  mode: 'teacher-forced' | 'online';
  side?: 'vulnerable' | 'fixed' | 'completion';
  tokenizer: string;
  /** One entry per token. */
  tokenIds: number[];
  /** `[start, end)` per token, UTF-16 offsets into the scored text (after any offset base). */
  offsets: number[][];
  /** One reward per token. */
  rewards: number[];
  spans: RewardSpan[];
  /** The scored text, when the producer includes it. */
  text?: string;
}

export interface Generation {
  schemaVersion: 1;
  id: string;
  taskId: string;
  benchmark?: string;
  model: string;
  language?: Language;
  prompt: string;
  completion: string;
  sampleIndex: number;
  createdAt?: string;
}

export interface EvalResult {
  schemaVersion: 1;
  generationId: string;
  taskId: string;
  benchmark: string;
  language?: Language;
  /** Functional tests passed, when the benchmark has them. */
  functional?: boolean;
  /** Security tests passed / no finding at or above the threshold, when assessed. */
  secure?: boolean;
  tests?: { passed: number; failed: number; errors: number };
  findings: Finding[];
  durationMs: number;
  error?: string;
}

/** Names of the schemas, also the file names under `schemas/`. */
export type SchemaName =
  | 'RepairPair'
  | 'ReflectionVerdict'
  | 'ImplicitPrompt'
  | 'PrimeVulPlusRecord'
  | 'Finding'
  | 'TokenRewardMap'
  | 'Generation'
  | 'EvalResult';

export interface SchemaTypes {
  RepairPair: RepairPair;
  ReflectionVerdict: ReflectionVerdict;
  ImplicitPrompt: ImplicitPrompt;
  PrimeVulPlusRecord: PrimeVulPlusRecord;
  Finding: Finding;
  TokenRewardMap: TokenRewardMap;
  Generation: Generation;
  EvalResult: EvalResult;
}
