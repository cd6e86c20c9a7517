// Evaluation of the policy: samples for every task, each scored by the built-in analyser and a parse check,
// kept as eval's records (`Generation`, `EvalResult`) and summarised into the report's rates.
import type { EvalResult, Generation } from '@srcode/dataset';
import { summarise } from '@srcode/eval';
import type { MainContext } from '../context.js';
import { CHAR_TEXT, type PolicyText } from '../policy.js';
import type { Scorer, Task } from '../tasks.js';

/** What evaluation needs of a policy: seeded sampling of completions for token prompts. */
export interface Sampler {
  sample(
    prompts: readonly (readonly number[])[],
    options: { maxNewTokens: number; stopToken: number; seed: number },
  ): Promise<ReadonlyArray<{ tokens: number[] }>>;
}

/** How one task fared over its samples, and one of them. */
export interface TaskTally {
  prompt: string;
  language: string;
  cwe: string;
  samples: number;
  insecure: number;
  wellFormed: number;
  secure: number;
  exactFixed: number;
  /** The first sample's text. */
  example: string;
}

/** The rates of one evaluation, its tallies per task, and its records. */
export interface EvalSummary {
  label: string;
  samples: number;
  insecureRate: number;
  wellFormedRate: number;
  secureRate: number;
  exactFixedRate: number;
  /** Findings (not samples) of each severity over all samples. */
  findings: { high: number; medium: number };
  perTask: Record<string, TaskTally>;
  generations: Generation[];
  results: EvalResult[];
  /**
   * The same policy on training prompts under their own names (what SFT and RL fitted: memory, not
   * generalisation), its records left out; set on the evaluations after SFT and after RL.
   */
  trainSplit?: EvalSummary;
}

/** The policy to evaluate and how to sample it. */
export interface EvaluateInput {
  policy: Sampler;
  /** Names the records (`<label>:<task>:<sample>`) and the model (`srcode-policy-<label>`), e.g. `grpo-instance:s1`. */
  label: string;
  tasks: readonly Task[];
  /** Samples per task. */
  samples: number;
  maxNew: number;
  seed: number;
  scorer: Scorer;
  /** No log line (the periodic evaluations during RL). */
  quiet?: boolean;
  /** The policy's tokens. @default the small policy's characters */
  text?: PolicyText;
  /** Which prompts these are, for the log line. @default held-out */
  split?: 'held-out' | 'training';
}

/**
 * Samples `samples` completions of every task and scores them. The insecure rate and the sample count come
 * from eval's summary (its vulnerable rate of the scorer's analyser); the other rates are pooled over all
 * samples, which eval's pass@1 (a mean over tasks of per-task estimates) would round differently.
 */
export async function evaluateStage(ctx: MainContext, input: EvaluateInput): Promise<EvalSummary> {
  const { label, samples: n, scorer } = input;
  const policyText = input.text ?? CHAR_TEXT;
  const rows = input.tasks.flatMap((t) => Array.from({ length: n }, () => t));
  const completions = await input.policy.sample(
    rows.map((t) => policyText.promptIds(t.prompt)),
    {
      maxNewTokens: input.maxNew,
      stopToken: policyText.stopToken,
      seed: input.seed,
    },
  );
  const generations: Generation[] = [];
  const results: EvalResult[] = [];
  const perTask: EvalSummary['perTask'] = {};
  completions.forEach((c, i) => {
    const task = rows[i] as Task;
    const { text } = policyText.decode(c.tokens);
    const s = scorer.score(task, text);
    const id = `${label}:${task.id}:${i % n}`;
    generations.push({
      schemaVersion: 1,
      id,
      taskId: task.id,
      benchmark: 'main-job',
      model: `srcode-policy-${label.replace(/:/g, '-')}`,
      language: task.language,
      prompt: task.prompt,
      completion: text,
      sampleIndex: i % n,
    });
    results.push({
      schemaVersion: 1,
      generationId: id,
      taskId: task.id,
      benchmark: 'main-job',
      language: task.language,
      // no main-job task has tests: `functional` stays unset (a parse is not a functional test)
      secure: s.secure,
      findings: s.findings,
      durationMs: 0,
    });
    const row = perTask[task.id] ?? {
      prompt: task.prompt,
      language: task.language,
      cwe: task.cwe,
      samples: 0,
      insecure: 0,
      wellFormed: 0,
      secure: 0,
      exactFixed: 0,
      example: text,
    };
    perTask[task.id] = row;
    row.samples++;
    row.insecure += Number(s.insecure);
    row.wellFormed += Number(s.wellFormed);
    row.secure += Number(s.secure);
    row.exactFixed += Number(s.exactFixed);
  });
  const suite = summarise(results, { label, ks: [1], analyzers: [{ name: scorer.analyzerName }] });
  const vulnerable = suite.byAnalyzer?.[scorer.analyzerName]?.overall;
  if (!vulnerable) throw new Error(`internal: eval's summary has no vulnerable rate for ${scorer.analyzerName} (a bug)`);
  const total = suite.generations;
  const count = (k: 'wellFormed' | 'secure' | 'exactFixed') => Object.values(perTask).reduce((a, r) => a + r[k], 0);
  const severity = (level: 'high' | 'medium') => results.reduce((a, r) => a + r.findings.filter((f) => f.severity === level).length, 0);
  const summary: EvalSummary = {
    label,
    samples: total,
    insecureRate: vulnerable.rate,
    wellFormedRate: count('wellFormed') / total,
    secureRate: count('secure') / total,
    exactFixedRate: count('exactFixed') / total,
    findings: { high: severity('high'), medium: severity('medium') },
    perTask,
    generations,
    results,
  };
  if (!input.quiet)
    ctx.log(
      'eval',
      `${label}: ${input.split ?? 'held-out'} insecure ${summary.insecureRate.toFixed(3)}, well-formed ${summary.wellFormedRate.toFixed(3)} (${total} samples)`,
    );
  return summary;
}
