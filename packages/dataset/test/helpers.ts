import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** `../shared/data` beside the repository; CI always has it, a fresh clone may not. */
export const SHARED_DATA = fileURLToPath(new URL('../../../../shared/data', import.meta.url));
export const HAS_SHARED_DATA = existsSync(join(SHARED_DATA, 'sven'));
export const NO_DATA_REASON = `(skipped: ${SHARED_DATA} is absent)`;

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'srcode-dataset-'));
}
