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

/** Names of lower-case letters, digits, dots and dashes, which the locale's collation orders as their code units do. */
const PLAIN_NAME = /^[a-z0-9.-]*$/;

/**
 * `a.localeCompare(b)`, without the locale's collation for two plain names (rule ids, analyser names): for those
 * it gives the order of their code units, and the first collation in a process costs milliseconds of set-up.
 */
function compareNames(a: string, b: string): number {
  if (a === b) return 0;
  if (PLAIN_NAME.test(a) && PLAIN_NAME.test(b)) return a < b ? -1 : 1;
  return a.localeCompare(b);
}

/** Sort findings by position, then rule id, so output is deterministic. */
export function sortFindings(findings: Finding[]): Finding[] {
  return findings.sort(
    (a, b) =>
      a.range.start - b.range.start ||
      a.range.end - b.range.end ||
      SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] ||
      compareNames(a.ruleId, b.ruleId) ||
      compareNames(a.analyzer, b.analyzer),
  );
}

export function severityRank(s: Finding['severity']): number {
  return SEVERITY_RANK[s];
}
