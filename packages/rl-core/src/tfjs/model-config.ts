/** Size of the decoder-only transformer policy (`TransformerPolicy`). */
export interface ModelConfig {
  /** Token ids are below this. */
  vocabSize: number;
  /** Longest sequence (prompt + completion) the model sees; every forward pass is padded to it. */
  maxLength: number;
  /** @default 2 */
  layers: number;
  /** Model width. @default 64 */
  width: number;
  /** @default 4 */
  heads: number;
  /** Feed-forward width as a multiple of `width`. @default 4 */
  ffnMultiple: number;
  /** Seed of the weight initialisation. @default 0 */
  seed: number;
}

/** The defaults of every `ModelConfig` field but the vocabulary size and the maximum length. */
export const MODEL_DEFAULTS: Omit<ModelConfig, 'vocabSize' | 'maxLength'> = { layers: 2, width: 64, heads: 4, ffnMultiple: 4, seed: 0 };
