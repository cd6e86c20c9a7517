import { describe, expect, it } from 'vitest';
import { aggregate, aggregationWeights } from './aggregate.js';
import { applyKlToRewards, klPerToken } from './kl.js';
import { entropyBonus, ppoPolicyLoss, sftLoss, tokenLogProbs, valueLoss } from './losses.js';
import { fromRows } from './shape.js';

const one = { batch: 1, tokens: 1 };
const f = (...x: number[]) => Float32Array.from(x);

describe('ppoPolicyLoss', () => {
  const ratioLoss = (ratio: number, a: number, opts = {}) => ppoPolicyLoss(f(Math.log(ratio)), f(0), f(a), one, opts).loss;

  it('clips a positive advantage at 1 + clipHigh', () => {
    expect(ratioLoss(1.5, 1)).toBeCloseTo(-1.2, 5);
    expect(ratioLoss(1.5, 1, { clipHigh: 0.28 })).toBeCloseTo(-1.28, 5);
    expect(ratioLoss(0.5, 1)).toBeCloseTo(-0.5, 5);
  });

  it('clips a negative advantage at 1 - clipLow', () => {
    expect(ratioLoss(0.5, -1)).toBeCloseTo(0.8, 5);
    expect(ratioLoss(0.5, -1, { clipLow: 0.3 })).toBeCloseTo(0.7, 5);
    expect(ratioLoss(1.5, -1)).toBeCloseTo(1.5, 5);
  });

  it('caps a negative advantage at -A * dualClip', () => {
    expect(ratioLoss(4, -1)).toBeCloseTo(4, 5);
    expect(ratioLoss(4, -1, { dualClip: 3 })).toBeCloseTo(3, 5);
    expect(ratioLoss(4, 1, { dualClip: 3 })).toBeCloseTo(-1.2, 5);
    expect(() => ratioLoss(4, -1, { dualClip: 0.5 })).toThrow(/dualClip > 1/);
  });

  it('reports clip fraction and approx KL', () => {
    const r = ppoPolicyLoss(f(Math.log(1.5), 0), f(0, 0), f(1, 1), { batch: 1, tokens: 2 });
    expect(r.clipFraction).toBe(0.5);
    expect(r.approxKl).toBeCloseTo((1.5 - 1 - Math.log(1.5)) / 2, 5);
  });
});

describe('valueLoss', () => {
  it('takes the larger of the clipped and unclipped errors', () => {
    expect(valueLoss(f(1), f(0.5), f(0), one).loss).toBeCloseTo(0.5, 5);
    expect(valueLoss(f(0.6), f(0.5), f(1), one).loss).toBeCloseTo(0.08, 5);
    expect(valueLoss(f(1), f(0.5), f(1), one).loss).toBeCloseTo(0.045, 5);
  });
});

describe('aggregation', () => {
  const x = fromRows([
    [1, 2, 0],
    [3, 0, 0],
  ]);
  const m = fromRows([
    [1, 1, 0],
    [1, 0, 0],
  ]);
  it.each([
    ['token-mean', 2],
    ['seq-mean-token-mean', 2.25],
    ['seq-mean-token-sum', 3],
    ['seq-mean-token-sum-norm', 1],
  ] as const)('%s', (mode, want) => {
    expect(aggregate(x.data, x.shape, { mode, mask: m.data })).toBeCloseTo(want, 6);
  });
  it('uses normLength in seq-mean-token-sum-norm', () => {
    expect(aggregate(x.data, x.shape, { mode: 'seq-mean-token-sum-norm', mask: m.data, normLength: 6 })).toBeCloseTo(0.5, 6);
  });
  it('gives masked tokens zero weight', () => {
    const w = aggregationWeights(x.shape, { mode: 'seq-mean-token-mean', mask: m.data });
    expect(Array.from(w)).toEqual([0.25, 0.25, 0, 0.5, 0, 0]);
  });
});

describe('kl', () => {
  const logp = f(0);
  const ref = f(Math.log(0.5));
  it.each([
    ['k1', Math.log(2)],
    ['k2', 0.5 * Math.log(2) ** 2],
    ['k3', 0.5 - 1 + Math.log(2)],
  ] as const)('%s', (estimator, want) => {
    expect(klPerToken(logp, ref, one, { estimator })[0]).toBeCloseTo(want, 6);
  });
  it('clamps each estimate', () => {
    expect(klPerToken(f(20), f(0), one, { estimator: 'k1' })[0]).toBe(10);
    expect(klPerToken(f(-20), f(0), one, { estimator: 'k3', clamp: 5 })[0]).toBe(5);
  });
  it('folds the penalty into the rewards on real tokens only', () => {
    const out = applyKlToRewards(
      f(1, 1),
      f(0, 0),
      f(Math.log(0.5), 0),
      { batch: 1, tokens: 2 },
      { coef: 0.5, estimator: 'k1', mask: f(1, 0) },
    );
    expect(out.rewards[0]).toBeCloseTo(1 - 0.5 * Math.log(2), 6);
    expect(out.rewards[1]).toBe(0);
  });
});

describe('entropy and sft', () => {
  it('entropy bonus is -coef times the aggregated entropy', () => {
    expect(entropyBonus(f(2, 4), { batch: 1, tokens: 2 }, { coef: 0.1 }).loss).toBeCloseTo(-0.3, 6);
  });
  it('sft loss is the masked mean negative log-likelihood', () => {
    expect(sftLoss(f(-1, -3, -100), { batch: 1, tokens: 3 }, { mask: f(1, 1, 0) }).loss).toBeCloseTo(2, 6);
  });
  it('tokenLogProbs computes target log-probs and entropies from logits', () => {
    const { logp, entropy } = tokenLogProbs(f(0, 0, Math.log(3), 0), [1, 0], { batch: 1, tokens: 2 }, 2);
    expect(logp[0]).toBeCloseTo(Math.log(0.5), 6);
    expect(logp[1]).toBeCloseTo(Math.log(0.75), 6);
    expect(entropy[0]).toBeCloseTo(Math.log(2), 6);
  });
});

describe('per-token results', () => {
  const shape = { batch: 2, tokens: 3 };
  const mask = f(1, 1, 0, 1, 0, 0);
  const logp = f(-0.5, -1.2, -3, -0.1, -2, -2);
  const oldLogp = f(-0.7, -1.0, -1, -0.4, -1, -1);
  const adv = f(1, -2, 5, -0.5, 5, 5);

  it('give, on access, per-token losses and weights whose weighted sum is the loss, zero on masked tokens', () => {
    const results = [
      ppoPolicyLoss(logp, oldLogp, adv, shape, { mask, dualClip: 2, mode: 'seq-mean-token-mean' }),
      valueLoss(logp, oldLogp, adv, shape, { mask, mode: 'seq-mean-token-sum' }),
      entropyBonus(logp, shape, { mask }),
      sftLoss(logp, shape, { mask, mode: 'seq-mean-token-sum-norm' }),
    ];
    for (const r of results) {
      expect(r.perToken).toBe(r.perToken); // built once, then kept
      let s = 0;
      for (let i = 0; i < 6; i++) {
        if (mask[i] === 0) {
          expect(r.perToken[i]).toBe(0);
          expect(r.weights[i]).toBe(0);
        }
        s += (r.perToken[i] as number) * (r.weights[i] as number);
      }
      expect(s).toBeCloseTo(r.loss, 6);
    }
  });

  it('computes each token of the PPO loss as the clipped surrogate by hand', () => {
    const r = ppoPolicyLoss(logp, oldLogp, adv, shape, { mask, dualClip: 2 });
    const want = [-1 * Math.min(Math.exp(0.2), 1.2), 2 * Math.max(Math.exp(-0.2), 0.8), 0, 0.5 * Math.exp(0.3), 0, 0];
    for (const [i, w] of want.entries()) expect(r.perToken[i]).toBeCloseTo(w, 5);
    expect(Array.from(r.weights)).toEqual([1 / 3, 1 / 3, 0, 1 / 3, 0, 0].map((x) => Math.fround(x)));
    expect(JSON.parse(JSON.stringify(r)).perToken['1']).toBeCloseTo(want[1] as number, 5);
  });
});
