import { describe, expect, it } from 'vitest';
import { seededRandom } from './sampling.js';

describe('seededRandom', () => {
  it('goes on with the same numbers from a saved state, in the same stream or a new one', () => {
    const a = seededRandom(42);
    for (let i = 0; i < 5; i++) a();
    const state = a.state;
    const next = [a(), a(), a()];
    const b = seededRandom(7);
    b.state = state;
    expect([b(), b(), b()]).toEqual(next);
    const c = seededRandom(state);
    expect([c(), c(), c()]).toEqual(next);
  });

  it('keeps the mulberry32 stream of earlier versions', () => {
    const r = seededRandom(1);
    expect([r(), r()]).toEqual([0.6270739405881613, 0.002735721180215478]);
  });
});
