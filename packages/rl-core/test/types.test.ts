import { describe, expectTypeOf, it } from 'vitest';
import { parseAdvantageRequest } from '../src/advantages-json.js';
import type {
  AdvantageOutput,
  Checkpointable,
  Estimator,
  Policy,
  PolicyOutputs,
  RewardFunction,
  RlStepRecord,
  SftStepRecord,
  Shape,
  TrainResult,
} from '../src/index.js';
import { computeAdvantages, tokenRewards, train } from '../src/index.js';
import type { TransformerPolicy } from '../src/tfjs/index.js';

describe('public types', () => {
  it('TransformerPolicy is a Policy and Checkpointable', () => {
    expectTypeOf<TransformerPolicy>().toExtend<Policy>();
    expectTypeOf<TransformerPolicy>().toExtend<Checkpointable>();
  });
  it('train reports the records of the stage it runs', () => {
    const policy = {} as Policy;
    const sft = () => train({ policy, steps: 1, sft: { examples: () => ['x'], prompt: () => [1], target: () => [2] } });
    const rl = () =>
      train({
        policy,
        steps: 1,
        rl: { algo: 'grpo', tasks: () => [[1]], prompt: (p) => p, reward: () => ({ rewards: new Float32Array(0) }) },
      });
    expectTypeOf(sft).returns.resolves.toEqualTypeOf<TrainResult<SftStepRecord>>();
    expectTypeOf(rl).returns.resolves.toEqualTypeOf<TrainResult<RlStepRecord>>();
  });
  it('token rewards come back as the Float32Array a reward function returns', () => {
    expectTypeOf(tokenRewards).returns.toEqualTypeOf<ReturnType<RewardFunction>['rewards']>();
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
