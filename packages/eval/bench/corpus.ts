import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Language } from '@srcode/dataset';

/** One vulnerable/fixed function pair from SVEN or SafeCoder. */
export interface FixPair {
  id: string;
  source: 'sven' | 'safecoder';
  language: Language;
  cwe: string;
  vulnerable: string;
  fixed: string;
}

const EXT: Record<string, Language> = { c: 'c', h: 'c', py: 'python' };

function readJsonl(file: string): Record<string, unknown>[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** C and Python pairs of SVEN and SafeCoder (train and val), in a fixed order. */
export function loadFixPairs(dataDir: string): FixPair[] {
  const out: FixPair[] = [];
  for (const source of ['sven', 'safecoder'] as const) {
    for (const split of ['train', 'val']) {
      const dir = join(dataDir, source, split);
      if (!existsSync(dir)) continue;
      for (const file of readdirSync(dir).sort()) {
        if (!file.endsWith('.jsonl')) continue;
        readJsonl(join(dir, file)).forEach((r, i) => {
          const name = String(r.file_name ?? '');
          const language = EXT[name.slice(name.lastIndexOf('.') + 1)];
          if (!language) return;
          const cwe = String(r.vul_type ?? '').replace(/^cwe-0*/i, 'CWE-');
          out.push({
            id: `${source}/${split}/${file}:${i + 1}`,
            source,
            language,
            cwe,
            vulnerable: String(r.func_src_before),
            fixed: String(r.func_src_after),
          });
        });
      }
    }
  }
  return out;
}
