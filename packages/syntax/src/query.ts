import type Parser from 'tree-sitter';
import { SyntaxLayerError } from './errors.js';
import { requireInstalled } from './load.js';
import { getLanguage } from './registry.js';

/** A compiled tree-sitter query (S-expression patterns with captures and predicates). */
export type Query = Parser.Query;

/**
 * Compiles a tree-sitter query against the grammar of the registered `language`. Throws a
 * `SyntaxLayerError`: `unknown-language` for an unregistered language, `invalid-input` (with the
 * grammar's message) for a query the grammar rejects.
 *
 * @example
 * ```ts
 * import { compileQuery, parse } from '@srcode/syntax';
 *
 * const query = compileQuery('c', '(call_expression function: (identifier) @fn (#eq? @fn "strcpy")) @call');
 * const code = 'void f(char *s) { char b[8]; strcpy(b, s); puts(b); }';
 * const calls = query.captures(parse(code, 'c').rootNode).filter((c) => c.name === 'call');
 * console.log(calls.map((c) => c.node.text)); // [ 'strcpy(b, s)' ]
 * ```
 */
export function compileQuery(language: string, source: string): Query {
  const { grammar } = getLanguage(language);
  const { Query: QueryClass } = requireInstalled('tree-sitter') as typeof Parser;
  try {
    return new QueryClass(grammar, source);
  } catch (cause) {
    throw new SyntaxLayerError('invalid-input', `a query the ${language} grammar rejects: ${String(cause)}`, { cause });
  }
}
