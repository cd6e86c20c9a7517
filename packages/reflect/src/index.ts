export type { ReflectErrorCode } from './errors.js';
export { ReflectError } from './errors.js';
export type {
  ChatMessage,
  ChatModel,
  ChatRequest,
  ChatResult,
  ChatStats,
  CompleteOptions,
  JsonSchemaFormat,
  TokenUsage,
} from './chat/model.js';
export type { BackoffOptions } from './chat/backoff.js';
export type { ChatEvent, OpenAIChatOptions, ProbeOptions, ProbeResult } from './chat/openai.js';
export { OpenAIChatClient } from './chat/openai.js';
export type { StructuredOptions, StructuredResult } from './chat/structured.js';
export { completeStructured } from './chat/structured.js';
export type { AnalyzerLike, EvidenceResult } from './analyzer.js';
export { collectEvidence } from './analyzer.js';
export type { PrefilterOptions, PrefilterReason, PrefilterResult } from './prefilter.js';
export { PREFILTER_DEFAULTS, prefilter } from './prefilter.js';
export type { Judge, JudgeInput, JudgeOutcome } from './judge.js';
export type { HeuristicJudgeOptions } from './heuristic-judge.js';
export { HEURISTIC_JUDGE_DEFAULTS, HeuristicJudge } from './heuristic-judge.js';
export type { LlmJudgeOptions } from './llm-judge.js';
export { LLM_JUDGE_DEFAULTS, LlmJudge } from './llm-judge.js';
export type { ReflectOptions } from './reflect.js';
export { REFLECT_DEFAULTS, reflectPair } from './reflect.js';
export type { LeakCheck } from './prompts/leak.js';
export { FORBIDDEN_TERMS, defaultTerms, leakCheck } from './prompts/leak.js';
export type { SimilarityMatrix } from './prompts/diversity.js';
export type { PromptCandidate, PromptWriter } from './prompts/template-writer.js';
export { TemplatePromptWriter } from './prompts/template-writer.js';
export type { LlmPromptWriterOptions } from './prompts/llm-writer.js';
export { LlmPromptWriter } from './prompts/llm-writer.js';
export type { GeneratePromptsOptions, GeneratedPrompts } from './prompts/generate.js';
export { PROMPT_DEFAULTS, generatePrompts } from './prompts/generate.js';
export type { RejectedPair, RunOptions, RunProgress, RunSummary } from './pipeline.js';
export { runReflection } from './pipeline.js';
