/**
 * @srcode/rl-core/experiment: the miniature secure-completion experiment (the task family, its judge and
 * rewards, the runner, the table and plot). Loads TensorFlow.js, as `@srcode/rl-core/tfjs` does.
 */
export { lineChartSvg } from './plot.js';
export type { Series } from './plot.js';
export { CONDITIONS, runExperiment } from './run.js';
export type { ConditionName, ExperimentOptions, ExperimentResult } from './run.js';
export { summarise } from './summary.js';
export type { EvalPoint } from './summary.js';
export { completionRewards, HELDOUT_NAMES, judge, PATTERN_PAIRS, promptsFor, REWARD_DEFAULTS, TRAIN_NAMES } from './tasks.js';
export type { ExperimentAnalyzer, ExperimentFinding, JudgeOptions, PatternPair, TaskPrompt, Verdict } from './tasks.js';
