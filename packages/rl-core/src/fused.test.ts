import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { computeAdvantages } from './advantages.js';
import { fusedGaePpoLoss } from './fused.js';
import { ppoPolicyLoss, valueLoss } from './losses.js';

describe('fusedGaePpoLoss', () => {
  it('equals computeAdvantages(gae) + ppoPolicyLoss + valueLoss', () => {
    const f = fc.float({ min: -2, max: 2, noNaN: true, noDefaultInfinity: true });
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
          const fused = fusedGaePpoLoss({ shape, rewards, values, oldValues, logp, oldLogp, mask, gamma: 0.9, lambda: 0.8, dualClip: 3 });
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
