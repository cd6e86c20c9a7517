import type { Finding, Language } from '@srcode/dataset';
import { type Analyzer, severityRank, sortFindings } from './analyzer.js';

/** Options of `EnsembleAnalyzer`. */
export interface EnsembleOptions {
  /**
   * Name written into merged findings' `analyzer` when several agree; single findings keep theirs.
   * @default 'ensemble'
   */
  name?: string;
  /**
   * Separator between the names of the analysers that agreed on a finding.
   * @default '+'
   */
  separator?: string;
}

/** Key that makes two findings the same problem: same first line and same CWE (or rule, without one). */
export function findingKey(f: Finding): string {
  return `${f.lines?.start ?? f.range.start}|${f.cwe ?? `${f.analyzer}:${f.ruleId}`}`;
}

/** Union of several analysers' findings, duplicates (same line, same CWE) merged into one. */
export function mergeFindings(lists: readonly (readonly Finding[])[], separator = '+'): Finding[] {
  const byKey = new Map<string, { finding: Finding; analyzers: Set<string> }>();
  for (const list of lists) {
    for (const f of list) {
      const key = findingKey(f);
      const prior = byKey.get(key);
      if (!prior) {
        byKey.set(key, { finding: f, analyzers: new Set([f.analyzer]) });
        continue;
      }
      prior.analyzers.add(f.analyzer);
      if (severityRank(f.severity) > severityRank(prior.finding.severity)) prior.finding = f;
    }
  }
  return sortFindings(
    [...byKey.values()].map(({ finding, analyzers }) => ({ ...finding, analyzer: [...analyzers].sort().join(separator) })),
  );
}

/** Runs every member that knows the language, in parallel, and merges their findings. */
export class EnsembleAnalyzer implements Analyzer {
  readonly name: string;
  readonly languages: readonly Language[];
  /** The analysers joined. */
  readonly members: readonly Analyzer[];
  readonly #separator: string;

  constructor(members: readonly Analyzer[], options: EnsembleOptions = {}) {
    this.members = members;
    this.name = options.name ?? 'ensemble';
    this.#separator = options.separator ?? '+';
    this.languages = [...new Set(members.flatMap((m) => m.languages))];
  }

  async analyze(code: string, language: Language): Promise<Finding[]> {
    const lists = await Promise.all(this.members.filter((m) => m.languages.includes(language)).map((m) => m.analyze(code, language)));
    return mergeFindings(lists, this.#separator);
  }
}
