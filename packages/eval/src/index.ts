export type { Analyzer, SyncAnalyzer } from './analyzer.js';
export type { EvaluationErrorCode } from './errors.js';
export { EvaluationError } from './errors.js';
export type { BuiltinAnalyzerOptions } from './builtin.js';
export { BuiltinAnalyzer } from './builtin.js';
export { BUILTIN_LANGUAGES } from './rules/registry.js';
export type { LanguageRules, PredicateResult, Rule, RuleFlowStep, RuleHit, RuleMatch, SyntaxNode } from './rules/rule.js';
export type { LexicalAnalyzerOptions } from './lexical.js';
export { LexicalAnalyzer } from './lexical.js';
export type { LexicalMatch, LexicalRule } from './rules/lexical.js';
export { LEXICAL_RULES } from './rules/lexical.js';
export type { BatchItem, ColumnUnit, ExternalAnalyzerOptions, RawToolFinding, ToolSpec } from './external.js';
export { ExternalAnalyzer } from './external.js';
export { BANDIT, CPPCHECK, FLAWFINDER, TOOL_SPECS } from './tools.js';
export type { BatchAnalyzer, EnsembleOptions } from './ensemble.js';
export { EnsembleAnalyzer, analyzeAll } from './ensemble.js';
export { ANALYZER_NAMES, createAnalyzer } from './analyzers.js';
export type {
  SarifArtifact,
  SarifArtifactLocation,
  SarifCodeFlow,
  SarifDriver,
  SarifInput,
  SarifLevel,
  SarifLocation,
  SarifLog,
  SarifMessage,
  SarifOptions,
  SarifPhysicalLocation,
  SarifRegion,
  SarifReportingDescriptor,
  SarifResultOut,
  SarifRun,
} from './sarif.js';
export { toSarif } from './sarif.js';
export type { SarifIssue } from './sarif-schema.js';
export { validateSarif } from './sarif-schema.js';
export type { Isolation, SandboxCreateOptions, SandboxLimits, SandboxResult, SandboxRunOptions } from './sandbox.js';
export { DEFAULT_LIMITS, Sandbox, detectIsolation, runInSandbox, withSandbox } from './sandbox.js';
export type { CwevalOutcome, CwevalRunOptions, CwevalTask } from './cweval.js';
export { CWEVAL_LIMITS, fillSolution, loadCwevalTasks, runCwevalTask } from './cweval.js';
export type { ProOutcome, ProProblem } from './codeeval-pro.js';
export { PRO_LIMITS, loadProProblems, runProProblem } from './codeeval-pro.js';
export type { SampleCount } from './passk.js';
export { meanPassAtK, passAtK } from './passk.js';
export type { TestCounts } from './pytest-report.js';
export type { Suite, SuiteName, SuiteTask } from './suites.js';
export { SUITE_NAMES, cwevalSuite, cyberSecEvalSuite, loadSuite, proSuite } from './suites.js';
export type { RateRow, SuiteSummary } from './metrics.js';
export { summarise } from './metrics.js';
export { cweAncestors, cweMatches, cweRelated, isKnownCwe, normaliseCwe } from './cwe.js';
export type { ChatGeneratorOptions, ChatModelLike, CodeGenerator, RunSuiteProgress, RunSuiteOptions, RunSuiteResult } from './run.js';
export { chatGenerator, runSuite } from './run.js';
export { toHtml, toMarkdown } from './report.js';
