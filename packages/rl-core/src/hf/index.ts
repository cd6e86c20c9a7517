/**
 * @srcode/rl-core/hf: Hugging Face decoder-only checkpoints (Llama, Qwen2, GPT-2) on the TensorFlow.js engine:
 * loading (F32/F16/BF16, sharded), scoring, KV-cache sampling, byte-level BPE tokens and chat formats,
 * LoRA adapters saved as PEFT writes them, and a value head, as a `Policy` that `train` runs. Loads tfjs.
 */
export { encodePrompt, loadHfText } from './chat.js';
export type { ChatFormat, HfText } from './chat.js';
export { openHfCheckpoint } from './checkpoint.js';
export type { HfCheckpoint } from './checkpoint.js';
export { HF_MODEL_TYPES, parseHfConfig, ropeInverseFrequencies } from './config.js';
export type { HfConfig, RopeScaling } from './config.js';
export { ADAPTER_FILES, loadAdapter, peftKey, readAdapterConfig, saveAdapter } from './lora.js';
export {
  LORA_DEFAULTS,
  LORA_FAMILY_MODULES,
  LORA_MODULES,
  LORA_SPEC_KEYS,
  loraConfigOfSpec,
  loraModulesOfType,
  parseLoraSpec,
  readLoraSpec,
} from './lora-spec.js';
export type { LoraConfig, LoraModule, LoraSpec, LoraSpecKey, LoraSpecOptions, LoraSpecProblem, LoraSpecResult } from './lora-spec.js';
export { HfModel, loraModulesOf } from './model.js';
export type { DecodeStepResult, HfKvCache, LoraAdapter, ScoreOutputs, ValueHead } from './model.js';
export { HfPolicy } from './policy.js';
export type { AdapterGradients, HfPolicyOptions, HfSampleOptions } from './policy.js';
export { FLOAT_DTYPES, openSafetensors } from './safetensors.js';
export type { SafetensorsFile, TensorEntry } from './safetensors.js';
export { HfTokenizer } from './tokenizer.js';
export type { AddedToken, DecodedOffsets, OffsetEncoding, OffsetTokenizer } from './tokenizer.js';
