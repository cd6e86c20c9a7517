import type { Language } from '@srcode/dataset';
import { getLanguage, type SyntaxNode } from '@srcode/syntax';
import { parseTree } from '../parse.js';

/** What a prompt writer may know about a function: its surface, never its change. */
export interface FunctionShape {
  name: string | undefined;
  params: { name: string; type?: string }[];
  returnType: string | undefined;
  /** Documentation text (docstring or leading comment), without comment markers. */
  doc: string | undefined;
  /** Names of functions and methods it calls, in first-use order. */
  calls: string[];
  returnsValue: boolean;
}

const CALL = /(?<![\w$])([A-Za-z_$][\w$]*(?:\s*(?:\.|->|::)\s*[A-Za-z_$][\w$]*)*)\s*\(/g;
const NOT_CALLS = new Set([
  'if',
  'for',
  'while',
  'switch',
  'return',
  'sizeof',
  'catch',
  'function',
  'def',
  'elif',
  'and',
  'or',
  'not',
  'in',
  'typeof',
  'new',
  'print',
  'super',
  'lambda',
  'func',
]);
const FALLBACK_SIG =
  /(?:\bdef|\bfunction|\bfunc|\bfn|\bsub)\s+(?:\([^)]*\)\s*)?([A-Za-z_$][\w$?!]*)\s*\(([^)]*)\)|([A-Za-z_$][\w$]*)\s*\(([^)]*)\)\s*(?:throws [^{]*)?\{/;

/** Reads a function's name, parameters, documentation and calls (tree-sitter when the language has a grammar). */
export function functionShape(code: string, language: Language, fallbackName?: string): FunctionShape {
  const shape: FunctionShape = { name: undefined, params: [], returnType: undefined, doc: undefined, calls: [], returnsValue: false };
  const tree = parseTree(code, language);
  if (tree) {
    const fn = tree.rootNode.descendantsOfType([...getLanguage(language).spec.functionTypes])[0];
    if (fn) fromTree(fn, shape);
  }
  if (!shape.name) {
    const m = FALLBACK_SIG.exec(code);
    const name = m?.[1] ?? m?.[3];
    if (m && name) {
      if (!NOT_CALLS.has(name)) shape.name = name;
      const list = (m[2] ?? m[4] ?? '')
        .split(',')
        .map((p) => p.trim())
        .filter(Boolean);
      shape.params = list.map((p) => ({ name: lastIdentifier(p) ?? p })).filter((p) => p.name !== 'self');
    }
  }
  shape.name ??= fallbackName && /^[A-Za-z_$][\w$]*$/.test(fallbackName) ? fallbackName : undefined;
  shape.doc ??= leadingDoc(code);
  const calls = new Set<string>();
  for (const m of code.matchAll(CALL)) {
    const name = (m[1] ?? '').replace(/\s+/g, '');
    const last = name.split(/\.|->|::/).pop() ?? name;
    if (!NOT_CALLS.has(last) && name !== shape.name) calls.add(name);
  }
  shape.calls = [...calls];
  shape.returnsValue = /\breturn\s+[^;\s]/.test(code);
  return shape;
}

function fromTree(fn: SyntaxNode, shape: FunctionShape): void {
  let declarator: SyntaxNode | null = fn;
  let paramsNode = fn.childForFieldName('parameters');
  let nameNode = fn.childForFieldName('name');
  while (!nameNode && declarator) {
    // a C++ method defined outside its class is named `Scope::name`: read the last name
    declarator =
      declarator.childForFieldName('declarator') ??
      (declarator.type === 'qualified_identifier' ? declarator.childForFieldName('name') : null);
    if (declarator?.childForFieldName('parameters')) paramsNode = declarator.childForFieldName('parameters');
    if (declarator && (declarator.type === 'identifier' || declarator.type === 'field_identifier')) nameNode = declarator;
  }
  shape.name = nameNode?.text;
  const type = fn.childForFieldName('type') ?? fn.childForFieldName('return_type');
  if (type) shape.returnType = type.text;
  for (const p of paramsNode?.namedChildren ?? []) {
    if (p.type === 'comment') continue;
    const name = lastIdentifier(p.childForFieldName('declarator')?.text ?? p.childForFieldName('name')?.text ?? p.text);
    if (!name || name === 'self' || name === 'cls' || (p.text === 'void' && !p.childForFieldName('declarator'))) continue;
    const text = p.text.replace(/=[\s\S]*$/, '').replace(/\s+/g, ' ');
    const at = text.lastIndexOf(name);
    const typeText = (at === -1 ? text : `${text.slice(0, at)}${text.slice(at + name.length)}`)
      .replace(/^[\s:*]*(?=\S)|[\s:]+$/g, '')
      .replace(/^:\s*/, '')
      .trim();
    shape.params.push(typeText && /[A-Za-z]/.test(typeText) ? { name, type: typeText } : { name });
  }
  const body = fn.childForFieldName('body');
  const first = body?.namedChildren[0];
  if (first?.type === 'expression_statement' && first.firstNamedChild?.type === 'string') {
    shape.doc = cleanDoc(first.text.replace(/^[rbuRBU]*("""|'''|"|')/, '').replace(/("""|'''|"|')$/, ''));
  }
}

function lastIdentifier(text: string): string | undefined {
  const ids = text.replace(/=.*$/s, '').match(/[A-Za-z_$][\w$]*/g);
  return ids?.[ids.length - 1];
}

function leadingDoc(code: string): string | undefined {
  const block = /^\s*\/\*\*?([\s\S]*?)\*\//.exec(code);
  if (block?.[1]) return cleanDoc(block[1]);
  const lines = /^(?:\s*(?:\/\/\/?|#)[^\n]*\n)+/.exec(code);
  if (lines) return cleanDoc(lines[0].replace(/^\s*(?:\/\/\/?|#)\s?/gm, ''));
  return undefined;
}

function cleanDoc(text: string): string | undefined {
  const t = text
    .split('\n')
    .map((l) => l.replace(/^\s*\*\s?/, '').trim())
    .filter((l) => l && !/^[@:]/.test(l))
    .join(' ')
    .replace(/\s+/g, ' ')
    .trim();
  return t || undefined;
}
