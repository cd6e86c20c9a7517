import type Parser from 'tree-sitter';
import type { LoadedLanguage } from './languages.js';

/** A text's syntax tokens (tree leaves), normalised: names to `ID`, literals to their kind. */
export interface SyntaxTokens {
  /** Normalised form, compared across texts: renamed variables and changed literals look alike. */
  kinds: string[];
  /** The token's own text, used to break ties between equally good matches. */
  raws: string[];
  starts: number[];
  ends: number[];
}

/** A node met while tokenising, with the token range it covers. */
export interface TokenNode {
  type: string;
  start: number;
  end: number;
  /** Tokens `[from, to)` inside the node. */
  from: number;
  to: number;
}

function calleeName(lang: LoadedLanguage, call: Parser.SyntaxNode): number {
  let n = call.childForFieldName(lang.spec.calleeField);
  while (n && n.namedChildCount > 0) n = n.lastNamedChild;
  return n && lang.identifiers.has(n.type) ? n.startIndex : -1;
}

/**
 * Tokenises a parsed text into normalised syntax tokens, and collects the nodes whose type is in
 * `collect` with the tokens they cover. API names (the last name of a callee) keep their text, since
 * `strcpy` and `strncpy` differ in meaning where `buf` and `dst` do not. Stops collecting nodes after
 * `maxNodes` (the result is then partial, flagged by `truncated`).
 */
export function syntaxTokens(
  lang: LoadedLanguage,
  tree: Parser.Tree,
  text: string,
  collect: ReadonlySet<string> = new Set(),
  maxNodes = Number.POSITIVE_INFINITY,
): { tokens: SyntaxTokens; nodes: TokenNode[]; truncated: boolean } {
  const tokens: SyntaxTokens = { kinds: [], raws: [], starts: [], ends: [] };
  const nodes: TokenNode[] = [];
  // one entry per node we descended into, so leaving it (gotoParent) can close its token range
  const open: Array<TokenNode | null> = [];
  const kept = new Set<number>();
  let truncated = false;
  const cursor = tree.walk();
  const push = (kind: string, s: number, e: number) => {
    tokens.kinds.push(kind);
    tokens.raws.push(text.slice(s, e));
    tokens.starts.push(s);
    tokens.ends.push(e);
  };
  for (;;) {
    const type = cursor.nodeType;
    const s = cursor.startIndex;
    const e = cursor.endIndex;
    let rec: TokenNode | null = null;
    if (collect.has(type)) {
      if (nodes.length < maxNodes) {
        rec = { type, start: s, end: e, from: tokens.kinds.length, to: tokens.kinds.length };
        nodes.push(rec);
      } else truncated = true;
    }
    let descended = false;
    if (lang.comments.has(type)) {
      // comments carry no code
    } else if (lang.literals.has(type)) {
      push(type, s, e);
    } else {
      if (lang.calls.has(type)) kept.add(calleeName(lang, cursor.currentNode));
      descended = cursor.gotoFirstChild();
      if (!descended && e > s) {
        if (lang.identifiers.has(type)) push(kept.has(s) ? `name:${text.slice(s, e)}` : 'ID', s, e);
        else push(cursor.nodeIsNamed ? `${type}:${text.slice(s, e)}` : type, s, e);
      }
    }
    if (descended) {
      open.push(rec);
      continue;
    }
    if (rec) rec.to = tokens.kinds.length;
    while (!cursor.gotoNextSibling()) {
      if (!cursor.gotoParent()) return { tokens, nodes, truncated };
      const left = open.pop();
      if (left) left.to = tokens.kinds.length;
    }
  }
}
