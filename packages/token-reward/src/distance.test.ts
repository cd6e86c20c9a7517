import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bagDistance, boundedDistance, jaccard, similarity, stringDistance } from './distance.js';

fc.configureGlobal({ seed: 20261125, numRuns: 300 });

const seq = fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 30 });

describe('distances', () => {
  it('bounded edit distance equals the full one up to its bound, and says "more" beyond', () => {
    fc.assert(
      fc.property(seq, seq, fc.integer({ min: 0, max: 12 }), (a, b, max) => {
        const full = stringDistance(a.map(String), b.map(String));
        const bounded = boundedDistance(Int32Array.from(a), Int32Array.from(b), max);
        expect(bounded).toBe(full <= max ? full : max + 1);
      }),
    );
  });

  it('bag distance never exceeds the edit distance', () => {
    fc.assert(
      fc.property(seq, seq, (a, b) => {
        const counts = new Int32Array(6);
        expect(bagDistance(a, b, counts)).toBeLessThanOrEqual(stringDistance(a.map(String), b.map(String)));
        expect(Array.from(counts).every((c) => c === 0)).toBe(true);
      }),
    );
  });

  it('scores similarity and word overlap in [0, 1]', () => {
    expect(similarity(['a', 'b', 'c'], ['a', 'x', 'c'])).toBeCloseTo(2 / 3);
    expect(similarity([], [])).toBe(1);
    expect(jaccard(new Set(['select', 'from']), new Set(['select', 'where']))).toBeCloseTo(1 / 3);
  });
});
