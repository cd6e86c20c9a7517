import type { RepairPair, RewardSpan, TokenRewardMap } from '@srcode/dataset';
import { describe, expectTypeOf, it } from 'vitest';
import type { loadHfTokenizer } from '../src/hf.js';
import {
  byteTokenizer,
  onlineRewardMap,
  type PairSpans,
  pairSpans,
  type ProjectionOptions,
  projectRewards,
  type TokenEncoding,
  type TokenizerLike,
  teacherForcedMaps,
} from '../src/index.js';

describe('public types', () => {
  it('accepts any object of the TokenizerLike shape', () => {
    const mine = { name: 'mine', encode: (text: string): TokenEncoding => ({ ids: [1], offsets: [0, text.length] }) };
    expectTypeOf(mine).toMatchTypeOf<TokenizerLike>();
    expectTypeOf(byteTokenizer).toEqualTypeOf<TokenizerLike>();
    expectTypeOf<ReturnType<typeof loadHfTokenizer>>().toEqualTypeOf<Promise<TokenizerLike>>();
  });

  it('produces the dataset records', () => {
    expectTypeOf(teacherForcedMaps).returns.toEqualTypeOf<{ vulnerable: TokenRewardMap; fixed: TokenRewardMap }>();
    expectTypeOf(onlineRewardMap).returns.toEqualTypeOf<{ map: TokenRewardMap; truncated: boolean }>();
    expectTypeOf(pairSpans).parameter(0).toEqualTypeOf<RepairPair>();
    expectTypeOf(pairSpans).returns.toEqualTypeOf<PairSpans>();
    expectTypeOf<PairSpans['fixed']>().toEqualTypeOf<RewardSpan[]>();
  });

  it('projects onto typed arrays with named options', () => {
    expectTypeOf(projectRewards).returns.toEqualTypeOf<Float32Array>();
    expectTypeOf<ProjectionOptions['overlap']>().toEqualTypeOf<'any' | 'majority' | 'proportional' | undefined>();
  });
});
