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
