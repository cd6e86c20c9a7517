import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ChatCache } from './chat/cache.js';
import { canonicalJson } from './hash.js';
import { meanPairwiseSimilarity, selectDiverse } from './prompts/diversity.js';
import { FORBIDDEN_TERMS, leakCheck } from './prompts/leak.js';
import { diffLines } from './text.js';

function lcsLength(a: string[], b: string[]): number {
  const t = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--)
    for (let j = b.length - 1; j >= 0; j--) {
      const row = t[i] as number[];
      row[j] = a[i] === b[j] ? (t[i + 1]?.[j + 1] ?? 0) + 1 : Math.max(t[i + 1]?.[j] ?? 0, row[j + 1] ?? 0);
    }
  return t[0]?.[0] ?? 0;
}

const lineList = fc.array(fc.constantFrom('a', 'b', 'c', 'd', 'if (x) return;', ''), { maxLength: 12 });

describe('properties', () => {
  it('diffLines: the unchanged lines of both sides are the same sequence', () => {
    fc.assert(
      fc.property(lineList, lineList, (la, lb) => {
        const a = la.join('\n').split('\n');
        const b = lb.join('\n').split('\n');
        const { deleted, added } = diffLines(a.join('\n'), b.join('\n'));
        const keptA = a.filter((_, i) => !deleted.includes(i + 1));
        const keptB = b.filter((_, i) => !added.includes(i + 1));
        expect(keptA).toEqual(keptB);
        if (a.join('\n') === b.join('\n')) expect(deleted.length + added.length).toBe(0);
        expect(keptA.length).toBe(lcsLength(a, b)); // a longest common subsequence: the smallest edit
      }),
    );
  });

  it('the cache key does not depend on key order', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string({ maxLength: 5 }), fc.jsonValue({ maxDepth: 2 })), (obj) => {
        const reversed = Object.fromEntries(Object.entries(obj).reverse());
        expect(canonicalJson(reversed)).toBe(canonicalJson(obj));
        expect(ChatCache.key(reversed)).toBe(ChatCache.key(obj));
      }),
    );
  });

  it('selectDiverse keeps min(keep, n) distinct indices and never raises the mean similarity of a greedy pick above all', () => {
    const text = fc
      .array(fc.constantFrom('copy', 'the', 'name', 'buffer', 'into', 'user', 'returns', 'int'), { minLength: 1, maxLength: 8 })
      .map((w) => w.join(' '));
    fc.assert(
      fc.property(fc.array(text, { maxLength: 8 }), fc.integer({ min: 1, max: 5 }), (texts, keep) => {
        const kept = selectDiverse(texts, keep);
        expect(kept).toHaveLength(Math.min(keep, texts.length));
        expect(new Set(kept).size).toBe(kept.length);
        expect(kept.every((i) => i >= 0 && i < texts.length)).toBe(true);
        if (keep === 2 && texts.length > 2) {
          // the greedy pair's similarity is at most the mean over all pairs
          expect(meanPairwiseSimilarity(kept.map((i) => texts[i] as string))).toBeLessThanOrEqual(meanPairwiseSimilarity(texts) + 1e-9);
        }
      }),
    );
  });

  it('leakCheck catches every forbidden term wherever it stands between words', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...FORBIDDEN_TERMS),
        fc.constantFrom('Write ', 'A ', ''),
        fc.constantFrom(' here.', '', 'ed stuff'),
        (term, pre, post) => {
          expect(leakCheck(`${pre}${term}${post}`).passed).toBe(false);
          expect(leakCheck(`${pre}${term.toUpperCase()}${post}`).passed).toBe(false);
        },
      ),
    );
  });
});
