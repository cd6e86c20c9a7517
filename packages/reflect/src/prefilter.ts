import type { RepairPair } from '@srcode/dataset';
import { blankComments } from '@srcode/syntax';
import { constructChange } from './constructs.js';
import { languageHints } from './languages.js';
import { parseErrorRatio } from './parse.js';
import { diffLines, linesOfRanges } from './text.js';

/** Bounds of the pre-filters. */
export interface PrefilterOptions {
  /** Largest share of either side's characters inside tree-sitter ERROR/MISSING nodes. @default 0.1 */
  maxParseErrorRatio?: number;
  /** Longest function (lines, either side). @default 2000 */
  maxLines?: number;
  /** Longest function (characters, either side). @default 100000 */
  maxChars?: number;
}

/** The defaults of `PrefilterOptions`. */
export const PREFILTER_DEFAULTS: Required<PrefilterOptions> = { maxParseErrorRatio: 0.1, maxLines: 2000, maxChars: 100_000 };

/** Stable reason codes a pre-filter rejects with. */
export type PrefilterReason =
  | 'empty-code'
  | 'too-large'
  | 'parse-vulnerable'
  | 'parse-fixed'
  | 'no-change'
  | 'whitespace-only'
  | 'comments-only'
  | 'logging-only'
  | 'rename-only';

/** What the pre-filters found: whether the pair goes on to the judge, and their view of the change. */
export interface PrefilterResult {
  /** No pre-filter rejected the pair. */
  ok: boolean;
  /** Why the pair was rejected; empty when `ok`. */
  reasons: PrefilterReason[];
  /** Parse error ratios, when the language has a grammar. */
  parse?: {
    /** Share of the vulnerable side's characters in ERROR or MISSING nodes. */
    vulnerable: number;
    /** Share of the fixed side's characters in ERROR or MISSING nodes. */
    fixed: number;
  };
  /** 1-based changed lines of the vulnerable side (from the pair's ranges, or a line diff when they are empty). */
  deletedLines: number[];
  /** 1-based changed lines of the fixed side, found the same way. */
  addedLines: number[];
  /** Both sides with comments blanked out (same offsets and lines as the originals). */
  stripped: {
    /** The vulnerable side without comments. */
    vulnerable: string;
    /** The fixed side without comments. */
    fixed: string;
  };
}

/**
 * Cheap deterministic checks that run before any judge: parse, size, and a change that means something.
 *
 * @example
 * ```ts
 * import { computeChanges, type RepairPair } from '@srcode/dataset';
 * import { prefilter } from '@srcode/reflect';
 *
 * // a "fix" that only renames: thrown away before any judge is asked
 * const vulnerableCode = 'void copy(char *s) {\n  char b[8];\n  strcpy(b, s);\n}\n';
 * const fixedCode = 'void copy(char *src) {\n  char b[8];\n  strcpy(b, src);\n}\n';
 * const pair: RepairPair = {
 *   schemaVersion: 1, id: 'p2', language: 'c', cwes: ['CWE-787'], provenance: { dataset: 'mine' },
 *   vulnerableCode, fixedCode, changes: computeChanges(vulnerableCode, fixedCode),
 * };
 * const { ok, reasons } = prefilter(pair);
 * console.log(ok, reasons); // false [ 'rename-only' ]
 * ```
 */
export function prefilter(pair: RepairPair, options: PrefilterOptions = {}): PrefilterResult {
  const o = { ...PREFILTER_DEFAULTS, ...options };
  const reasons: PrefilterReason[] = [];
  const { vulnerableCode: before, fixedCode: after, language } = pair;
  const hasRanges = pair.changes.deleted.length + pair.changes.added.length > 0;
  const diff = hasRanges ? undefined : diffLines(before, after);
  const deletedLines = diff ? diff.deleted : linesOfRanges(before, pair.changes.deleted);
  const addedLines = diff ? diff.added : linesOfRanges(after, pair.changes.added);
  const result = (parse?: PrefilterResult['parse'], stripped = { vulnerable: before, fixed: after }): PrefilterResult => ({
    ok: reasons.length === 0,
    reasons,
    ...(parse ? { parse } : {}),
    deletedLines,
    addedLines,
    stripped,
  });

  if (!before.trim() || !after.trim()) reasons.push('empty-code');
  const lines = Math.max(before.split('\n').length, after.split('\n').length);
  if (lines > o.maxLines || Math.max(before.length, after.length) > o.maxChars) reasons.push('too-large');
  if (reasons.length) return result();

  const eb = parseErrorRatio(before, language);
  const ea = parseErrorRatio(after, language);
  if (eb !== undefined && eb > o.maxParseErrorRatio) reasons.push('parse-vulnerable');
  if (ea !== undefined && ea > o.maxParseErrorRatio) reasons.push('parse-fixed');
  const stripped = { vulnerable: blankComments(before, language), fixed: blankComments(after, language) };
  const parse = eb !== undefined && ea !== undefined ? { vulnerable: eb, fixed: ea } : undefined;

  const trivial = triviality(before, after, stripped.vulnerable, stripped.fixed, pair);
  if (trivial) reasons.push(trivial);
  return result(parse, stripped);
}

function triviality(before: string, after: string, sb: string, sa: string, pair: RepairPair): PrefilterReason | undefined {
  if (before === after) return 'no-change';
  const hints = languageHints(pair.language);
  const keepIndent = hints.indentSensitive ?? false;
  const norm = (s: string) => normaliseWhitespace(s, keepIndent);
  if (norm(before) === norm(after)) return 'whitespace-only';
  if (norm(sb) === norm(sa)) return 'comments-only';
  const quiet = [dropLogging(sb, hints.logging), dropLogging(sa, hints.logging)] as const;
  if (norm(quiet[0]) === norm(quiet[1])) {
    // A logging call whose format came from data and is now a literal (CWE-134) is a fix, not logging.
    // Whole functions are compared: a fix made by insertion alone (`msg` → `"%s", msg`) has no deleted line.
    return constructChange(sb, sa, pair.language).removedUnsafe.length ? undefined : 'logging-only';
  }
  if (alphaRenamed(quiet[0], keepIndent) === alphaRenamed(quiet[1], keepIndent)) return 'rename-only';
  return undefined;
}

/** Collapses whitespace; indent-sensitive languages keep each line's leading indentation width. */
export function normaliseWhitespace(code: string, keepIndent: boolean): string {
  if (!keepIndent) return code.replace(/\s+/g, '');
  return code
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => `${(/^[ \t]*/.exec(l)?.[0] ?? '').replace(/\t/g, '        ').length}:${l.replace(/\s+/g, '')}`)
    .join('\n');
}

const KEEP_NAMES = new Set([
  'if',
  'else',
  'for',
  'while',
  'do',
  'return',
  'switch',
  'case',
  'break',
  'continue',
  'goto',
  'sizeof',
  'def',
  'class',
  'import',
  'from',
  'not',
  'and',
  'or',
  'in',
  'is',
  'None',
  'True',
  'False',
  'NULL',
  'null',
  'nil',
  'new',
  'delete',
  'try',
  'except',
  'catch',
  'finally',
  'raise',
  'throw',
  'with',
  'as',
  'lambda',
  'yield',
  'await',
  'async',
  'const',
  'static',
  'unsigned',
  'signed',
  'int',
  'char',
  'long',
  'short',
  'void',
  'struct',
  'var',
  'let',
  'function',
  'func',
]);

/**
 * Tokens with every local identifier replaced by the order of its first use: equal for pure renames.
 * Called names, members, and upper-case constants keep their names (`strcpy` -> `strlcpy` is a change).
 */
function alphaRenamed(code: string, keepIndent: boolean): string {
  const names = new Map<string, number>();
  const lines = keepIndent ? code.split('\n').filter((l) => l.trim()) : [code];
  return lines
    .map((line) => {
      const tokens = line.match(/[A-Za-z_$][\w$]*|\d[\w.]*|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|->|::|\S/g) ?? [];
      const indent = keepIndent ? `${(/^[ \t]*/.exec(line)?.[0] ?? '').replace(/\t/g, '        ').length}:` : '';
      return (
        indent +
        tokens
          .map((t, i) => {
            const prev = tokens[i - 1];
            const local = /^[a-z_$][\w$]*$/.test(t) && /[a-z]/.test(t) && !KEEP_NAMES.has(t);
            if (!local || tokens[i + 1] === '(' || prev === '.' || prev === '->' || prev === '::') return t;
            let id = names.get(t);
            if (id === undefined) {
              id = names.size;
              names.set(t, id);
            }
            return `#${id}`;
          })
          .join(' ')
      );
    })
    .join('\n');
}

/** Removes statements that start with a logging call, including their continuation lines. */
export function dropLogging(code: string, logging: RegExp): string {
  const out: string[] = [];
  let depth = 0;
  for (const line of code.split('\n')) {
    if (depth > 0 || logging.test(line)) {
      depth = Math.max(0, depth + count(line, '(') - count(line, ')'));
      continue;
    }
    out.push(line);
  }
  return out.join('\n');
}

function count(s: string, ch: string): number {
  let n = 0;
  for (let i = s.indexOf(ch); i !== -1; i = s.indexOf(ch, i + 1)) n++;
  return n;
}
