import type { AnalyzerEvidence, Finding, Language } from '@srcode/dataset';

interface AnalyzerBase {
  /** Stable name, written into each finding's `analyzer` field and into the evidence. */
  readonly name: string;
  /** Languages the analyser understands; it is not asked about others. */
  readonly languages: readonly Language[];
}

/**
 * Any analyser of the eval package's shape (either spelling of the method), joined structurally: this
 * package imports no analyser.
 */
export type AnalyzerLike = AnalyzerBase &
  (
    | { analyze(code: string, language: Language): Finding[] | Promise<Finding[]> }
    | { analyse(code: string, language: Language): Finding[] | Promise<Finding[]> }
  );

export async function runAnalyzer(analyzer: AnalyzerLike, code: string, language: Language): Promise<Finding[]> {
  return 'analyze' in analyzer ? await analyzer.analyze(code, language) : await analyzer.analyse(code, language);
}

/** Findings are matched across versions by rule and message, with numbers (lines, columns) ignored. */
function findingKey(f: Finding): string {
  return `${f.analyzer}\u0000${f.ruleId}\u0000${f.message.replace(/\d+/g, '#')}`;
}

export interface EvidenceResult {
  evidence: AnalyzerEvidence[];
  /** Findings of the vulnerable version that the fixed version no longer has. */
  removed: Finding[];
  /** Findings that only the fixed version has. */
  introduced: Finding[];
}

/**
 * Runs every analyser that knows the language on both versions. A vulnerable-side finding is
 * `removedByFix` when the fixed version has fewer findings with its key; one evidence entry per key.
 */
export async function collectEvidence(
  analyzers: readonly AnalyzerLike[],
  vulnerableCode: string,
  fixedCode: string,
  language: Language,
): Promise<EvidenceResult> {
  const evidence: AnalyzerEvidence[] = [];
  const removed: Finding[] = [];
  const introduced: Finding[] = [];
  for (const analyzer of analyzers) {
    if (!analyzer.languages.includes(language)) continue;
    const [before, after] = await Promise.all([
      runAnalyzer(analyzer, vulnerableCode, language),
      runAnalyzer(analyzer, fixedCode, language),
    ]);
    const beforeCounts = countKeys(before);
    const afterCounts = countKeys(after);
    const seen = new Map<string, number>();
    for (const f of before) {
      const key = findingKey(f);
      const n = (seen.get(key) ?? 0) + 1;
      seen.set(key, n);
      const gone = (beforeCounts.get(key) ?? 0) > (afterCounts.get(key) ?? 0);
      if (n > (afterCounts.get(key) ?? 0)) removed.push(f);
      if (n === 1) evidence.push({ analyzer: f.analyzer, ruleId: f.ruleId, ...(f.cwe ? { cwe: f.cwe } : {}), removedByFix: gone });
    }
    const seenAfter = new Map<string, number>();
    for (const f of after) {
      const key = findingKey(f);
      const n = (seenAfter.get(key) ?? 0) + 1;
      seenAfter.set(key, n);
      if (n > (beforeCounts.get(key) ?? 0)) introduced.push(f);
    }
  }
  return { evidence, removed, introduced };
}

function countKeys(findings: readonly Finding[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const f of findings) counts.set(findingKey(f), (counts.get(findingKey(f)) ?? 0) + 1);
  return counts;
}
