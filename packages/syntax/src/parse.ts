import type Parser from 'tree-sitter';
import { getLanguage, parserOf } from './registry.js';

/** A tree-sitter syntax tree. Offsets (`startIndex`, `endIndex`) are UTF-16 indices into the parsed string. */
export type Tree = Parser.Tree;

/** Beyond this many UTF-16 units the native parser's default buffer is raised to fit the text. */
const DEFAULT_BUFFER = 32 * 1024;

/** Trees kept: a pipeline reads each text several times (pre-filter, analyser, prompt writer, reward map). */
const CACHE_SIZE = 16;

const cache = new Map<string, { lang: object; tree: Tree }>();

/**
 * The syntax tree of `code` in the registered `language`, tolerating syntax errors (tree-sitter always
 * returns a tree, with ERROR and MISSING nodes where the code does not parse). The last few trees are
 * kept, so parsing the same text again is a lookup; treat the tree as read-only. Throws a
 * `SyntaxLayerError` with code `unknown-language` for an unregistered language.
 *
 * @example
 * ```ts
 * import { errorRatio, parse } from '@srcode/syntax';
 *
 * const code = 'int f(int x) { return x * 2; }';
 * const tree = parse(code, 'c');
 * console.log(tree.rootNode.type, tree.rootNode.firstNamedChild?.type, errorRatio(tree, code)); // translation_unit function_definition 0
 * const broken = 'int f(int x) { return x * ; }';
 * console.log(errorRatio(parse(broken, 'c'), broken) > 0); // true
 * ```
 */
export function parse(code: string, language: string): Tree {
  const lang = getLanguage(language);
  const key = `${language}\u0000${code}`;
  const hit = cache.get(key);
  // a re-registered language has a new loaded object: its old trees do not count
  if (hit && hit.lang === lang) {
    cache.delete(key);
    cache.set(key, hit);
    return hit.tree;
  }
  const parser = parserOf(lang);
  const tree = code.length < DEFAULT_BUFFER ? parser.parse(code) : parser.parse(code, null, { bufferSize: code.length + 1 });
  if (cache.size >= CACHE_SIZE && !hit) cache.delete(cache.keys().next().value as string);
  cache.set(key, { lang, tree });
  return tree;
}
