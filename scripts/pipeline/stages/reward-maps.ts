// Stage 3: teacher-forced token reward maps of both sides of every accepted pair, and a render of the first six.
import type { PrimeVulPlusRecord, TokenRewardMap } from '@srcode/dataset';
import { writeJsonlAtomic } from '@srcode/dataset';
import { type TokenizerLike, byteTokenizer, renderHtml, teacherForcedMaps } from '@srcode/token-reward';
import type { MainContext } from '../context.js';
import { writeFileAtomic } from '../runner.js';

/** The accepted records and the tokenizer to map them with. */
export interface RewardMapsInput {
  records: readonly PrimeVulPlusRecord[];
  /** A Hugging Face `tokenizer.json`; bytes when undefined. */
  tokenizer: string | undefined;
}

/** What the reward-maps stage keeps: the tokenizer's name and counts of maps and of tokens by sign. */
export interface RewardMapsOutput {
  tokenizer: string;
  maps: number;
  tokens: number;
  positive: number;
  negative: number;
}

/** Writes the maps to `ctx.files.maps` and a render to `ctx.files.renders`; a pair that cannot be mapped is logged and skipped. */
export async function rewardMapsStage(ctx: MainContext, input: RewardMapsInput): Promise<RewardMapsOutput> {
  let tokenizer: TokenizerLike = byteTokenizer;
  if (input.tokenizer) {
    const { loadHfTokenizer } = await import('@srcode/token-reward/hf');
    tokenizer = await loadHfTokenizer(input.tokenizer);
  }
  const maps: TokenRewardMap[] = [];
  for (const r of input.records) {
    try {
      const { vulnerable, fixed } = teacherForcedMaps(r.pair, tokenizer);
      maps.push(vulnerable, fixed);
    } catch (e) {
      ctx.log('reward-maps', `skipped ${r.pair.id}: ${(e as Error).message}`);
    }
  }
  await writeJsonlAtomic(ctx.files.maps, maps, { schema: 'TokenRewardMap' });
  writeFileAtomic(ctx.files.renders, renderHtml(maps.slice(0, 6), { title: 'Teacher-forced token rewards' }));
  const tokens = maps.reduce((s, m) => s + m.tokenIds.length, 0);
  const positive = maps.reduce((s, m) => s + m.rewards.filter((x) => x > 0).length, 0);
  const negative = maps.reduce((s, m) => s + m.rewards.filter((x) => x < 0).length, 0);
  return { tokenizer: tokenizer.name, maps: maps.length, tokens, positive, negative };
}
