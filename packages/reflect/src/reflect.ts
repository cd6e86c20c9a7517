import type { RepairPair, ReflectionVerdict } from '@srcode/dataset';
import { type AnalyzerLike, collectEvidence } from './analyzer.js';
import type { Judge } from './judge.js';
import { type PrefilterOptions, prefilter } from './prefilter.js';

/** Options of `reflectPair`. */
export interface ReflectOptions {
  /** Decides whether the fix repairs its weakness: `LlmJudge`, `HeuristicJudge`, or any `Judge`. */
  judge: Judge;
  /**
   * Evidence sources run on both versions: any `Analyzer` of @srcode/dataset's contract, such as
   * @srcode/eval's `LexicalAnalyzer` or `BuiltinAnalyzer`. reflect has no analyser of its own, so
   * without this there is no analyser evidence (and no evidence bonus).
   * @default []
   */
  analyzers?: readonly AnalyzerLike[];
  /** A pair is accepted at confidence >= threshold. @default 0.6 */
  threshold?: number;
  /** Added to the vote share when an analyser finding is removed by the fix (and some sample accepts). @default 0.2 */
  evidenceBonus?: number;
  /** Bounds of the pre-filters. @default PREFILTER_DEFAULTS */
  prefilter?: PrefilterOptions;
  /** Aborts the judge's requests. */
  signal?: AbortSignal;
}

/** The defaults of `ReflectOptions.threshold` and `ReflectOptions.evidenceBonus`. */
export const REFLECT_DEFAULTS = {
  /** A pair is accepted at confidence >= threshold. */
  threshold: 0.6,
  /** Added to the vote share when an analyser finding is removed by the fix. */
  evidenceBonus: 0.2,
} as const;

/**
 * Validates one repair pair: pre-filters, analyser evidence, the judge's votes, then the threshold.
 *
 * @example
 * ```ts
 * import { computeChanges, type RepairPair } from '@srcode/dataset';
 * import { HeuristicJudge, reflectPair } from '@srcode/reflect';
 *
 * const vulnerableCode = 'void copy(char *s) {\n  char b[8];\n  strcpy(b, s);\n}\n';
 * const fixedCode = 'void copy(char *s) {\n  char b[8];\n  strncpy(b, s, sizeof b - 1);\n  b[sizeof b - 1] = 0;\n}\n';
 * const pair: RepairPair = {
 *   schemaVersion: 1, id: 'p1', language: 'c', cwes: ['CWE-787'], provenance: { dataset: 'mine' },
 *   vulnerableCode, fixedCode, changes: computeChanges(vulnerableCode, fixedCode),
 * };
 * const verdict = await reflectPair(pair, { judge: new HeuristicJudge() }); // offline; LlmJudge asks a model
 * console.log(verdict.accepted, verdict.confidence, verdict.rejectReasons); // true 1 []
 * ```
 */
export async function reflectPair(pair: RepairPair, options: ReflectOptions): Promise<ReflectionVerdict> {
  const { judge } = options;
  const threshold = options.threshold ?? REFLECT_DEFAULTS.threshold;
  const bonus = options.evidenceBonus ?? REFLECT_DEFAULTS.evidenceBonus;
  const analyzers = options.analyzers ?? [];
  const judgeInfo = { kind: judge.kind, model: judge.model, promptHash: judge.promptHash };
  const pre = prefilter(pair, options.prefilter);
  if (!pre.ok) {
    return {
      schemaVersion: 1,
      pairId: pair.id,
      accepted: false,
      confidence: 0,
      securityRelevant: false,
      fixComplete: false,
      rootCause: '',
      rationale: `Rejected by the pre-filters before any judge ran: ${pre.reasons.join(', ')}.`,
      vulnerableLines: pre.deletedLines,
      fixingLines: pre.addedLines,
      votes: { accept: 0, reject: 0, samples: 0 },
      evidence: [],
      rejectReasons: pre.reasons.map((r) => `prefilter:${r}`),
      judge: judgeInfo,
    };
  }
  const evidence = await collectEvidence(analyzers, pair.vulnerableCode, pair.fixedCode, pair.language);
  const outcome = await judge.judge({ pair, prefilter: pre, evidence }, { signal: options.signal });
  const { accept, samples } = outcome.votes;
  const share = samples ? accept / samples : 0;
  const raised = accept > 0 && evidence.removed.length > 0 ? share + bonus : share;
  const confidence = Math.round(Math.min(1, Math.max(0, raised)) * 10_000) / 10_000;
  const accepted = samples > 0 && confidence >= threshold;
  const rejectReasons = accepted
    ? []
    : [
        ...(samples === 0 ? ['judge:no-valid-samples'] : []),
        ...[...new Set(outcome.rejectReasons)].map((r) => `judge:${r}`),
        `low-confidence:${confidence}<${threshold}`,
      ];
  return {
    schemaVersion: 1,
    pairId: pair.id,
    accepted,
    confidence,
    securityRelevant: outcome.securityRelevant,
    fixComplete: outcome.fixComplete,
    rootCause: outcome.rootCause,
    rationale: outcome.rationale,
    vulnerableLines: outcome.vulnerableLines,
    fixingLines: outcome.fixingLines,
    votes: outcome.votes,
    evidence: evidence.evidence,
    rejectReasons,
    judge: judgeInfo,
  };
}
