import type { ReflectionVerdict, RepairPair } from '@srcode/dataset';
import type { EvidenceResult } from './analyzer.js';
import type { PrefilterResult } from './prefilter.js';

/** What a judge sees: the pair, the pre-filter's view of the change, and the analysers' evidence. */
export interface JudgeInput {
  /** The repair pair under judgement. */
  pair: RepairPair;
  /** The pre-filters' result (changed lines, comment-free sides); the pair passed them. */
  prefilter: PrefilterResult;
  /** What the analysers found on both versions. */
  evidence: EvidenceResult;
}

/** A judge's votes and its (majority) reading of the change, before confidence and threshold. */
export interface JudgeOutcome
  extends Pick<
    ReflectionVerdict,
    'votes' | 'securityRelevant' | 'fixComplete' | 'rootCause' | 'rationale' | 'vulnerableLines' | 'fixingLines'
  > {
  /** Why samples voted to reject (recorded when the pair is rejected). */
  rejectReasons: string[];
}

/** Decides whether a fix repairs its weakness: an LLM with self-reflection, or the offline heuristic. */
export interface Judge {
  /** `llm` or `heuristic`, recorded in every verdict. */
  readonly kind: ReflectionVerdict['judge']['kind'];
  /** Model name (or heuristic version) recorded in every verdict. */
  readonly model: string;
  /** Hash of the prompts/rules and the settings that shape the votes. */
  readonly promptHash: string;
  /** Votes on one pair that passed the pre-filters; `signal` aborts the model requests. */
  judge(input: JudgeInput, options?: { signal?: AbortSignal }): Promise<JudgeOutcome>;
}
