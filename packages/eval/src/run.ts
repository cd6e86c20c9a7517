import { existsSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { type EvalResult, type Generation, JsonlAppender, readJsonl } from '@srcode/dataset';
import { EvaluationError } from './errors.js';
import { type SuiteSummary, summarise } from './metrics.js';
import type { Suite, SuiteTask } from './suites.js';

/**
 * Anything that writes code for a prompt. The reflect package's LLM client fits structurally; an
 * answer may be a string or an object carrying `text` or `completion`.
 */
export interface CodeGenerator {
  /** Model name recorded in the generations. */
  readonly model?: string;
  /** Code for one prompt; the options say which task and sample it is for. */
  generate(
    prompt: string,
    options?: { taskId?: string; language?: string; sampleIndex?: number },
  ): Promise<
    | string
    | {
        /** The answer's text, used when there is no `completion`. */
        text?: string;
        /** The code (taken before `text`). */
        completion?: string;
      }
  >;
}

/** Where a suite run is, as `RunSuiteOptions.onProgress` hears it. */
export interface RunSuiteProgress {
  /** Generations judged so far, resumed ones included. */
  done: number;
  /** Generations to judge in all; NaN when they come from `generations`, whose length is not known up front. */
  total: number;
  /** Results taken over from an earlier, interrupted run. */
  resumed: number;
  /** The task of the generation just judged. */
  taskId: string;
}

/** Options of `runSuite`. */
export interface RunSuiteOptions {
  /** The benchmark: `cwevalSuite`, `proSuite`, `cyberSecEvalSuite`, `loadSuite`, or any `Suite`. */
  suite: Suite;
  /** A JSONL file of Generation records, or the records themselves. */
  generations?: string | Iterable<Generation> | AsyncIterable<Generation>;
  /** Used when `generations` is absent: asked `samples` times per task. */
  generator?: CodeGenerator;
  /** Samples per task with a generator. @default 1 */
  samples?: number;
  /** Folder for results.jsonl, generations.jsonl and summary.json; a rerun resumes from it. */
  outDir: string;
  /** Only the first N tasks (for smoke runs). */
  limit?: number;
  /** The k of pass@k. @default [1, 5, 10] */
  ks?: readonly number[];
  /** The run's label in the summary (model or file name). @default the suite's name */
  label?: string;
  /** Called after each judged generation. */
  onProgress?: (p: RunSuiteProgress) => void;
  /** Generations judged at once, each in its own sandbox. @default os.availableParallelism() */
  jobs?: number;
}

/** What `runSuite` judged, and its summary (also written to `summary.json`). */
export interface RunSuiteResult {
  /** Every result of the run, resumed ones included. */
  results: EvalResult[];
  /** The run's metrics. */
  summary: SuiteSummary;
  /** Results taken over from an earlier run. */
  resumed: number;
}

async function readAll<T>(file: string): Promise<T[]> {
  const out: T[] = [];
  if (!existsSync(file)) return out;
  for await (const r of readJsonl<T>(file, { mode: 'collect' })) out.push(r.value);
  return out;
}

function textOf(answer: string | { text?: string; completion?: string }): string {
  return typeof answer === 'string' ? answer : (answer.completion ?? answer.text ?? '');
}

async function* generationsFor(options: RunSuiteOptions, tasks: readonly SuiteTask[], generationsFile: string): AsyncGenerator<Generation> {
  const wanted = new Set(tasks.map((t) => t.id));
  const { generations, generator } = options;
  if (typeof generations === 'string') {
    for await (const r of readJsonl(generations, { schema: 'Generation' })) if (wanted.has(r.value.taskId)) yield r.value;
    return;
  }
  if (generations) {
    for await (const g of generations as AsyncIterable<Generation>) if (wanted.has(g.taskId)) yield g;
    return;
  }
  if (!generator) throw new EvaluationError('invalid-input', 'runSuite needs generations (a JSONL file or records) or a generator');
  // Generations already made by an interrupted run are reused, never asked for again.
  const made = new Map((await readAll<Generation>(generationsFile)).map((g) => [g.id, g]));
  const out = new JsonlAppender(generationsFile, { schema: 'Generation' });
  try {
    for (const task of tasks) {
      for (let i = 0; i < (options.samples ?? 1); i++) {
        const id = `${options.suite.name}/${task.id}/${i}`;
        const prior = made.get(id);
        if (prior) {
          yield prior;
          continue;
        }
        const answer = await generator.generate(task.prompt, { taskId: task.id, language: task.language, sampleIndex: i });
        const g: Generation = {
          schemaVersion: 1,
          id,
          taskId: task.id,
          benchmark: options.suite.name,
          model: generator.model ?? 'unknown',
          language: task.language,
          prompt: task.prompt,
          completion: textOf(answer),
          sampleIndex: i,
          createdAt: new Date().toISOString(),
        };
        out.append(g);
        yield g;
      }
    }
  } finally {
    out.close();
  }
}

/**
 * Judge every generation of a suite, appending each result to `<outDir>/results.jsonl` as it
 * lands; rerun with the same folder to resume where it stopped. Writes `summary.json` at the end.
 *
 * @example
 * ```ts
 * import { mkdirSync, writeFileSync } from 'node:fs';
 * import { type CodeGenerator, proSuite, runSuite } from '@srcode/eval';
 *
 * // HumanEval Pro's layout with one problem of its shape (the real file holds 164)
 * mkdirSync('data/codeeval-pro', { recursive: true });
 * const problem = {
 *   id: 'double-all',
 *   raw_problem: 'def double(x):\n    """Twice x."""\n',
 *   raw_solution: '    return 2 * x\n',
 *   new_problem: 'def double_all(xs):\n    """Every element of xs, doubled."""\n',
 *   new_solution: '    return [double(x) for x in xs]\n',
 *   test_code: 'assert double_all([1, 2]) == [2, 4]\n',
 * };
 * writeFileSync('data/codeeval-pro/humaneval_pro.json', JSON.stringify([problem]));
 *
 * // a model that gets it right on its first sample only (chatGenerator turns a chat model into one)
 * const generator: CodeGenerator = {
 *   model: 'toy',
 *   async generate(_prompt, options) {
 *     return options?.sampleIndex === 0 ? '    return [double(x) for x in xs]\n' : '    return xs\n';
 *   },
 * };
 * const { summary } = await runSuite({ suite: proSuite('data', 'humaneval-pro'), generator, samples: 2, ks: [1, 2], outDir: 'run' });
 * console.log(summary.metrics, summary.outcomes); // { 'pass@1': 0.5, 'pass@2': 1 } { passed: 1, failed: 1 }
 * ```
 */
export async function runSuite(options: RunSuiteOptions): Promise<RunSuiteResult> {
  const { suite, outDir } = options;
  await mkdir(outDir, { recursive: true });
  const tasks = options.limit === undefined ? suite.tasks : suite.tasks.slice(0, options.limit);
  const taskById = new Map(tasks.map((t) => [t.id, t]));
  const resultsFile = join(outDir, 'results.jsonl');
  const prior = await readAll<EvalResult>(resultsFile);
  const done = new Map(prior.map((r) => [r.generationId, r]));
  const results: EvalResult[] = [];
  const writer = new JsonlAppender(resultsFile, { schema: 'EvalResult' });
  let resumed = 0;
  let count = 0;
  const total = typeof options.generations === 'string' || options.generations ? Number.NaN : tasks.length * (options.samples ?? 1);
  const jobs = options.jobs ?? availableParallelism();
  if (!Number.isInteger(jobs) || jobs < 1) throw new EvaluationError('invalid-input', `jobs must be a positive integer, got ${jobs}`);
  const source = generationsFor(options, tasks, join(outDir, 'generations.jsonl'));
  let index = 0;
  let failure: { error: unknown } | undefined;
  // Each lane takes the next generation as it frees up; results keep the generations' order.
  const lane = async () => {
    while (!failure) {
      const next = await source.next();
      if (next.done) return;
      const g = next.value;
      const slot = index++;
      const task = taskById.get(g.taskId);
      if (!task) continue;
      const old = done.get(g.id);
      let r: EvalResult;
      if (old) {
        r = old;
        resumed++;
      } else {
        r = await suite.evaluate(task, g);
        writer.append(r);
        done.set(g.id, r);
      }
      results[slot] = r;
      options.onProgress?.({ done: ++count, total, resumed, taskId: task.id });
    }
  };
  try {
    await Promise.allSettled(
      Array.from({ length: jobs }, () =>
        lane().catch((error: unknown) => {
          failure ??= { error };
        }),
      ),
    );
    if (failure) throw failure.error;
  } finally {
    await source.return(undefined);
    writer.close();
  }
  const judged = results.filter((r): r is EvalResult => r !== undefined);
  results.length = 0;
  results.push(...judged);
  const cwe = new Map(tasks.map((t) => [t.id, t.cwe]));
  const summary = summarise(results, {
    label: options.label ?? suite.name,
    ...(options.ks ? { ks: options.ks } : {}),
    ...(suite.analyzers ? { analyzers: suite.analyzers } : {}),
    cweOf: (id) => cwe.get(id),
  });
  const tmp = join(outDir, `.summary.json.${process.pid}`);
  await writeFile(tmp, `${JSON.stringify(summary, null, 2)}\n`);
  await rename(tmp, join(outDir, 'summary.json'));
  return { results, summary, resumed };
}

/** A chat model of the reflect package's shape (`complete` over OpenAI-style messages), joined structurally. */
export interface ChatModelLike {
  /** Model name recorded in the generations. */
  readonly name: string;
  /** Answers one chat request. */
  complete(request: {
    messages: { role: 'system' | 'user' | 'assistant'; content: string }[];
    temperature?: number;
    seed?: number;
    maxTokens?: number;
  }): Promise<{
    /** The answer text. */
    content: string;
  }>;
}

/** Options of `chatGenerator`. */
export interface ChatGeneratorOptions {
  /** The system message. @default 'You are a careful programmer. Answer with code only.' */
  system?: string;
  /** Sampling temperature. @default 0.8 (sampling; k samples differ by their seed) */
  temperature?: number;
  /** Longest answer, in tokens. @default the server's default */
  maxTokens?: number;
}

/** Turn a chat model into a `CodeGenerator`: one user message per prompt, the sample index as the seed. */
export function chatGenerator(model: ChatModelLike, options: ChatGeneratorOptions = {}): CodeGenerator {
  return {
    model: model.name,
    async generate(prompt, opts) {
      const result = await model.complete({
        messages: [
          { role: 'system', content: options.system ?? 'You are a careful programmer. Answer with code only.' },
          { role: 'user', content: prompt },
        ],
        temperature: options.temperature ?? 0.8,
        seed: opts?.sampleIndex ?? 0,
        ...(options.maxTokens !== undefined ? { maxTokens: options.maxTokens } : {}),
      });
      return result.content;
    },
  };
}
