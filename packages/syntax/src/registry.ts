import type { Language } from '@srcode/dataset';
import type Parser from 'tree-sitter';
// the one extension table, bundled from its source: importing @srcode/dataset's entry would load its
// diff and crypto dependencies at every start-up, for a lookup in a table
import { languageFromFileName } from '../../dataset/src/languages.js';
import { SyntaxLayerError } from './errors.js';
import { CPP_SPEC } from './languages/cpp.js';
import { C_SPEC } from './languages/c.js';
import { PYTHON_SPEC } from './languages/python.js';
import { requireInstalled } from './load.js';
import { keepNodeReads, settleNodeClasses, startIndexFromFields } from './node-classes.js';
import type { LanguageSpec } from './spec.js';

/** A tree-sitter grammar object, as `tree-sitter` takes it. */
export type Grammar = Parser.Language;

/** A registered language with its grammar loaded and its type lists as sets, ready for lookups. */
export interface LoadedLanguage {
  /** The spec it was registered with. */
  readonly spec: LanguageSpec;
  /** The tree-sitter grammar, loaded. */
  readonly grammar: Grammar;
  /** The spec's `unitTypes`. */
  readonly units: ReadonlySet<string>;
  /** The spec's `unitFields`. */
  readonly unitFields: readonly string[];
  /** The spec's `containerTypes`. */
  readonly containers: ReadonlySet<string>;
  /** The spec's `identifierTypes`. */
  readonly identifiers: ReadonlySet<string>;
}

// One registry per process, shared by every copy of this module (its ESM and CJS builds, or two installs):
// a language registered through one is seen by all, as the error classes' brands are.
const REGISTRY = Symbol.for('@srcode/syntax/registry');
interface Registry {
  specs: Map<string, LanguageSpec>;
  loaded: Map<string, LoadedLanguage>;
  parsers: WeakMap<LoadedLanguage, Parser>;
}
const holder = globalThis as { [REGISTRY]?: Registry };
holder[REGISTRY] ??= { specs: new Map(), loaded: new Map(), parsers: new WeakMap() };
const shared = holder[REGISTRY];
const { specs, loaded, parsers } = shared;

/**
 * Adds a language, or replaces the one of the same name (its grammar loads again on next use).
 *
 * @example
 * ```ts
 * import { getLanguage, languageNames, parse, registerLanguage } from '@srcode/syntax';
 *
 * // a variant of C whose only units are whole statements
 * registerLanguage({ ...getLanguage('c').spec, name: 'c-statements', unitTypes: ['expression_statement', 'return_statement'] });
 * console.log(languageNames().includes('c-statements'), getLanguage('c-statements').units.has('call_expression')); // true false
 * console.log(parse('int main(void) { return 0; }', 'c-statements').rootNode.type); // translation_unit
 * ```
 */
export function registerLanguage(spec: LanguageSpec): void {
  specs.set(spec.name, spec);
  loaded.delete(spec.name);
}

/** Names of the registered languages, in registration order. */
export function languageNames(): string[] {
  return [...specs.keys()];
}

/**
 * The registered language `name`, its grammar loaded on first call. Throws a `SyntaxLayerError` with
 * code `unknown-language` naming the registered languages, or when the grammar fails to load (for C++
 * without its optional grammar package, a message naming the package to install).
 */
export function getLanguage(name: string): LoadedLanguage {
  const hit = loaded.get(name);
  if (hit) return hit;
  const spec = specs.get(name);
  if (!spec) {
    throw new SyntaxLayerError(
      'unknown-language',
      `unknown language "${name}"; registered: ${languageNames().join(', ')} (add one with registerLanguage)`,
    );
  }
  let grammar: Grammar;
  let parser: Parser;
  try {
    grammar = spec.grammar() as Grammar;
    parser = newParser(grammar);
  } catch (cause) {
    if (cause instanceof SyntaxLayerError) throw cause;
    throw new SyntaxLayerError('unknown-language', `the grammar of "${name}" failed to load`, { cause });
  }
  const lang: LoadedLanguage = {
    spec,
    grammar,
    units: new Set(spec.unitTypes),
    unitFields: spec.unitFields,
    containers: new Set(spec.containerTypes),
    identifiers: new Set(spec.identifierTypes),
  };
  parsers.set(lang, parser);
  loaded.set(name, lang);
  return lang;
}

function newParser(grammar: Grammar): Parser {
  const parser = new (requireInstalled('tree-sitter') as typeof Parser)();
  parser.setLanguage(grammar);
  settleNodeClasses(grammar);
  // a few lines of any grammar give nodes past offset 0 (tokens, or ERROR nodes where it does not parse)
  startIndexFromFields(parser.parse('\n  x = 1;\n  y(2)\n'));
  keepNodeReads();
  return parser;
}

/** The parser set to `lang`'s grammar, one per loaded language. */
export function parserOf(lang: LoadedLanguage): Parser {
  let parser = parsers.get(lang);
  if (!parser) {
    parser = newParser(lang.grammar);
    parsers.set(lang, parser);
  }
  return parser;
}

/**
 * The registered language of a source file, from its extension in @srcode/dataset's one table;
 * undefined for an unknown extension or a language without a registered grammar.
 */
export function languageForFile(fileName: string): Language | undefined {
  const language = languageFromFileName(fileName);
  return language !== undefined && specs.has(language) ? language : undefined;
}

// the built-in languages, unless another copy of this module registered them (or the user replaced one) first
for (const spec of [C_SPEC, PYTHON_SPEC, CPP_SPEC]) if (!specs.has(spec.name)) registerLanguage(spec);
