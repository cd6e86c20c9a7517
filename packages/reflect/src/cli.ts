import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { type CliSpec, escapeControl, inputFile, main, packageVersion } from '../../../common/cli.js';
import { messageOf } from '../../../common/errors.js';
import { type ChatStats, emptyStats } from './chat/model.js';
import { OpenAIChatClient } from './chat/openai.js';
import { cliAnalyzers } from './cli-analyzers.js';
import { ReflectError } from './errors.js';
import { HeuristicJudge } from './heuristic-judge.js';
import type { Judge } from './judge.js';
import { LlmJudge } from './llm-judge.js';
import { type RunProgress, checkHasPair, runReflection } from './pipeline.js';
import { ProgressReporter } from '../../../common/progress.js';
import { LlmPromptWriter } from './prompts/llm-writer.js';
import { type PromptWriter, TemplatePromptWriter } from './prompts/template-writer.js';

const RUN_USAGE = `--in PAIRS.jsonl --out RECORDS.jsonl [options]

Validates repair pairs (RepairPair JSONL) and writes PrimeVul+ records with implicit prompts.
Without --endpoint the offline heuristic judge and template prompt writer run (weaker than an LLM).
Analyser evidence comes from @srcode/eval's LexicalAnalyzer when @srcode/eval is installed.

  --rejected FILE       rejected pairs with reasons (default: OUT.rejected.jsonl)
  --endpoint URL        OpenAI-compatible base URL, e.g. http://127.0.0.1:8000/v1
  --model NAME          model name sent to the endpoint
  --api-key-env VAR     environment variable holding the API key (never logged or cached)
  --samples K           independent judge samples (default 5)
  --threshold T         accept at confidence >= T (default 0.6)
  --prompts N           implicit prompts kept per accepted pair (default 3)
  --candidates C        candidates written before the diversity filter (default 2N)
  --concurrency C       pairs in flight (default 1 offline, 4 with an endpoint)
  --cache DIR           answer cache (default OUT.cache with an endpoint)
  --timeout-ms MS       per-request timeout (default 60000)
  --max-tokens N        longest answer asked of the model, in tokens (default 2048)
  --probe-timeout-ms MS time the endpoint has to answer before the run starts (default 10000)
  --analyzers FILE      a JS module exporting \`analyzers\` (or a default array) of extra evidence
                        sources: { name, languages, analyze(code, language) } (e.g. @srcode/eval's)
  --template-prompts    write prompts with templates even when an endpoint is given
  --quiet               no progress on stderr`;

function number(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n)) throw new ReflectError('invalid-option', `${flag} expects a number, got "${value}"`);
  return n;
}

async function run(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      in: { type: 'string' },
      out: { type: 'string' },
      rejected: { type: 'string' },
      endpoint: { type: 'string' },
      model: { type: 'string' },
      'api-key-env': { type: 'string' },
      samples: { type: 'string' },
      threshold: { type: 'string' },
      prompts: { type: 'string' },
      candidates: { type: 'string' },
      concurrency: { type: 'string' },
      cache: { type: 'string' },
      'timeout-ms': { type: 'string' },
      'max-tokens': { type: 'string' },
      'probe-timeout-ms': { type: 'string' },
      'template-prompts': { type: 'boolean' },
      analyzers: { type: 'string' },
      quiet: { type: 'boolean' },
    },
  });
  if (!values.in || !values.out) throw new ReflectError('invalid-option', 'expected --in PAIRS.jsonl and --out RECORDS.jsonl');
  if (values.endpoint && !values.model) throw new ReflectError('invalid-option', '--endpoint needs --model');
  // every argument is checked before the run opens its outputs or the answer cache, so a wrong one leaves nothing behind
  inputFile(values.in);
  for (const path of [values.out, values.rejected]) if (path && existsSync(path)) inputFile(path);
  const timeoutMs = values.endpoint ? number(values['timeout-ms'], '--timeout-ms') : undefined;
  const maxTokens = values.endpoint ? number(values['max-tokens'], '--max-tokens') : undefined;
  const probeTimeoutMs = number(values['probe-timeout-ms'], '--probe-timeout-ms');
  const samples = values.endpoint ? number(values.samples, '--samples') : undefined;
  const keep = number(values.prompts, '--prompts');
  const candidates = number(values.candidates, '--candidates') ?? (keep ? keep * 2 : undefined);
  const threshold = number(values.threshold, '--threshold');
  const concurrency = number(values.concurrency, '--concurrency') ?? (values.endpoint ? 4 : 1);
  const { analyzers, notice } = await cliAnalyzers(values.analyzers);
  await checkHasPair(values.in);
  const progress = new ProgressReporter({ stream: process.stderr, label: 'reflect', unit: 'pairs' });
  const say = (text: string) => {
    if (!values.quiet) progress.note(escapeControl(text));
  };
  if (notice) process.stderr.write(escapeControl(notice));
  let judge: Judge = new HeuristicJudge();
  let writer: PromptWriter = new TemplatePromptWriter();
  let stats: ChatStats = emptyStats();
  if (values.endpoint && values.model) {
    const chat = new OpenAIChatClient({
      endpoint: values.endpoint,
      model: values.model,
      cacheDir: values.cache ?? `${values.out}.cache`,
      concurrency: 8,
      ...(values['api-key-env'] ? { apiKeyEnv: values['api-key-env'] } : {}),
      ...(timeoutMs === undefined ? {} : { timeoutMs }),
      ...(maxTokens === undefined ? {} : { maxTokens }),
      onEvent: (e) => {
        if (e.type === 'retry') say(`retry ${e.attempt} in ${e.delayMs} ms: ${e.reason}`);
      },
    });
    // a dead endpoint fails here, in seconds, before any output or cache exists
    const live = await chat.probe(probeTimeoutMs === undefined ? {} : { timeoutMs: probeTimeoutMs });
    if (live.models && !live.models.includes(values.model))
      say(`note: ${values.endpoint} does not list the model ${values.model} (it lists ${live.models.slice(0, 5).join(', ') || 'none'})`);
    stats = chat.stats;
    judge = new LlmJudge(chat, samples === undefined ? {} : { samples });
    if (!values['template-prompts']) writer = new LlmPromptWriter(chat);
  }
  const show = (p: RunProgress, final = false) => {
    if (values.quiet) return;
    const llm = values.endpoint
      ? ` | requests ${stats.requests} cached ${stats.cacheHits} tokens ${stats.promptTokens + stats.completionTokens}`
      : '';
    const state = {
      done: p.done,
      total: p.total,
      skipped: p.resumed,
      detail: `accepted ${p.accepted} rejected ${p.rejected} resumed ${p.resumed} errors ${p.errors}${llm}`,
    };
    if (final) progress.finish(state);
    else progress.update(state);
  };
  const summary = await runReflection({
    input: values.in,
    output: values.out,
    ...(values.rejected ? { rejectedPath: values.rejected } : {}),
    judge,
    writer,
    concurrency,
    analyzers,
    ...(threshold === undefined ? {} : { threshold }),
    prompts: { ...(keep ? { keep } : {}), ...(candidates ? { candidates } : {}) },
    onProgress: (p) => show(p),
    onError: (id, e) => progress.note(escapeControl(`pair ${id} failed and is left for the next run: ${messageOf(e)}`)),
  });
  show(summary, true);
  process.stdout.write(`${JSON.stringify({ ...summary, llm: values.endpoint ? stats : undefined }, null, 2)}\n`);
  return summary.errors ? 1 : 0;
}

/** The srcode-reflect bin by the shared convention. */
const spec: CliSpec = {
  bin: 'srcode-reflect',
  version: packageVersion(import.meta.url),
  about: 'Repair validation and implicit prompts: keeps the repair pairs whose fix really repairs the weakness.',
  commands: {
    run: { summary: 'validate repair pairs and write PrimeVul+ records with implicit prompts (resumable)', usage: RUN_USAGE, run },
  },
  footer: `Accepted pairs go to --out, rejected ones with their reasons to OUT.rejected.jsonl; progress goes to stderr
and a summary to stdout. Rerun the same command to resume an interrupted run.
Exit codes: 0 ok, 1 some pairs failed (left for the next run) or another failure, 2 usage or input error.`,
};

main(spec);
