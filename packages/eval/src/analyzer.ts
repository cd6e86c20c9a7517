import type { Finding } from '@srcode/dataset';

// The analyser contract (`Analyzer`, `SyncAnalyzer`) is declared once, in @srcode/dataset.
export type { Analyzer, SyncAnalyzer } from '@srcode/dataset';

/** The 1-based line of a UTF-16 offset of `code`, by binary search over its line starts (built once). */
export function lineIndex(code: string): (offset: number) => number {
  const starts = [0];
  for (let i = code.indexOf('\n'); i !== -1; i = code.indexOf('\n', i + 1)) starts.push(i + 1);
  return (offset) => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((starts[mid] ?? 0) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  };
}

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
