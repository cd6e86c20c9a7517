/**
 * Where a C condition is known to hold: the structural part of the bound checks the taint analysis
 * counts as sanitisers.
 *
 * A comparison guards the places it dominates in the direction it holds: the branch taken when it
 * holds (`if (n < cap) { ... }`, the right operand of `&&`, one arm of `?:`, a loop body), and the
 * statements after an `if` whose other branch always leaves (`if (n > cap) return -1;`, `break`,
 * `continue`, `goto`, `exit()`/`abort()`), or after an `assert`. Everything else (a branch that falls
 * through, a comparison assigned to a variable, a check after the use) guards nothing.
 *
 * Positions are source offsets; a range is half-open. An `if` without `else` gets a virtual position
 * for its implicit else branch, just before its end (`elseEdge`): a point inside the statement that
 * no real node starts at, so that a path around a branch can be asked about like any other place.
 */
import type { SyntaxNode } from '../rules/rule.js';

/** A half-open range of source offsets. */
export type Range = readonly [number, number];

const EXIT_CALL =
  /^(exit|_exit|_Exit|abort|longjmp|siglongjmp|err|errx|verr|verrx|__builtin_unreachable|__builtin_trap|panic|die|fatal|fatal_error|error_exit|BUG|quick_exit|Throw\w*Exception)$/;
const LOOPS = new Set(['for_statement', 'while_statement', 'do_statement']);
const PASS_THROUGH = /^(likely|unlikely|__builtin_expect|LIKELY|UNLIKELY|G_LIKELY|G_UNLIKELY)$/;
const ASSERT = /^(assert|g_assert|BUG_ON_NOT|ASSERT|require|verify)$/;

function calleeOf(call: SyntaxNode | null | undefined): string {
  return call?.type === 'call_expression' ? (call.childForFieldName('function')?.text ?? '') : '';
}

/** The virtual position of an `if`'s implicit else branch (inside the statement, after every real node start and after its consequence's end). */
export function elseEdge(ifStmt: SyntaxNode): number {
  return ifStmt.endIndex - 0.25;
}

/** The virtual position where a branch ends (after its last real node start, before an `if`'s else edge). */
export function branchEnd(branch: SyntaxNode): number {
  return branch.endIndex - 0.5;
}

/**
 * The positions from `start` to `end`: the offsets, less the last fraction, where the else edge of an
 * `if` ending at `end` lies (so that a range inside an `if`'s consequence never holds the path around it).
 */
function span(start: number, end: number): Range {
  return [start, end - 0.4];
}

/** The positions inside a node (see `span`). */
function nodeRange(n: SyntaxNode): Range {
  return span(n.startIndex, n.endIndex);
}

/** The loop (or, for `break`, the switch) a jump statement leaves. */
function jumpTarget(jump: SyntaxNode): SyntaxNode | undefined {
  const breaks = jump.type === 'break_statement';
  for (let p = jump.parent; p; p = p.parent) {
    if (p.type === 'function_definition') return undefined;
    if (LOOPS.has(p.type) || (breaks && p.type === 'switch_statement')) return p;
  }
  return undefined;
}

const LABELS = new WeakMap<object, Map<string, number>>();

/** Where the label a `goto` names starts (the labels of a tree gathered once); Infinity when not in view. */
function labelStart(jump: SyntaxNode): number {
  const tree = jump.tree as object;
  let m = LABELS.get(tree);
  if (!m) {
    m = new Map();
    for (const l of jump.tree.rootNode.descendantsOfType('labeled_statement')) {
      const name = l.childForFieldName('label')?.text;
      if (!name) continue;
      // a label belongs to its function: keyed by the function's start and the name
      let fn: SyntaxNode | null = l.parent;
      while (fn && fn.type !== 'function_definition') fn = fn.parent;
      m.set(`${fn?.startIndex ?? -1}:${name}`, l.startIndex);
    }
    LABELS.set(tree, m);
  }
  let fn: SyntaxNode | null = jump.parent;
  while (fn && fn.type !== 'function_definition') fn = fn.parent;
  return m.get(`${fn?.startIndex ?? -1}:${jump.childForFieldName('label')?.text}`) ?? Number.POSITIVE_INFINITY;
}

/**
 * Where control goes when `stmt` always leaves through a jump: the landing offset (Infinity for
 * `return` and calls that do not return, the label for `goto`, the end of the loop or switch for
 * `break`, the loop's start for `continue`); undefined when it can fall through.
 */
export function exitLanding(stmt: SyntaxNode | null | undefined): number | undefined {
  if (!stmt) return undefined;
  const memo = memoOf(EXITS, stmt);
  if (memo.has(stmt.id)) return memo.get(stmt.id);
  const l = landingOf(stmt);
  memo.set(stmt.id, l);
  return l;
}

const EXITS = new WeakMap<object, Map<number, number | undefined>>();
const CHAINS = new WeakMap<object, Map<number, SkipRegion[]>>();

function memoOf<T>(store: WeakMap<object, Map<number, T>>, node: SyntaxNode): Map<number, T> {
  const tree = node.tree as object;
  let m = store.get(tree);
  if (!m) {
    m = new Map();
    store.set(tree, m);
  }
  return m;
}

function landingOf(stmt: SyntaxNode): number | undefined {
  switch (stmt.type) {
    case 'return_statement':
      return Number.POSITIVE_INFINITY;
    case 'goto_statement':
      return labelStart(stmt);
    case 'break_statement':
      return jumpTarget(stmt)?.endIndex ?? Number.POSITIVE_INFINITY;
    case 'continue_statement':
      return jumpTarget(stmt)?.startIndex ?? Number.POSITIVE_INFINITY;
    case 'expression_statement': {
      const c = stmt.namedChildren[0];
      return c?.type === 'call_expression' && EXIT_CALL.test(calleeOf(c)) ? Number.POSITIVE_INFINITY : undefined;
    }
    case 'compound_statement': {
      for (const s of stmt.namedChildren) {
        const l = exitLanding(s);
        if (l !== undefined) return l;
      }
      return undefined;
    }
    case 'else_clause':
    case 'labeled_statement':
      return exitLanding(stmt.namedChildren[stmt.namedChildren.length - 1]);
    case 'if_statement': {
      const a = exitLanding(stmt.childForFieldName('consequence'));
      const b = exitLanding(stmt.childForFieldName('alternative'));
      return a === undefined || b === undefined ? undefined : Math.min(a, b);
    }
    default:
      return undefined;
  }
}

/** The statements after `stmt` in its block, up to where a jump out of `stmt` lands (when that is inside the block). */
function following(stmt: SyntaxNode, landing: number): Range | undefined {
  let s = stmt;
  while (s.parent?.type === 'labeled_statement') s = s.parent;
  const block = s.parent;
  if (!block || !['compound_statement', 'case_statement', 'translation_unit'].includes(block.type)) return undefined;
  const end = landing > s.endIndex && landing < block.endIndex ? landing : block.endIndex;
  return end > s.endIndex ? span(s.endIndex, end) : undefined;
}

/**
 * The ranges where a condition part `cmp` is known to have the value `when`: climbing through
 * parentheses, `!`, `&&`/`||`, `likely()`, up to the `if`/`while`/`for`/`?:`/`assert` it decides.
 */
export function guardRanges(cmp: SyntaxNode, when: boolean): Range[] {
  return guardInfo(cmp, when).ranges;
}

/** `guardRanges`, and the `for` or `while` loop whose condition the comparison is part of (a bound there is only on what the loop steps). */
export function guardInfo(cmp: SyntaxNode, when: boolean): { ranges: Range[]; loop?: SyntaxNode } {
  const out: Range[] = [];
  const done = (loop?: SyntaxNode) => (loop ? { ranges: out, loop } : { ranges: out });
  let x = cmp;
  let v = when;
  for (;;) {
    const p = x.parent;
    if (!p) return done();
    switch (p.type) {
      case 'parenthesized_expression':
        x = p;
        continue;
      case 'unary_expression':
        if (!p.text.startsWith('!')) return done();
        x = p;
        v = !v;
        continue;
      case 'binary_expression': {
        const op = p.childForFieldName('operator')?.text;
        const left = p.childForFieldName('left');
        const right = p.childForFieldName('right');
        if (op !== '&&' && op !== '||') return done();
        // the right operand runs only when the left one decided nothing: true for &&, false for ||
        if (left?.id === x.id && right && v === (op === '&&')) out.push(nodeRange(right));
        // the whole is true only if both are (&&), false only if both are (||)
        if (v !== (op === '&&')) return done();
        x = p;
        continue;
      }
      case 'argument_list': {
        const call = p.parent;
        const name = calleeOf(call);
        if (!call) return done();
        if (PASS_THROUGH.test(name) && p.namedChildren[0]?.id === x.id) {
          x = call;
          continue;
        }
        if (ASSERT.test(name) && v && call.parent?.type === 'expression_statement') {
          const r = following(call.parent, Number.POSITIVE_INFINITY);
          if (r) out.push(r);
        }
        return done();
      }
      case 'conditional_expression': {
        if (p.childForFieldName('condition')?.id !== x.id) return done();
        const arm = p.childForFieldName(v ? 'consequence' : 'alternative');
        if (arm) out.push(nodeRange(arm));
        return done();
      }
      case 'if_statement': {
        if (p.childForFieldName('condition')?.id !== x.id) return done();
        const cons = p.childForFieldName('consequence');
        const alt = p.childForFieldName('alternative');
        if (v && cons) out.push(nodeRange(cons));
        else if (!v && alt) out.push(nodeRange(alt));
        else if (!v) out.push([elseEdge(p), p.endIndex]);
        // the other branch always leaves: what follows the if is reached only with the condition at `v`
        const landing = exitLanding(v ? alt : cons);
        if (landing !== undefined) {
          const r = following(p, landing);
          if (r) out.push(r);
        }
        return done();
      }
      case 'while_statement':
      case 'for_statement': {
        if (p.childForFieldName('condition')?.id !== x.id) return done();
        if (!v) return done();
        const body = p.childForFieldName('body');
        if (body) out.push(nodeRange(body));
        const update = p.type === 'for_statement' ? p.childForFieldName('update') : null;
        if (update) out.push(nodeRange(update));
        return done(p);
      }
      default:
        return done();
    }
  }
}

/** Whether `at` lies in one of the ranges. */
export function inRanges(ranges: readonly Range[], at: number): boolean {
  for (const [s, e] of ranges) if (s <= at && at < e) return true;
  return false;
}

/** A branch a definition sits in that a path to a later use can go around, and where that path runs instead. */
export interface SkipRegion {
  /** The branch (a consequence, an else clause, a loop body or a switch case). */
  readonly node: SyntaxNode;
  /** The positions inside it (for a consequence, less the else edge). */
  readonly range: Range;
  /** A position on the path that skips the branch. */
  readonly skip: number;
  /** Whether the branch is a loop body (run again after its end). */
  readonly loop?: boolean;
  /** Where a jump that always ends the branch lands; undefined when the branch can fall through. */
  readonly landing: number | undefined;
}

/** The branches around `node` (innermost first) up to its function: the ones a path can go around (worked out once per node). */
export function branchChain(node: SyntaxNode): SkipRegion[] {
  if (node.type === 'function_definition' || !node.parent) return [];
  const memo = memoOf(CHAINS, node);
  const known = memo.get(node.id);
  if (known) return known;
  const a = node;
  const p: SyntaxNode = node.parent;
  let own: SkipRegion | undefined;
  if (p.type === 'if_statement') {
    const cons = p.childForFieldName('consequence');
    const alt = p.childForFieldName('alternative');
    if (cons?.id === a.id) own = { node: a, range: nodeRange(a), skip: alt ? alt.startIndex : elseEdge(p), landing: exitLanding(a) };
    else if (alt?.id === a.id && cons) own = { node: a, range: nodeRange(a), skip: branchEnd(cons), landing: exitLanding(a) };
  } else if ((p.type === 'while_statement' || p.type === 'for_statement') && p.childForFieldName('body')?.id === a.id) {
    own = { node: a, range: nodeRange(a), skip: p.startIndex + 0.5, landing: undefined, loop: true };
  } else if (a.type === 'case_statement') {
    own = { node: a, range: nodeRange(a), skip: p.startIndex + 0.5, landing: undefined };
  }
  const up = branchChain(p);
  const chain = own ? [own, ...up] : up;
  memo.set(node.id, chain);
  return chain;
}
