import Parser from 'tree-sitter';
import C from 'tree-sitter-c';
import Python from 'tree-sitter-python';
import { TokenRewardError } from './errors.js';
import type { Lexicon } from './lexer.js';

/**
 * What a language declares about its syntax. Shared code reads only these properties, so adding a
 * grammar is one `registerLanguage` call and no shared code names a language.
 */
export interface LanguageSpec {
  /** Registry key, matching @srcode/dataset's `Language` where one exists (`c`, `python`). */
  name: string;
  /** Returns the tree-sitter grammar (called once, on first parse). */
  grammar: () => unknown;
  /** Node types that carry meaning on their own: calls, argument lists, declarations, statements. */
  unitTypes: readonly string[];
  /** Field names whose child is a unit whatever its type, e.g. an `if`'s `condition`. */
  unitFields: readonly string[];
  /** Node types that hold sequences of units (blocks, bodies, the file): a change is split at them. */
  containerTypes: readonly string[];
  /** Name leaf types: a span is never one of these (a fragment of an expression). */
  identifierTypes: readonly string[];
  /** How source splits into tokens when completions are aligned with a pair's units. */
  lexicon: Lexicon;
}

const C_SPEC: LanguageSpec = {
  name: 'c',
  grammar: () => C,
  unitTypes: [
    'call_expression',
    'argument_list',
    'parameter_list',
    'declaration',
    'field_declaration',
    'parameter_declaration',
    'expression_statement',
    'return_statement',
    'if_statement',
    'else_clause',
    'while_statement',
    'for_statement',
    'do_statement',
    'switch_statement',
    'case_statement',
    'break_statement',
    'continue_statement',
    'goto_statement',
    'labeled_statement',
    'preproc_include',
    'preproc_def',
    'preproc_function_def',
    'preproc_call',
  ],
  unitFields: ['condition'],
  containerTypes: [
    'translation_unit',
    'compound_statement',
    'function_definition',
    'declaration_list',
    'field_declaration_list',
    'preproc_if',
    'preproc_ifdef',
    'preproc_else',
    'preproc_elif',
  ],
  identifierTypes: ['identifier', 'field_identifier', 'type_identifier', 'statement_identifier'],
  lexicon: {
    keywords: (
      'auto break case char const continue default do double else enum extern float for goto if inline int long ' +
      'register restrict return short signed sizeof static struct switch typedef union unsigned void volatile while ' +
      '_Bool bool NULL include define ifdef ifndef endif elif undef pragma defined'
    ).split(' '),
    operators: [
      '->',
      '++',
      '--',
      '<<=',
      '>>=',
      '<<',
      '>>',
      '<=',
      '>=',
      '==',
      '!=',
      '&&',
      '||',
      '+=',
      '-=',
      '*=',
      '/=',
      '%=',
      '&=',
      '|=',
      '^=',
      '...',
      '##',
    ],
    string: /(?:u8|[LuU])?(?:"(?:[^"\\\n]|\\[\s\S])*"?|'(?:[^'\\\n]|\\[\s\S])*'?)/y,
    comment: /\/\/[^\n]*|\/\*[\s\S]*?(?:\*\/|$)/y,
  },
};

const PYTHON_SPEC: LanguageSpec = {
  name: 'python',
  grammar: () => Python,
  unitTypes: [
    'call',
    'argument_list',
    'parameters',
    'default_parameter',
    'typed_parameter',
    'typed_default_parameter',
    'expression_statement',
    'return_statement',
    'if_statement',
    'elif_clause',
    'else_clause',
    'for_statement',
    'while_statement',
    'try_statement',
    'except_clause',
    'finally_clause',
    'with_statement',
    'raise_statement',
    'assert_statement',
    'import_statement',
    'import_from_statement',
    'pass_statement',
    'break_statement',
    'continue_statement',
    'delete_statement',
    'global_statement',
    'nonlocal_statement',
  ],
  unitFields: ['condition'],
  containerTypes: ['module', 'block', 'function_definition', 'class_definition', 'decorated_definition'],
  identifierTypes: ['identifier'],
  lexicon: {
    keywords: (
      'False None True and as assert async await break class continue def del elif else except finally for from ' +
      'global if import in is lambda nonlocal not or pass raise return try while with yield'
    ).split(' '),
    operators: [
      '**=',
      '//=',
      '>>=',
      '<<=',
      '->',
      ':=',
      '**',
      '//',
      '<<',
      '>>',
      '<=',
      '>=',
      '==',
      '!=',
      '+=',
      '-=',
      '*=',
      '/=',
      '%=',
      '&=',
      '|=',
      '^=',
      '@=',
      '...',
    ],
    string: /(?:[rRbBuUfF]{1,2})?(?:"""[\s\S]*?(?:"""|$)|'''[\s\S]*?(?:'''|$)|"(?:[^"\\\n]|\\[\s\S])*"?|'(?:[^'\\\n]|\\[\s\S])*'?)/y,
    comment: /#[^\n]*/y,
  },
};

/** A registered language with its parser and type sets, ready for the core. */
export interface LoadedLanguage {
  spec: LanguageSpec;
  units: ReadonlySet<string>;
  unitFields: readonly string[];
  containers: ReadonlySet<string>;
  identifiers: ReadonlySet<string>;
  parser: Parser;
}

const specs = new Map<string, LanguageSpec>();
const loaded = new Map<string, LoadedLanguage>();

/** Adds (or replaces) a language. */
export function registerLanguage(spec: LanguageSpec): void {
  specs.set(spec.name, spec);
  loaded.delete(spec.name);
}

/** Names of the registered languages. */
export function languageNames(): string[] {
  return [...specs.keys()];
}

/** The loaded language, or a `TokenRewardError` with code `unknown-language`. */
export function getLanguage(name: string): LoadedLanguage {
  const hit = loaded.get(name);
  if (hit) return hit;
  const spec = specs.get(name);
  if (!spec) {
    throw new TokenRewardError(
      'unknown-language',
      `unknown language "${name}"; registered: ${languageNames().join(', ')} (add one with registerLanguage)`,
    );
  }
  const parser = new Parser();
  try {
    parser.setLanguage(spec.grammar() as Parser.Language);
  } catch (cause) {
    throw new TokenRewardError('unknown-language', `the grammar of "${name}" failed to load`, { cause });
  }
  const lang: LoadedLanguage = {
    spec,
    units: new Set(spec.unitTypes),
    unitFields: spec.unitFields,
    containers: new Set(spec.containerTypes),
    identifiers: new Set(spec.identifierTypes),
    parser,
  };
  loaded.set(name, lang);
  return lang;
}

registerLanguage(C_SPEC);
registerLanguage(PYTHON_SPEC);
