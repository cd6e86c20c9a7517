import type { Finding, Language } from '@srcode/dataset';
import { type Analyzer, type SyncAnalyzer, severityRank, sortFindings } from './analyzer.js';
import type { BatchItem } from './external.js';

/** An analyser that takes many inputs at once (an external tool: one run for the batch). */
export interface BatchAnalyzer extends Analyzer {
  /** One findings list per input, in order. */
  analyzeBatch(items: readonly BatchItem[]): Promise<Finding[][]>;
}

function isBatch(a: Analyzer): a is BatchAnalyzer {
  return typeof (a as Partial<BatchAnalyzer>).analyzeBatch === 'function';
}

function isSync(a: Analyzer): a is SyncAnalyzer {
  return typeof (a as Partial<SyncAnalyzer>).analyzeSync === 'function';
}

/**
 * Every item through one analyser, one findings list per item in order: a batch analyser gets the
 * items of its languages in one call, a synchronous one runs them in turn, any other one by one.
 * Items in a language the analyser does not know get no findings.
 */
export async function analyzeAll(analyzer: Analyzer, items: readonly BatchItem[]): Promise<Finding[][]> {
  const known = items.flatMap((item, i) => (analyzer.languages.includes(item.language) ? [i] : []));
  const out: Finding[][] = items.map(() => []);
  if (known.length === 0) return out;
  let lists: Finding[][];
  if (isBatch(analyzer)) lists = await analyzer.analyzeBatch(known.map((i) => items[i] as BatchItem));
  else if (isSync(analyzer)) lists = known.map((i) => analyzer.analyzeSync((items[i] as BatchItem).code, (items[i] as BatchItem).language));
  else {
    lists = [];
    for (const i of known) lists.push(await analyzer.analyze((items[i] as BatchItem).code, (items[i] as BatchItem).language));
  }
  known.forEach((i, j) => {
    out[i] = lists[j] ?? [];
  });
  return out;
}

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

/**
 * Runs every member that knows the language, in parallel, and merges their findings. A batch goes to
 * each member whole (`analyzeAll`): an external tool runs once for it, not once per input.
 */
export class EnsembleAnalyzer implements BatchAnalyzer {
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

  /** Each member over the whole batch (in parallel), then the findings of each input merged; one list per input, in order. */
  async analyzeBatch(items: readonly BatchItem[]): Promise<Finding[][]> {
    const perMember = await Promise.all(this.members.map((m) => analyzeAll(m, items)));
    return items.map((_, i) =>
      mergeFindings(
        perMember.map((lists) => lists[i] ?? []),
        this.#separator,
      ),
    );
  }
}
