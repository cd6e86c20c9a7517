import type { LoadedLanguage, SyntaxNode, Tree } from '@srcode/syntax';
import type { TouchedLines } from './lines.js';

/** A syntactic unit: a node's half-open UTF-16 range and its type. */
export interface Unit {
  start: number;
  end: number;
  nodeType: string;
  /**
   * The range is the part of a node of `nodeType` that lies on touched lines (a statement whose
   * condition changed but not its body), not the whole node: it carries rewards but is not matched.
   */
  part?: boolean;
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

/** Whether `node` is a conditional statement: it has a child in one of the language's unit fields (a condition). */
export function isConditional(lang: LoadedLanguage, node: Node): boolean {
  return lang.unitFields.some((field) => node.childForFieldName(field) !== null);
}

/** The smallest node under `root` containing `[s, e)` (non-empty). */
function smallestContaining(root: Node, s: number, e: number): Node {
  let node: Node | null = root.descendantForIndex(s, Math.max(s, e - 1));
  while (node && !(node.startIndex <= s && node.endIndex >= e)) node = node.parent;
  return node ?? root;
}

/**
 * Lifts the changes of one side of a pair to units, kept to the lines the fix touched: a unit that
 * lies on them is taken whole; one that reaches onto untouched lines (an `if` whose condition
 * changed, not its body) is cut to its parts on touched lines, and the whole units inside those
 * parts are what online matching compares.
 */
export class Lifter {
  /** Rewarded ranges: whole units and parts. */
  readonly spans: Unit[] = [];
  /** Whole units, for matching. */
  readonly units: Unit[] = [];
  /** The nodes emitted by the last call of `liftRange` or `liftPoint` (whole or cut). */
  lastNodes: Node[] = [];

  constructor(
    private readonly lang: LoadedLanguage,
    private readonly tree: Tree,
    private readonly text: string,
    private readonly lines: TouchedLines,
  ) {}

  /** Lifts a changed range to the smallest enclosing units; a range across statements gives each one. */
  liftRange(start: number, end: number): void {
    this.lastNodes = [];
    const [s, e] = trimRange(this.text, start, end);
    if (s >= e) return;
    const root = this.tree.rootNode;
    this.liftFrom(smallestContaining(root, s, e), s, e, root);
  }

  /**
   * Marks the unit at a point where the other side inserted or removed code. Inside an expression:
   * the smallest unit holding the point, or a smaller one the point is glued to (a Python condition
   * the insertion extends). Between statements: with `guard` (the other side added a check there),
   * the statement after the point, which the check protects; otherwise nothing.
   */
  liftPoint(p: number, guard: boolean): void {
    this.lastNodes = [];
    let node: Node | null = this.tree.rootNode.descendantForIndex(p, p);
    while (node && !(node.startIndex < p && node.endIndex > p)) node = node.parent;
    if (!node) return;
    const next = node.children.find((c) => c.startIndex >= p);
    // between statements: in a block, or before a unit that opens its line (a case's statements)
    if (this.lang.containers.has(node.type) || (next && isUnit(this.lang, next) && this.opensLine(next.startIndex))) {
      if (guard && next && isUnit(this.lang, next)) this.emit(next, next.startIndex, next.startIndex);
      return;
    }
    let unit: Node | null = node;
    while (unit && !isUnit(this.lang, unit)) {
      if (this.lang.containers.has(unit.type)) return;
      unit = unit.parent;
    }
    if (!unit) return;
    const glued = this.gluedUnit(p, unit);
    this.emit(glued ?? unit, p, p);
  }

  /** Whether only whitespace precedes `offset` on its line. */
  private opensLine(offset: number): boolean {
    for (let i = offset - 1; i >= 0; i--) {
      const c = this.text.charCodeAt(i);
      if (c === 10) return true;
      if (!isSpace(c)) return false;
    }
    return true;
  }

  /** A unit strictly inside `outer` that ends right before `p` or starts right at it, on p's line. */
  private gluedUnit(p: number, outer: Node): Node | undefined {
    const [ls] = trimRange(this.text, p, p);
    const sameLine = (q: number) => this.lines.lineOf(q) === this.lines.lineOf(p);
    let before = p;
    while (before > 0 && isSpace(this.text.charCodeAt(before - 1)) && sameLine(before - 1)) before--;
    const candidates: Node[] = [];
    for (const [at, ends] of [
      [before - 1, true],
      [ls, false],
    ] as const) {
      if (at < 0) continue;
      let n: Node | null = this.tree.rootNode.descendantForIndex(at, at);
      while (n && n.startIndex >= outer.startIndex && n.endIndex <= outer.endIndex && !sameNode(outer, n)) {
        if ((ends ? n.endIndex === before : n.startIndex === p) && isUnit(this.lang, n)) {
          candidates.push(n);
          break;
        }
        n = n.parent;
      }
    }
    return candidates.sort((a, b) => a.endIndex - a.startIndex - (b.endIndex - b.startIndex))[0];
  }

  private liftFrom(start: Node, s: number, e: number, boundary: Node): void {
    let node: Node | null = start;
    while (node) {
      if (isUnit(this.lang, node)) {
        this.emit(node, s, e);
        return;
      }
      if (this.lang.containers.has(node.type) || !node.parent) {
        // a whole definition added inside a block (a nested def or class) is one unit
        const parent = node.parent;
        const [ns, ne] = trimRange(this.text, node.startIndex, node.endIndex);
        if (parent && this.lang.containers.has(parent.type) && s <= ns && e >= ne) this.emit(node, s, e);
        else this.split(node, s, e);
        return;
      }
      if (sameNode(boundary, node)) {
        // the whole child of a container (a parameter list, a list literal): the smallest unit there is
        this.emit(node, s, e);
        return;
      }
      node = node.parent;
    }
  }

  private split(container: Node, s: number, e: number): void {
    const children = container.children;
    if (children.length === 0) {
      this.emit(container, s, e);
      return;
    }
    for (const child of children) {
      if (child.endIndex <= s || child.startIndex >= e) continue;
      const [cs, ce] = trimRange(this.text, Math.max(s, child.startIndex), Math.min(e, child.endIndex));
      if (cs >= ce) continue;
      if (isUnit(this.lang, child)) this.emit(child, cs, ce);
      // a comment or a literal on its own is a unit; a bare name, keyword or brace (a definition's
      // name, the brace that closes a block an `if` now wraps) is part of the statement it belongs to
      else if (child.childCount === 0 && child.isNamed && !this.lang.identifiers.has(child.type)) this.emit(child, cs, ce);
      else if (child.childCount === 0) this.emitPart(container, cs, ce);
      else this.liftFrom(smallestContaining(child, cs, ce), cs, ce, child);
    }
  }

  /**
   * `node` whole when it lies on touched lines, else its parts on the runs of touched lines that meet
   * `[s, e)`, and the whole units inside those parts.
   */
  private emit(node: Node, s: number, e: number): void {
    // a name alone (a Python condition `if a:`) is no span: the statement's part on its line is
    if (this.lang.identifiers.has(node.type) && node.parent) {
      this.emitPart(node.parent, node.startIndex, node.endIndex);
      return;
    }
    this.lastNodes.push(node);
    const start = node.startIndex;
    const end = node.endIndex;
    if (this.lines.fits(start, end)) {
      const u = { start, end, nodeType: node.type };
      this.spans.push(u);
      this.units.push(u);
      return;
    }
    // the runs of touched lines that hold the change (other runs have their own changes)
    const before = this.units.length;
    for (const [cs, ce] of this.lines.clip(start, end)) {
      if (ce < s || cs > e) continue;
      this.spans.push({ start: cs, end: ce, nodeType: node.type, part: true });
      this.unitsWithin(node, cs, ce);
    }
    // no whole unit inside (a query split over lines): matching compares the node itself, unless it
    // holds a block (the body of an if), which a match would then reward
    if (this.units.length === before && isUnit(this.lang, node) && node.descendantsOfType([...this.lang.containers]).length === 0) {
      this.units.push({ start, end, nodeType: node.type });
    }
  }

  /**
   * The part on the lines of `[s, e)` of the statement a bare token of `container` belongs to: the
   * container when it is a unit, else the unit holding it (an `if` for the braces of its block), else
   * the container itself.
   */
  private emitPart(container: Node, s: number, e: number): void {
    let owner = container;
    if (!isUnit(this.lang, owner) && owner.parent && isUnit(this.lang, owner.parent)) owner = owner.parent;
    this.lastNodes.push(owner);
    const from = Math.max(owner.startIndex, this.lines.lineStart(s));
    const to = Math.min(owner.endIndex, this.lines.lineEnd(this.lines.lineOf(Math.max(s, e - 1))));
    for (const [cs, ce] of this.lines.clip(from, to)) {
      this.spans.push({ start: cs, end: ce, nodeType: owner.type, part: true });
      this.unitsWithin(owner, cs, ce);
    }
  }

  /** The outermost units of `node` lying inside `[s, e)`. */
  private unitsWithin(node: Node, s: number, e: number): void {
    for (const child of node.children) {
      if (child.endIndex <= s || child.startIndex >= e) continue;
      if (child.startIndex >= s && child.endIndex <= e && isUnit(this.lang, child)) {
        this.units.push({ start: child.startIndex, end: child.endIndex, nodeType: child.type });
      } else if (child.childCount > 0) this.unitsWithin(child, s, e);
    }
  }
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
