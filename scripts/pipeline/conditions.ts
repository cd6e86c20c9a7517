// The training conditions the main job compares in one run, on the same data, seeds and steps.
import type { Estimator } from '@srcode/rl-core';

/** How one RL condition trains: the algorithm, its advantage estimator, and whether token rewards are added. */
export interface RlCondition {
  /** `ppo` trains the value head and uses GAE; `grpo` uses group advantages. */
  algo: 'ppo' | 'grpo';
  /** rl-core's advantage estimator. */
  estimator: Estimator;
  /** Whether the token-level map (token-reward's online map) is added to the instance reward. */
  token: boolean;
}

/** The RL conditions, each trained from the same SFT checkpoint of a seed. */
export const RL_CONDITIONS = {
  'ppo-instance': { algo: 'ppo', estimator: 'gae', token: false },
  'ppo-token+instance': { algo: 'ppo', estimator: 'gae', token: true },
  'grpo-instance': { algo: 'grpo', estimator: 'grpo', token: false },
  'grpo-token+instance': { algo: 'grpo', estimator: 'token-grpo', token: true },
} as const satisfies Record<string, RlCondition>;

/** The name of an RL condition. */
export type RlConditionName = keyof typeof RL_CONDITIONS;

/** Every RL condition's name, in the order the report lists them. */
export const RL_CONDITION_NAMES = Object.keys(RL_CONDITIONS) as RlConditionName[];

/** The SFT-only baseline's name in tables (it is every RL condition's starting point). */
export const SFT = 'sft';

/** A condition of the report: the SFT baseline or an RL condition. */
export type ConditionName = typeof SFT | RlConditionName;

/** The instance-only condition a token-level condition is compared with (same algorithm). */
export function instanceTwin(name: RlConditionName): RlConditionName {
  return RL_CONDITIONS[name].algo === 'ppo' ? 'ppo-instance' : 'grpo-instance';
}

/** A short description of a condition, for tables. */
export function describeCondition(name: ConditionName): string {
  if (name === SFT) return 'SFT only (the starting point of every RL condition)';
  const c: RlCondition = RL_CONDITIONS[name];
  const algo = c.algo === 'ppo' ? 'PPO, GAE with a value head' : `GRPO, ${c.estimator} advantages`;
  return `${algo}; ${c.token ? 'token-level + instance rewards' : 'instance reward only'}`;
}
