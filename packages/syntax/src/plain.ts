import type Parser from 'tree-sitter';
import type { Tree } from './parse.js';

/**
 * A syntax tree copied out of tree-sitter into plain objects in one cursor walk: the same nodes (named and
 * anonymous, ERROR and MISSING ones too), types, offsets, fields and structure as the binding's, read without a
 * native call each. The binding makes every node read (its parent, its children, a field, its end) a call into
 * native code and a fresh wrapper object; an analysis that asks many questions of most nodes pays less for one
 * walk that copies them all. Offsets are UTF-16 indices, as the binding's; positions give the row (and the column
 * in UTF-16 units from the line's start). Where the binding is not self-consistent the copy keeps to the tree's
 * structure: a node's `parent` is the node that holds it among its children (the binding's answer for some empty
 * nodes is a preceding sibling's), and nodes under an ERROR node are in no field, as `childForFieldName` says.
 */
export interface PlainTree {
  /** The root node. */
  readonly rootNode: PlainNode;
  /** The parsed text. */
  readonly code: string;
}

/** What a grammar's nodes share, learnt while walking: type names and named-ness by type id, field ids by name. */
interface GrammarTables {
  readonly names: string[];
  readonly named: boolean[];
  readonly fields: Map<string, number>;
  /** Field ids whose name is in `fields`. */
  readonly fieldSeen: boolean[];
  /** Whether nodes of a type id may have children in fields (the grammar's node types name fields for it). */
  readonly fielded: boolean[];
  /** Node types with fields, by name, from the grammar's node types (undefined: none given, so every type may). */
  readonly withFields: ReadonlySet<string> | undefined;
}

const TABLES = new WeakMap<object, GrammarTables>();

class PlainTreeImpl implements PlainTree {
  rootNode!: PlainNode;
  #lineStarts?: number[];

  constructor(
    readonly code: string,
    readonly tables: GrammarTables,
  ) {}

  /** 0-based row and UTF-16 column of `index` (rows as tree-sitter counts them: after each \n). */
  point(index: number): { row: number; column: number } {
    let starts = this.#lineStarts;
    if (!starts) {
      starts = [0];
      for (let i = this.code.indexOf('\n'); i >= 0; i = this.code.indexOf('\n', i + 1)) starts.push(i + 1);
      this.#lineStarts = starts;
    }
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((starts[mid] as number) <= index) lo = mid;
      else hi = mid - 1;
    }
    return { row: lo, column: index - (starts[lo] as number) };
  }
}

/** A node of a `PlainTree`: the members of the binding's `SyntaxNode` that read the tree, as plain values. */
export class PlainNode {
  /** The children (named and anonymous) in order, and each one's field id (0: none). */
  readonly _children: PlainNode[] = [];
  readonly _fields: number[] = [];
  /** This node's place among its parent's children. */
  _index = 0;
  /** Whether its children may be in fields (its type has fields). */
  _fielded = false;
  type = '';
  isNamed = false;
  isMissing = false;
  startIndex = 0;
  endIndex = 0;

  constructor(
    readonly tree: PlainTree,
    readonly parent: PlainNode | null,
  ) {}

  get text(): string {
    return this.tree.code.substring(this.startIndex, this.endIndex);
  }

  get startPosition(): { row: number; column: number } {
    return (this.tree as PlainTreeImpl).point(this.startIndex);
  }

  get endPosition(): { row: number; column: number } {
    return (this.tree as PlainTreeImpl).point(this.endIndex);
  }

  /** A fresh array each read, as the binding gives. */
  get children(): PlainNode[] {
    return this._children.slice();
  }

  /** A fresh array each read, as the binding gives. */
  get namedChildren(): PlainNode[] {
    return this._children.filter((c) => c.isNamed);
  }

  get childCount(): number {
    return this._children.length;
  }

  get namedChildCount(): number {
    let n = 0;
    for (const c of this._children) if (c.isNamed) n++;
    return n;
  }

  get firstChild(): PlainNode | null {
    return this._children[0] ?? null;
  }

  get lastChild(): PlainNode | null {
    return this._children.at(-1) ?? null;
  }

  get firstNamedChild(): PlainNode | null {
    return this._children.find((c) => c.isNamed) ?? null;
  }

  get lastNamedChild(): PlainNode | null {
    return this._children.findLast((c) => c.isNamed) ?? null;
  }

  get nextSibling(): PlainNode | null {
    return this.parent?._children[this._index + 1] ?? null;
  }

  get previousSibling(): PlainNode | null {
    return this._index > 0 ? (this.parent?._children[this._index - 1] ?? null) : null;
  }

  get nextNamedSibling(): PlainNode | null {
    const siblings = this.parent?._children ?? [];
    for (let i = this._index + 1; i < siblings.length; i++) if (siblings[i]?.isNamed) return siblings[i] as PlainNode;
    return null;
  }

  get previousNamedSibling(): PlainNode | null {
    const siblings = this.parent?._children ?? [];
    for (let i = this._index - 1; i >= 0; i--) if (siblings[i]?.isNamed) return siblings[i] as PlainNode;
    return null;
  }

  get hasError(): boolean {
    return this.type === 'ERROR' || this.isMissing || this._children.some((c) => c.hasError);
  }

  get isError(): boolean {
    return this.type === 'ERROR';
  }

  child(index: number): PlainNode | null {
    return this._children[index] ?? null;
  }

  namedChild(index: number): PlainNode | null {
    let n = 0;
    for (const c of this._children) if (c.isNamed && n++ === index) return c;
    return null;
  }

  /** The first child in the field `name`. */
  childForFieldName(name: string): PlainNode | null {
    const id = (this.tree as PlainTreeImpl).tables.fields.get(name);
    if (id === undefined) return null;
    const at = this._fields.indexOf(id);
    return at < 0 ? null : (this._children[at] as PlainNode);
  }

  /** Every child in the field `name`, in order. */
  childrenForFieldName(name: string): PlainNode[] {
    const id = (this.tree as PlainTreeImpl).tables.fields.get(name);
    return id === undefined ? [] : this._children.filter((_, i) => this._fields[i] === id);
  }

  /** This node and its descendants of the given types, in document order (pre-order), as the binding lists them. */
  descendantsOfType(types: string | readonly string[]): PlainNode[] {
    const wanted = typeof types === 'string' ? [types] : types;
    const out: PlainNode[] = [];
    const stack: PlainNode[] = [this];
    while (stack.length) {
      const n = stack.pop() as PlainNode;
      if (wanted.includes(n.type)) out.push(n);
      for (let i = n._children.length - 1; i >= 0; i--) stack.push(n._children[i] as PlainNode);
    }
    return out;
  }

  /** The smallest descendant (or this node) spanning `[start, end]`, as tree-sitter finds it. */
  descendantForIndex(start: number, end = start): PlainNode {
    let node: PlainNode = this;
    for (;;) {
      let next: PlainNode | undefined;
      for (const c of node._children) {
        // it must reach the range's end and pass its start (an empty node: reach it), and begin at or before its start
        if (c.endIndex < end) continue;
        if (c.startIndex === c.endIndex ? c.endIndex < start : c.endIndex <= start) continue;
        if (start < c.startIndex) break;
        next = c;
        break;
      }
      if (!next) return node;
      node = next;
    }
  }
}

const plainTrees = new WeakMap<Tree, PlainTree>();

/**
 * The plain copy of `tree`, parsed from `code` (one cursor walk on the first call per tree; the copy is kept
 * while the tree is). Treat it as read-only, as the tree.
 */
export function plainTree(tree: Tree, code: string): PlainTree {
  const hit = plainTrees.get(tree);
  if (hit && hit.code === code) return hit;
  const language = (tree as Tree & { language?: { nodeTypeInfo?: { type: string; named: boolean; fields?: object }[] } }).language;
  const key = language ?? tree;
  let tables = TABLES.get(key);
  if (!tables) {
    const info = language?.nodeTypeInfo;
    const withFields = info?.length
      ? new Set(info.filter((t) => t.named && t.fields && Object.keys(t.fields).length > 0).map((t) => t.type))
      : undefined;
    tables = { names: [], named: [], fields: new Map(), fieldSeen: [], fielded: [], withFields };
    TABLES.set(key, tables);
  }
  const { names, named, fields, fieldSeen, fielded, withFields } = tables;
  const out = new PlainTreeImpl(code, tables);
  const cursor = tree.walk() as Parser.TreeCursor;
  const fill = (n: PlainNode) => {
    const id = cursor.nodeTypeId;
    let type = names[id];
    if (type === undefined) {
      type = cursor.nodeType;
      names[id] = type;
      named[id] = cursor.nodeIsNamed;
      // ERROR nodes give no fields (the binding's childForFieldName finds none under them)
      fielded[id] = type !== 'ERROR' && (withFields === undefined || withFields.has(type));
    }
    n._fielded = fielded[id] as boolean;
    n.type = type;
    n.isNamed = named[id] as boolean;
    n.startIndex = cursor.startIndex;
    n.endIndex = cursor.endIndex;
    if (n.startIndex === n.endIndex) n.isMissing = cursor.nodeIsMissing;
  };
  const root = new PlainNode(out, null);
  out.rootNode = root;
  fill(root);
  let current = root;
  const enter = (parent: PlainNode) => {
    const n = new PlainNode(out, parent);
    n._index = parent._children.length;
    const field = parent._fielded ? cursor.currentFieldId : 0;
    if (field && !fieldSeen[field]) {
      fieldSeen[field] = true;
      fields.set(cursor.currentFieldName, field);
    }
    parent._children.push(n);
    parent._fields.push(field);
    fill(n);
    current = n;
  };
  walk: for (;;) {
    if (cursor.gotoFirstChild()) {
      enter(current);
      continue;
    }
    for (;;) {
      if (current === root) break walk;
      if (cursor.gotoNextSibling()) {
        enter(current.parent as PlainNode);
        break;
      }
      if (!cursor.gotoParent()) break walk;
      current = current.parent as PlainNode;
    }
  }
  plainTrees.set(tree, out);
  return out;
}
