import type { RepairPair } from './types.js';

/** The spread of one size over the pairs (all 0 for no pairs). */
export interface SizeSummary {
  /** Smallest. */
  min: number;
  /** Median. */
  median: number;
  /** Mean, to one decimal. */
  mean: number;
  /** Largest. */
  max: number;
}

/** Counts and sizes of a set of repair pairs. */
export interface PairStats {
  /** Pairs counted. */
  pairs: number;
  /** Pairs per CWE, most frequent first (`(none)` for pairs without one; a pair counts once per CWE). */
  byCwe: Record<string, number>;
  /** Pairs per language, most frequent first. */
  byLanguage: Record<string, number>;
  /** Pairs per source data set (`provenance.dataset`), most frequent first. */
  bySource: Record<string, number>;
  /** Distinct projects among the pairs that name one. */
  projects: number;
  /** Sizes per pair. */
  sizes: {
    /** Lines of the vulnerable version. */
    vulnerableLines: SizeSummary;
    /** Lines of the fixed version. */
    fixedLines: SizeSummary;
    /** Changed characters (deleted + added). */
    changedChars: SizeSummary;
  };
}

/** Accumulates statistics over a stream of pairs without keeping the pairs. */
export class PairStatsCollector {
  private n = 0;
  private readonly byCwe: Record<string, number> = {};
  private readonly byLanguage: Record<string, number> = {};
  private readonly bySource: Record<string, number> = {};
  private readonly projects = new Set<string>();
  private readonly vLines: number[] = [];
  private readonly fLines: number[] = [];
  private readonly changed: number[] = [];

  /** Counts one pair. */
  add(p: RepairPair): void {
    this.n++;
    for (const c of p.cwes.length ? p.cwes : ['(none)']) this.byCwe[c] = (this.byCwe[c] ?? 0) + 1;
    this.byLanguage[p.language] = (this.byLanguage[p.language] ?? 0) + 1;
    this.bySource[p.provenance.dataset] = (this.bySource[p.provenance.dataset] ?? 0) + 1;
    if (p.provenance.project) this.projects.add(p.provenance.project);
    this.vLines.push(lineCount(p.vulnerableCode));
    this.fLines.push(lineCount(p.fixedCode));
    const span = (rs: RepairPair['changes']['added']) => rs.reduce((s, r) => s + r.end - r.start, 0);
    this.changed.push(span(p.changes.deleted) + span(p.changes.added));
  }

  /** The statistics of the pairs added so far. */
  result(): PairStats {
    return {
      pairs: this.n,
      byCwe: sortByCount(this.byCwe),
      byLanguage: sortByCount(this.byLanguage),
      bySource: sortByCount(this.bySource),
      projects: this.projects.size,
      sizes: { vulnerableLines: summary(this.vLines), fixedLines: summary(this.fLines), changedChars: summary(this.changed) },
    };
  }
}

/** The statistics of `pairs`; use a {@link PairStatsCollector} for a stream too large to hold. */
export function pairStats(pairs: Iterable<RepairPair>): PairStats {
  const c = new PairStatsCollector();
  for (const p of pairs) c.add(p);
  return c.result();
}

function lineCount(s: string): number {
  if (!s) return 0;
  let n = 1;
  for (let i = s.indexOf('\n'); i !== -1 && i < s.length - 1; i = s.indexOf('\n', i + 1)) n++;
  return n;
}

function summary(xs: number[]): SizeSummary {
  if (!xs.length) return { min: 0, median: 0, mean: 0, max: 0 };
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  const median = s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
  return { min: s[0]!, median, mean: Math.round((s.reduce((a, b) => a + b, 0) / s.length) * 10) / 10, max: s[s.length - 1]! };
}

function sortByCount(r: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(r).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)));
}
