import type { Analyzer, Finding, Language, RepairPair, SyncAnalyzer } from '@srcode/dataset';
import type { BuiltinAnalyzer, LexicalAnalyzer } from '@srcode/eval';
import { describe, expectTypeOf, it } from 'vitest';
import type {
  AnalyzerLike,
  ChatModel,
  ChatRequest,
  CompleteOptions,
  ChatResult,
  Judge,
  JudgeOutcome,
  PromptCandidate,
  PromptWriter,
} from '../src/index.js';
import type { HeuristicJudge, LlmJudge, LlmPromptWriter, OpenAIChatClient, TemplatePromptWriter } from '../src/index.js';

describe('public interfaces', () => {
  it('the built-in parts implement them', () => {
    expectTypeOf<OpenAIChatClient>().toMatchTypeOf<ChatModel>();
    expectTypeOf<HeuristicJudge>().toMatchTypeOf<Judge>();
    expectTypeOf<LlmJudge>().toMatchTypeOf<Judge>();
    expectTypeOf<TemplatePromptWriter>().toMatchTypeOf<PromptWriter>();
    expectTypeOf<LlmPromptWriter>().toMatchTypeOf<PromptWriter>();
  });

  it("takes @srcode/dataset's analyser contract, and so eval's analysers", () => {
    expectTypeOf<Analyzer>().toMatchTypeOf<AnalyzerLike>();
    expectTypeOf<SyncAnalyzer>().toMatchTypeOf<AnalyzerLike>();
    expectTypeOf<LexicalAnalyzer>().toMatchTypeOf<AnalyzerLike>();
    expectTypeOf<BuiltinAnalyzer>().toMatchTypeOf<AnalyzerLike>();
  });

  it('an analyser of the one contract, sync or async, is accepted', () => {
    expectTypeOf<{
      name: string;
      languages: Language[];
      analyze(code: string, l: Language): Promise<Finding[]>;
    }>().toMatchTypeOf<AnalyzerLike>();
    expectTypeOf<{
      name: string;
      languages: readonly Language[];
      analyze(code: string, l: Language): Finding[];
    }>().toMatchTypeOf<AnalyzerLike>();
    expectTypeOf<{ name: string; languages: Language[] }>().not.toMatchTypeOf<AnalyzerLike>();
    expectTypeOf<{
      name: string;
      languages: Language[];
      analyse(code: string, l: Language): Promise<Finding[]>;
    }>().not.toMatchTypeOf<AnalyzerLike>();
  });

  it('a chat model is one method', () => {
    expectTypeOf<ChatModel['complete']>().parameters.toEqualTypeOf<[ChatRequest, (CompleteOptions | undefined)?]>();
    expectTypeOf<CompleteOptions>().toEqualTypeOf<{ signal?: AbortSignal; usable?: (content: string) => boolean }>();
    expectTypeOf<ChatModel['complete']>().returns.toEqualTypeOf<Promise<ChatResult>>();
    expectTypeOf<Judge['judge']>().returns.toEqualTypeOf<Promise<JudgeOutcome>>();
    expectTypeOf<PromptWriter['write']>().parameter(0).toEqualTypeOf<RepairPair>();
    expectTypeOf<PromptWriter['write']>().returns.toEqualTypeOf<Promise<PromptCandidate[]>>();
  });
});
