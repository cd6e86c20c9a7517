import { fileURLToPath } from 'node:url';

/**
 * Path of the embedded sample: a dozen C and Python vulnerable/fixed function pairs across CWEs,
 * written for this project in the SVEN line format (import it with format `sven`, dataset `sample`).
 */
export function samplePairsPath(): string {
  return fileURLToPath(new URL('../data/sample-pairs.jsonl', import.meta.url));
}
