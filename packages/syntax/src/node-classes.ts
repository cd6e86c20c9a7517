import type Parser from 'tree-sitter';
import { requireInstalled } from './load.js';

/**
 * The node binding (tree-sitter 0.22) gives every symbol of a grammar its own node class, and reads
 * `type` and `isNamed` through native calls on every access. Both are fixed by the symbol, hence by
 * the class: a node's class is chosen from `ts_node_symbol`, and its type is that symbol's name.
 * (The binding means to store `type` on each class, but its assignment lands on an inherited
 * getter-only accessor and silently does nothing.) So each class reads them natively once, from its
 * first node, and keeps them as plain values on its prototype. ERROR nodes, which the binding builds
 * from its base class, keep the native getters.
 */

type NodeClass = abstract new (...args: never[]) => object;

interface BindingGrammar {
  nodeSubclasses?: NodeClass[];
}

const SETTLED = Symbol.for('@srcode/syntax/settled-node-classes');

/** The per-symbol properties: a class's first node reads them natively, later ones read the stored value. */
const PER_SYMBOL = ['type', 'isNamed'] as const;

/**
 * Makes `type` and `isNamed` plain values on each node class of `grammar`, once its node classes exist
 * (`Parser#setLanguage` makes them). Symbols the binding leaves to its base class (anonymous tokens,
 * named types it has no node-types entry for) get a class of their own first, so they are covered too.
 * A grammar already settled, or a binding of another shape, is left as it is.
 */
export function settleNodeClasses(grammar: Parser.Language): void {
  const g = grammar as Parser.Language & BindingGrammar & { [SETTLED]?: true };
  const classes = g.nodeSubclasses;
  if (g[SETTLED] || !Array.isArray(classes)) return;
  const { SyntaxNode } = requireInstalled('tree-sitter') as { SyntaxNode: NodeClass };
  const base = SyntaxNode.prototype;
  const getters = PER_SYMBOL.map((name) => [name, Object.getOwnPropertyDescriptor(base, name)?.get] as const);
  if (getters.some(([, get]) => !get)) return;
  for (let id = 0; id < classes.length; id++) {
    let cls = classes[id];
    if (cls === SyntaxNode) {
      cls = class extends SyntaxNode {};
      // the name the binding's inspect output showed for these nodes
      Object.defineProperty(cls, 'name', { value: 'SyntaxNode' });
      classes[id] = cls;
    }
    if (!cls || Object.getPrototypeOf(cls.prototype) !== base) continue;
    const proto = cls.prototype;
    for (const [name, get] of getters) {
      if (Object.getOwnPropertyDescriptor(proto, name)) continue;
      Object.defineProperty(proto, name, {
        configurable: true,
        get(this: object) {
          const value: unknown = (get as (this: object) => unknown).call(this);
          if (value !== undefined) Object.defineProperty(proto, name, { value, configurable: true, writable: false, enumerable: false });
          return value;
        },
      });
    }
  }
  g[SETTLED] = true;
}

const START_FROM_FIELDS = Symbol.for('@srcode/syntax/start-index-from-fields');

/**
 * Makes `startIndex` read the node's own fields instead of calling into the binding. A node object
 * holds its marshalled `TSNode`: fields 0 and 1 the id, 2 to 5 the context, whose first entry is the
 * start byte; the native getter returns that byte count over two (UTF-16). Installed only when the
 * nodes of `tree`, parsed by the caller, read the same both ways and some start past 0, so a binding
 * of another layout keeps its getter.
 */
export function startIndexFromFields(tree: Parser.Tree): void {
  const { SyntaxNode } = requireInstalled('tree-sitter') as { SyntaxNode: NodeClass };
  const base = SyntaxNode.prototype as Record<PropertyKey, unknown>;
  if (base[START_FROM_FIELDS]) return;
  const native = Object.getOwnPropertyDescriptor(base, 'startIndex')?.get as ((this: object) => unknown) | undefined;
  if (!native) return;
  const fromFields = function (this: { 2: number }): number {
    return this[2] >>> 1;
  };
  const nodes = [tree.rootNode, ...tree.rootNode.descendantsOfType([...new Set(walkTypes(tree))])];
  const agree = nodes.every((n) => native.call(n) === fromFields.call(n as unknown as { 2: number }));
  if (!agree || !nodes.some((n) => n.startIndex > 0)) return;
  Object.defineProperty(base, 'startIndex', { get: fromFields, configurable: true });
  Object.defineProperty(base, START_FROM_FIELDS, { value: true });
}

/** The types of every node of `tree`, read through its cursor. */
function walkTypes(tree: Parser.Tree): string[] {
  const types: string[] = [];
  const cursor = tree.walk();
  for (;;) {
    types.push(cursor.nodeType);
    if (cursor.gotoFirstChild()) continue;
    while (!cursor.gotoNextSibling()) if (!cursor.gotoParent()) return types;
  }
}

const READS_KEPT = Symbol.for('@srcode/syntax/node-reads-kept');

interface Kept {
  end?: number;
  parent?: object | null;
  named?: object[];
  fields?: Record<string, object | null>;
}

/**
 * Makes a node's `endIndex`, `parent`, `namedChildren` and `childForFieldName(name)` native calls once
 * per node object, then reads of what the object keeps (the binding hands out one object per node
 * while it lives, and rules ask the same node for these many times; `namedChildren` gives a fresh copy
 * each time, as the binding does). A tree edit (`Tree#edit`, which moves nodes) turns the keeping off
 * for the rest of the process, so every later read is native again; trees from `parse` are read-only.
 */
export function keepNodeReads(): void {
  const binding = requireInstalled('tree-sitter') as { SyntaxNode: NodeClass; Tree: NodeClass };
  const base = binding.SyntaxNode.prototype as Record<PropertyKey, unknown>;
  const treeProto = binding.Tree.prototype as { edit?: (...args: unknown[]) => unknown };
  if (base[READS_KEPT]) return;
  const getter = (name: string) => Object.getOwnPropertyDescriptor(base, name)?.get as ((this: object) => unknown) | undefined;
  const end = getter('endIndex');
  const parent = getter('parent');
  const named = getter('namedChildren');
  const field = base.childForFieldName as ((this: object, name: string) => object | null) | undefined;
  const edit = treeProto.edit;
  if (!end || !parent || !named || typeof field !== 'function' || typeof edit !== 'function') return;
  const KEPT = Symbol('kept');
  let keeping = true;
  const kept = (node: { [KEPT]?: Kept }): Kept => {
    let k = node[KEPT];
    if (k === undefined) {
      k = { end: undefined, parent: undefined, named: undefined, fields: undefined };
      node[KEPT] = k;
    }
    return k;
  };
  Object.defineProperties(base, {
    endIndex: {
      configurable: true,
      get(this: object): unknown {
        if (!keeping) return end.call(this);
        const k = kept(this);
        if (k.end === undefined) k.end = end.call(this) as number;
        return k.end;
      },
    },
    parent: {
      configurable: true,
      get(this: object): unknown {
        if (!keeping) return parent.call(this);
        const k = kept(this);
        if (k.parent === undefined) k.parent = parent.call(this) as object | null;
        return k.parent;
      },
    },
    namedChildren: {
      configurable: true,
      get(this: object): unknown {
        if (!keeping) return named.call(this);
        const k = kept(this);
        if (k.named === undefined) k.named = named.call(this) as object[];
        return k.named.slice();
      },
    },
    childForFieldName: {
      configurable: true,
      writable: true,
      value(this: object, name: string): unknown {
        if (!keeping) return field.call(this, name);
        const k = kept(this);
        k.fields ??= Object.create(null) as Record<string, object | null>;
        let child = k.fields[name];
        if (child === undefined) {
          child = field.call(this, name);
          k.fields[name] = child;
        }
        return child;
      },
    },
  });
  treeProto.edit = function (this: unknown, ...args: unknown[]) {
    keeping = false;
    return edit.apply(this, args);
  };
  Object.defineProperty(base, READS_KEPT, { value: true });
}
