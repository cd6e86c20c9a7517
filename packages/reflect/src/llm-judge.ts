import type { ChatMessage, ChatModel } from './chat/model.js';
import { completeStructured } from './chat/structured.js';
import { describeCwes } from './cwe.js';
import { ReflectError } from './errors.js';
import { shortHash } from './hash.js';
import type { Judge, JudgeInput, JudgeOutcome } from './judge.js';

/** One sample's reading of a fix, as the model must return it (after analysis and after reflection). */
export interface FixAnalysis {
  rootCause: string;
  vulnerableLines: number[];
  fixingLines: number[];
  securityRelevant: boolean;
  fixComplete: boolean;
  accept: boolean;
  rationale: string;
}

const lines = { type: 'array', items: { type: 'integer', minimum: 1 } } as const;

/** JSON Schema of {@link FixAnalysis}: the judge-written part of a ReflectionVerdict. */
export const FIX_ANALYSIS_SCHEMA = {
  type: 'object',
  properties: {
    rootCause: { type: 'string', minLength: 1 },
    vulnerableLines: lines,
    fixingLines: lines,
    securityRelevant: { type: 'boolean' },
    fixComplete: { type: 'boolean' },
    accept: { type: 'boolean' },
    rationale: { type: 'string', minLength: 1 },
  },
  required: ['rootCause', 'vulnerableLines', 'fixingLines', 'securityRelevant', 'fixComplete', 'accept', 'rationale'],
  additionalProperties: false,
} as const;

const SYSTEM = [
  'You are a senior security engineer auditing vulnerability-fixing commits for a training data set.',
  'You receive one function before and after a commit that claims to fix a weakness.',
  'Decide whether the commit really repairs that weakness. Be strict: refactoring, logging, feature work,',
  'or a partial fix that leaves an exploitable path are not repairs.',
  'Answer with one JSON object only: rootCause, vulnerableLines (1-based, in the BEFORE version),',
  'fixingLines (1-based, in the AFTER version), securityRelevant, fixComplete, accept, rationale.',
].join('\n');

const REFLECT = [
  'Now check your own analysis against the code, line by line:',
  '1. Do the vulnerableLines really contain the weakness, and do the fixingLines really change it?',
  '2. Does the fix remove the weakness on every path, or can it still be reached?',
  '3. Is the change security-relevant at all, or would the function behave the same for an attacker?',
  'Revise anything that does not hold and reply with the final JSON object only.',
].join('\n');

/** Options of `LlmJudge`. */
export interface LlmJudgeOptions {
  /** Independent samples; their agreement is the confidence. @default 5 */
  samples?: number;
  /** Sampling temperature of every turn. @default 0.7 */
  temperature?: number;
  /** Re-asks per turn on output that is not JSON or breaks the schema. @default 2 */
  maxReasks?: number;
  /** Longest code shown per version, in characters (the rest is cut with a marker). @default 24000 */
  maxCodeChars?: number;
  /**
   * A sample whose answer stays off-schema after the re-asks: `fail` throws an `invalid-output` error for
   * the pair (a run counts it as an error and leaves the pair for the next run, which asks again, since
   * off-schema answers are never cached); `abstain` leaves the sample out of the votes. @default 'fail'
   */
  invalidSamples?: 'fail' | 'abstain';
}

/** The defaults of `LlmJudgeOptions`. */
export const LLM_JUDGE_DEFAULTS: Required<LlmJudgeOptions> = {
  samples: 5,
  temperature: 0.7,
  maxReasks: 2,
  maxCodeChars: 24_000,
  invalidSamples: 'fail',
};

function numbered(code: string, max: number): string {
  const text = code.length > max ? `${code.slice(0, max)}\n… (cut at ${max} characters)` : code;
  return text
    .split('\n')
    .map((l, i) => `${String(i + 1).padStart(4)} | ${l}`)
    .join('\n');
}

/** The analysis turn's user message: both versions, the diff, CWE and CVE text, and analyser findings. */
export function analysisPrompt({ pair, prefilter, evidence }: JudgeInput, maxCodeChars: number): string {
  const before = pair.vulnerableCode.split('\n');
  const after = pair.fixedCode.split('\n');
  const diff = [
    ...prefilter.deletedLines.map((l) => `-${String(l).padStart(4)} | ${before[l - 1] ?? ''}`),
    ...prefilter.addedLines.map((l) => `+${String(l).padStart(4)} | ${after[l - 1] ?? ''}`),
  ].join('\n');
  const cwes = describeCwes(pair.cwes) || 'not given';
  const findings = evidence.evidence.length
    ? evidence.evidence
        .map(
          (e) =>
            `- ${e.analyzer} ${e.ruleId}${e.cwe ? ` [${e.cwe}]` : ''}: ${e.removedByFix ? 'gone after the fix' : 'still present after the fix'}`,
        )
        .join('\n')
    : '- none';
  return [
    `Language: ${pair.language}`,
    `Claimed weakness: ${cwes}`,
    ...(pair.cve ? [`CVE: ${pair.cve}`] : []),
    ...(pair.description ? [`Description: ${pair.description}`] : []),
    ...(pair.provenance.commitMessage ? [`Commit message: ${pair.provenance.commitMessage.slice(0, 1000)}`] : []),
    '',
    'BEFORE (claimed vulnerable):',
    numbered(pair.vulnerableCode, maxCodeChars),
    '',
    'AFTER (claimed fixed):',
    numbered(pair.fixedCode, maxCodeChars),
    '',
    'Changed lines (- before, + after):',
    diff || '(none recorded)',
    '',
    'Static analyser findings in the BEFORE version:',
    findings,
    '',
    'Analyse the root cause, the vulnerable lines, the fixing lines, whether the fix fully addresses the',
    'weakness, and whether the change is security-relevant at all. Reply with the JSON object.',
  ].join('\n');
}

/**
 * The LLM judge: for each of k samples an analysis turn, then a self-reflection turn in which the
 * model checks and revises its analysis. A sample votes accept when its final answer accepts a
 * security-relevant, complete fix. A sample whose output stays invalid after re-asks fails the pair
 * (or abstains, with `invalidSamples: 'abstain'`).
 */
export class LlmJudge implements Judge {
  /** Always `llm`. */
  readonly kind = 'llm' as const;
  /** The chat model's name, recorded in every verdict. */
  readonly model: string;
  /** Hash of the prompts, the answer schema and the options. */
  readonly promptHash: string;
  private readonly o: Required<LlmJudgeOptions>;

  constructor(
    private readonly chat: ChatModel,
    options: LlmJudgeOptions = {},
  ) {
    this.o = { ...LLM_JUDGE_DEFAULTS, ...options };
    if (!Number.isInteger(this.o.samples) || this.o.samples < 1) {
      throw new ReflectError('invalid-option', `samples must be a positive integer, got ${this.o.samples}`);
    }
    this.model = chat.name;
    this.promptHash = shortHash({ SYSTEM, REFLECT, schema: FIX_ANALYSIS_SCHEMA, o: this.o, v: 1 });
  }

  /** Runs the samples in parallel and counts their final answers as votes. */
  async judge(input: JudgeInput, options: { signal?: AbortSignal } = {}): Promise<JudgeOutcome> {
    const user = analysisPrompt(input, this.o.maxCodeChars);
    // every sample finishes before a failure is thrown, so the valid answers are cached for the next run
    const settled = await Promise.allSettled(Array.from({ length: this.o.samples }, (_, seed) => this.sample(user, seed, options.signal)));
    const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
    const finals = settled.map((r) => (r.status === 'fulfilled' ? r.value : undefined));
    const valid = finals.filter((f): f is FixAnalysis => f !== undefined);
    const votes = valid.map((f) => f.accept && f.securityRelevant && f.fixComplete);
    const accept = votes.filter(Boolean).length;
    const majorityAccepts = accept * 2 > valid.length;
    const lead = valid.find((_, i) => votes[i] === majorityAccepts) ?? valid[0];
    const majority = (pick: (f: FixAnalysis) => boolean) => valid.filter(pick).length * 2 > valid.length;
    return {
      votes: { accept, reject: valid.length - accept, samples: valid.length },
      securityRelevant: majority((f) => f.securityRelevant),
      fixComplete: majority((f) => f.fixComplete),
      rootCause: lead?.rootCause ?? '',
      rationale: lead?.rationale ?? `no sample produced a valid analysis (${this.o.samples} tried)`,
      vulnerableLines: lead?.vulnerableLines ?? [],
      fixingLines: lead?.fixingLines ?? [],
      rejectReasons: valid.flatMap((f, i) => {
        if (votes[i]) return [];
        if (!f.securityRelevant) return ['not-security-relevant'];
        if (!f.fixComplete) return ['fix-incomplete'];
        return ['model-rejected'];
      }),
    };
  }

  private async sample(user: string, seed: number, signal: AbortSignal | undefined): Promise<FixAnalysis | undefined> {
    const base = { temperature: this.o.temperature, seed };
    const structured = { schema: FIX_ANALYSIS_SCHEMA, name: 'fix_analysis', maxReasks: this.o.maxReasks, ...(signal ? { signal } : {}) };
    const messages: ChatMessage[] = [
      { role: 'system', content: SYSTEM },
      { role: 'user', content: user },
    ];
    try {
      const analysis = await completeStructured<FixAnalysis>(this.chat, { ...base, messages }, structured);
      const reflection = await completeStructured<FixAnalysis>(
        this.chat,
        {
          ...base,
          messages: [...messages, { role: 'assistant', content: JSON.stringify(analysis.value) }, { role: 'user', content: REFLECT }],
        },
        structured,
      );
      return reflection.value;
    } catch (e) {
      if (!(e instanceof ReflectError && e.code === 'invalid-output')) throw e;
      if (this.o.invalidSamples === 'abstain') return undefined;
      throw new ReflectError('invalid-output', `judge sample ${seed} (of ${this.o.samples}): ${e.message}`, { cause: e });
    }
  }
}
