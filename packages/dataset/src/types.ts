/**
 * The records every @srcode package speaks. Each has a `schemaVersion`; the JSON Schemas in
 * `schemas/*.json` are generated from `schemas.ts`, which ajv type-checks against these types.
 *
 * All character ranges are offsets into the JavaScript (UTF-16) string: `start` inclusive,
 * `end` exclusive. Importers convert from the sources' code-point or byte offsets.
 */

/** Languages the data sets contain. */
export type Language = 'c' | 'cpp' | 'python' | 'javascript' | 'typescript' | 'ruby' | 'go' | 'java' | 'php' | 'csharp' | 'rust';

/** Every {@link Language}, in the order the schemas list them. */
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
  /** First code unit of the range. */
  start: number;
  /** Code unit just past the range (`end >= start`). */
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
  /** URL of the vulnerability-fixing commit. */
  commitUrl?: string;
  /** The commit's message. */
  commitMessage?: string;
  /** Path of the source file in the project. */
  file?: string;
  /** Name of the function the pair holds. */
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
  /** `source`: the data set gave the ranges; `diff`: they were computed with a character diff. */
  origin: 'source' | 'diff';
}

/** A vulnerable function and its fixed version from a real vulnerability-fixing commit. */
export interface RepairPair {
  /** Version of this record's schema. */
  schemaVersion: 1;
  /** Unique within a data set (importers derive it from the source and a content hash). */
  id: string;
  /** Language of both versions. */
  language: Language;
  /** CWE identifiers, `CWE-<n>`. May be empty when the source has none. */
  cwes: string[];
  /** CVE identifier, `CVE-<year>-<n>`, when the source has one. */
  cve?: string;
  /** What the vulnerability is, in the source's words. */
  description?: string;
  /** Where the pair came from. */
  provenance: Provenance;
  /** The function before the fix. */
  vulnerableCode: string;
  /** The function after the fix. */
  fixedCode: string;
  /** What the fix changed, as ranges of each version. */
  changes: ChangeSet;
}

/** An analyser finding a judge weighed: whether the fix removed it. */
export interface AnalyzerEvidence {
  /** The analyser's name. */
  analyzer: string;
  /** The rule that fired. */
  ruleId: string;
  /** The rule's CWE, `CWE-<n>`, when it has one. */
  cwe?: string;
  /** Whether the finding is present in the vulnerable version and gone from the fixed one. */
  removedByFix: boolean;
}

/** A judge's decision on whether a repair pair's fix really repairs the vulnerability. */
export interface ReflectionVerdict {
  /** Version of this record's schema. */
  schemaVersion: 1;
  /** The judged pair's `id`. */
  pairId: string;
  /** Whether the pair is kept: the judge's votes reached the confidence threshold. */
  accepted: boolean;
  /** Agreement-based confidence in [0, 1]. */
  confidence: number;
  /** Whether the change fixes a security weakness (not a refactoring or an unrelated bug). */
  securityRelevant: boolean;
  /** Whether the fixed version no longer has the weakness. */
  fixComplete: boolean;
  /** The weakness in the vulnerable code, in a sentence. */
  rootCause: string;
  /** Why the judge decided as it did. */
  rationale: string;
  /** 1-based line numbers in the vulnerable code. */
  vulnerableLines: number[];
  /** 1-based line numbers in the fixed code. */
  fixingLines: number[];
  /** How the judge's samples voted. */
  votes: {
    /** Samples of the judge that accepted. */
    accept: number;
    /** Samples that rejected. */
    reject: number;
    /** Samples asked. */
    samples: number;
  };
  /** Analyser findings on the two versions that the judge weighed. */
  evidence: AnalyzerEvidence[];
  /** Reasons for rejection (pre-filter codes or the judge's reasons). Empty when accepted. */
  rejectReasons: string[];
  /** Which judge decided, so verdicts of different judges are never mixed up. */
  judge: {
    /** An LLM judge, or the offline heuristic one. */
    kind: 'llm' | 'heuristic';
    /** The model's name (or the heuristic's version). */
    model: string;
    /** Hash of the prompts or rules and the settings that shaped the votes. */
    promptHash: string;
  };
}

/** How an implicit prompt is phrased. */
export type PromptStyle = 'user-request' | 'docstring' | 'specification' | 'code-comment' | 'other';

/** A task description for a repair pair that never mentions the vulnerability or the fix. */
export interface ImplicitPrompt {
  /** Version of this record's schema. */
  schemaVersion: 1;
  /** Unique among the prompts. */
  id: string;
  /** The pair whose function the prompt asks for. */
  pairId: string;
  /** How the prompt is phrased. */
  style: PromptStyle;
  /** Language the prompt asks the function in. */
  language: Language;
  /** The prompt. */
  text: string;
  /** What wrote the prompt. */
  generator: {
    /** An LLM, or a template. */
    kind: 'llm' | 'template';
    /** The model's (or template set's) name. */
    model: string;
  };
  /** The check that the text names no vulnerability term. */
  leakCheck: {
    /** Whether no term was found. */
    passed: boolean;
    /** The terms found (empty when passed). */
    matchedTerms: string[];
  };
}

/** A validated repair pair with its reflection verdict and implicit prompts: one line of PrimeVul+. */
export interface PrimeVulPlusRecord {
  /** Version of this record's schema. */
  schemaVersion: 1;
  /** The pair. */
  pair: RepairPair;
  /** The judge's verdict on it. */
  verdict: ReflectionVerdict;
  /** Prompts asking for its function. */
  prompts: ImplicitPrompt[];
}

/** How serious a finding is. */
export type Severity = 'high' | 'medium' | 'low';

/** One analyser result on a piece of code. */
export interface Finding {
  /** Version of this record's schema. */
  schemaVersion: 1;
  /** The analyser's name (its `Analyzer.name`). */
  analyzer: string;
  /** The rule that fired. */
  ruleId: string;
  /** The rule's CWE, `CWE-<n>`, when it has one. */
  cwe?: string;
  /** How serious the finding is. */
  severity: Severity;
  /** Where in the analysed code (UTF-16 offsets). */
  range: TextRange;
  /** 1-based first and last line of the range, when known. */
  lines?: {
    /** First line. */
    start: number;
    /** Last line. */
    end: number;
  };
  /** What is wrong, for a reader. */
  message: string;
  /** How to fix it, when the rule says. */
  remediation?: string;
  /** The analysed file, when the code came from one. */
  file?: string;
  /**
   * For a taint finding: where the tainted value came from and how it reached the sink, in order
   * (first step the source, last the sink). Written into SARIF as a `codeFlow`.
   */
  flow?: FlowStep[];
}

/** One location on a taint finding's way from source to sink. */
export interface FlowStep {
  /** Where (UTF-16 offsets into the analysed code). */
  range: TextRange;
  /** 1-based first and last line of the range. */
  lines?: {
    /** First line. */
    start: number;
    /** Last line. */
    end: number;
  };
  /** What happens here, for a reader ("request.args['next'] read", "passed to redirect()"). */
  message: string;
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
  /** The same findings as `analyze`, returned directly. */
  analyzeSync(code: string, language: Language): Finding[];
}

/** Whether a span's tokens implement the secure pattern (rewarded) or the vulnerable one (penalised). */
export type SpanPolarity = 'secure' | 'vulnerable';

/** A scored region of text that token rewards are projected from. */
export interface RewardSpan {
  /** First code unit of the span in the scored text. */
  start: number;
  /** Code unit just past the span. */
  end: number;
  /** Secure or vulnerable. */
  polarity: SpanPolarity;
  /** Signed reward magnitude this span contributes per token. */
  weight: number;
  /** What produced the span: a repair-pair unit, a structural match, or an analyser finding. */
  source: 'pair' | 'match' | 'finding';
  /** The AST node type (or finding rule id) the span covers. */
  nodeType?: string;
}

/** One reward per model token, with per-token UTF-16 offsets and the spans the rewards came from. */
export interface TokenRewardMap {
  /** Version of this record's schema. */
  schemaVersion: 1;
  /** Unique among the maps. */
  id: string;
  /** The repair pair the scored text belongs to, when there is one. */
  pairId?: string;
  /** `teacher-forced`: a side of a pair, for offline training; `online`: a sampled completion. */
  mode: 'teacher-forced' | 'online';
  /** Which text was scored. */
  side?: 'vulnerable' | 'fixed' | 'completion';
  /** Name of the tokenizer whose tokens these are. */
  tokenizer: string;
  /** One entry per token. */
  tokenIds: number[];
  /** `[start, end)` per token, UTF-16 offsets into the scored text (after any offset base). */
  offsets: number[][];
  /** One reward per token. */
  rewards: number[];
  /** The spans the rewards were projected from. */
  spans: RewardSpan[];
  /** The scored text, when the producer includes it. */
  text?: string;
}

/** One model completion for a benchmark task. */
export interface Generation {
  /** Version of this record's schema. */
  schemaVersion: 1;
  /** Unique among the generations. */
  id: string;
  /** The task the prompt came from. */
  taskId: string;
  /** The benchmark the task belongs to. */
  benchmark?: string;
  /** The model (or generator) that wrote the completion. */
  model: string;
  /** Language the task asks for. */
  language?: Language;
  /** The prompt the model was given. */
  prompt: string;
  /** What the model wrote. */
  completion: string;
  /** 0-based index of this completion among the samples drawn for one task. */
  sampleIndex: number;
  /** When it was generated, as an ISO 8601 timestamp. */
  createdAt?: string;
}

/** The functional and security outcome of evaluating one generation. */
export interface EvalResult {
  /** Version of this record's schema. */
  schemaVersion: 1;
  /** The evaluated generation's `id`. */
  generationId: string;
  /** Its task. */
  taskId: string;
  /** The benchmark (suite) that evaluated it. */
  benchmark: string;
  /** The task's language. */
  language?: Language;
  /** Functional tests passed, when the benchmark has them. */
  functional?: boolean;
  /** Security tests passed / no finding at or above the threshold, when assessed. */
  secure?: boolean;
  /** Counts of the benchmark's tests, when it ran any. */
  tests?: {
    /** Tests that passed. */
    passed: number;
    /** Tests that failed. */
    failed: number;
    /** Tests that errored rather than pass or fail. */
    errors: number;
  };
  /** Analyser findings on the completion. */
  findings: Finding[];
  /** Wall time of the evaluation, in milliseconds. */
  durationMs: number;
  /** Why the generation could not be evaluated (not runnable here, did not compile), when it could not. */
  error?: string;
  /** How the sandboxed run ended, for benchmarks that run the code. */
  outcome?: RunOutcome;
}

/**
 * How a sandboxed run of generated code ended. Only `passed` is a pass, and only a trusted judge's
 * verdict can give it; the rest say why not.
 */
export type RunOutcome = 'passed' | 'failed' | 'timed-out' | 'memory-limit' | 'output-limit' | 'disk-limit' | 'crashed' | 'harness-error';

/** Every `RunOutcome`, in the order summaries list them. */
export const RUN_OUTCOMES: readonly RunOutcome[] = [
  'passed',
  'failed',
  'timed-out',
  'memory-limit',
  'output-limit',
  'disk-limit',
  'crashed',
  'harness-error',
];

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

/** The record type of each schema, by name: `SchemaTypes['RepairPair']` is {@link RepairPair}. */
export interface SchemaTypes {
  /** See {@link RepairPair}. */
  RepairPair: RepairPair;
  /** See {@link ReflectionVerdict}. */
  ReflectionVerdict: ReflectionVerdict;
  /** See {@link ImplicitPrompt}. */
  ImplicitPrompt: ImplicitPrompt;
  /** See {@link PrimeVulPlusRecord}. */
  PrimeVulPlusRecord: PrimeVulPlusRecord;
  /** See {@link Finding}. */
  Finding: Finding;
  /** See {@link TokenRewardMap}. */
  TokenRewardMap: TokenRewardMap;
  /** See {@link Generation}. */
  Generation: Generation;
  /** See {@link EvalResult}. */
  EvalResult: EvalResult;
}
