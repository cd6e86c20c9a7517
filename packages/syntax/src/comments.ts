import { SyntaxLayerError } from './errors.js';
import { commentRanges, type Range } from './nodes.js';
import { parse } from './parse.js';
import { languageNames } from './registry.js';

/** How a language without a registered grammar writes comments. */
interface LexicalComments {
  line?: string;
  block?: readonly [open: string, close: string];
}

const C_LIKE: LexicalComments = { line: '//', block: ['/*', '*/'] };

/**
 * Comment syntax of @srcode/dataset's languages that have no grammar here, for the lexical fallback.
 * A language registered with a grammar is read through its grammar instead, whatever this table says.
 */
const LEXICAL_COMMENTS: Readonly<Record<string, LexicalComments>> = {
  javascript: C_LIKE,
  typescript: C_LIKE,
  java: C_LIKE,
  csharp: C_LIKE,
  go: C_LIKE,
  rust: C_LIKE,
  php: C_LIKE,
  ruby: { line: '#' },
};

/**
 * `code` with its comments (and docstrings, where the language has them) replaced by spaces, newlines
 * kept, so every offset and line of the result is the one of the original. A registered language is
 * read through its grammar (`commentRanges` of the cached `parse`); the other languages of
 * @srcode/dataset are scanned lexically for their comment markers, skipping string literals. Throws a
 * `SyntaxLayerError` with code `unknown-language` for a language that is neither.
 *
 * @example
 * ```ts
 * import { blankComments } from '@srcode/syntax';
 *
 * const code = 'def f(x):\n    """Doubles."""\n    return x * 2  # not / 2\n';
 * const blank = blankComments(code, 'python');
 * console.log(JSON.stringify(blank.trimEnd()), blank.length === code.length); // "def f(x):\n                  \n    return x * 2" true
 * console.log(JSON.stringify(blankComments('let a = "//"; // b', 'javascript'))); // "let a = \"//\";     "
 * ```
 */
export function blankComments(code: string, language: string): string {
  if (languageNames().includes(language)) return blankRanges(code, commentRanges(parse(code, language), language));
  const syntax = LEXICAL_COMMENTS[language];
  if (!syntax) {
    const known = [...languageNames(), ...Object.keys(LEXICAL_COMMENTS)].join(', ');
    throw new SyntaxLayerError('unknown-language', `no comment syntax for language "${language}"; known: ${known}`);
  }
  return blankRanges(code, lexicalCommentRanges(code, syntax));
}

function lexicalCommentRanges(code: string, { line, block }: LexicalComments): Range[] {
  const ranges: Range[] = [];
  let quote = '';
  for (let i = 0; i < code.length; i++) {
    const ch = code[i];
    if (quote) {
      if (ch === '\\') i++;
      else if (ch === quote || (ch === '\n' && quote !== '`')) quote = '';
      continue;
    }
    if (ch === '"' || ch === "'" || ch === '`') {
      quote = ch;
    } else if (line && code.startsWith(line, i)) {
      const end = code.indexOf('\n', i);
      ranges.push([i, end === -1 ? code.length : end]);
      i = end === -1 ? code.length : end - 1;
    } else if (block && code.startsWith(block[0], i)) {
      const close = code.indexOf(block[1], i + block[0].length);
      const end = close === -1 ? code.length : close + block[1].length;
      ranges.push([i, end]);
      i = end - 1;
    }
  }
  return ranges;
}

/** Replaces each range by spaces of the same length, keeping newlines, so offsets and lines stay put. */
function blankRanges(code: string, ranges: readonly Range[]): string {
  if (!ranges.length) return code;
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  let out = '';
  let at = 0;
  for (const [start, end] of sorted) {
    if (end <= at) continue;
    const from = Math.max(start, at);
    out += code.slice(at, from) + code.slice(from, end).replace(/[^\n]/g, ' ');
    at = end;
  }
  return out + code.slice(at);
}
