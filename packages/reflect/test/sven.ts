import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Language, RepairPair, TextRange } from '@srcode/dataset';

/** The shared data folder beside the project (absent in a fresh clone). */
export const DATA_DIR = join(import.meta.dirname, '../../../../shared/data');

const EXT: Record<string, Language> = {
  c: 'c',
  h: 'c',
  C: 'cpp',
  cc: 'cpp',
  cpp: 'cpp',
  cxx: 'cpp',
  hpp: 'cpp',
  py: 'python',
  js: 'javascript',
  jsx: 'javascript',
  ts: 'typescript',
  rb: 'ruby',
  go: 'go',
  java: 'java',
  php: 'php',
  cs: 'csharp',
  rs: 'rust',
};

interface CharChange {
  char_start: number;
  char_end: number;
}

/** Code-point offsets to UTF-16 offsets. */
function toUtf16(text: string, cp: number): number {
  let i = 0;
  for (let n = 0; n < cp && i < text.length; n++) i += (text.codePointAt(i) ?? 0) > 0xffff ? 2 : 1;
  return i;
}

/**
 * A minimal SVEN/SafeCoder line -> RepairPair conversion for tests and the benchmark (the dataset
 * package's importer is the real one). Char changes given as a string are left out: the pre-filter
 * then diffs the lines itself.
 */
export function pairFromSvenLine(line: string, dataset: string, split: string, origin: string): RepairPair | undefined {
  const r = JSON.parse(line) as Record<string, unknown>;
  const ext = String(r.file_name).split('.').pop() ?? '';
  const language = EXT[ext];
  if (!language) return undefined;
  const before = String(r.func_src_before);
  const after = String(r.func_src_after);
  const cc = r.char_changes as { deleted?: CharChange[]; added?: CharChange[] } | string | undefined;
  const ranges = (list: CharChange[] | undefined, text: string): TextRange[] =>
    (list ?? []).map((c) => ({ start: toUtf16(text, c.char_start), end: toUtf16(text, c.char_end) }));
  const hasChanges = cc && typeof cc === 'object';
  const cwe = /(\d+)/.exec(String(r.vul_type))?.[1];
  const id = createHash('sha256')
    .update(`${r.commit_link}\0${r.file_name}\0${r.func_name}\0${before}\0${after}`)
    .digest('hex')
    .slice(0, 12);
  const pair: RepairPair = {
    schemaVersion: 1,
    id: `${dataset}-${id}`,
    language,
    cwes: cwe ? [`CWE-${Number(cwe)}`] : [],
    provenance: {
      dataset,
      split,
      origin,
      file: String(r.file_name),
      commitUrl: `https://${String(r.commit_link).replace(/^https?:\/\//, '')}`,
      ...(typeof r.func_name === 'string' ? { functionName: r.func_name } : {}),
      ...(typeof r.commit_msg === 'string' ? { commitMessage: r.commit_msg } : {}),
    },
    vulnerableCode: before,
    fixedCode: after,
    changes: {
      deleted: hasChanges ? ranges(cc.deleted, before) : [],
      added: hasChanges ? ranges(cc.added, after) : [],
      origin: hasChanges ? 'source' : 'diff',
    },
  };
  if (typeof r.description === 'string') pair.description = r.description;
  return pair;
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
