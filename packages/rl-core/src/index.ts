/** @srcode/rl-core: per-token rewards in, per-token advantages and losses out (pure TypeScript, no tensors). */
export { aggregate, aggregationWeights, AGGREGATION_MODES } from './aggregate.js';
export type { AggregateOptions, AggregationMode } from './aggregate.js';
export { ADVANTAGE_DEFAULTS, computeAdvantages, ESTIMATORS, gae, rewardToGo, whiten } from './advantages.js';
export type { AdvantageInput, AdvantageOutput, Estimator } from './advantages.js';
export { parseAdvantageRequest, runAdvantageRequest } from './advantages-json.js';
export type { AdvantageRequest, AdvantageResponse } from './advantages-json.js';
export { RlCoreError } from './errors.js';
export type { Issue, Result, RlCoreErrorCode } from './errors.js';
export { applyKlToRewards, KL_DEFAULTS, klPerToken } from './kl.js';
export type { KlEstimator, KlOptions } from './kl.js';
export { entropyBonus, LOSS_DEFAULTS, logSoftmaxRow, ppoPolicyLoss, sftLoss, tokenLogProbs, valueLoss } from './losses.js';
export type { LossResult, PolicyLossOptions, PolicyLossResult, ValueLossOptions } from './losses.js';
export { decodeSafetensors, encodeSafetensors } from './safetensors.js';
export type { NamedTensor } from './safetensors.js';
export { checkShape, fromRows, rowLengths, toRows } from './shape.js';
export type { Mask, Shape } from './shape.js';
