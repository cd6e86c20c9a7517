import type { Language, Severity } from '@srcode/dataset';
import type { SyntaxNode } from '@srcode/syntax';

export type { SyntaxNode };

/** The captures of one query match, by capture name, plus the source they index. */
export interface RuleMatch {
  /** The analysed source. */
  readonly code: string;
  /** The first node of each capture name of the query. */
  readonly captures: Readonly<Record<string, SyntaxNode>>;
}

/**
 * What a predicate says about a match: `false` drops it, `true` keeps it at the reported capture,
 * a node (or nodes) reports there instead.
 */
export type PredicateResult = boolean | SyntaxNode | readonly SyntaxNode[] | null | undefined;

/** One detection rule, as data: a tree-sitter query plus an optional taint-light predicate. */
export interface Rule {
  /** Stable id, `<language>.<name>`. */
  id: string;
  /** `CWE-<n>`. */
  cwe: string;
  /** Severity written into findings. */
  severity: Severity;
  /** The finding's message. */
  message: string;
  /** How to repair it, written into findings. */
  remediation: string;
  /** A tree-sitter query; `#eq?`, `#match?` and `#any-of?` predicates are honoured by the engine. */
  query: string;
  /**
   * The capture whose range the finding reports.
   * @default 'finding'
   */
  report?: string;
  /** Decides whether (and where) a query match is a finding; without one every match is. */
  predicate?: (match: RuleMatch) => PredicateResult;
  /**
   * A cheap prefilter on the source text: when it does not match, the rule's query is not run
   * (most files call none of a rule's functions, and each query walk costs a pass over the tree).
   */
  trigger?: RegExp;
}

/** The rules of one language (its grammar and file extensions come from @srcode/syntax's registry). */
export interface LanguageRules {
  /** The language, registered with a grammar in @srcode/syntax. */
  language: Language;
  /** Its rules. */
  rules: readonly Rule[];
}
