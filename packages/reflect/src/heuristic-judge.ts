import { CWE_FIX_KEYWORDS, describeCwes } from './cwe.js';
import { shortHash } from './hash.js';
import type { Judge, JudgeInput, JudgeOutcome } from './judge.js';
import { pickLines } from './text.js';

/** Options of `HeuristicJudge`. */
export interface HeuristicJudgeOptions {
  /** Most changed lines (both sides together) a focused fix may have. @default 40 */
  maxChangedLines?: number;
  /** Largest share of the function's lines a focused fix may change. @default 0.5 */
  maxChangedShare?: number;
}

/** The defaults of `HeuristicJudgeOptions`. */
export const HEURISTIC_JUDGE_DEFAULTS: Required<HeuristicJudgeOptions> = { maxChangedLines: 40, maxChangedShare: 0.5 };

/** Added code that checks, bounds, escapes or replaces a dangerous call. */
const GUARD =
  /\bif\b[^\n]*(?:<|>|==|!=|\bnot\b|\bis\s+None\b|\bNULL\b|\bnil\b|!\s*[A-Za-z_(])|\b(?:escape|quote|sanitiz\w*|secure_filename|safe_join|realpath|abspath|normpath|safe_load|SafeLoader|literal_eval|shlex|snprintf|strncpy|strlcpy|strlcat|min|max|MIN|MAX|min_t|clamp|check\w*|valid\w*|verify\w*|assert\w*)\s*\(|\braise\b|\bthrow\b|return\s+-?E[A-Z]+|goto\s+\w*(?:err|fail|out|bad)\w*|\bsecrets\.|\bcrypto\.|getRandomValues|randomBytes|\.execute\s*\([^)]*,\s*[[(]|mkstemp|NamedTemporaryFile|= NULL;/;

/**
 * The offline judge: deterministic checks vote like samples (a guard or sanitiser is added; the
 * change touches what fixes for the pair's CWE touch; the change is focused; and, only when it
 * happens, an analyser finding is removed by the fix, which also earns the evidence bonus). It reads no semantics and is much weaker than an LLM judge: use it
 * to pre-screen or when no model is reachable.
 */
export class HeuristicJudge implements Judge {
  /** Always `heuristic`. */
  readonly kind = 'heuristic' as const;
  /** The version of the checks, recorded in every verdict. */
  readonly model = 'srcode-heuristic-judge@1';
  /** Hash of the checks' patterns and the options. */
  readonly promptHash: string;
  private readonly o: Required<HeuristicJudgeOptions>;

  constructor(options: HeuristicJudgeOptions = {}) {
    this.o = { ...HEURISTIC_JUDGE_DEFAULTS, ...options };
    this.promptHash = shortHash({
      model: this.model,
      guard: GUARD.source,
      cwe: Object.entries(CWE_FIX_KEYWORDS).map(([k, v]) => [k, v.source]),
      o: this.o,
    });
  }

  /** Votes with the deterministic checks (see the class comment). */
  async judge({ pair, prefilter, evidence }: JudgeInput): Promise<JudgeOutcome> {
    const added = pickLines(prefilter.stripped.fixed, prefilter.addedLines);
    const deleted = pickLines(prefilter.stripped.vulnerable, prefilter.deletedLines);
    const changed = `${deleted}\n${added}`;
    const reasons: string[] = [];
    let accept = 0;
    let samples = 0;
    const vote = (ok: boolean, reason: string) => {
      samples++;
      if (ok) accept++;
      else reasons.push(reason);
    };

    const guard = GUARD.test(added);
    vote(guard, 'no-guard-added');

    const keywords = pair.cwes.map((c) => CWE_FIX_KEYWORDS[c]).filter((r) => r !== undefined);
    const cweMatch = keywords.some((re) => re.test(changed));
    if (keywords.length) vote(cweMatch, 'change-unrelated-to-cwe');

    const changedCount = prefilter.addedLines.length + prefilter.deletedLines.length;
    const total = Math.max(pair.vulnerableCode.split('\n').length, pair.fixedCode.split('\n').length);
    const share = changedCount / (2 * total);
    const focused = changedCount <= this.o.maxChangedLines && share <= this.o.maxChangedShare;
    vote(focused, 'change-not-focused');

    const removed = evidence.removed;
    // a finding the fix removes is one more accepting check; its absence abstains (analysers miss a lot)
    if (removed.length) vote(true, '');
    const cweText = describeCwes(pair.cwes) || 'an unspecified weakness';
    const rootCause = removed.length
      ? `${cweText}: ${[...new Set(removed.map((f) => f.message))].slice(0, 3).join('; ')}`
      : `${cweText} in the deleted or guarded lines`;
    const signals = [
      `guard or sanitiser added: ${guard ? 'yes' : 'no'}`,
      keywords.length ? `change matches ${pair.cwes.join('/')} fix tokens: ${cweMatch ? 'yes' : 'no'}` : 'no fix tokens known for the CWE',
      `focused change: ${focused ? 'yes' : 'no'} (${changedCount} lines, ${(share * 100).toFixed(0)}% of the function)`,
      `analyser findings removed by the fix: ${removed.length}`,
    ];
    const vulnerableLines = prefilter.deletedLines.length
      ? prefilter.deletedLines
      : [...new Set(removed.flatMap((f) => (f.lines ? [f.lines.start] : [])))];
    return {
      votes: { accept, reject: samples - accept, samples },
      securityRelevant: guard || cweMatch || removed.length > 0,
      fixComplete: removed.length > 0 || (guard && focused),
      rootCause,
      rationale: `Heuristic judge (no model): ${signals.join('; ')}.`,
      vulnerableLines,
      fixingLines: prefilter.addedLines,
      rejectReasons: reasons,
    };
  }
}
