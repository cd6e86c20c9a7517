import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { fromSvenRecord, type RepairPair } from '@srcode/dataset';

/** SVEN's val split, shared by the project's packages. */
export const SVEN_VAL = fileURLToPath(new URL('../../../../shared/data/sven/val/', import.meta.url));
export const hasSven = existsSync(SVEN_VAL);

/**
 * SVEN val lines as RepairPairs through the dataset's importer. Ids are replaced by readable
 * `sven-val-<cwe>-<line>` ones so golden files keep stable names.
 */
export function loadSvenVal(): RepairPair[] {
  const pairs: RepairPair[] = [];
  for (const file of readdirSync(SVEN_VAL).sort()) {
    if (!file.endsWith('.jsonl')) continue;
    readFileSync(SVEN_VAL + file, 'utf8')
      .split('\n')
      .forEach((line, i) => {
        if (!line.trim()) return;
        const result = fromSvenRecord(JSON.parse(line), { dataset: 'sven', split: 'val', origin: `val/${file}:${i + 1}` });
        if (!result.ok) throw new Error(`${file}:${i + 1}: ${JSON.stringify(result.issues)}`);
        pairs.push({ ...result.value, id: `sven-val-${file.replace('.jsonl', '')}-${i + 1}` });
      });
  }
  return pairs;
}
