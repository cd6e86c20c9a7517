import type { RepairPair } from '@srcode/dataset';
import { type PairProfile, profilePair } from './profile.js';
import type { PairSpanOptions } from './pair-spans.js';

/**
 * Per-pair spans and unit profiles, so the many completions sampled for one prompt pay only for
 * parsing the completion. Least-recently-used entries go first once `maxEntries` is reached.
 */
export class SpanCache {
  /** Most pairs kept. */
  readonly maxEntries: number;
  private readonly entries = new Map<string, { key: string; profile: PairProfile }>();
  private readonly options: PairSpanOptions;
  /** Keys of pair objects already seen, so a pair passed again is not hashed again. */
  private readonly keys = new WeakMap<RepairPair, string>();
  /** Calls of `get` answered from the cache. */
  hits = 0;
  /** Calls of `get` that profiled the pair. */
  misses = 0;

  /** @param options the span options every profile is computed with, and the cache's size. */
  constructor(
    options: PairSpanOptions & {
      /** Most pairs kept. @default 1024 */
      maxEntries?: number;
    } = {},
  ) {
    this.maxEntries = options.maxEntries ?? 1024;
    this.options = options;
  }

  /** The pair's profile, computed on first use (keyed by id, checked against the code and changes; pair objects are treated as immutable). */
  get(pair: RepairPair): PairProfile {
    let key = this.keys.get(pair);
    if (key === undefined) {
      // the changes decide the units as much as the code does (a pair re-sent with corrected changes)
      const changes = hash(JSON.stringify(pair.changes));
      key = `${pair.language}\u0000${pair.vulnerableCode.length}:${pair.fixedCode.length}:${hash(pair.vulnerableCode)}:${hash(pair.fixedCode)}:${changes}`;
      this.keys.set(pair, key);
    }
    const hit = this.entries.get(pair.id);
    if (hit && hit.key === key) {
      this.hits++;
      this.entries.delete(pair.id);
      this.entries.set(pair.id, hit);
      return hit.profile;
    }
    this.misses++;
    const profile = profilePair(pair, this.options);
    this.entries.delete(pair.id);
    this.entries.set(pair.id, { key, profile });
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
    return profile;
  }

  /** Pairs held now. */
  get size(): number {
    return this.entries.size;
  }

  /** Drops every profile (the hit and miss counts stay). */
  clear(): void {
    this.entries.clear();
  }
}

/** FNV-1a over UTF-16 units: cheap, and enough to notice that a pair's code changed under its id. */
function hash(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16);
}
