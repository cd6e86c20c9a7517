import type { LoadedLanguage, SyntaxNode, Tree } from '@srcode/syntax';

/** A syntactic unit: a node's half-open UTF-16 range and its type. */
export interface Unit {
  start: number;
  end: number;
  nodeType: string;
}

type Node = SyntaxNode;

const isSpace = (code: number) => code === 32 || (code >= 9 && code <= 13) || code === 0xa0 || code === 0xfeff;

/** `[start, end)` with surrounding whitespace removed (empty when it was all whitespace). */
export function trimRange(text: string, start: number, end: number): [number, number] {
  let s = Math.max(0, start);
  let e = Math.min(text.length, end);
  while (s < e && isSpace(text.charCodeAt(s))) s++;
  while (e > s && isSpace(text.charCodeAt(e - 1))) e--;
  return [s, e];
}

function sameNode(a: Node | null, b: Node): boolean {
  return a !== null && a.startIndex === b.startIndex && a.endIndex === b.endIndex && a.type === b.type;
}

export function isUnit(lang: LoadedLanguage, node: Node): boolean {
  if (lang.units.has(node.type)) return true;
  const parent = node.parent;
  if (!parent) return false;
  for (const field of lang.unitFields) if (sameNode(parent.childForFieldName(field), node)) return true;
  return false;
}

function unit(node: Node): Unit {
  return { start: node.startIndex, end: node.endIndex, nodeType: node.type };
}

/** The smallest node under `root` containing `[s, e)` (non-empty). */
function smallestContaining(root: Node, s: number, e: number): Node {
  let node: Node | null = root.descendantForIndex(s, Math.max(s, e - 1));
  while (node && !(node.startIndex <= s && node.endIndex >= e)) node = node.parent;
  return node ?? root;
}

function liftFrom(lang: LoadedLanguage, text: string, start: Node, s: number, e: number, boundary: Node, out: Unit[]): void {
  let node: Node | null = start;
  while (node) {
    if (isUnit(lang, node)) {
      out.push(unit(node));
      return;
    }
    if (lang.containers.has(node.type) || !node.parent) {
      split(lang, text, node, s, e, out);
      return;
    }
    if (sameNode(boundary, node)) {
      // the whole child of a container (a parameter list, a list literal): the smallest unit there is
      out.push(unit(node));
      return;
    }
    node = node.parent;
  }
}

function split(lang: LoadedLanguage, text: string, container: Node, s: number, e: number, out: Unit[]): void {
  const children = container.children;
  if (children.length === 0) {
    out.push(unit(container));
    return;
  }
  for (const child of children) {
    if (child.endIndex <= s || child.startIndex >= e) continue;
    const [cs, ce] = trimRange(text, Math.max(s, child.startIndex), Math.min(e, child.endIndex));
    if (cs >= ce) continue;
    if (isUnit(lang, child) || child.childCount === 0) out.push(unit(child));
    else liftFrom(lang, text, smallestContaining(child, cs, ce), cs, ce, child, out);
  }
}

/**
 * Lifts a changed range to the smallest enclosing meaningful units. A range inside one unit gives
 * that unit; a range spanning several statements of a block gives each statement it touches.
 * Whitespace-only ranges give nothing.
 */
export function liftRange(lang: LoadedLanguage, tree: Tree, text: string, start: number, end: number): Unit[] {
  const [s, e] = trimRange(text, start, end);
  if (s >= e) return [];
  const out: Unit[] = [];
  const root = tree.rootNode;
  liftFrom(lang, text, smallestContaining(root, s, e), s, e, root, out);
  return out;
}

/**
 * Lifts an insertion point (where the other side added or removed text) to the smallest unit that
 * strictly contains it. Points between the units of a block give nothing.
 */
export function liftPoint(lang: LoadedLanguage, tree: Tree, p: number): Unit[] {
  let node: Node | null = tree.rootNode.descendantForIndex(p, p);
  while (node && !(node.startIndex < p && node.endIndex > p)) node = node.parent;
  while (node) {
    if (isUnit(lang, node)) return [unit(node)];
    if (lang.containers.has(node.type)) return [];
    node = node.parent;
  }
  return [];
}

/** Sorted, with units nested in another dropped (the outer unit already covers them). */
export function outermost(units: Unit[]): Unit[] {
  const sorted = [...units].sort((a, b) => a.start - b.start || b.end - a.end);
  const out: Unit[] = [];
  for (const u of sorted) {
    const last = out[out.length - 1];
    if (last && u.start >= last.start && u.end <= last.end) continue;
    out.push(u);
  }
  return out;
}
