import type { FlowStep, Language, Severity } from '@srcode/dataset';
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
 * One step of a taint finding's way from source to sink, as a rule gives it: a node and what happens
 * there, or a `FlowStep` as the finding holds it (a range, its lines worked out when left out).
 */
export type RuleFlowStep =
  | {
      /** Where (the finding's `flow` gets its range and lines). */
      readonly node: SyntaxNode;
      /** What happens here, for a reader: "request.args['next'] read", "passed to redirect()". */
      readonly message: string;
    }
  | FlowStep;

/**
 * A finding as a predicate reports it when it has more to say than a node: the node to report, the
 * way a tainted value took to get there, and a message naming them.
 *
 * ```ts
 * predicate: (m) => {
 *   const source = sourceOf(m.captures.url); // the rule's own taint search
 *   if (!source) return false;
 *   return {
 *     node: m.captures.finding,
 *     flow: [
 *       { node: source, message: `${source.text} read from the request` },
 *       { node: m.captures.url, message: 'passed to redirect()' },
 *     ],
 *     message: `redirect() to a URL taken from ${source.text}`,
 *   };
 * }
 * ```
 */
export interface RuleHit {
  /** Where the finding is reported: its `range` and `lines`. */
  readonly node: SyntaxNode;
  /**
   * Source first, sink last; written into `Finding.flow` (and a SARIF `codeFlow`). Left out or empty:
   * the finding has no flow.
   */
  readonly flow?: readonly RuleFlowStep[];
  /**
   * This finding's message in place of the rule's (e.g. one naming the source).
   * @default the rule's `message`
   */
  readonly message?: string;
}

/**
 * What a predicate says about a match: `false` (or `null`, `undefined`) drops it, `true` keeps it at the
 * reported capture, a node reports there instead, a `RuleHit` reports there with a flow and message,
 * and an array reports each of its nodes and hits. Of two results of one rule on the same range the
 * first is kept.
 */
export type PredicateResult = boolean | SyntaxNode | RuleHit | readonly (SyntaxNode | RuleHit)[] | null | undefined;

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
  /**
   * Decides whether (and where) a query match is a finding; without one every match is. Return a
   * `RuleHit` to give the finding a source-to-sink `flow` (see `RuleHit`).
   */
  predicate?: (match: RuleMatch) => PredicateResult;
  /**
   * A cheap prefilter on the source text: when it does not match, the rule's query is not compiled or
   * run (most files call none of a rule's functions, and each query walk costs a pass over the tree).
   * The engine adds one of its own from the query: a pattern whose `#match?` (or `#any-of?`) predicate
   * accepts only a set of literal words (`"^(open|os\\.remove)$"`) cannot match a text containing none
   * of them. A file no rule passes is not parsed.
   */
  trigger?: RegExp;
}

/** The rules of one language (its grammar and file extensions come from @srcode/syntax's registry). */
export interface LanguageRules {
  /** The language, registered with a grammar in @srcode/syntax. */
  language: Language;
  /** Its rules. */
  rules: readonly Rule[];
  /**
   * Whether the rules' matches (and predicates) read a plain copy of each tree (@srcode/syntax's `plainTree`: the
   * same nodes, fields and offsets, read without a native call each) instead of the binding's nodes. The copy
   * has the members of `SyntaxNode` that read the tree (type, text, offsets, rows, parent, children, fields,
   * siblings, descendants); a rule that needs another (a query of its own, an edit) must leave this off.
   * Captures of a rule compiled to a tree-sitter query are the binding's nodes either way.
   * @default false
   */
  plainNodes?: boolean;
}
