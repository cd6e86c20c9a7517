import { describe, expect, it } from 'vitest';
import { computeAdvantages } from './advantages.js';
import { fromRows, toRows } from './shape.js';

const rows = (a: Float32Array, tokens: number) => toRows(a, { batch: a.length / tokens, tokens });

function close(actual: number[][], expected: number[][], digits = 4) {
  expect(actual.length).toBe(expected.length);
  actual.forEach((r, b) => {
    r.forEach((v, t) => {
      expect(v).toBeCloseTo(expected[b]![t]!, digits);
    });
  });
}

describe('gae', () => {
  it('matches a hand computation (gamma 0.9, lambda 0.8)', () => {
    const r = fromRows([[1, 0, 2]]);
    const v = fromRows([[0.5, 0.5, 0.5]]);
    const out = computeAdvantages({
      estimator: 'gae',
      shape: r.shape,
      rewards: r.data,
      values: v.data,
      gamma: 0.9,
      lambda: 0.8,
      whiten: false,
    });
    close(rows(out.advantages, 3), [[1.6916, 1.03, 1.5]]);
    close(rows(out.returns, 3), [[2.1916, 1.53, 2.0]]);
  });

  it('skips masked tokens as if they were absent and leaves them at zero', () => {
    const r = fromRows([[1, 9, 0, 2, 9]]);
    const v = fromRows([[0.5, 9, 0.5, 0.5, 9]]);
    const m = fromRows([[1, 0, 1, 1, 0]]);
    const out = computeAdvantages({
      estimator: 'gae',
      shape: r.shape,
      rewards: r.data,
      values: v.data,
      mask: m.data,
      gamma: 0.9,
      lambda: 0.8,
      whiten: false,
    });
    close(rows(out.advantages, 5), [[1.6916, 0, 1.03, 1.5, 0]]);
  });

  it('whitens to mean 0 over real tokens by default', () => {
    const r = fromRows([
      [1, 0, 2],
      [0, 0, 5],
    ]);
    const out = computeAdvantages({ estimator: 'gae', shape: r.shape, rewards: r.data, values: new Float32Array(6) });
    const mean = out.advantages.reduce((a, b) => a + b, 0) / 6;
    expect(mean).toBeCloseTo(0, 5);
  });
});

describe('reinforce++', () => {
  it('returns the discounted reward-to-go, whitened only when asked', () => {
    const r = fromRows([[1, 2]]);
    const raw = computeAdvantages({ estimator: 'reinforce++', shape: r.shape, rewards: r.data, gamma: 0.5, whiten: false });
    close(rows(raw.advantages, 2), [[2, 2]]);
    close(rows(raw.returns, 2), [[2, 2]]);
    const r2 = fromRows([[1, 2, 3]]);
    const white = computeAdvantages({ estimator: 'reinforce++', shape: r2.shape, rewards: r2.data });
    close(rows(white.advantages, 3), [[1.069, 0.2673, -1.3363]], 3); // returns 6, 5, 3: mean 14/3, std 1.2472
  });
});

describe('group estimators', () => {
  const r = fromRows([
    [0, 1],
    [0, 3],
    [0, 5],
  ]);
  const base = { shape: r.shape, rewards: r.data, groupIds: [7, 7, 7] };

  it('grpo divides by the group std (population)', () => {
    const out = computeAdvantages({ ...base, estimator: 'grpo' });
    close(rows(out.advantages, 2), [
      [-1.2247, -1.2247],
      [0, 0],
      [1.2247, 1.2247],
    ]);
  });

  it('dr-grpo only subtracts the group mean', () => {
    const out = computeAdvantages({ ...base, estimator: 'dr-grpo' });
    close(rows(out.advantages, 2), [
      [-2, -2],
      [0, 0],
      [2, 2],
    ]);
  });

  it('rloo subtracts the mean of the other members', () => {
    const out = computeAdvantages({ ...base, estimator: 'rloo' });
    close(rows(out.advantages, 2), [
      [-3, -3],
      [0, 0],
      [3, 3],
    ]);
  });

  it('keeps groups apart', () => {
    const r2 = fromRows([[1], [3], [10], [10]]);
    const out = computeAdvantages({ estimator: 'dr-grpo', shape: r2.shape, rewards: r2.data, groupIds: ['a', 'a', 'b', 'b'] });
    close(rows(out.advantages, 1), [[-1], [1], [0], [0]]);
  });

  it('rloo gives zero to a group of one', () => {
    const r1 = fromRows([[4]]);
    expect(computeAdvantages({ estimator: 'rloo', shape: r1.shape, rewards: r1.data }).advantages[0]).toBe(0);
  });

  it('token-grpo keeps a token penalty on the tokens up to it, not after it', () => {
    const d = fromRows([
      [0, -1, 1],
      [0, 0, 1],
    ]);
    const out = computeAdvantages({ estimator: 'token-grpo', shape: d.shape, rewards: d.data, groupIds: [0, 0] });
    close(rows(out.advantages, 3), [
      [-Math.SQRT2, -Math.SQRT2, Math.SQRT1_2],
      [Math.SQRT1_2, Math.SQRT1_2, Math.SQRT1_2],
    ]);
  });

  it('rejects a wrong number of group ids', () => {
    expect(() => computeAdvantages({ ...base, estimator: 'grpo', groupIds: [1, 2] })).toThrow(/3 group ids/);
  });
});

describe('input checks', () => {
  it('requires values for gae', () => {
    const r = fromRows([[1]]);
    expect(() => computeAdvantages({ estimator: 'gae', shape: r.shape, rewards: r.data })).toThrow(/values/);
  });
  it('rejects a shape that does not match', () => {
    expect(() => computeAdvantages({ estimator: 'grpo', shape: { batch: 2, tokens: 2 }, rewards: new Float32Array(3) })).toThrow(
      /2 x 2 = 4/,
    );
  });
});
