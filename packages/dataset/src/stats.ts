import type { RepairPair } from './types.js';

export interface SizeSummary {
  min: number;
  median: number;
  mean: number;
  max: number;
}

export interface PairStats {
  pairs: number;
  byCwe: Record<string, number>;
  byLanguage: Record<string, number>;
  bySource: Record<string, number>;
  projects: number;
  /** Lines of the vulnerable side, and changed characters per pair (deleted + added). */
  sizes: { vulnerableLines: SizeSummary; fixedLines: SizeSummary; changedChars: SizeSummary };
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
