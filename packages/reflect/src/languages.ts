import type { Language } from '@srcode/dataset';

/**
 * What reflect's pre-filters and prompt writers know about a language beyond its syntax: how it logs
 * and documents, and its name in prose. The grammar, comments (`blankComments`) and function node
 * types live in @srcode/syntax.
 */
export interface LanguageHints {
  /** Indentation carries meaning: whitespace normalisation keeps each line's leading indent. */
  indentSensitive?: boolean;
  /** A statement that starts with this is logging output. */
  logging: RegExp;
  /** Name used in prompts, e.g. `C` or `Python`. */
  displayName: string;
  /** How the language documents a function: a block comment, hash or slash lines before it, or a docstring inside. */
  docStyle: 'block-before' | 'hash-before' | 'docstring' | 'slash-before';
  /**
   * String literals (global): group 1 the prefix (an `r` in it marks a raw literal), group 2 the quote, group 3
   * the body. The judge reads regular expressions from them.
   */
  strings: RegExp;
}

const C_LOGGING =
  /^\s*(?:(?:f|v|vf|sn)?printf|syslog|perror|puts|printk|pr_(?:debug|info|notice|warn|warning|err|error|cont|devel)|dev_(?:dbg|info|notice|warn|err)|netdev_(?:dbg|info|warn|err)|g_(?:debug|message|warning|info)|av_log|log_\w+|[A-Z_]*LOG\w*|[A-Z_]*DEBUG\w*|[A-Z_]*TRACE\w*|[A-Z_]*WARN\w*|ereport|elog|(?:std::)?(?:cout|cerr|clog)\s*<<)\s*\(?/;

// "..." with an encoding prefix (L, u8); the other languages' single, double and backtick quotes
const C_STRINGS = /(?<!\w)((?:L|u8|u|U)?)(")((?:[^"\\\n]|\\.)*)"/g;
const QUOTED_STRINGS = /()(["'`])((?:[^\\\n]|\\.)*?)\2/g;
const PY_STRINGS = /(?<!\w)([rRbBuUfF]{0,2})("""|'''|"|')((?:[^\\]|\\[\s\S])*?)\2/g;

const JS_LOGGING = /^\s*(?:console\.\w+|(?:this\.)?(?:log|logger|debug)(?:\.\w+)?)\s*\(/;

/** One entry per language. */
export const LANGUAGE_HINTS: Record<Language, LanguageHints> = {
  c: {
    logging: C_LOGGING,
    displayName: 'C',
    docStyle: 'block-before',
    strings: C_STRINGS,
  },
  cpp: { logging: C_LOGGING, displayName: 'C++', docStyle: 'block-before', strings: C_STRINGS },
  python: {
    displayName: 'Python',
    docStyle: 'docstring',
    indentSensitive: true,
    strings: PY_STRINGS,
    logging:
      /^\s*(?:print|pprint|(?:self\.|cls\.)?_?(?:log|logger|logging|LOG|LOGGER)\w*\.\w+|warnings\.warn|sys\.std(?:out|err)\.write)\s*\(/,
  },
  javascript: {
    displayName: 'JavaScript',
    docStyle: 'block-before',
    strings: QUOTED_STRINGS,
    logging: JS_LOGGING,
  },
  typescript: {
    displayName: 'TypeScript',
    docStyle: 'block-before',
    strings: QUOTED_STRINGS,
    logging: JS_LOGGING,
  },
  java: {
    displayName: 'Java',
    docStyle: 'block-before',
    strings: C_STRINGS,
    logging: /^\s*(?:System\.(?:out|err)\.print\w*|(?:log|logger|LOG|LOGGER)\.\w+)\s*\(/,
  },
  csharp: {
    displayName: 'C#',
    docStyle: 'slash-before',
    strings: C_STRINGS,
    logging: /^\s*(?:Console\.Write\w*|Debug\.\w+|Trace\.\w+|(?:_?log|_?logger)\.\w+)\s*\(/i,
  },
  go: {
    displayName: 'Go',
    docStyle: 'slash-before',
    strings: QUOTED_STRINGS,
    logging: /^\s*(?:log\.\w+|fmt\.(?:Print|Fprint)\w*|(?:logger|l|s\.log|\w+\.logger)\.\w+)\s*\(/,
  },
  rust: {
    displayName: 'Rust',
    docStyle: 'slash-before',
    strings: C_STRINGS,
    logging: /^\s*(?:(?:e?print(?:ln)?|debug|info|warn|error|trace|log)!)\s*\(/,
  },
  php: {
    displayName: 'PHP',
    docStyle: 'block-before',
    strings: QUOTED_STRINGS,
    logging: /^\s*(?:error_log|echo|print_r|var_dump|\$this->log\w*)\s*[(\s]/,
  },
  ruby: {
    displayName: 'Ruby',
    docStyle: 'hash-before',
    strings: QUOTED_STRINGS,
    logging: /^\s*(?:puts|p|pp|warn|(?:Rails\.)?logger\.\w+|@?log(?:ger)?\.\w+)\b/,
  },
};

/** The hints of a language. */
export function languageHints(language: Language): LanguageHints {
  return LANGUAGE_HINTS[language];
}
