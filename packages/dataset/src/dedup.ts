import { shortHash } from './text.js';
import type { Language, RepairPair } from './types.js';

/** Comment syntax per language family; shared code asks this table, not the language's name. */
const COMMENTS: Partial<Record<Language, { line: string[]; block: Array<[string, string]> }>> = {
  c: { line: ['//'], block: [['/*', '*/']] },
  cpp: { line: ['//'], block: [['/*', '*/']] },
  javascript: { line: ['//'], block: [['/*', '*/']] },
  typescript: { line: ['//'], block: [['/*', '*/']] },
  go: { line: ['//'], block: [['/*', '*/']] },
  java: { line: ['//'], block: [['/*', '*/']] },
  csharp: { line: ['//'], block: [['/*', '*/']] },
  rust: { line: ['//'], block: [['/*', '*/']] },
  php: { line: ['//', '#'], block: [['/*', '*/']] },
  python: { line: ['#'], block: [] },
  ruby: { line: ['#'], block: [['=begin', '=end']] },
};

/**
 * Code with comments and all whitespace removed, so edits to layout or comments do not make a new
 * record. String literals are kept intact (a comment marker inside a string is not a comment).
 */
export function normaliseCode(code: string, language: Language): string {
  const syntax = COMMENTS[language] ?? { line: [], block: [] };
  let out = '';
  let i = 0;
  while (i < code.length) {
    const ch = code[i]!;
    if (ch === '"' || ch === "'" || ch === '`') {
      let j = i + 1;
      while (j < code.length && code[j] !== ch && code[j] !== '\n') j += code[j] === '\\' ? 2 : 1;
      out += code.slice(i, j + 1);
      i = j + 1;
      continue;
    }
    const block = syntax.block.find(([open]) => code.startsWith(open, i));
    if (block) {
      const end = code.indexOf(block[1], i + block[0].length);
      i = end === -1 ? code.length : end + block[1].length;
      continue;
    }
    if (syntax.line.some((m) => code.startsWith(m, i))) {
      const end = code.indexOf('\n', i);
      i = end === -1 ? code.length : end;
      continue;
    }
    if (!/\s/.test(ch)) out += ch;
    i++;
  }
  return out;
}

/** The key two pairs share when they are near-duplicates: same language and same normalised code on both sides. */
function dedupKey(pair: RepairPair): string {
  return shortHash(pair.language, normaliseCode(pair.vulnerableCode, pair.language), normaliseCode(pair.fixedCode, pair.language));
}

/** The pairs {@link dedupPairs} kept and those it dropped. */
export interface DedupResult {
  /** The first pair of each near-duplicate group, in input order. */
  kept: RepairPair[];
  /** Each dropped pair with the id of the pair it duplicates. */
  removed: Array<{
    /** The dropped pair. */
    pair: RepairPair;
    /** The `id` of the kept pair it duplicates. */
    duplicateOf: string;
  }>;
}

/**
 * Keeps the first pair of each near-duplicate group, in input order. Near-duplicates share their
 * language and both versions' code once comments and whitespace are removed.
 */
export function dedupPairs(pairs: Iterable<RepairPair>): DedupResult {
  const first = new Map<string, string>();
  const kept: RepairPair[] = [];
  const removed: DedupResult['removed'] = [];
  for (const pair of pairs) {
    const key = dedupKey(pair);
    const original = first.get(key);
    if (original === undefined) {
      first.set(key, pair.id);
      kept.push(pair);
    } else removed.push({ pair, duplicateOf: original });
  }
  return { kept, removed };
}
