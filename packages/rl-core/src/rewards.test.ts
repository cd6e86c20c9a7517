import { describe, expect, it } from 'vitest';
import { tokenRewards } from './rewards.js';

describe('tokenRewards', () => {
  it("puts a map's rewards on the tokens it covers and 0 on the stop token after them", () => {
    expect(Array.from(tokenRewards({ length: 4, map: { rewards: [0.5, -1, 0.25] } }))).toEqual([0.5, -1, 0.25, 0]);
  });

  it('adds the instance reward on the last token, to its map reward when the map covers it', () => {
    expect(Array.from(tokenRewards({ length: 3, map: { rewards: [0, -1] }, instance: 1 }))).toEqual([0, -1, 1]);
    expect(Array.from(tokenRewards({ length: 2, map: { rewards: [0, -0.5] }, instance: 1 }))).toEqual([0, 0.5]);
  });

  it('scales the map, drops what lies past the completion, and takes typed arrays', () => {
    expect(Array.from(tokenRewards({ length: 2, map: { rewards: new Float32Array([1, 2, 3]) }, scale: 0.5 }))).toEqual([0.5, 1]);
  });

  it('places the instance reward first and adds the map reward to it in float32, as hand-written scorers did', () => {
    const v = 0.1;
    const r = tokenRewards({ length: 1, map: { rewards: [v] }, instance: -2 });
    expect(r[0]).toBe(Math.fround(-2 + v));
  });

  it('gives an empty array for an empty completion and instance-only rewards without a map', () => {
    expect(tokenRewards({ length: 0, instance: 1 })).toEqual(new Float32Array(0));
    expect(Array.from(tokenRewards({ length: 3, instance: -1 }))).toEqual([0, 0, -1]);
  });
});
