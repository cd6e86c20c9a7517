import { requireOptionalGrammar } from '../load.js';
import type { LanguageSpec } from '../spec.js';
import { C_COMMENT, C_CONTAINER_TYPES, C_IDENTIFIER_TYPES, C_KEYWORDS, C_OPERATORS, C_UNIT_TYPES } from './c.js';

/** The C++ grammar package, an optional peer of @srcode/syntax (41 MB installed), and its tested version. */
export const CPP_GRAMMAR = { package: 'tree-sitter-cpp', version: '0.23.4' } as const;

/**
 * C++, with the tree-sitter-cpp grammar. Its grammar extends C's, so C's types hold and C++ adds its
 * own statements (try/catch, throw, range-for), declarations (using, aliases, static_assert,
 * member initialisers), `new`, and the scopes that hold units (namespaces, templates, lambdas).
 * The grammar is an optional peer: registered always, loaded on first use, and without it that use
 * throws a `SyntaxLayerError` naming the package to install.
 */
export const CPP_SPEC: LanguageSpec = {
  name: 'cpp',
  grammar: () => requireOptionalGrammar('cpp', CPP_GRAMMAR.package, CPP_GRAMMAR.version),
  unitTypes: [
    ...C_UNIT_TYPES,
    'for_range_loop',
    'try_statement',
    'catch_clause',
    'throw_statement',
    'co_return_statement',
    'co_yield_statement',
    'new_expression',
    'field_initializer',
    'using_declaration',
    'alias_declaration',
    'namespace_alias_definition',
    'static_assert_declaration',
    'friend_declaration',
  ],
  unitFields: ['condition'],
  containerTypes: [...C_CONTAINER_TYPES, 'namespace_definition', 'template_declaration', 'linkage_specification', 'lambda_expression'],
  identifierTypes: [...C_IDENTIFIER_TYPES, 'namespace_identifier'],
  commentTypes: ['comment'],
  functionTypes: ['function_definition'],
  lexicon: {
    keywords: [
      ...C_KEYWORDS,
      ...(
        'alignas alignof catch class co_await co_return co_yield concept const_cast consteval constexpr constinit ' +
        'decltype delete dynamic_cast explicit export false final friend mutable namespace new noexcept nullptr ' +
        'operator override private protected public reinterpret_cast requires static_assert static_cast template ' +
        'this throw true try typeid typename using virtual'
      ).split(' '),
    ],
    operators: [...C_OPERATORS, '::', '->*', '.*', '<=>'],
    // raw strings (`R"tag(...)tag"`) first: their body may hold quotes and backslashes
    string: /(?:u8|[LuU])?(?:R"([^()\\\s]{0,16})\([\s\S]*?(?:\)\1"|$)|"(?:[^"\\\n]|\\[\s\S])*"?|'(?:[^'\\\n]|\\[\s\S])*'?)/y,
    comment: C_COMMENT,
  },
};
