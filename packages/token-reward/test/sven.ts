import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Language, RepairPair, TextRange } from '@srcode/dataset';

/** SVEN's val split, shared by the project's packages. */
export const SVEN_VAL = fileURLToPath(new URL('../../../../shared/data/sven/val/', import.meta.url));
export const hasSven = existsSync(SVEN_VAL);

interface SvenChange {
  char_start: number;
  char_end: number;
  chars: string;
}

interface SvenLine {
  func_name: string;
  func_src_before: string;
  func_src_after: string;
  char_changes: { deleted: SvenChange[]; added: SvenChange[] };
  commit_link: string;
  file_name: string;
  vul_type: string;
}

/** Code-point offsets to UTF-16 offsets (identical for the BMP-only SVEN data, converted anyway). */
function toUtf16(text: string, cp: number): number {
  let i = 0;
  for (let k = 0; k < cp && i < text.length; k++) i += (text.codePointAt(i) as number) > 0xffff ? 2 : 1;
  return i;
}

function ranges(text: string, changes: SvenChange[]): TextRange[] {
  return changes.map((c) => ({ start: toUtf16(text, c.char_start), end: toUtf16(text, c.char_end) }));
}

function language(file: string): Language {
  return file.endsWith('.py') ? 'python' : /\.[ch]$/.test(file) ? 'c' : 'cpp';
}

/** SVEN val lines as RepairPairs (a small stand-in until @srcode/dataset exports an importer). */
export function loadSvenVal(): RepairPair[] {
  const pairs: RepairPair[] = [];
  for (const file of readdirSync(SVEN_VAL).sort()) {
    if (!file.endsWith('.jsonl')) continue;
    readFileSync(SVEN_VAL + file, 'utf8')
      .split('\n')
      .forEach((line, i) => {
        if (!line.trim()) return;
        const d = JSON.parse(line) as SvenLine;
        const cwe = d.vul_type.toUpperCase();
        pairs.push({
          schemaVersion: 1,
          id: `sven-val-${d.vul_type}-${i + 1}`,
          language: language(d.file_name),
          cwes: [cwe],
          provenance: { dataset: 'sven', split: 'val', file: d.file_name, functionName: d.func_name, origin: `${file}:${i + 1}` },
          vulnerableCode: d.func_src_before,
          fixedCode: d.func_src_after,
          changes: {
            deleted: ranges(d.func_src_before, d.char_changes.deleted),
            added: ranges(d.func_src_after, d.char_changes.added),
            origin: 'source',
          },
        });
      });
  }
  return pairs;
}
