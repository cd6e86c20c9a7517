import { createRequire } from 'node:module';
import type { Language } from '@srcode/dataset';

/** What the shared code needs to know about a language; shared code never branches on the name. */
export interface LanguageSpec {
  /** npm package of a tree-sitter grammar installed with this package, when there is one. */
  grammar?: string;
  /** Node types (from the grammar) that are comments. */
  commentNodes?: readonly string[];
  /** Whether a string literal alone as a statement is documentation (Python docstrings). */
  docstrings?: boolean;
  /** Comment syntax for languages without a grammar. */
  lineComment?: RegExp;
  blockComment?: RegExp;
  /** Indentation carries meaning: whitespace normalisation keeps each line's leading indent. */
  indentSensitive?: boolean;
  /** A statement that starts with this is logging output. */
  logging: RegExp;
}

const C_LIKE = { lineComment: /\/\/[^\n]*/g, blockComment: /\/\*[\s\S]*?\*\//g };

const C_LOGGING =
  /^\s*(?:(?:f|v|vf|sn)?printf|syslog|perror|puts|printk|pr_(?:debug|info|notice|warn|warning|err|error|cont|devel)|dev_(?:dbg|info|notice|warn|err)|netdev_(?:dbg|info|warn|err)|g_(?:debug|message|warning|info)|av_log|log_\w+|[A-Z_]*LOG\w*|[A-Z_]*DEBUG\w*|[A-Z_]*TRACE\w*|[A-Z_]*WARN\w*|ereport|elog|(?:std::)?(?:cout|cerr|clog)\s*<<)\s*\(?/;

/** The registry: one entry per language. */
export const LANGUAGE_SPECS: Record<Language, LanguageSpec> = {
  c: { grammar: 'tree-sitter-c', commentNodes: ['comment'], ...C_LIKE, logging: C_LOGGING },
  // No C++ grammar is installed; the C grammar misreads templates and namespaces, so the parse check is skipped.
  cpp: { ...C_LIKE, logging: C_LOGGING },
  python: {
    grammar: 'tree-sitter-python',
    commentNodes: ['comment'],
    docstrings: true,
    lineComment: /#[^\n]*/g,
    indentSensitive: true,
    logging:
      /^\s*(?:print|pprint|(?:self\.|cls\.)?_?(?:log|logger|logging|LOG|LOGGER)\w*\.\w+|warnings\.warn|sys\.std(?:out|err)\.write)\s*\(/,
  },
  javascript: { ...C_LIKE, logging: /^\s*(?:console\.\w+|(?:this\.)?(?:log|logger|debug)(?:\.\w+)?)\s*\(/ },
  typescript: { ...C_LIKE, logging: /^\s*(?:console\.\w+|(?:this\.)?(?:log|logger|debug)(?:\.\w+)?)\s*\(/ },
  java: { ...C_LIKE, logging: /^\s*(?:System\.(?:out|err)\.print\w*|(?:log|logger|LOG|LOGGER)\.\w+)\s*\(/ },
  csharp: { ...C_LIKE, logging: /^\s*(?:Console\.Write\w*|Debug\.\w+|Trace\.\w+|(?:_?log|_?logger)\.\w+)\s*\(/i },
  go: { ...C_LIKE, logging: /^\s*(?:log\.\w+|fmt\.(?:Print|Fprint)\w*|(?:logger|l|s\.log|\w+\.logger)\.\w+)\s*\(/ },
  rust: { ...C_LIKE, logging: /^\s*(?:(?:e?print(?:ln)?|debug|info|warn|error|trace|log)!)\s*\(/ },
  php: { ...C_LIKE, logging: /^\s*(?:error_log|echo|print_r|var_dump|\$this->log\w*)\s*[(\s]/ },
  ruby: {
    lineComment: /#[^\n]*/g,
    blockComment: /^=begin[\s\S]*?^=end/gm,
    logging: /^\s*(?:puts|p|pp|warn|(?:Rails\.)?logger\.\w+|@?log(?:ger)?\.\w+)\b/,
  },
};

export function languageSpec(language: Language): LanguageSpec {
  return LANGUAGE_SPECS[language];
}

const require = createRequire(import.meta.url);
const loaded = new Map<string, unknown>();

/** Loads a registered grammar on first use (the native modules stay unloaded until needed). */
export function loadGrammar(name: string): unknown {
  let grammar = loaded.get(name);
  if (grammar === undefined) {
    grammar = require(name) as unknown;
    loaded.set(name, grammar);
  }
  return grammar;
}
