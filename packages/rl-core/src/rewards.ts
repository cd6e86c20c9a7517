/**
 * Anything that carries one reward per completion token, in token order: `@srcode/dataset`'s
 * `TokenRewardMap` (what `@srcode/token-reward` builds), or a plain `{ rewards }`.
 */
export interface TokenRewardsLike {
  /** One reward per token, in token order. */
  readonly rewards: ArrayLike<number>;
}

/** Options of `tokenRewards`. */
export interface TokenRewardsOptions {
  /** Tokens of the completion (its stop token included): the length of the result. */
  length: number;
  /** Per-token rewards; position i is token i's, and positions past `length` are dropped. @default none */
  map?: TokenRewardsLike;
  /** A per-completion reward placed on the last token (added to its map reward). @default none */
  instance?: number;
  /** Factor of the map's rewards. @default 1 */
  scale?: number;
}

/**
 * One completion's per-token rewards as a `RewardFunction` returns them: `map.rewards` (times `scale`) on
 * the tokens it covers, 0 on the others (a stop token after the text, say), and `instance` added on the
 * last token. The instance reward is placed first and the map's added to it, in float32.
 *
 * @example
 * ```ts
 * import { tokenRewards } from '@srcode/rl-core';
 *
 * // a reward map over the first 3 of 4 tokens (a stop token follows the text), plus 0.5 for the completion
 * const rewards = tokenRewards({ length: 4, map: { rewards: [0, -1, 1] }, instance: 0.5 });
 * console.log(Array.from(rewards)); // [ 0, -1, 1, 0.5 ]
 * ```
 */
export function tokenRewards(options: TokenRewardsOptions): Float32Array {
  const { length, map, instance } = options;
  const scale = options.scale ?? 1;
  const out = new Float32Array(length);
  if (instance !== undefined && length > 0) out[length - 1] = instance;
  const n = Math.min(length, map?.rewards.length ?? 0);
  for (let i = 0; i < n; i++) out[i] = (out[i] as number) + scale * ((map as TokenRewardsLike).rewards[i] as number);
  return out;
}
