import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AGGREGATION_MODES } from './aggregate.js';
import { computeAdvantages, ESTIMATORS } from './advantages.js';
import { fusedGaePpoLoss, fusedPpoLoss } from './fused.js';
import { ppoPolicyLoss, valueLoss } from './losses.js';

describe.each(['js', 'wasm'] as const)('fusedGaePpoLoss, engine %s', (engine) => {
  it('equals computeAdvantages(gae) + ppoPolicyLoss + valueLoss', () => {
    // Values below float32's normal range are flushed to 0: the wasm engine's float32 products of them round to
    // the same subnormal where float64 ones still differ, which flips clip decisions without meaning anything.
    const f = fc.float({ min: -2, max: 2, noNaN: true, noDefaultInfinity: true }).map((x) => (Math.abs(x) < 1e-30 ? 0 : x));
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 6 }),
        fc.array(f, { minLength: 144, maxLength: 144 }),
        fc.array(fc.boolean(), { minLength: 24, maxLength: 24 }),
        (B, T, xs, ms) => {
          const n = B * T;
          const pick = (k: number) => Float32Array.from({ length: n }, (_, i) => xs[(k * 24 + i) % xs.length] as number);
          const mask = Float32Array.from({ length: n }, (_, i) => (ms[i] || i % T === 0 ? 1 : 0));
          const shape = { batch: B, tokens: T };
          const [rewards, values, oldValues, logp] = [pick(0), pick(1), pick(2), pick(3)];
          const oldLogp = logp.map((x, i) => x + 0.2 * Math.sin(i));
          const fused = fusedGaePpoLoss({
            shape,
            rewards,
            values,
            oldValues,
            logp,
            oldLogp,
            mask,
            gamma: 0.9,
            lambda: 0.8,
            dualClip: 3,
            engine,
          });
          const { advantages, returns } = computeAdvantages({ estimator: 'gae', shape, rewards, values, mask, gamma: 0.9, lambda: 0.8 });
          const p = ppoPolicyLoss(logp, oldLogp, advantages, shape, { mask, dualClip: 3 });
          const v = valueLoss(values, oldValues, returns, shape, { mask });
          expect(fused.policyLoss).toBeCloseTo(p.loss, 3);
          expect(fused.valueLoss).toBeCloseTo(v.loss, 3);
          for (let i = 0; i < n; i++) expect(fused.advantages[i]).toBeCloseTo(advantages[i] as number, 3);
        },
      ),
    );
  });
});

describe.each(['js', 'wasm'] as const)('fusedPpoLoss, engine %s', (engine) => {
  it('equals computeAdvantages + ppoPolicyLoss + valueLoss for every estimator, aggregation mode and whitening', () => {
    // Values below float32's normal range are flushed to 0: the wasm engine's float32 products of them round to
    // the same subnormal where float64 ones still differ, which flips clip decisions without meaning anything.
    const f = fc.float({ min: -2, max: 2, noNaN: true, noDefaultInfinity: true }).map((x) => (Math.abs(x) < 1e-30 ? 0 : x));
    fc.assert(
      fc.property(
        fc.constantFrom(...ESTIMATORS),
        fc.constantFrom(...AGGREGATION_MODES),
        fc.constantFrom(undefined, true, false),
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 1, max: 6 }),
        fc.array(f, { minLength: 150, maxLength: 150 }),
        fc.array(fc.boolean(), { minLength: 30, maxLength: 30 }),
        (estimator, mode, whiten, B, T, xs, ms) => {
          const n = B * T;
          const pick = (k: number) => Float32Array.from({ length: n }, (_, i) => xs[(k * 30 + i) % xs.length] as number);
          const mask = Float32Array.from({ length: n }, (_, i) => (ms[i] ? 1 : 0));
          const shape = { batch: B, tokens: T };
          const [rewards, values, oldValues, logp] = [pick(0), pick(1), pick(2), pick(3)];
          const oldLogp = logp.map((x, i) => x + 0.3 * Math.sin(i));
          const groupIds = Array.from({ length: B }, (_, b) => b % 2);
          const common = { estimator, shape, rewards, values, mask, groupIds, gamma: 0.9, lambda: 0.8, whiten };
          const fused = fusedPpoLoss({ ...common, oldValues, logp, oldLogp, dualClip: 3, clipHigh: 0.28, mode, engine });
          const { advantages, returns } = computeAdvantages(common);
          const p = ppoPolicyLoss(logp, oldLogp, advantages, shape, { mask, dualClip: 3, clipHigh: 0.28, mode });
          const v = valueLoss(values, oldValues, returns, shape, { mask, mode });
          expect(fused.policyLoss).toBeCloseTo(p.loss, 3);
          expect(fused.valueLoss).toBeCloseTo(v.loss, 3);
          expect(fused.clipFraction).toBeCloseTo(p.clipFraction, 6);
          expect(fused.approxKl).toBeCloseTo(p.approxKl, 5);
          for (let i = 0; i < n; i++) {
            expect(fused.advantages[i]).toBeCloseTo(advantages[i] as number, 3);
            expect(fused.returns[i]).toBeCloseTo(returns[i] as number, 4);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('computes no value loss without values, and rejects gae without them', () => {
    const shape = { batch: 2, tokens: 3 };
    const rewards = Float32Array.from([0, 0, 1, 0, 0, -1]);
    const logp = new Float32Array(6).fill(-1);
    const r = fusedPpoLoss({ estimator: 'grpo', shape, rewards, logp, oldLogp: logp, engine });
    expect(r.valueLoss).toBe(0);
    expect(Array.from(r.advantages)).toEqual(Array.from(computeAdvantages({ estimator: 'grpo', shape, rewards }).advantages));
    expect(() => fusedPpoLoss({ shape, rewards, logp, oldLogp: logp, engine })).toThrow(/expected values for the gae estimator/);
  });
});
