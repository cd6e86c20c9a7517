import type Parser from 'tree-sitter';
import type { LoadedLanguage } from './languages.js';

/** Beyond this many UTF-16 units the native parser's default buffer is raised to fit the text. */
const DEFAULT_BUFFER = 32 * 1024;

/** Parses `code` (tolerating syntax errors: tree-sitter always returns a tree). */
export function parseCode(lang: LoadedLanguage, code: string): Parser.Tree {
  if (code.length < DEFAULT_BUFFER) return lang.parser.parse(code);
  return lang.parser.parse(code, null, { bufferSize: code.length + 1 });
}
