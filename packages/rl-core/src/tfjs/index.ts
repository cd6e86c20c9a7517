/** @srcode/rl-core/tfjs: the TensorFlow.js engine (transformer policy, backends, experiment). Loads tfjs. */
export { hardwareWebgpuAvailable, useBackend, webgpuAvailable } from './backend.js';
export type { BackendInfo, BackendName } from './backend.js';
export { CONDITIONS, runExperiment } from './experiment.js';
export type { ConditionName, EvalPoint, ExperimentOptions, ExperimentResult } from './experiment.js';
export { OPTIMIZER_DEFAULTS, PAD, TransformerPolicy } from './policy.js';
export type { OptimizerConfig } from './policy.js';
