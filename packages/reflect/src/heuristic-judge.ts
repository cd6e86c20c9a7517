import { CONSTRUCTS, constructChange, replacesUnsafeConstruct } from './constructs.js';
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
  /**
   * Changed lines (both sides together) that are focused whatever their share: a fix of a five-line
   * function rewrites most of it. @default 12
   */
  smallChangeLines?: number;
}

/** The defaults of `HeuristicJudgeOptions`. */
export const HEURISTIC_JUDGE_DEFAULTS: Required<HeuristicJudgeOptions> = {
  maxChangedLines: 40,
  maxChangedShare: 0.5,
  smallChangeLines: 12,
};

/** Added code that checks, bounds, escapes or replaces a dangerous call. */
const GUARD =
  /\bif\b[^\n]*(?:<|>|==|!=|\bnot\b|\bis\s+None\b|\bNULL\b|\bnil\b|!\s*[A-Za-z_(])|\b(?:escape|quote|sanitiz\w*|secure_filename|safe_join|realpath|abspath|normpath|safe_load|SafeLoader|literal_eval|shlex|snprintf|strncpy|strlcpy|strlcat|min|max|MIN|MAX|min_t|clamp|check(?!_output|_call)\w*|valid\w*|verify\w*|assert\w*)\s*\(|\braise\b|\bthrow\b|return\s+-?E[A-Z]+|goto\s+\w*(?:err|fail|out|bad)\w*|\bsecrets\.|\bcrypto\.|getRandomValues|randomBytes|\.execute\s*\([^)]*,\s*[[(]|mkstemp|NamedTemporaryFile|= NULL;/;

// a line as the guard check compares it: no whitespace, braces or statement ends, one kind of quote
const lineKey = (line: string) => line.replace(/[\s{};]+/g, '').replace(/'/g, '"');

/**
 * Added lines with a guard that the deleted lines do not already have: a guard line that was there and
 * is only reformatted (braces, quotes, wrapping) is no new guard; one whose condition or bound changed is.
 */
export function newGuards(added: string, deleted: string): string[] {
  const before = new Map<string, number>();
  for (const line of deleted.split('\n')) before.set(lineKey(line), (before.get(lineKey(line)) ?? 0) + 1);
  return added.split('\n').filter((line) => {
    if (!GUARD.test(line)) return false;
    const n = before.get(lineKey(line)) ?? 0;
    if (n > 0) before.set(lineKey(line), n - 1);
    return n === 0;
  });
}

/**
 * The offline judge: deterministic checks vote like samples (a new guard or sanitiser is added, or an
 * unsafe construct is replaced by a safe one; the change touches what fixes for the pair's CWE touch;
 * the change is focused; an unsafe construct brought in votes against; and, only when it happens, an
 * analyser finding is removed by the fix, which also earns the evidence bonus). It reads no semantics and
 * is much weaker than an LLM judge: use it to pre-screen or when no model is reachable.
 */
export class HeuristicJudge implements Judge {
  /** Always `heuristic`. */
  readonly kind = 'heuristic' as const;
  /** The version of the checks, recorded in every verdict. */
  readonly model = 'srcode-heuristic-judge@2';
  /** Hash of the checks' patterns and the options. */
  readonly promptHash: string;
  private readonly o: Required<HeuristicJudgeOptions>;

  constructor(options: HeuristicJudgeOptions = {}) {
    this.o = { ...HEURISTIC_JUDGE_DEFAULTS, ...options };
    this.promptHash = shortHash({
      model: this.model,
      guard: GUARD.source,
      constructs: CONSTRUCTS.map((c) => [c.id, c.side, c.languages, c.pattern.source, c.replaces]),
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

    const guards = newGuards(added, deleted);
    const constructs = constructChange(deleted, added, pair.language);
    const replaced = replacesUnsafeConstruct(constructs);
    const guard = guards.length > 0 || replaced;
    vote(guard, 'no-guard-added');
    // a "fix" that brings in verification off, a shell or a string-built query is evidence against it
    if (constructs.addedUnsafe.length) vote(false, 'unsafe-construct-added');

    const keywords = pair.cwes.map((c) => CWE_FIX_KEYWORDS[c]).filter((r) => r !== undefined);
    const cweMatch = keywords.some((re) => re.test(changed));
    if (keywords.length) vote(cweMatch, 'change-unrelated-to-cwe');

    const changedCount = prefilter.addedLines.length + prefilter.deletedLines.length;
    const total = Math.max(pair.vulnerableCode.split('\n').length, pair.fixedCode.split('\n').length);
    const share = changedCount / (2 * total);
    const focused = changedCount <= this.o.maxChangedLines && (share <= this.o.maxChangedShare || changedCount <= this.o.smallChangeLines);
    vote(focused, 'change-not-focused');

    const removed = evidence.removed;
    // a finding the fix removes is one more accepting check; its absence abstains (analysers miss a lot)
    if (removed.length) vote(true, '');
    const cweText = describeCwes(pair.cwes) || 'an unspecified weakness';
    const rootCause = removed.length
      ? `${cweText}: ${[...new Set(removed.map((f) => f.message))].slice(0, 3).join('; ')}`
      : `${cweText} in the deleted or guarded lines`;
    const signals = [
      `new guard or sanitiser: ${guards.length ? 'yes' : 'no'}`,
      `unsafe construct replaced: ${replaced ? [...constructs.removedUnsafe.map((c) => `-${c}`), ...constructs.addedSafe.map((c) => `+${c}`)].join(' ') : 'no'}`,
      ...(constructs.addedUnsafe.length ? [`unsafe construct brought in: ${constructs.addedUnsafe.join(', ')}`] : []),
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
