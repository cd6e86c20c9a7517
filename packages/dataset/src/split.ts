import { DatasetError } from './errors.js';
import { shortHash } from './text.js';
import type { RepairPair } from './types.js';

/** Options of {@link splitPairs}. */
export interface SplitOptions {
  /** Split name → fraction of pairs; the fractions must sum to 1. @default { train: 0.8, val: 0.1, test: 0.1 } */
  ratios?: Record<string, number>;
  /** Seed of the deterministic shuffle of projects. @default 0 */
  seed?: number;
  /** The unit that never spans two splits. @default the pair's project (else its commit URL, else its id) */
  groupOf?: (pair: RepairPair) => string;
}

const defaultGroupOf = (p: RepairPair): string => p.provenance.project ?? p.provenance.commitUrl ?? p.id;

/**
 * Leak-free split: all pairs of one project land in one split. Projects are ordered by a seeded hash
 * and each goes to the split furthest below its target share, so the result is deterministic.
 */
export function splitPairs(pairs: readonly RepairPair[], options: SplitOptions = {}): Record<string, RepairPair[]> {
  const ratios = options.ratios ?? { train: 0.8, val: 0.1, test: 0.1 };
  const names = Object.keys(ratios);
  const total = names.reduce((s, n) => s + (ratios[n] ?? 0), 0);
  if (!names.length || names.some((n) => !((ratios[n] ?? -1) >= 0)) || !(Math.abs(total - 1) <= 1e-6)) {
    // A sum other than 1 is a typo far more often than an intent: refused, not normalised away.
    throw new DatasetError('invalid-input', `split ratios must be non-negative and sum to 1, got ${JSON.stringify(ratios)} (sum ${total})`);
  }
  const groupOf = options.groupOf ?? defaultGroupOf;
  const groups = new Map<string, RepairPair[]>();
  for (const p of pairs) {
    const g = groupOf(p);
    const list = groups.get(g);
    if (list) list.push(p);
    else groups.set(g, [p]);
  }
  const seed = String(options.seed ?? 0);
  // Larger projects first (within that, seeded order) so the greedy fill lands close to the ratios.
  const order = [...groups.entries()]
    .map(([key, list]) => ({ key, list, rank: shortHash(seed, key) }))
    .sort((a, b) => b.list.length - a.list.length || (a.rank < b.rank ? -1 : a.rank > b.rank ? 1 : 0));
  const out: Record<string, RepairPair[]> = Object.fromEntries(names.map((n) => [n, []]));
  const count = Object.fromEntries(names.map((n) => [n, 0])) as Record<string, number>;
  let assigned = 0;
  for (const { list } of order) {
    let best = names[0]!;
    let bestDeficit = Number.NEGATIVE_INFINITY;
    for (const n of names) {
      const target = ((ratios[n] ?? 0) / total) * (assigned + list.length);
      const deficit = target - (count[n] ?? 0);
      if (deficit > bestDeficit) {
        bestDeficit = deficit;
        best = n;
      }
    }
    out[best]!.push(...list);
    count[best] = (count[best] ?? 0) + list.length;
    assigned += list.length;
  }
  return out;
}
