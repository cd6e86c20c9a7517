import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { type RepairPair, fromSvenRecord } from '@srcode/dataset';

/** The shared data folder beside the project (absent in a fresh clone). */
export const DATA_DIR = join(import.meta.dirname, '../../../../shared/data');

/** One SVEN/SafeCoder line as a RepairPair, through the dataset package's importer; undefined when it rejects the line. */
export function pairFromSvenLine(line: string, dataset: string, split: string, origin: string): RepairPair | undefined {
  const r = fromSvenRecord(JSON.parse(line), { dataset, split, origin });
  return r.ok ? r.value : undefined;
}

/** Every SVEN and SafeCoder pair in `dir` (the shared data folder). */
export function loadSvenAndSafeCoder(dir = DATA_DIR): RepairPair[] {
  const pairs: RepairPair[] = [];
  for (const dataset of ['sven', 'safecoder']) {
    for (const split of ['train', 'val']) {
      const folder = join(dir, dataset, split);
      for (const file of readdirSync(folder)
        .filter((f) => f.endsWith('.jsonl'))
        .sort()) {
        readFileSync(join(folder, file), 'utf8')
          .split('\n')
          .forEach((line, i) => {
            if (!line.trim()) return;
            const pair = pairFromSvenLine(line, dataset, split, `${split}/${file}:${i + 1}`);
            if (pair) pairs.push(pair);
          });
      }
    }
  }
  return pairs;
}
