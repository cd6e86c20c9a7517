export type { Analyzer, SyncAnalyzer } from './analyzer.js';
export { lineOf, lineRange, severityRank, sortFindings } from './analyzer.js';
export type { BuiltinAnalyzerOptions } from './builtin.js';
export { BuiltinAnalyzer } from './builtin.js';
export type { EvaluationErrorCode } from './errors.js';
export { EvaluationError } from './errors.js';
export { C_LANGUAGE, C_RULES, isConstantC } from './rules/c.js';
export { PYTHON_LANGUAGE, PYTHON_RULES, isConstantPy } from './rules/python.js';
export { BUILTIN_LANGUAGES } from './rules/registry.js';
export type { LexicalAnalyzerOptions } from './lexical.js';
export { LexicalAnalyzer } from './lexical.js';
export type { LexicalMatch, LexicalRule } from './rules/lexical.js';
export { LEXICAL_RULES } from './rules/lexical.js';
export type { LanguageRules, PredicateResult, Rule, RuleMatch, SyntaxNode } from './rules/rule.js';
export type { BatchItem, ExternalAnalyzerOptions, RawToolFinding, ToolRunResult, ToolSpec } from './external.js';
export { ExternalAnalyzer, runTool } from './external.js';
export { BANDIT, BANDIT_CWE, CPPCHECK, FLAWFINDER, TOOL_SPECS } from './tools.js';
export type { EnsembleOptions } from './ensemble.js';
export { EnsembleAnalyzer, findingKey, mergeFindings } from './ensemble.js';
export type { SarifInput, SarifLevel, SarifLog, SarifOptions } from './sarif.js';
export { SARIF_LEVEL, SECURITY_SEVERITY, toSarif } from './sarif.js';
export type { SarifIssue } from './sarif-schema.js';
export { SARIF_SCHEMA_SUBSET, validateSarif } from './sarif-schema.js';
export type { Isolation, SandboxCreateOptions, SandboxLimits, SandboxResult, SandboxRunOptions } from './sandbox.js';
export { DEFAULT_LIMITS, Sandbox, detectIsolation, processesOf, runInSandbox, withSandbox } from './sandbox.js';
export type { CwevalOutcome, CwevalRunOptions, CwevalTask } from './cweval.js';
export {
  C_LINK_FLAGS,
  CWEVAL_LIMITS,
  PYTHON_MODULE_ALIASES,
  aliasConftest,
  cFlags,
  fillSolution,
  loadCwevalTasks,
  missingDependencies,
  runCwevalTask,
  stripFences,
} from './cweval.js';
export type { ProOutcome, ProProblem } from './codeeval-pro.js';
export { PRO_LIMITS, canonicalCompletion, loadProProblems, proProgram, runProProblem } from './codeeval-pro.js';
export type { SampleCount } from './passk.js';
export { meanPassAtK, passAtK } from './passk.js';
export type { TestCounts } from './pytest-report.js';
export { parseJunit } from './pytest-report.js';
export type { CyberSecEvalCase, Suite, SuiteName, SuiteTask } from './suites.js';
export { SUITE_NAMES, cwevalSuite, cyberSecEvalSuite, loadCyberSecEval, loadSuite, proSuite } from './suites.js';
export type { RateRow, SuiteSummary } from './metrics.js';
export { summarise } from './metrics.js';
export type { ChatGeneratorOptions, ChatModelLike, CodeGenerator, RunProgress, RunSuiteOptions, RunSuiteResult } from './run.js';
export { chatGenerator, runSuite } from './run.js';
export { barChartSvg, toHtml, toMarkdown } from './report.js';
export { ANALYZER_NAMES, createAnalyzer } from './analyzers.js';
