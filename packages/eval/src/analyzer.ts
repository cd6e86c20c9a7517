import type { Finding } from '@srcode/dataset';

// The analyser contract (`Analyzer`, `SyncAnalyzer`) is declared once, in @srcode/dataset.
export type { Analyzer, SyncAnalyzer } from '@srcode/dataset';

/** The `[start, end)` offsets of a 1-based line, without its newline. */
export function lineRange(code: string, line: number): { start: number; end: number } {
  let start = 0;
  for (let l = 1; l < line; l++) {
    const nl = code.indexOf('\n', start);
    if (nl < 0) return { start: code.length, end: code.length };
    start = nl + 1;
  }
  const nl = code.indexOf('\n', start);
  return { start, end: nl < 0 ? code.length : nl };
}

const SEVERITY_RANK = { low: 0, medium: 1, high: 2 } as const;

/** Sort findings by position, then rule id, so output is deterministic. */
export function sortFindings(findings: Finding[]): Finding[] {
  return findings.sort(
    (a, b) =>
      a.range.start - b.range.start ||
      a.range.end - b.range.end ||
      SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] ||
      a.ruleId.localeCompare(b.ruleId) ||
      a.analyzer.localeCompare(b.analyzer),
  );
}

export function severityRank(s: Finding['severity']): number {
  return SEVERITY_RANK[s];
}
