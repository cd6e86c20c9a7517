/**
 * @srcode/rl-core/experiment: the miniature secure-completion experiment (the task family, its judge and
 * rewards, and the runner that writes its table and plot). Loads TensorFlow.js, as `@srcode/rl-core/tfjs` does.
 */
export { CONDITIONS, runExperiment } from './run.js';
export type { ConditionName, ExperimentOptions, ExperimentResult } from './run.js';
export type { EvalPoint } from './summary.js';
export { completionRewards, HELDOUT_NAMES, judge, PATTERN_PAIRS, promptsFor, REWARD_DEFAULTS, TRAIN_NAMES } from './tasks.js';
export type { ExperimentAnalyzer, ExperimentFinding, JudgeOptions, PatternPair, TaskPrompt, Verdict } from './tasks.js';
