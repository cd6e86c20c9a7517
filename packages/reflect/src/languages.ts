import type { Language } from '@srcode/dataset';

/**
 * What reflect's pre-filters and prompt writers know about a language beyond its grammar: how it logs,
 * documents and comments (for languages without a registered grammar), and its name in prose. The
 * grammar, its comment and function node types live in @srcode/syntax's registry.
 */
export interface LanguageHints {
  /** Comment syntax, for languages without a grammar (string literals are skipped when looking for it). */
  lineComment?: string;
  blockComment?: readonly [open: string, close: string];
  /** Indentation carries meaning: whitespace normalisation keeps each line's leading indent. */
  indentSensitive?: boolean;
  /** A statement that starts with this is logging output. */
  logging: RegExp;
  /** Name used in prompts, e.g. `C` or `Python`. */
  displayName: string;
  /** How the language documents a function: a block comment, hash or slash lines before it, or a docstring inside. */
  docStyle: 'block-before' | 'hash-before' | 'docstring' | 'slash-before';
}

const C_LIKE = { lineComment: '//', blockComment: ['/*', '*/'] as const };

const C_LOGGING =
  /^\s*(?:(?:f|v|vf|sn)?printf|syslog|perror|puts|printk|pr_(?:debug|info|notice|warn|warning|err|error|cont|devel)|dev_(?:dbg|info|notice|warn|err)|netdev_(?:dbg|info|warn|err)|g_(?:debug|message|warning|info)|av_log|log_\w+|[A-Z_]*LOG\w*|[A-Z_]*DEBUG\w*|[A-Z_]*TRACE\w*|[A-Z_]*WARN\w*|ereport|elog|(?:std::)?(?:cout|cerr|clog)\s*<<)\s*\(?/;

const JS_LOGGING = /^\s*(?:console\.\w+|(?:this\.)?(?:log|logger|debug)(?:\.\w+)?)\s*\(/;

/** One entry per language. */
export const LANGUAGE_HINTS: Record<Language, LanguageHints> = {
  c: {
    ...C_LIKE,
    logging: C_LOGGING,
    displayName: 'C',
    docStyle: 'block-before',
  },
  cpp: { ...C_LIKE, logging: C_LOGGING, displayName: 'C++', docStyle: 'block-before' },
  python: {
    displayName: 'Python',
    docStyle: 'docstring',
    lineComment: '#',
    indentSensitive: true,
    logging:
      /^\s*(?:print|pprint|(?:self\.|cls\.)?_?(?:log|logger|logging|LOG|LOGGER)\w*\.\w+|warnings\.warn|sys\.std(?:out|err)\.write)\s*\(/,
  },
  javascript: {
    ...C_LIKE,
    displayName: 'JavaScript',
    docStyle: 'block-before',
    logging: JS_LOGGING,
  },
  typescript: {
    ...C_LIKE,
    displayName: 'TypeScript',
    docStyle: 'block-before',
    logging: JS_LOGGING,
  },
  java: {
    ...C_LIKE,
    displayName: 'Java',
    docStyle: 'block-before',
    logging: /^\s*(?:System\.(?:out|err)\.print\w*|(?:log|logger|LOG|LOGGER)\.\w+)\s*\(/,
  },
  csharp: {
    ...C_LIKE,
    displayName: 'C#',
    docStyle: 'slash-before',
    logging: /^\s*(?:Console\.Write\w*|Debug\.\w+|Trace\.\w+|(?:_?log|_?logger)\.\w+)\s*\(/i,
  },
  go: {
    ...C_LIKE,
    displayName: 'Go',
    docStyle: 'slash-before',
    logging: /^\s*(?:log\.\w+|fmt\.(?:Print|Fprint)\w*|(?:logger|l|s\.log|\w+\.logger)\.\w+)\s*\(/,
  },
  rust: {
    ...C_LIKE,
    displayName: 'Rust',
    docStyle: 'slash-before',
    logging: /^\s*(?:(?:e?print(?:ln)?|debug|info|warn|error|trace|log)!)\s*\(/,
  },
  php: {
    ...C_LIKE,
    displayName: 'PHP',
    docStyle: 'block-before',
    logging: /^\s*(?:error_log|echo|print_r|var_dump|\$this->log\w*)\s*[(\s]/,
  },
  ruby: {
    displayName: 'Ruby',
    docStyle: 'hash-before',
    lineComment: '#',
    logging: /^\s*(?:puts|p|pp|warn|(?:Rails\.)?logger\.\w+|@?log(?:ger)?\.\w+)\b/,
  },
};

/** The hints of a language. */
export function languageHints(language: Language): LanguageHints {
  return LANGUAGE_HINTS[language];
}
