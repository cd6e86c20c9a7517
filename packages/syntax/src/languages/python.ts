import { requireInstalled } from '../load.js';
import type { LanguageSpec } from '../spec.js';

/** Python, with the tree-sitter-python grammar. */
export const PYTHON_SPEC: LanguageSpec = {
  name: 'python',
  grammar: () => requireInstalled('tree-sitter-python'),
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
  commentTypes: ['comment'],
  docstrings: true,
  functionTypes: ['function_definition'],
  lexicon: {
    keywords: (
      'False None True and as assert async await break class continue def del elif else except finally for from ' +
      'global if import in is lambda nonlocal not or pass raise return try while with yield'
    ).split(' '),
    operators: '**= //= >>= <<= -> := ** // << >> <= >= == != += -= *= /= %= &= |= ^= @= ...'.split(' '),
    string: /(?:[rRbBuUfF]{1,2})?(?:"""[\s\S]*?(?:"""|$)|'''[\s\S]*?(?:'''|$)|"(?:[^"\\\n]|\\[\s\S])*"?|'(?:[^'\\\n]|\\[\s\S])*'?)/y,
    comment: /#[^\n]*/y,
  },
};
