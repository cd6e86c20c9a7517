import type { ReflectionVerdict, RepairPair } from '@srcode/dataset';
import type { EvidenceResult } from './analyzer.js';
import type { PrefilterResult } from './prefilter.js';

/** What a judge sees: the pair, the pre-filter's view of the change, and the analysers' evidence. */
export interface JudgeInput {
  pair: RepairPair;
  prefilter: PrefilterResult;
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
  readonly kind: ReflectionVerdict['judge']['kind'];
  /** Model name (or heuristic version) recorded in every verdict. */
  readonly model: string;
  /** Hash of the prompts/rules and the settings that shape the votes. */
  readonly promptHash: string;
  judge(input: JudgeInput, options?: { signal?: AbortSignal }): Promise<JudgeOutcome>;
}
