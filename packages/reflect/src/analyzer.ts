import type { Analyzer, AnalyzerEvidence, Finding, Language } from '@srcode/dataset';

/**
 * What reflect takes as an evidence source: @srcode/dataset's `Analyzer` contract (any of eval's
 * analysers meets it), with a synchronous answer accepted too. Joined structurally: reflect imports
 * no analyser and keeps no rules of what is insecure.
 */
export type AnalyzerLike = Pick<Analyzer, 'name' | 'languages'> & {
  /** Findings in `code`, as `Analyzer.analyze`; a plain array is awaited the same way. */
  analyze(code: string, language: Language): Finding[] | Promise<Finding[]>;
};

/** One analyser's findings, a synchronous throw turned into a rejection like an asynchronous one. */
async function runAnalyzer(analyzer: AnalyzerLike, code: string, language: Language): Promise<Finding[]> {
  return await analyzer.analyze(code, language);
}

/** Findings are matched across versions by rule and message, with numbers (lines, columns) ignored. */
function findingKey(f: Finding): string {
  return `${f.analyzer}\u0000${f.ruleId}\u0000${f.message.replace(/\d+/g, '#')}`;
}

/** What the analysers say about a pair: the verdict's evidence, and the findings behind it. */
export interface EvidenceResult {
  /** One entry per finding key of the vulnerable version, `removedByFix` when the fix has fewer of it. */
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
    const beforeKeys = before.map(findingKey);
    const afterKeys = after.map(findingKey);
    const beforeCounts = countKeys(beforeKeys);
    const afterCounts = countKeys(afterKeys);
    removed.push(...surplus(before, beforeKeys, afterCounts));
    introduced.push(...surplus(after, afterKeys, beforeCounts));
    const listed = new Set<string>();
    for (const [i, f] of before.entries()) {
      const key = beforeKeys[i] as string;
      if (listed.has(key)) continue;
      listed.add(key);
      const gone = (beforeCounts.get(key) ?? 0) > (afterCounts.get(key) ?? 0);
      evidence.push({ analyzer: f.analyzer, ruleId: f.ruleId, ...(f.cwe ? { cwe: f.cwe } : {}), removedByFix: gone });
    }
  }
  return { evidence, removed, introduced };
}

function countKeys(keys: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const key of keys) counts.set(key, (counts.get(key) ?? 0) + 1);
  return counts;
}

/** The findings beyond the other side's count of their key: the n-th finding of a key when the other side has fewer than n. */
function surplus(findings: readonly Finding[], keys: readonly string[], other: ReadonlyMap<string, number>): Finding[] {
  const seen = new Map<string, number>();
  return findings.filter((_, i) => {
    const key = keys[i] as string;
    const n = (seen.get(key) ?? 0) + 1;
    seen.set(key, n);
    return n > (other.get(key) ?? 0);
  });
}
