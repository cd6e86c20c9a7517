import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AGGREGATION_MODES, aggregate, aggregationWeights } from './aggregate.js';
import { computeAdvantages, ESTIMATORS, rewardToGo } from './advantages.js';
import { ppoPolicyLoss } from './losses.js';
import { decodeSafetensors, encodeSafetensors } from './safetensors.js';

const small = fc.float({ min: -5, max: 5, noNaN: true, noDefaultInfinity: true });

/** A batch of `groups` groups of `size` sequences, each `tokens` long, with a random mask that keeps >= 1 token per row. */
const batchArb = fc
  .record({ groups: fc.integer({ min: 1, max: 3 }), size: fc.integer({ min: 1, max: 4 }), tokens: fc.integer({ min: 1, max: 6 }) })
  .chain(({ groups, size, tokens }) => {
    const n = groups * size * tokens;
    return fc.record({
      shape: fc.constant({ batch: groups * size, tokens }),
      groupIds: fc.constant(Array.from({ length: groups * size }, (_, b) => Math.floor(b / size))),
      rewards: fc.array(small, { minLength: n, maxLength: n }).map((a) => Float32Array.from(a)),
      values: fc.array(small, { minLength: n, maxLength: n }).map((a) => Float32Array.from(a)),
      mask: fc.array(fc.boolean(), { minLength: n, maxLength: n }).map((a) => {
        const m = Float32Array.from(a, (x) => (x ? 1 : 0));
        for (let b = 0; b < n / tokens; b++) m[b * tokens] = 1;
        return m;
      }),
    });
  });

describe('advantage invariants', () => {
  it('a constant outcome reward per group gives zero group advantage', () => {
    fc.assert(
      fc.property(batchArb, small, fc.constantFrom('grpo', 'dr-grpo', 'rloo', 'token-grpo') as fc.Arbitrary<'grpo'>, (b, c, estimator) => {
        const rewards = new Float32Array(b.rewards.length);
        for (let s = 0; s < b.shape.batch; s++) {
          let last = -1;
          for (let t = 0; t < b.shape.tokens; t++) if (b.mask[s * b.shape.tokens + t] !== 0) last = t;
          rewards[s * b.shape.tokens + last] = c + (b.groupIds[s] as number);
        }
        const out = computeAdvantages({ estimator, shape: b.shape, rewards, mask: b.mask, groupIds: b.groupIds });
        for (const a of out.advantages) expect(Math.abs(a)).toBeLessThan(1e-6);
      }),
    );
  });

  it('masked tokens never contribute and stay zero', () => {
    fc.assert(
      fc.property(batchArb, fc.constantFrom(...ESTIMATORS), fc.boolean(), (b, estimator, whiten) => {
        const input = {
          estimator,
          shape: b.shape,
          rewards: b.rewards,
          values: b.values,
          mask: b.mask,
          groupIds: b.groupIds,
          gamma: 0.9,
          whiten,
        };
        const out = computeAdvantages(input);
        const noisy = (a: Float32Array) => a.map((v, i) => (b.mask[i] === 0 ? 1000 + i : v));
        const out2 = computeAdvantages({ ...input, rewards: noisy(b.rewards), values: noisy(b.values) });
        for (let i = 0; i < b.mask.length; i++) {
          if (b.mask[i] === 0) {
            expect(out.advantages[i]).toBe(0);
            expect(out.returns[i]).toBe(0);
          }
          expect(out2.advantages[i]).toBe(out.advantages[i]);
        }
      }),
    );
  });

  it('GAE with lambda 1 equals discounted returns minus values', () => {
    fc.assert(
      fc.property(batchArb, fc.float({ min: 0, max: 1, noNaN: true }), (b, gamma) => {
        const out = computeAdvantages({
          estimator: 'gae',
          shape: b.shape,
          rewards: b.rewards,
          values: b.values,
          mask: b.mask,
          gamma,
          lambda: 1,
          whiten: false,
        });
        const g = rewardToGo(b.rewards, b.mask, b.shape, gamma);
        for (let i = 0; i < g.length; i++) {
          const want = b.mask[i] === 0 ? 0 : (g[i] as number) - (b.values[i] as number);
          expect(out.advantages[i]).toBeCloseTo(want, 3);
          expect(out.returns[i]).toBeCloseTo(g[i] as number, 3);
        }
      }),
    );
  });

  it('token-grpo equals grpo for outcome rewards on equal-length rows', () => {
    fc.assert(
      fc.property(batchArb, (b) => {
        const rewards = new Float32Array(b.rewards.length);
        for (let s = 0; s < b.shape.batch; s++) rewards[(s + 1) * b.shape.tokens - 1] = b.rewards[s] as number;
        const base = { shape: b.shape, rewards, groupIds: b.groupIds };
        const tok = computeAdvantages({ ...base, estimator: 'token-grpo' });
        const grpo = computeAdvantages({ ...base, estimator: 'grpo' });
        for (let i = 0; i < rewards.length; i++) expect(tok.advantages[i]).toBeCloseTo(grpo.advantages[i] as number, 3);
      }),
    );
  });

  it('group advantages sum to zero within each group (dr-grpo, rloo)', () => {
    fc.assert(
      fc.property(batchArb, fc.constantFrom('dr-grpo', 'rloo') as fc.Arbitrary<'rloo'>, (b, estimator) => {
        const out = computeAdvantages({ estimator, shape: b.shape, rewards: b.rewards, mask: b.mask, groupIds: b.groupIds });
        const perGroup = new Map<number, number>();
        for (let s = 0; s < b.shape.batch; s++) {
          const first = out.advantages[s * b.shape.tokens] as number;
          perGroup.set(b.groupIds[s]!, (perGroup.get(b.groupIds[s]!) ?? 0) + first);
        }
        for (const v of perGroup.values()) expect(Math.abs(v)).toBeLessThan(1e-3);
      }),
    );
  });
});

describe('loss invariants', () => {
  it('aggregation weights of the mean modes sum to 1, and masked weights are 0', () => {
    fc.assert(
      fc.property(batchArb, fc.constantFrom(...AGGREGATION_MODES), (b, mode) => {
        const w = aggregationWeights(b.shape, { mode, mask: b.mask });
        const sum = w.reduce((a, x) => a + x, 0);
        if (mode === 'token-mean' || mode === 'seq-mean-token-mean') expect(sum).toBeCloseTo(1, 4);
        for (let i = 0; i < w.length; i++) if (b.mask[i] === 0) expect(w[i]).toBe(0);
      }),
    );
  });

  it('the policy loss ignores masked log-probs and advantages', () => {
    fc.assert(
      fc.property(batchArb, fc.constantFrom(...AGGREGATION_MODES), (b, mode) => {
        const opts = { mask: b.mask, mode, dualClip: 3 };
        const a = ppoPolicyLoss(
          b.rewards.map((x) => x / 10),
          b.values.map((x) => x / 10),
          b.values,
          b.shape,
          opts,
        );
        const junk = (x: Float32Array) => x.map((v, i) => (b.mask[i] === 0 ? 77 : v));
        const c = ppoPolicyLoss(junk(b.rewards.map((x) => x / 10)), junk(b.values.map((x) => x / 10)), junk(b.values), b.shape, opts);
        expect(c.loss).toBe(a.loss);
      }),
    );
  });

  it('a constant per-token loss aggregates to itself under the mean modes', () => {
    fc.assert(
      fc.property(batchArb, small, (b, c) => {
        const x = new Float32Array(b.mask.length).fill(c);
        expect(aggregate(x, b.shape, { mask: b.mask, mode: 'token-mean' })).toBeCloseTo(c, 3);
        expect(aggregate(x, b.shape, { mask: b.mask, mode: 'seq-mean-token-mean' })).toBeCloseTo(c, 3);
      }),
    );
  });
});

describe('safetensors', () => {
  it('round-trips any set of float32 tensors and metadata', () => {
    fc.assert(
      fc.property(
        fc.dictionary(
          fc.string({ minLength: 1, maxLength: 8 }).filter((s) => s !== '__metadata__'),
          fc.array(fc.float({ noNaN: true }), { minLength: 0, maxLength: 12 }),
        ),
        (dict) => {
          const tensors = Object.fromEntries(Object.entries(dict).map(([k, v]) => [k, { shape: [v.length], data: Float32Array.from(v) }]));
          const bytes = encodeSafetensors(tensors, { format: 'pt' });
          const len = Number(new DataView(bytes.buffer).getBigUint64(0, true));
          expect((8 + len) % 8).toBe(0);
          const back = decodeSafetensors(bytes);
          expect(back.metadata).toEqual({ format: 'pt' });
          expect(Object.keys(back.tensors).sort()).toEqual(Object.keys(tensors).sort());
          for (const [k, t] of Object.entries(tensors)) expect(back.tensors[k]).toEqual(t);
        },
      ),
    );
  });
});
