// Stage 2: reflection keeps the high-confidence repairs and writes implicit prompts → PrimeVul+ records.
import { join } from 'node:path';
import { BuiltinAnalyzer } from '@srcode/eval';
import {
  HeuristicJudge,
  LlmJudge,
  LlmPromptWriter,
  OpenAIChatClient,
  type RunSummary,
  TemplatePromptWriter,
  runReflection,
} from '@srcode/reflect';
import type { MainContext } from '../context.js';

/** The judge and prompt writer: an OpenAI-compatible endpoint, or the offline heuristic ones when none is given. */
export interface ReflectInput {
  endpoint: string | undefined;
  model: string | undefined;
  apiKeyEnv: string | undefined;
}

/** Reflects on `ctx.files.pairs` into `ctx.files.records`, with the built-in analyser's findings as evidence. */
export async function reflectStage(ctx: MainContext, input: ReflectInput): Promise<RunSummary> {
  const analyzer = new BuiltinAnalyzer();
  let judge: HeuristicJudge | LlmJudge = new HeuristicJudge();
  let writer: TemplatePromptWriter | LlmPromptWriter = new TemplatePromptWriter();
  if (input.endpoint) {
    if (!input.model) throw new Error('--endpoint needs --judge-model');
    const client = new OpenAIChatClient({
      endpoint: input.endpoint,
      model: input.model,
      ...(input.apiKeyEnv ? { apiKeyEnv: input.apiKeyEnv } : {}),
      cacheDir: join(ctx.out, 'llm-cache'),
    });
    judge = new LlmJudge(client);
    writer = new LlmPromptWriter(client);
  }
  // A bar on a terminal, elsewhere a line every few seconds (with rate and ETA) and a last one, not one line per pair.
  const progress = ctx.progress('reflect', { label: 'pairs', unit: 'pairs' });
  const summary = await runReflection({
    input: ctx.files.pairs,
    output: ctx.files.records,
    judge,
    writer,
    analyzers: [analyzer],
    onProgress: (p) => progress.update({ done: p.done, total: p.total, skipped: p.resumed, detail: `accepted ${p.accepted}` }),
  });
  progress.finish();
  return summary;
}
