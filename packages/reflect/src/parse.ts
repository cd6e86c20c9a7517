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

/** The tree-sitter tree of `code` with the language's registered grammar; `undefined` when it has none. */
export function parseTree(code: string, language: Language): ParserType.Tree | undefined {
  const spec = languageSpec(language);
  if (!spec.grammar) return undefined;
  const key = `${language}\u0000${code}`;
  const hit = trees.get(key);
  if (hit) return hit;
  if (!parser) {
    const Parser = loadGrammar('tree-sitter') as typeof ParserType;
    parser = new Parser();
  }
  parser.setLanguage(loadGrammar(spec.grammar) as ParserType.Language);
  const tree = parser.parse(code);
  remember(trees, key, tree);
  return tree;
}

/** Parses with the language's registered tree-sitter grammar; `undefined` when it has none. */
export function parseCode(code: string, language: Language): ParsedCode | undefined {
  const spec = languageSpec(language);
  const key = `${language}\u0000${code}`;
  const hit = memo.get(key);
  if (hit) return hit;
  const tree = parseTree(code, language);
  if (!tree) return undefined;
  const root = tree.rootNode;
  const comments: [number, number][] = [];
  // descendantsOfType walks natively; visiting every node from JS costs about ten times the parse
  for (const node of root.descendantsOfType([...(spec.commentNodes ?? [])])) comments.push([node.startIndex, node.endIndex]);
  if (spec.docstrings) {
    for (const node of root.descendantsOfType('expression_statement'))
      if (isDocstring(node)) comments.push([node.startIndex, node.endIndex]);
  }
  let errorChars = 0;
  if (root.hasError) {
    let coveredTo = -1;
    const errors = root.descendantsOfType('ERROR').sort((a, b) => a.startIndex - b.startIndex);
    for (const node of errors) {
      // nested ERROR nodes: count each character once
      const from = Math.max(node.startIndex, coveredTo);
      if (node.endIndex > from) errorChars += node.endIndex - from;
      else if (node.endIndex === node.startIndex) errorChars += 1;
      coveredTo = Math.max(coveredTo, node.endIndex);
    }
    if (!errors.length) errorChars = 1; // only MISSING nodes: a small, nonzero error
  }
  const result = { errorRatio: code.length ? errorChars / code.length : 0, comments };
  remember(memo, key, result);
  return result;
}

const memo = new Map<string, ParsedCode>();
const trees = new Map<string, ParserType.Tree>();
const MEMO_SIZE = 16;

/** The pipeline reads each side several times (pre-filter, analyser, prompt writer): keep the last few. */
function remember<T>(map: Map<string, T>, key: string, value: T): void {
  if (map.size >= MEMO_SIZE) map.delete(map.keys().next().value as string);
  map.set(key, value);
}

function isDocstring(node: ParserType.SyntaxNode): boolean {
  return node.type === 'expression_statement' && node.namedChildCount === 1 && node.firstNamedChild?.type === 'string';
}
