import type { Language } from '@srcode/dataset';
import type ParserType from 'tree-sitter';
import { languageSpec, loadGrammar } from './languages.js';

export interface ParsedCode {
  /** Characters inside ERROR or MISSING nodes, as a fraction of the code's length. */
  errorRatio: number;
  /** `[start, end)` UTF-16 ranges of comments (and docstrings where the language has them). */
  comments: [number, number][];
}

let parser: ParserType | undefined;

/** Parses with the language's registered tree-sitter grammar; `undefined` when it has none. */
export function parseCode(code: string, language: Language): ParsedCode | undefined {
  const spec = languageSpec(language);
  if (!spec.grammar) return undefined;
  if (!parser) {
    const Parser = loadGrammar('tree-sitter') as typeof ParserType;
    parser = new Parser();
  }
  parser.setLanguage(loadGrammar(spec.grammar) as ParserType.Language);
  const tree = parser.parse(code);
  const commentTypes = new Set(spec.commentNodes ?? []);
  const comments: [number, number][] = [];
  let errorChars = 0;
  const visit = (node: ParserType.SyntaxNode): void => {
    if (node.type === 'ERROR' || node.isMissing) {
      errorChars += Math.max(1, node.endIndex - node.startIndex);
    } else if (commentTypes.has(node.type) || (spec.docstrings && isDocstring(node))) {
      comments.push([node.startIndex, node.endIndex]);
    } else {
      for (const child of node.children) visit(child);
    }
  };
  visit(tree.rootNode);
  return { errorRatio: code.length ? errorChars / code.length : 0, comments };
}

function isDocstring(node: ParserType.SyntaxNode): boolean {
  return node.type === 'expression_statement' && node.namedChildCount === 1 && node.firstNamedChild?.type === 'string';
}
