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
import { type RunProgress, runReflection } from './pipeline.js';
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
  --analyzers FILE      a JS module exporting \`analyzers\` (or a default array) of extra evidence
                        sources: { name, languages, analyze(code, language) } (e.g. @srcode/eval's)
  --template-prompts    write prompts with templates even when an endpoint is given
  --quiet               no progress on stderr`;

function duration(ms: number | undefined): string {
  if (ms === undefined) return '?';
  const s = Math.round(ms / 1000);
  return s >= 3600 ? `${Math.floor(s / 3600)}h${Math.floor((s % 3600) / 60)}m` : s >= 60 ? `${Math.floor(s / 60)}m${s % 60}s` : `${s}s`;
}

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
  const samples = values.endpoint ? number(values.samples, '--samples') : undefined;
  const keep = number(values.prompts, '--prompts');
  const candidates = number(values.candidates, '--candidates') ?? (keep ? keep * 2 : undefined);
  const threshold = number(values.threshold, '--threshold');
  const concurrency = number(values.concurrency, '--concurrency') ?? (values.endpoint ? 4 : 1);
  const { analyzers, notice } = await cliAnalyzers(values.analyzers);
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
      onEvent: (e) => {
        if (!values.quiet && e.type === 'retry')
          process.stderr.write(`\nretry ${e.attempt} in ${e.delayMs} ms: ${escapeControl(e.reason)}\n`);
      },
    });
    stats = chat.stats;
    judge = new LlmJudge(chat, samples === undefined ? {} : { samples });
    if (!values['template-prompts']) writer = new LlmPromptWriter(chat);
  }
  const tty = process.stderr.isTTY;
  let lastPrint = 0;
  const show = (p: RunProgress, final = false) => {
    if (values.quiet) return;
    const now = Date.now();
    if (!final && now - lastPrint < (tty ? 200 : 2000)) return;
    lastPrint = now;
    const pct = p.total ? ((100 * p.done) / p.total).toFixed(1) : '0.0';
    const rate = p.elapsedMs ? ((p.done - p.resumed) / (p.elapsedMs / 1000)).toFixed(1) : '0';
    const llm = values.endpoint
      ? ` | requests ${stats.requests} cached ${stats.cacheHits} tokens ${stats.promptTokens + stats.completionTokens}`
      : '';
    const line = `reflect ${p.done}/${p.total} (${pct}%) accepted ${p.accepted} rejected ${p.rejected} resumed ${p.resumed} errors ${p.errors} | ${rate} pairs/s | ETA ${duration(p.etaMs)}${llm}`;
    process.stderr.write(tty ? `\r${line}\u001b[K${final ? '\n' : ''}` : `${line}\n`);
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
    onError: (id, e) =>
      process.stderr.write(`\npair ${escapeControl(id)} failed and is left for the next run: ${escapeControl(messageOf(e))}\n`),
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
