/** @srcode/rl-core: per-token rewards in, per-token advantages and losses out (pure TypeScript, no tensors). */
export { aggregate, aggregationWeights, AGGREGATION_MODES } from './aggregate.js';
export type { AggregateOptions, AggregationMode } from './aggregate.js';
export { ADVANTAGE_DEFAULTS, computeAdvantages, ESTIMATORS, gae, rewardToGo, whiten } from './advantages.js';
export type { AdvantageInput, AdvantageOutput, Estimator } from './advantages.js';
export { parseAdvantageRequest, runAdvantageRequest } from './advantages-json.js';
export type { AdvantageRequest, AdvantageResponse } from './advantages-json.js';
export { RlCoreError } from './errors.js';
export { fusedGaePpoLoss, fusedPpoLoss } from './fused.js';
export type { FusedEngine, FusedLossInput, FusedLossResult, FusedPpoInput } from './fused.js';
export type { Issue, Result, RlCoreErrorCode } from './errors.js';
export { applyKlToRewards, KL_DEFAULTS, klPerToken } from './kl.js';
export type { KlEstimator, KlOptions } from './kl.js';
export { entropyBonus, LOSS_DEFAULTS, logSoftmaxRow, ppoPolicyLoss, sftLoss, tokenLogProbs, valueLoss } from './losses.js';
export type { LossResult, PolicyLossOptions, PolicyLossResult, ValueLossOptions } from './losses.js';
export { decodeSafetensors, encodeSafetensors } from './safetensors.js';
export type { NamedTensor } from './safetensors.js';
export { CHAR_TOKENS, decodeChars, encodeChars } from './tokenizer.js';
export { completionRewards, HELDOUT_NAMES, judge, PATTERN_PAIRS, promptsFor, REWARD_DEFAULTS, TRAIN_NAMES } from './experiment/tasks.js';
export type { PatternPair, TaskPrompt, Verdict } from './experiment/tasks.js';
export { lineChartSvg } from './experiment/plot.js';
export { summarise } from './experiment/summary.js';
export type { EvalPoint } from './experiment/summary.js';
export type { Series } from './experiment/plot.js';
export { MODEL_DEFAULTS } from './policy.js';
export type {
  Completion,
  ModelConfig,
  Policy,
  PolicyOutputs,
  PpoMetrics,
  PpoOptions,
  PpoTargets,
  SampleOptions,
  SftOptions,
  TokenBatch,
} from './policy.js';
export { sampleToken, seededRandom } from './sampling.js';
export { packBatch, packRewards, rlStep, sftStep } from './trainer.js';
export type { RewardFunction, RlOptions, RlStepMetrics } from './trainer.js';
export { checkShape, fromRows, rowLengths, toRows } from './shape.js';
export type { Mask, Shape } from './shape.js';
