/** @srcode/rl-core/tfjs: the TensorFlow.js engine (the transformer policy and its backends). Loads tfjs. */
export { useBackend, webgpuAvailable } from './backend.js';
export type { BackendInfo, BackendName } from './backend.js';
export { MODEL_DEFAULTS } from './model-config.js';
export type { ModelConfig } from './model-config.js';
export { OPTIMIZER_DEFAULTS, TransformerPolicy } from './policy.js';
export type { OptimizerConfig } from './policy.js';
