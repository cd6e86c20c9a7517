import { describe, expectTypeOf, it } from 'vitest';
import type { AdvantageOutput, Estimator, Policy, PolicyOutputs, RewardFunction, Shape } from '../src/index.js';
import { computeAdvantages, parseAdvantageRequest } from '../src/index.js';
import type { TransformerPolicy } from '../src/tfjs/index.js';

describe('public types', () => {
  it('TransformerPolicy is a Policy', () => {
    expectTypeOf<TransformerPolicy>().toExtend<Policy>();
  });
  it('advantages come back as typed arrays', () => {
    expectTypeOf(computeAdvantages).returns.toEqualTypeOf<AdvantageOutput>();
    expectTypeOf<AdvantageOutput['advantages']>().toEqualTypeOf<Float32Array>();
    expectTypeOf<PolicyOutputs['shape']>().toEqualTypeOf<Shape>();
  });
  it('the estimator names are a closed union', () => {
    expectTypeOf<Estimator>().toEqualTypeOf<'gae' | 'reinforce++' | 'grpo' | 'dr-grpo' | 'rloo' | 'token-grpo'>();
  });
  it('a reward function maps a completion to per-token rewards', () => {
    expectTypeOf<ReturnType<RewardFunction>['rewards']>().toEqualTypeOf<Float32Array>();
  });
  it('request parsing returns a result, not a throw', () => {
    expectTypeOf(parseAdvantageRequest).returns.toHaveProperty('ok');
  });
});
