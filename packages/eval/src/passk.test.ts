import { describe, expect, it } from 'vitest';
import { meanPassAtK, passAtK } from './passk.js';

function binom(n: number, k: number): number {
  let r = 1;
  for (let i = 1; i <= k; i++) r = (r * (n - k + i)) / i;
  return r;
}

describe('passAtK', () => {
  it('is c/n for k = 1', () => {
    expect(passAtK(10, 3, 1)).toBeCloseTo(0.3, 12);
  });

  it('matches 1 - C(n-c, k) / C(n, k)', () => {
    for (const [n, c, k] of [
      [5, 2, 2],
      [20, 3, 5],
      [10, 0, 3],
      [7, 7, 4],
    ] as const) {
      expect(passAtK(n, c, k)).toBeCloseTo(1 - binom(n - c, k) / binom(n, k), 12);
    }
  });

  it('is 1 when fewer than k samples are wrong, 0 when none is right', () => {
    expect(passAtK(10, 8, 3)).toBe(1);
    expect(passAtK(10, 0, 10)).toBe(0);
  });

  it('stays finite for large n', () => {
    const v = passAtK(1000, 10, 100);
    expect(v).toBeGreaterThan(0.6);
    expect(v).toBeLessThan(1);
  });

  it('rejects impossible counts', () => {
    expect(() => passAtK(3, 4, 1)).toThrow(RangeError);
    expect(() => passAtK(3, 1, 0)).toThrow(RangeError);
  });

  it('averages over tasks and skips tasks with fewer than k samples', () => {
    expect(
      meanPassAtK(
        [
          { n: 2, c: 1 },
          { n: 2, c: 2 },
          { n: 1, c: 1 },
        ],
        2,
      ),
    ).toBeCloseTo(1, 12);
    expect(
      meanPassAtK(
        [
          { n: 4, c: 1 },
          { n: 4, c: 3 },
        ],
        1,
      ),
    ).toBeCloseTo(0.5, 12);
    expect(meanPassAtK([], 1)).toBeNaN();
  });
});
