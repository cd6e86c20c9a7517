import type { AggregationMode } from './aggregate.js';
import type { KlEstimator } from './kl.js';
import type { Shape } from './shape.js';

/** Padding token id of every batch: sequences are right-padded with it and it is never scored. */
export const PAD = 0;

/**
 * Whole sequences (prompt + completion + padding), row-major batch x maxLength token ids. Position t of
 * every per-token output scores token t + 1, so those arrays are batch x (maxLength - 1).
 */
export interface TokenBatch {
  /** Rows. */
  batch: number;
  /** batch x maxLength token ids, prompt then response, padded. */
  tokens: Int32Array;
  /** batch x (maxLength - 1): 1 where token t + 1 is a response token to score and train on. */
  mask: Float32Array;
}

/** Per-token outputs over batch x (maxLength - 1). */
export interface PolicyOutputs {
  /** batch x (maxLength - 1). */
  shape: Shape;
  /** log p(token t + 1 | tokens <= t). */
  logp: Float32Array;
  /** Value head at position t (the state before token t + 1 is chosen). */
  values: Float32Array;
  /** Entropy of the next-token distribution at position t. */
  entropy: Float32Array;
}

/** Options of `Policy.sample`. */
export interface SampleOptions {
  /** @default 32 */
  maxNewTokens?: number;
  /** @default 1 */
  temperature?: number;
  /** Nucleus sampling: keep the smallest set of tokens whose probability reaches topP. @default 1 */
  topP?: number;
  /** Generation of a row stops after this token. */
  stopToken?: number;
  /** Seed of the sampler's random stream. @default 0 */
  seed?: number;
}

/** One sampled completion: its token ids (stop token included) and their log-probabilities under the sampler. */
export interface Completion {
  /** The sampled ids, the stop token included when it was reached. */
  tokens: number[];
  /** Each id's log-probability under the sampler. */
  logp: number[];
}

/** Options of `Policy.sftStep`. */
export interface SftOptions {
  /** @default 'token-mean' */
  mode?: AggregationMode;
}

/** What a PPO/GRPO update needs for each scored token (all batch x (maxLength - 1)). */
export interface PpoTargets {
  /** Log-probs under the policy that sampled the tokens. */
  oldLogp: Float32Array;
  /** Each token's advantage. */
  advantages: Float32Array;
  /** Each token's return: the value head's target. */
  returns: Float32Array;
  /** Value estimates before the update, for the value clip. */
  oldValues: Float32Array;
  /** Reference log-probs, for a KL term in the loss. */
  refLogp?: Float32Array;
}

/** Options of `Policy.ppoStep`: the loss's clip ranges and coefficients. */
export interface PpoOptions {
  /** @default 0.2 */
  clipLow?: number;
  /** @default 0.2 */
  clipHigh?: number;
  /** Dual-clip bound c > 1 on negative advantages (the loss is at most c times the advantage). @default none */
  dualClip?: number;
  /** @default 0.2 */
  valueClip?: number;
  /** Weight of the value loss; 0 for GRPO. @default 0.5 */
  valueCoef?: number;
  /** @default 0.01 */
  entropyCoef?: number;
  /** KL-in-loss coefficient (needs refLogp). @default 0 */
  klCoef?: number;
  /** @default 'k3' */
  klEstimator?: KlEstimator;
  /** @default 'token-mean' */
  mode?: AggregationMode;
}

/** Options of `Policy.fitValueHead`. */
export interface ValueFitOptions {
  /** Adam steps, a whole number from 1. */
  steps: number;
  /** Their learning rate (of an optimiser of their own). @default the policy's own learning rate */
  learningRate?: number;
  /** How the per-token squared errors are aggregated. @default 'token-mean' */
  mode?: AggregationMode;
}

/** What one PPO update measured (every loss before the update). */
export interface PpoMetrics {
  /** The total loss: policy + valueCoef x value - entropyCoef x entropy (+ klCoef x KL). */
  loss: number;
  /** The clipped surrogate loss. */
  policyLoss: number;
  /** The clipped value loss (0 without a value term). */
  valueLoss: number;
  /** Mean entropy over the scored tokens. */
  entropy: number;
  /** Mean KL to the sampling policy's log-probs over the scored tokens. */
  kl: number;
  /** Share of scored tokens whose ratio was clipped. */
  clipFraction: number;
}

/**
 * A trainable token policy with a value head: all that the trainers in this package (`train`, `rlStep`,
 * `sftStep`) ask of a model, so any implementation (the TensorFlow.js transformer in
 * `@srcode/rl-core/tfjs`, or a remote one) plugs in. The losses are computed by the policy because they are
 * differentiated through its parameters. Saving and loading are a separate concern (`Checkpointable`).
 */
export interface Policy {
  /** Longest sequence (prompt + completion) the policy takes; every batch is padded to it. */
  readonly maxLength: number;
  /** Samples one completion per prompt. */
  sample(prompts: readonly (readonly number[])[], options?: SampleOptions): Promise<Completion[]>;
  /** Per-token log-probs, values and entropies of whole sequences. */
  evaluate(batch: TokenBatch): Promise<PolicyOutputs>;
  /** One optimiser step on masked cross-entropy; returns the loss before the step. */
  sftStep(batch: TokenBatch, options?: SftOptions): Promise<number>;
  /** One optimiser step on the PPO loss (clipped surrogate + value + entropy + optional KL). */
  ppoStep(batch: TokenBatch, targets: PpoTargets, options?: PpoOptions): Promise<PpoMetrics>;
  /**
   * Fits the value head alone to per-token `returns` (batch x (maxLength - 1)): `steps` Adam steps on the
   * masked squared error 0.5 (value - return)^2, unclipped, with an optimiser of their own that is discarded
   * after. Every other weight, the policy's optimiser state and its step count stay as they were, to the
   * bit. Returns the loss before each step. Optional: only `RlOptions.valueWarmup` needs it.
   */
  fitValueHead?(batch: TokenBatch, returns: Float32Array, options: ValueFitOptions): Promise<number[]>;
}
