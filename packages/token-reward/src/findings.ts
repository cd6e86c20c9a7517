import type { Finding, RewardSpan, Severity } from '@srcode/dataset';
import { trimRange } from './lift.js';

/** How analyser findings weigh as spans. */
export interface FindingSpanOptions {
  /**
   * Reward per token of a finding's range, by severity (negative: findings are penalties).
   * @default { high: -1, medium: -0.6, low: -0.3 }
   */
  severityRewards?: Partial<Record<Severity, number>>;
}

const DEFAULT_SEVERITY_REWARDS: Readonly<Record<Severity, number>> = { high: -1, medium: -0.6, low: -0.3 };

/**
 * Analyser findings on a text as vulnerable spans weighted by severity (source `finding`, node type
 * the finding's rule id). Ranges are clipped to the text and trimmed of surrounding whitespace;
 * empty ones are dropped.
 */
export function findingSpans(text: string, findings: readonly Finding[], options: FindingSpanOptions = {}): RewardSpan[] {
  const weights = { ...DEFAULT_SEVERITY_REWARDS, ...options.severityRewards };
  const spans: RewardSpan[] = [];
  for (const f of findings) {
    const [start, end] = trimRange(text, f.range.start, f.range.end);
    if (start >= end) continue;
    spans.push({ start, end, polarity: 'vulnerable', weight: weights[f.severity], source: 'finding', nodeType: f.ruleId });
  }
  return spans;
}
