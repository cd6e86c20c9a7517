/** How a language's source splits into tokens when text is aligned without a parse (token-reward's lexer). */
export interface Lexicon {
  /** Words that are syntax, compared as themselves (everything else word-like is a name). */
  keywords: readonly string[];
  /** Operators of two or more characters, matched before single characters. */
  operators: readonly string[];
  /** A sticky regex for a string or character literal starting at `lastIndex`. */
  string: RegExp;
  /** A sticky regex for a comment starting at `lastIndex`. */
  comment: RegExp;
}

/**
 * Everything the packages know about a language's syntax, declared once. Shared code reads only these
 * properties, so adding a language is one `registerLanguage` call and no shared code names a language.
 * File extensions are not repeated here: they live in @srcode/dataset's one table (`languageFromFileName`).
 */
export interface LanguageSpec {
  /** Registry key: @srcode/dataset's `Language` for the built-in ones (`c`, `cpp`, `python`). */
  name: string;
  /** Returns the tree-sitter grammar; called once, on the language's first use, so grammars load lazily. */
  grammar: () => unknown;
  /** Node types that carry meaning on their own: calls, argument lists, declarations, statements. */
  unitTypes: readonly string[];
  /** Field names whose child is a unit whatever its type, e.g. an `if`'s `condition`. */
  unitFields: readonly string[];
  /** Node types that hold sequences of units (blocks, bodies, the file): a change is split at them. */
  containerTypes: readonly string[];
  /** Name leaf types: a span is never one of these (a fragment of an expression). */
  identifierTypes: readonly string[];
  /** Node types that are comments. */
  commentTypes: readonly string[];
  /**
   * Whether a string literal alone as a statement is documentation (Python docstrings).
   * @default false
   */
  docstrings?: boolean;
  /** Node types of a function definition. */
  functionTypes: readonly string[];
  /** How source splits into tokens without a parse. */
  lexicon: Lexicon;
}
