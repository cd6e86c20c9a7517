import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { fromSvenRecord, type RepairPair } from '@srcode/dataset';

/** The shared data folder beside the project. */
export const SHARED_DATA = fileURLToPath(new URL('../../../../shared/data/', import.meta.url));
/** SVEN's val split, shared by the project's packages. */
export const SVEN_VAL = `${SHARED_DATA}sven/val/`;
export const hasSven = existsSync(SVEN_VAL);
/** SVEN (train and val) and SafeCoder (train and val) are all there. */
export const hasAllPairs = ['sven/train', 'sven/val', 'safecoder/train', 'safecoder/val'].every((d) => existsSync(SHARED_DATA + d));

function readPairs(
  folder: string,
  ctx: { dataset: string; split: string },
  name: (file: string, line: number) => string,
  keep: (pair: RepairPair) => boolean = () => true,
): RepairPair[] {
  const pairs: RepairPair[] = [];
  for (const file of readdirSync(folder).sort()) {
    if (!file.endsWith('.jsonl')) continue;
    readFileSync(folder + file, 'utf8')
      .split('\n')
      .forEach((line, i) => {
        if (!line.trim()) return;
        const result = fromSvenRecord(JSON.parse(line), { ...ctx, origin: `${ctx.split}/${file}:${i + 1}` });
        if (!result.ok) throw new Error(`${file}:${i + 1}: ${JSON.stringify(result.issues)}`);
        if (keep(result.value)) pairs.push({ ...result.value, id: name(file, i + 1) });
      });
  }
  return pairs;
}

/**
 * SVEN val lines as RepairPairs through the dataset's importer. Ids are replaced by readable
 * `sven-val-<cwe>-<line>` ones so golden files keep stable names.
 */
export function loadSvenVal(): RepairPair[] {
  return readPairs(SVEN_VAL, { dataset: 'sven', split: 'val' }, (file, line) => `sven-val-${file.replace('.jsonl', '')}-${line}`);
}

/**
 * Every SVEN and SafeCoder pair (both splits) in one of `languages`, with ids
 * `<dataset>-<split>-<file>-<line>`. SafeCoder's records in other languages are left out.
 */
export function loadAllPairs(languages: readonly string[]): RepairPair[] {
  const keep = (p: RepairPair) => languages.includes(p.language);
  return ['sven', 'safecoder'].flatMap((dataset) =>
    ['train', 'val'].flatMap((split) =>
      readPairs(
        `${SHARED_DATA}${dataset}/${split}/`,
        { dataset, split },
        (f, l) => `${dataset}-${split}-${f.replace('.jsonl', '')}-${l}`,
        keep,
      ),
    ),
  );
}
