import { requireInstalled } from '../load.js';
import type { LanguageSpec } from '../spec.js';

/** C's statement-level units, shared with C++ (whose grammar extends C's). */
export const C_UNIT_TYPES: readonly string[] = [
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
];

export const C_CONTAINER_TYPES: readonly string[] = [
  'translation_unit',
  'compound_statement',
  'function_definition',
  'declaration_list',
  'field_declaration_list',
  'preproc_if',
  'preproc_ifdef',
  'preproc_else',
  'preproc_elif',
];

export const C_IDENTIFIER_TYPES: readonly string[] = ['identifier', 'field_identifier', 'type_identifier', 'statement_identifier'];

export const C_KEYWORDS: readonly string[] = (
  'auto break case char const continue default do double else enum extern float for goto if inline int long ' +
  'register restrict return short signed sizeof static struct switch typedef union unsigned void volatile while ' +
  '_Bool bool NULL include define ifdef ifndef endif elif undef pragma defined'
).split(' ');

// the lexer tries longer operators first, so their order here does not matter
export const C_OPERATORS: readonly string[] = '-> ++ -- <<= >>= << >> <= >= == != && || += -= *= /= %= &= |= ^= ... ##'.split(' ');

export const C_COMMENT = /\/\/[^\n]*|\/\*[\s\S]*?(?:\*\/|$)/y;

/** C, with the tree-sitter-c grammar. */
export const C_SPEC: LanguageSpec = {
  name: 'c',
  grammar: () => requireInstalled('tree-sitter-c'),
  unitTypes: C_UNIT_TYPES,
  unitFields: ['condition'],
  containerTypes: C_CONTAINER_TYPES,
  identifierTypes: C_IDENTIFIER_TYPES,
  commentTypes: ['comment'],
  functionTypes: ['function_definition'],
  lexicon: {
    keywords: C_KEYWORDS,
    operators: C_OPERATORS,
    string: /(?:u8|[LuU])?(?:"(?:[^"\\\n]|\\[\s\S])*"?|'(?:[^'\\\n]|\\[\s\S])*'?)/y,
    comment: C_COMMENT,
  },
};
