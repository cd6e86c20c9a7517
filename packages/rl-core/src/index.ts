/**
 * @srcode/rl-core: per-token rewards in, per-token advantages, losses and policy updates out (pure
 * TypeScript, no tensors): the math, the `Policy` interface and the training loop over any policy.
 */
export { ADVANTAGE_DEFAULTS, computeAdvantages, ESTIMATORS } from './advantages.js';
export type { AdvantageInput, AdvantageOutput, Estimator } from './advantages.js';
export { aggregate, aggregationWeights, AGGREGATION_MODES } from './aggregate.js';
export type { AggregateOptions, AggregationMode } from './aggregate.js';
export type { Checkpointable } from './checkpoint.js';
export { removeCheckpoint } from './checkpoint.js';
export { RlCoreError } from './errors.js';
export type { RlCoreErrorCode } from './errors.js';
export { fusedPpoLoss } from './fused.js';
export type { FusedEngine, FusedLossInput, FusedLossResult } from './fused.js';
export { applyKlToRewards, KL_DEFAULTS, klPerToken } from './kl.js';
export type { KlEstimator, KlOptions } from './kl.js';
export { entropyBonus, LOSS_DEFAULTS, ppoPolicyLoss, sftLoss, tokenLogProbs, valueLoss } from './losses.js';
export type { LossResult, PolicyLossOptions, PolicyLossResult, ValueLossOptions } from './losses.js';
export type {
  Completion,
  Policy,
  PolicyOutputs,
  PpoMetrics,
  PpoOptions,
  PpoTargets,
  SampleOptions,
  SftOptions,
  TokenBatch,
  ValueFitOptions,
} from './policy.js';
export { tokenRewards } from './rewards.js';
export type { TokenRewardsLike, TokenRewardsOptions } from './rewards.js';
export { decodeSafetensors, encodeSafetensors } from './safetensors.js';
export type { NamedTensor } from './safetensors.js';
export { seededRandom } from './sampling.js';
export type { RandomStream } from './sampling.js';
export { fromRows, toRows } from './shape.js';
export type { Mask, Shape } from './shape.js';
export { CHAR_TOKENS, decodeChars, encodeChars } from './tokenizer.js';
export { train } from './train.js';
export type {
  CheckpointOptions,
  RlStage,
  RlStepRecord,
  RlTrainOptions,
  SftStage,
  SftStepRecord,
  SftTrainOptions,
  StepContext,
  TrainCommonOptions,
  TrainResult,
} from './train.js';
export { explainedVariance, packBatch, rlStep, sftStep } from './trainer.js';
export type { RewardFunction, RlOptions, RlStepMetrics, ValueWarmupMetrics } from './trainer.js';
