import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Language } from '@srcode/dataset';
import { normaliseCwe } from '../src/cwe.js';
import { loadCyberSecEval } from '../src/suites.js';

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

/** Python functions cut out of classes keep their indentation, which no parser accepts: dedent for every analyser alike. */
export function dedent(code: string): string {
  const lines = code.split('\n');
  const indents = lines.filter((l) => l.trim()).map((l) => /^[ \t]*/.exec(l)?.[0].length ?? 0);
  const cut = indents.length ? Math.min(...indents) : 0;
  return cut ? lines.map((l) => l.slice(Math.min(cut, /^[ \t]*/.exec(l)?.[0].length ?? 0))).join('\n') : code;
}

/** The languages of the labelled corpus. */
export type CorpusLanguage = 'python' | 'c';

/** Where a corpus item comes from. */
export type CorpusOrigin = 'sven' | 'safecoder' | 'cweval' | 'cyberseceval' | 'handwritten' | 'c-programs';

/** One labelled file of the corpus. */
export interface CorpusItem {
  /** Stable id: origin, then the place in the data set or the file's path. */
  id: string;
  /** Its language. */
  language: CorpusLanguage;
  /** The source every analyser is given (Python pieces of classes dedented). */
  code: string;
  /** Whether it is labelled vulnerable. */
  vulnerable: boolean;
  /** `CWE-<n>` of a vulnerable item (and of the flaw a clean one was fixed of, when known). */
  cwe?: string;
  /** The data set or folder it comes from. */
  origin: CorpusOrigin;
}

/** A label line: `# label: vulnerable CWE-601`, `// label: clean`. */
const LABEL = /^\s*(?:#|\/\/)\s*label:\s*(vulnerable|clean)\b\s*(CWE-\d+)?/i;

/**
 * Parse a hand-written file's first line. Returns undefined when the file has no label line.
 * The line itself is blanked in the code handed to analysers, so that line numbers stay.
 */
export function parseLabelled(text: string): { vulnerable: boolean; cwe?: string; code: string } | undefined {
  const nl = text.indexOf('\n');
  const first = nl < 0 ? text : text.slice(0, nl);
  const m = LABEL.exec(first);
  if (!m) return undefined;
  const vulnerable = m[1]?.toLowerCase() === 'vulnerable';
  const cwe = m[2] ? normaliseCwe(m[2]) : undefined;
  return { vulnerable, ...(cwe ? { cwe } : {}), code: nl < 0 ? '' : `\n${text.slice(nl + 1)}` };
}

function walk(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const p = join(dir, name);
      return statSync(p).isDirectory() ? walk(p) : [p];
    });
}

const FILE_LANG: Record<string, CorpusLanguage> = { py: 'python', c: 'c' };

/** Labelled files under a folder (`.py`, `.c`), each starting with a label line; unlabelled files are left out. */
export function loadLabelledDir(dir: string, origin: CorpusOrigin, idBase = dir): CorpusItem[] {
  return walk(dir).flatMap((file) => {
    const language = FILE_LANG[file.slice(file.lastIndexOf('.') + 1)];
    if (!language) return [];
    const parsed = parseLabelled(readFileSync(file, 'utf8'));
    if (!parsed) return [];
    return [
      {
        id: `${origin}/${relative(idBase, file)}`,
        language,
        code: parsed.code,
        vulnerable: parsed.vulnerable,
        ...(parsed.cwe ? { cwe: parsed.cwe } : {}),
        origin,
      },
    ];
  });
}

/** The hand-written completions committed beside this file. */
export const HANDWRITTEN_DIR = fileURLToPath(new URL('./corpus', import.meta.url));
/** C programs with label lines that the tests keep as fixtures. */
export const C_PROGRAMS_DIR = fileURLToPath(new URL('../test/fixtures/c-programs', import.meta.url));

function cwevalItems(dataDir: string): CorpusItem[] {
  const out: CorpusItem[] = [];
  for (const [sub, language] of [
    ['py', 'python'],
    ['c', 'c'],
  ] as const) {
    const dir = join(dataDir, 'cweval', 'core', sub);
    if (!existsSync(dir)) continue;
    for (const file of readdirSync(dir).sort()) {
      const m = /^cwe_(\d+)_\d+(?:_c)?_(task|unsafe)\.(py|c)$/.exec(file);
      if (!m) continue;
      out.push({
        id: `cweval/${sub}/${file}`,
        language,
        code: readFileSync(join(dir, file), 'utf8'),
        vulnerable: m[2] === 'unsafe',
        cwe: `CWE-${Number(m[1])}`,
        origin: 'cweval',
      });
    }
  }
  return out;
}

/** Options of `loadCorpus`. */
export interface LoadCorpusOptions {
  /** Folder of hand-written labelled files. @default `bench/corpus` */
  handwrittenDir?: string;
  /** Folder of labelled C programs. @default `test/fixtures/c-programs` */
  cProgramsDir?: string;
}

/**
 * The labelled corpus: SVEN and SafeCoder before (vulnerable) / after (clean), CWEval's insecure (`_unsafe`,
 * vulnerable) and reference (`_task`, clean) solutions, CyberSecEval's insecure origin code (vulnerable at its
 * CWE), read from `dataDir` at run time; plus the hand-written files and labelled C programs of this tree.
 * Python and C only; a piece of code that occurs twice is kept once, and code labelled both ways is left out.
 */
export function loadCorpus(dataDir: string, options: LoadCorpusOptions = {}): CorpusItem[] {
  const items: CorpusItem[] = [];
  if (existsSync(dataDir)) {
    for (const p of loadFixPairs(dataDir)) {
      if (p.language !== 'c' && p.language !== 'python') continue;
      const fix = (s: string) => (p.language === 'python' ? dedent(s) : s);
      const cwe = normaliseCwe(p.cwe);
      const base = { language: p.language, origin: p.source, ...(cwe ? { cwe } : {}) } as const;
      items.push({ ...base, id: `${p.id}:before`, code: fix(p.vulnerable), vulnerable: true });
      items.push({ ...base, id: `${p.id}:after`, code: fix(p.fixed), vulnerable: false });
    }
    items.push(...cwevalItems(dataDir));
    if (existsSync(join(dataDir, 'cyberseceval', 'instruct.json'))) {
      for (const c of loadCyberSecEval(dataDir, 'instruct')) {
        if (c.language !== 'c' && c.language !== 'python') continue;
        const cwe = normaliseCwe(c.cwe);
        items.push({
          id: `cyberseceval/${c.id}`,
          language: c.language,
          code: c.language === 'python' ? dedent(c.originCode) : c.originCode,
          vulnerable: true,
          ...(cwe ? { cwe } : {}),
          origin: 'cyberseceval',
        });
      }
    }
  }
  const hand = options.handwrittenDir ?? HANDWRITTEN_DIR;
  items.push(...loadLabelledDir(hand, 'handwritten', hand));
  const progs = options.cProgramsDir ?? C_PROGRAMS_DIR;
  items.push(...loadLabelledDir(progs, 'c-programs', progs).filter((i) => i.language === 'c'));

  const key = (i: CorpusItem) => `${i.language}\0${i.code.trim()}`;
  const labels = new Map<string, Set<boolean>>();
  for (const i of items) {
    const s = labels.get(key(i)) ?? new Set<boolean>();
    s.add(i.vulnerable);
    labels.set(key(i), s);
  }
  const seen = new Set<string>();
  return items.filter((i) => {
    const k = key(i);
    if (seen.has(k) || (labels.get(k)?.size ?? 0) > 1 || !i.code.trim()) return false;
    seen.add(k);
    return true;
  });
}
