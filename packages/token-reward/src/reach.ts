import type { RewardSpan } from '@srcode/dataset';
import type { SyntaxNode } from '@srcode/syntax';
import type { SyntaxTokens } from './lexer.js';
import { typeOf } from './node-type.js';

/**
 * Secure code that never runs: after a statement that never completes (a jump, a call that never
 * returns, an endless loop), or under a condition that is constant by evaluation.
 */

/**
 * What in a completion can make code dead, found on its tokens alone (no tree), so a completion
 * with none of it pays nothing more. Positions are token starts, ascending.
 */
export interface DeadMarks {
  /** Statements that may end a block: jump keywords, calls that may not return, loops that may not end (whole text). */
  jumps: number[];
  /** Leaves of conditions that may be constant: literals, empty brackets, names of candidate constants (before the last secure span). */
  falses: number[];
  /** `break` keywords (whole text): an endless loop with one of its own ends. */
  breaks: number[];
  /** `else` keywords (whole text): an `if` with one may end a block on all its branches. */
  elses: number[];
  /** `raise` and `throw` keywords (whole text): a function of the file that always raises never returns. */
  throws: number[];
  /** Calls of the names `exits` would take for a call that never returns (whole text). */
  exits: number[];
  /** Resolved on first need, with the tree. */
  names: Names;
  /** The blocks {@link endsBefore} has read so far, by range and type: several spans share them. */
  blocks?: Map<string, BlockScan>;
}

/** A block's children read so far, with whether the block has ended after each (see `endsBefore`). */
interface BlockScan {
  /** On the next child to read; undefined once every child is read. */
  cursor: ReturnType<SyntaxNode['walk']> | undefined;
  starts: number[];
  deads: boolean[];
  dead: boolean;
}

interface Names {
  tokens: SyntaxTokens;
  text: string;
  until: number;
  /** Bare names (Python, after imports) whose call never returns. */
  pyBare: Set<string>;
  /** Aliases of `sys` and `os` (Python). */
  pySys: Set<string>;
  pyOs: Set<string>;
  /** Functions of the file that never return, found on first need. */
  local?: Set<string>;
  /** The names of the file's top-level functions (a file's own `exit` or `err` is not the library's). */
  defined?: Set<string>;
  /** Object-like macros (C) and module constants (Python) that may be constant: name -> value, position of its definition. */
  candidates: Map<string, { value: Value; at: number }>;
  /** Names defined or bound more than once, or bound where a constant cannot be trusted. */
  killed: Set<string>;
  /** The candidates that survived checking (on first need). */
  constants?: Map<string, Value>;
  /** Whether the text writes module names dynamically (`globals()`, `setattr`, `import *`). */
  dynamic: boolean;
}

/** C and C++ functions that never return (`std::` ones too), and Python's that are names of `sys`/`os` or builtins. */
const C_EXITS = new Set([
  'exit',
  '_exit',
  '_Exit',
  'abort',
  'quick_exit',
  'longjmp',
  'siglongjmp',
  '_longjmp',
  '__builtin_unreachable',
  '__builtin_trap',
  'unreachable',
  'terminate',
  'pthread_exit',
  'thrd_exit',
  'err',
  'errx',
  'verr',
  'verrx',
  'panic',
  'BUG',
  '__assert_fail',
]);
const PY_SYS_EXITS = new Set(['exit']);
const PY_OS_EXITS = new Set(['_exit', 'abort']);
const PY_BARE_EXITS = ['exit', 'quit'];
/** Token kinds of calls that may never return, before imports add their aliases. */
const EXIT_KINDS = new Set([...C_EXITS, ...PY_SYS_EXITS, ...PY_OS_EXITS, ...PY_BARE_EXITS, 'assert'].map((n) => `name:${n}`));
/** Token kinds that can be the leaf of a constant condition. */
const CONST_KINDS = new Set(['NUM', 'false', 'False', 'true', 'True', 'None', 'NULL', 'nullptr', 'STR']);
/** Tokens that end a Python constant's definition line, or are a C macro's value. */
const VALUE_KINDS = new Set(['NUM', 'false', 'False', 'true', 'True', 'None']);
const OPENERS: Record<string, string> = { '(': ')', '[': ']', '{': '}' };
/** Operators whose constant operand can make the other never run. */
const LOGIC = new Set(['&&', '||', '?', 'and', 'or']);
/** Tokens after a C condition's closing `)` that say the condition goes on (Python: `if (a) and b:`). */
const CONTINUES = new Set(['and', 'or', 'not', 'is', 'in', '==', '!=', '<', '>', '<=', '>=', '&&', '||', '+', '-', '*']);
/** Python functions that write module names by their text. */
const DYNAMIC_KINDS = new Set(['name:globals', 'name:setattr', 'name:vars', 'name:exec', 'name:eval', 'name:__import__']);

/** What a token kind asks of the scan (one table lookup per token). */
enum Act {
  Jump = 1,
  Break,
  Throw,
  Exit,
  Loop,
  For,
  Cond,
  Import,
  Define,
  Unbind,
  Assign,
  Dynamic,
  Open,
  Close,
  Colon,
  Leaf,
  Else,
}
const ACTS = new Map<string, Act>([
  ...['return', 'continue', 'goto'].map((k) => [k, Act.Jump] as const),
  ['break', Act.Break],
  ['raise', Act.Throw],
  ['throw', Act.Throw],
  ...[...EXIT_KINDS].map((k) => [k, Act.Exit] as const),
  ['assert', Act.Exit],
  ['while', Act.Loop],
  ['do', Act.Loop],
  ['for', Act.For],
  ['if', Act.Cond],
  ['elif', Act.Cond],
  ['import', Act.Import],
  ['define', Act.Define],
  ...['undef', 'ifdef', 'ifndef', 'defined'].map((k) => [k, Act.Unbind] as const),
  ['=', Act.Assign],
  ...[...DYNAMIC_KINDS].map((k) => [k, Act.Dynamic] as const),
  ...['(', '[', '{'].map((k) => [k, Act.Open] as const),
  ...[')', ']', '}'].map((k) => [k, Act.Close] as const),
  [':', Act.Colon],
  ...[...CONST_KINDS, 'ID'].map((k) => [k, Act.Leaf] as const),
  ['else', Act.Else],
]);

export function deadMarksOf(tokens: SyntaxTokens, text: string, spans: readonly RewardSpan[]): DeadMarks {
  const { kinds, starts, ends } = tokens;
  const jumps: number[] = [];
  const falses: number[] = [];
  const breaks: number[] = [];
  const throws: number[] = [];
  const exits: number[] = [];
  const elses: number[] = [];
  // only conditions before the last secure span can cut one off
  let until = 0;
  for (const s of spans) if (s.polarity === 'secure') until = Math.max(until, s.start);
  const names: Names = {
    tokens,
    text,
    until,
    pyBare: new Set(PY_BARE_EXITS),
    pySys: new Set(['sys']),
    pyOs: new Set(['os']),
    candidates: new Map(),
    killed: new Set(),
    dynamic: false,
  };
  // call kinds the file's imports make exits (`from sys import exit as e`)
  let aliasKinds: Set<string> | undefined;
  const n = kinds.length;
  // whether the token is in a condition (of `if`, `elif`, `while`, `for`, `#if`), told on tokens:
  // up to the `)` that closes the one after the keyword (C), the `:` (Python), or the line's end
  let cond = false;
  let depth = 0;
  let paren = false;
  let lineEnd = -1;
  let loop = false;
  // the loop or assert the condition is of, while no leaf of it marked it yet
  let condAt = -1;
  let unsorted = false;
  for (let t = 0; t < n; t++) {
    const kind = kinds[t] as string;
    const act = ACTS.get(kind);
    if (act === undefined) {
      if (aliasKinds?.has(kind)) {
        jumps.push(starts[t] as number);
        exits.push(starts[t] as number);
      }
      continue;
    }
    const at = starts[t] as number;
    const inCond = cond && (lineEnd < 0 || at <= lineEnd);
    switch (act) {
      case Act.Jump:
        jumps.push(at);
        break;
      case Act.Break:
        jumps.push(at);
        breaks.push(at);
        break;
      case Act.Throw:
        jumps.push(at);
        throws.push(at);
        break;
      case Act.Exit:
        if (kind !== 'assert' && kind !== 'name:assert') {
          jumps.push(at);
          exits.push(at);
        } else {
          if (mayBeConstant(tokens, text, kind === 'assert' ? t + 1 : t + 2, names)) jumps.push(at);
          else condAt = at;
          // what an assert asserts is a condition too
          cond = true;
          depth = 0;
          loop = false;
          paren = kinds[t + 1] === '(';
          lineEnd = -1;
        }
        break;
      case Act.For:
      case Act.Loop:
      case Act.Cond:
        // `for (;;)`, `while (1)`, `while True:` (and a `do`'s `while`): loops that may not end
        if (kind === 'do') break;
        condAt = kind === 'while' || kind === 'for' ? at : -1;
        if (
          kind === 'while'
            ? mayBeConstant(tokens, text, kinds[t + 1] === '(' ? t + 2 : t + 1, names)
            : kinds[t + 1] === '(' && kinds[t + 2] === ';'
        ) {
          jumps.push(at);
          condAt = -1;
        }
        cond = true;
        depth = 0;
        loop = kind === 'for';
        if (kinds[t - 1] === '#') {
          paren = false;
          lineEnd = text.indexOf('\n', at);
          if (lineEnd < 0) lineEnd = text.length;
        } else {
          paren = kinds[t + 1] === '(';
          lineEnd = -1;
        }
        break;
      case Act.Import: {
        const aliases = importAliases(tokens, text, t, names);
        if (aliases) aliasKinds = new Set([...(aliasKinds ?? []), ...aliases.map((a) => `name:${a}`)]);
        break;
      }
      case Act.Define:
        if (kinds[t - 1] === '#') defineAt(tokens, text, t, names);
        break;
      case Act.Unbind: {
        const k = kinds[t + 1] === '(' ? t + 2 : t + 1;
        if (k < n) names.killed.add(text.slice(starts[k], ends[k]));
        break;
      }
      case Act.Assign:
        if (kinds[t - 1] === 'ID') pyConstantAt(tokens, text, t, names);
        break;
      case Act.Dynamic:
        names.dynamic = true;
        break;
      case Act.Open:
        if (inCond) {
          depth++;
          if (at < until && kinds[t + 1] === OPENERS[kind]) falses.push(at);
        }
        break;
      case Act.Close:
        if (inCond) {
          depth--;
          if (depth < 0 || (depth === 0 && paren && !CONTINUES.has(kinds[t + 1] as string))) cond = false;
        }
        break;
      case Act.Colon:
        if (inCond && depth === 0 && !paren) cond = false;
        break;
      case Act.Leaf: {
        // a leaf of a condition, or an operand of `&&`, `||`, `?` anywhere (`0 && f()`, `1 ? x : f()`)
        if (at >= until || !(inCond || LOGIC.has(kinds[t - 1] as string) || LOGIC.has(kinds[t + 1] as string))) break;
        let leaf: boolean;
        if (kind !== 'ID') leaf = !besideName(tokens, text, t, names, loop);
        else {
          // C's `true` and `false` are names to the lexer
          const len = (ends[t] as number) - at;
          leaf = len === 5 ? text.startsWith('false', at) : len === 4 && text.startsWith('true', at);
        }
        if (!leaf) break;
        falses.push(at);
        // a loop or assert whose condition may be constant may never end (`while (x || 1)`, `assert(x && 0)`)
        if (inCond && condAt >= 0) {
          jumps.push(condAt);
          condAt = -1;
          unsorted = true;
        }
        break;
      }
      case Act.Else:
        elses.push(at);
        break;
    }
    if (cond && lineEnd >= 0 && at > lineEnd) cond = false;
  }
  if (names.candidates.size > 0) {
    // the uses of candidate constants are leaves of constant conditions too
    for (let t = 0; t < n && (starts[t] as number) < until; t++) {
      const kind = kinds[t] as string;
      if (kind !== 'ID' && !kind.startsWith('name:')) continue;
      const word = text.slice(starts[t], ends[t]);
      if (names.candidates.has(word) && names.candidates.get(word)?.at !== starts[t]) falses.push(starts[t] as number);
    }
    falses.sort((a, b) => a - b);
  }
  if (unsorted) jumps.sort((a, b) => a - b);
  return { jumps, falses, breaks, throws, exits, elses, names };
}

/** Operators whose operands must all be constant for the expression to be (comparisons, arithmetic, indexing). */
const STRICT_OPS = new Set([
  '==',
  '!=',
  '<',
  '>',
  '<=',
  '>=',
  '+',
  '-',
  '*',
  '/',
  '%',
  '<<',
  '>>',
  '&',
  '|',
  '^',
  'is',
  'in',
  '[',
  '.',
  '->',
]);

/**
 * Whether a literal is an operand beside a name, so what holds it is not constant (`len > 0`,
 * `a[0]`, `f(0)`, `x - 1`): the literal is not a leaf worth evaluating. Names of candidate
 * constants, `true` and `false` are no names here.
 */
function besideName(tokens: SyntaxTokens, text: string, t: number, names: Names, loop: boolean): boolean {
  const { kinds } = tokens;
  const isName = (k: number) => {
    const kind = kinds[k];
    if (kind === undefined) return false;
    if (kind === ')' || kind === ']' || kind.startsWith('name:')) return true;
    if (kind !== 'ID') return false;
    const word = text.slice(tokens.starts[k], tokens.ends[k]);
    return word !== 'true' && word !== 'false' && !names.candidates.has(word);
  };
  const prev = kinds[t - 1] as string;
  const next = kinds[t + 1] as string;
  if (STRICT_OPS.has(prev) && isName(t - 2)) return true;
  if (prev === '-' && STRICT_OPS.has(kinds[t - 2] as string) && isName(t - 3)) return true;
  if (STRICT_OPS.has(next) && (isName(t + 2) || kinds[t + 2] === '(' || (kinds[t + 2] as string | undefined)?.startsWith('name:')))
    return true;
  // an argument of a call: `f(0)`, `f(x, 0)` (not in a `for`: `range(0)`)
  if (loop) return false;
  return (prev === '(' && (kinds[t - 2] as string | undefined)?.startsWith('name:') === true) || prev === ',';
}

/** Whether the token at `k` can start a constant expression (a literal, a negation, a candidate constant). */
function mayBeConstant(tokens: SyntaxTokens, text: string, k: number, names: Names): boolean {
  const kind = tokens.kinds[k];
  if (kind === undefined) return false;
  if (CONST_KINDS.has(kind) || kind === '!' || kind === 'not' || kind === '(' || kind === '-') return true;
  if (kind !== 'ID') return false;
  const word = text.slice(tokens.starts[k], tokens.ends[k]);
  return word === 'true' || word === 'false' || names.candidates.has(word);
}

/** Python imports that name `sys.exit`, `os._exit`, `os.abort`, or alias `sys`/`os`: the new bare names of calls that never return. */
function importAliases(tokens: SyntaxTokens, text: string, t: number, names: Names): string[] | undefined {
  const { kinds, starts, ends } = tokens;
  const word = (k: number) => text.slice(starts[k], ends[k]);
  const isName = (k: number) => kinds[k] === 'ID' || (kinds[k] as string | undefined)?.startsWith('name:') === true;
  const out: string[] = [];
  let from: string | undefined;
  if (kinds[t - 2] === 'from' && isName(t - 1)) from = word(t - 1);
  let k = t + 1;
  if (kinds[k] === '(') k++;
  if (kinds[k] === '*') names.dynamic = true;
  while (k < kinds.length && isName(k)) {
    const name = word(k);
    let bound = name;
    if (kinds[k + 1] === 'as' && isName(k + 2)) {
      bound = word(k + 2);
      k += 2;
    }
    if (from === 'sys' && PY_SYS_EXITS.has(name)) out.push(bound);
    else if (from === 'os' && PY_OS_EXITS.has(name)) out.push(bound);
    else if (from === undefined && name === 'sys') names.pySys.add(bound);
    else if (from === undefined && name === 'os') names.pyOs.add(bound);
    if (kinds[k + 1] !== ',') break;
    k += 2;
  }
  for (const a of out) names.pyBare.add(a);
  return out.length > 0 ? out : undefined;
}

/** `#define NAME value` with a constant value: a candidate constant (a second definition kills it). */
function defineAt(tokens: SyntaxTokens, text: string, t: number, names: Names): void {
  const { kinds, starts, ends } = tokens;
  const k = t + 1;
  const kind = kinds[k];
  if (kind === undefined || (kind !== 'ID' && !kind.startsWith('name:'))) return;
  const name = text.slice(starts[k], ends[k]);
  // a function-like macro has its `(` right after the name
  if (text.charCodeAt(ends[k] as number) === 40) return;
  if (names.candidates.has(name)) {
    names.killed.add(name);
    return;
  }
  const eol = text.indexOf('\n', ends[k]);
  const line = text.slice(ends[k], eol < 0 ? text.length : eol);
  const value = macroValue(line);
  if (value === undefined) names.killed.add(name);
  else names.candidates.set(name, { value, at: starts[k] as number });
}

/** A macro's value when it is a plain constant (`0`, `(1)`, `0x0U`, `false`); comments aside. */
function macroValue(line: string): number | undefined {
  const v = line
    .replace(/\/\/.*$|\/\*.*?\*\//g, '')
    .replace(/[\s()]/g, '')
    .replace(/^(\d+|0[xX][\da-fA-F]+)[uUlL]*$/, '$1');
  if (v === 'false') return 0;
  if (v === 'true') return 1;
  if (/^(?:\d+|0[xX][\da-fA-F]+)$/.test(v)) return v.length > 1 && v[0] === '0' && !/[xX]/.test(v) ? Number.parseInt(v, 8) : Number(v);
  return undefined;
}

/** `NAME = <constant>` alone on a line at column 0: a candidate module constant (Python). */
function pyConstantAt(tokens: SyntaxTokens, text: string, t: number, names: Names): void {
  const { kinds, starts, ends } = tokens;
  const start = starts[t - 1] as number;
  if (start > 0 && text.charCodeAt(start - 1) !== 10) return;
  let k = t + 1;
  let sign = 1;
  if (kinds[k] === '-') {
    sign = -1;
    k++;
  }
  const kind = kinds[k];
  if (kind === undefined || !VALUE_KINDS.has(kind)) return;
  const next = starts[k + 1];
  if (next !== undefined && !text.slice(ends[k], next).includes('\n')) return;
  const name = text.slice(start, ends[t - 1]);
  if (names.candidates.has(name)) {
    names.killed.add(name);
    return;
  }
  const raw = text.slice(starts[k], ends[k]);
  const value: Value | undefined =
    kind === 'None'
      ? NONE
      : kind === 'False'
        ? 0
        : kind === 'True'
          ? 1
          : pyNumber(raw) === undefined
            ? undefined
            : sign * (pyNumber(raw) as number);
  if (value !== undefined) names.candidates.set(name, { value, at: start });
}

/** Jumps after which the rest of a block never runs. */
const JUMP_TYPES = new Set([
  'return_statement',
  'break_statement',
  'continue_statement',
  'goto_statement',
  'raise_statement',
  'throw_statement',
]);
/** What a jump before it does not make dead: a label, another `case`, another preprocessor branch. */
const LABEL_TYPES = new Set(['labeled_statement', 'case_statement', 'preproc_else', 'preproc_elif', 'preproc_elifdef']);
/** Statements that can never complete other than jumps: calls, blocks, conditionals, loops, asserts. */
const ENDING_TYPES = new Set([
  'expression_statement',
  'compound_statement',
  'block',
  'if_statement',
  'while_statement',
  'do_statement',
  'for_statement',
  'assert_statement',
]);
/** Statements that hold a loop's `break` (or a switch's) so it does not end an outer loop. */
const BREAK_SCOPES = new Set(['while_statement', 'for_statement', 'do_statement', 'switch_statement', 'for_range_loop']);

/**
 * Whether the code of `span` can never run: it follows, in the same block with no label in between,
 * a statement that never completes (a jump; a call of `exit`, `abort`, `longjmp`, `sys.exit`,
 * `os._exit` and the like, under the aliases the file's imports give them, or of a top-level
 * function of the file that never returns itself; `assert(0)`; an endless loop with no `break` of
 * its own; an `if` whose branches all never complete), or lies where a condition constant by
 * evaluation never takes it (literals, `!`/`not`, `&&`/`||`/`and`/`or`, comparisons, casts, a macro
 * defined once to a constant, a module constant bound once and never rebound): the body of
 * `if (0 && x)`, `while (false)`, `if not True:`, `for _ in []:`, `#if DEBUG` with `DEBUG` 0, the
 * `else` of `if (1)`, the right operand of `0 && f()`, a branch of `1 ? a : b`. A function defined
 * under such a condition is dead too. Jumps count only inside the innermost function, never at the
 * file's top level nor across a nested function: where a parse went wrong, a function (an indented
 * method pasted after a function) can land after a stray `return` of the code before it.
 */
export function unreachable(
  root: SyntaxNode,
  span: RewardSpan,
  spec: { containerTypes: readonly string[]; functionTypes: readonly string[] },
  marks: DeadMarks,
): boolean {
  const python = typeOf(root) === 'module';
  if ((marks.exits.length > 0 || marks.throws.length > 0) && marks.names.local === undefined)
    addLocalExits(root, marks, spec.functionTypes, python);
  // nothing can cut the span off without a jump or a constant before it
  if (!((marks.jumps[0] ?? Infinity) < span.start) && !((marks.falses[0] ?? Infinity) < span.start)) return false;
  let node: SyntaxNode | null = root.descendantForIndex(span.start, Math.max(span.start, span.end - 1));
  while (node && node.startIndex === span.start && node.endIndex < span.end && node.parent) node = node.parent;
  // jumps count inside the innermost function only; constant conditions up to the top level
  let inside = true;
  const ctx: Ctx = { marks, python };
  for (; node?.parent; node = node.parent) {
    if (inside && spec.functionTypes.includes(typeOf(node))) {
      inside = false;
      // a function at the top level: nothing outside it can make it dead
      if (node.parent.parent === null) return false;
    }
    const parent: SyntaxNode = node.parent;
    const type = typeOf(parent);
    const from = parent.startIndex;
    const to = node.startIndex;
    // a block the parser recovered from errors in may hold statements of other code
    if (
      inside &&
      anyIn(marks.jumps, from, to) &&
      parent.parent &&
      (spec.containerTypes.includes(type) || type === 'case_statement') &&
      !parent.hasError &&
      !LABEL_TYPES.has(typeOf(node)) &&
      endsBefore(parent, to, ctx)
    )
      return true;
    if (anyIn(marks.falses, from, type === 'conditional_expression' ? parent.endIndex : to) && deadBranch(parent, type, node, ctx))
      return true;
  }
  return false;
}

interface Ctx {
  marks: DeadMarks;
  python: boolean;
}

/**
 * Whether some child of `block` before `to` never completes, with no label after it. Children are
 * read off a cursor once per block and completion: the spans of one function share its blocks, so
 * a later span's question resumes where an earlier one stopped.
 */
function endsBefore(block: SyntaxNode, to: number, ctx: Ctx): boolean {
  ctx.marks.blocks ??= new Map();
  const key = `${block.startIndex}:${block.endIndex}:${typeOf(block)}`;
  let scan = ctx.marks.blocks.get(key);
  if (!scan) {
    const cursor = block.walk();
    scan = { cursor: cursor.gotoFirstChild() ? cursor : undefined, starts: [], deads: [], dead: false };
    ctx.marks.blocks.set(key, scan);
  }
  for (let cursor = scan.cursor; cursor && cursor.startIndex < to; ) {
    const from = cursor.startIndex;
    const t = cursor.nodeType;
    if (LABEL_TYPES.has(t)) scan.dead = false;
    else if (JUMP_TYPES.has(t)) scan.dead = true;
    else if (!scan.dead && ENDING_TYPES.has(t) && anyIn(ctx.marks.jumps, from, cursor.endIndex)) {
      // an `if` ends the block only with an `else` or a constant condition
      const end = cursor.endIndex;
      const plainIf = t === 'if_statement' && !anyIn(ctx.marks.elses, from, end) && !anyIn(ctx.marks.falses, from, end);
      if (!plainIf && neverCompletes(cursor.currentNode, ctx)) scan.dead = true;
    }
    scan.starts.push(from);
    scan.deads.push(scan.dead);
    if (!cursor.gotoNextSibling()) {
      scan.cursor = undefined;
      break;
    }
  }
  // the state after the last child starting before `to`
  const after = firstAt(scan.starts, to);
  return after > 0 && (scan.deads[after - 1] as boolean);
}

/**
 * Whether a statement never completes normally (control never reaches the statement after it):
 * a jump, a call that never returns, a block holding one, an `if` whose branches all never
 * complete (or whose taken branch by a constant condition), a loop whose condition is constantly
 * true with no `break` of its own.
 */
function neverCompletes(node: SyntaxNode, ctx: Ctx, depth = 0): boolean {
  if (depth > 32) return false;
  const type = typeOf(node);
  if (JUMP_TYPES.has(type)) return true;
  switch (type) {
    case 'expression_statement': {
      let e = node.namedChild(0);
      while (e && (e.type === 'parenthesized_expression' || e.type === 'cast_expression'))
        e = e.type === 'cast_expression' ? e.childForFieldName('value') : e.namedChild(0);
      return !!e && (e.type === 'call_expression' || e.type === 'call') && neverReturns(e, ctx);
    }
    case 'assert_statement': {
      const test = node.namedChild(0);
      return !!test && truth(evaluate(test, ctx)) === false;
    }
    case 'compound_statement':
    case 'block':
      return endsBefore(node, node.endIndex, ctx);
    case 'else_clause': {
      const body = node.childForFieldName('body') ?? node.namedChild(0);
      return !!body && neverCompletes(body, ctx, depth + 1);
    }
    case 'if_statement': {
      const cond = anyIn(ctx.marks.falses, node.startIndex, node.endIndex)
        ? truth(evaluate(node.childForFieldName('condition'), ctx))
        : undefined;
      if (cond === true) {
        const consequence = node.childForFieldName('consequence');
        return !!consequence && neverCompletes(consequence, ctx, depth + 1);
      }
      const alternative = node.childForFieldName('alternative');
      // the taken branch when the condition is false: C's `else` (a Python chain's later branches are left alone)
      if (cond === false) return alternative?.type === 'else_clause' && neverCompletes(alternative, ctx, depth + 1);
      // otherwise every branch, and there must be an `else`
      if (!alternative) return false;
      const consequence = node.childForFieldName('consequence');
      if (!consequence || !neverCompletes(consequence, ctx, depth + 1)) return false;
      if (!ctx.python) return neverCompletes(alternative, ctx, depth + 1);
      let otherwise = false;
      for (let i = 0; i < node.namedChildCount; i++) {
        const b = node.namedChild(i) as SyntaxNode;
        if (b.type !== 'else_clause' && b.type !== 'elif_clause') continue;
        const body = b.type === 'elif_clause' ? b.childForFieldName('consequence') : b.childForFieldName('body');
        if (!body || !neverCompletes(body, ctx, depth + 1)) return false;
        if (b.type === 'else_clause') otherwise = true;
      }
      return otherwise;
    }
    case 'while_statement':
    case 'do_statement':
    case 'for_statement': {
      if (ctx.python && type === 'for_statement') return false;
      const condition = node.childForFieldName('condition');
      if (
        type === 'for_statement' ? condition !== null && truth(evaluate(condition, ctx)) !== true : truth(evaluate(condition, ctx)) !== true
      )
        return false;
      return !ownBreak(node, ctx);
    }
    default:
      return false;
  }
}

/** Whether a loop holds a `break` that ends it (not one of a loop or switch inside it). */
function ownBreak(loop: SyntaxNode, ctx: Ctx): boolean {
  for (const at of ctx.marks.breaks) {
    if (at < loop.startIndex || at >= loop.endIndex) continue;
    // the innermost loop or switch around the `break` (nodes are compared by place: each is a new object)
    let up: SyntaxNode | null = loop.descendantForIndex(at);
    while (up && !BREAK_SCOPES.has(typeOf(up))) up = up.parent;
    if (up && up.startIndex === loop.startIndex && up.endIndex === loop.endIndex) return true;
  }
  return false;
}

/** Whether a call never returns: a known function (under the file's aliases), `assert(0)`, or a function of the file that never returns. */
function neverReturns(call: SyntaxNode, ctx: Ctx): boolean {
  const fn = call.childForFieldName('function');
  if (!fn) return false;
  const names = ctx.marks.names;
  if (ctx.python) {
    if (fn.type === 'identifier') {
      const name = fn.text;
      return names.local?.has(name) || (names.pyBare.has(name) && !names.defined?.has(name)) || false;
    }
    if (fn.type === 'attribute') {
      const object = fn.childForFieldName('object');
      const attribute = fn.childForFieldName('attribute')?.text ?? '';
      if (object?.type !== 'identifier') return false;
      return (names.pySys.has(object.text) && PY_SYS_EXITS.has(attribute)) || (names.pyOs.has(object.text) && PY_OS_EXITS.has(attribute));
    }
    return false;
  }
  let name: string | undefined;
  if (fn.type === 'identifier') name = fn.text;
  else if (fn.type === 'qualified_identifier') {
    const scope = fn.childForFieldName('scope')?.text;
    const inner = fn.childForFieldName('name');
    if ((scope === 'std' || scope === undefined) && inner?.type === 'identifier') name = inner.text;
  }
  if (name === undefined) return false;
  if (name === 'assert') {
    const arg = call.childForFieldName('arguments')?.namedChild(0);
    return !!arg && truth(evaluate(arg, ctx)) === false;
  }
  return names.local?.has(name) || (C_EXITS.has(name) && !names.defined?.has(name)) || false;
}

/**
 * The file's functions that never return (their body never completes), in one pass over its
 * top-level functions that call something that may not return, repeated while it finds more (a
 * `fatal` that calls a `die` defined after it); their calls become marks.
 */
function addLocalExits(root: SyntaxNode, marks: DeadMarks, functionTypes: readonly string[], python: boolean): void {
  const names = marks.names;
  const local = new Set<string>();
  names.local = local;
  const ctx: Ctx = { marks, python };
  const functions: Array<[string, SyntaxNode]> = [];
  for (let i = 0; i < root.namedChildCount; i++) {
    let f = root.namedChild(i) as SyntaxNode;
    if (f.type === 'decorated_definition') f = f.childForFieldName('definition') ?? f;
    if (!functionTypes.includes(typeOf(f))) continue;
    const body = f.childForFieldName('body');
    if (!body) continue;
    const name = python ? f.childForFieldName('name')?.text : cFunctionName(f);
    if (name) functions.push([name, body]);
  }
  names.defined = new Set(functions.map(([name]) => name));
  const text = names.text;
  // a function with a `return` or a `yield` in it returns (a generator returns on its call)
  const returns = (body: SyntaxNode) => {
    const jumps = marks.jumps;
    for (let k = firstAt(jumps, body.startIndex); k < jumps.length && (jumps[k] as number) < body.endIndex; k++)
      if (text.startsWith('return', jumps[k])) return true;
    const y = text.indexOf('yield', body.startIndex);
    return python && y >= 0 && y < body.endIndex;
  };
  for (let pass = 0; pass < 4; pass++) {
    const before = local.size;
    for (const [name, body] of functions) {
      if (local.has(name) || !(anyIn(marks.exits, body.startIndex, body.endIndex) || anyIn(marks.throws, body.startIndex, body.endIndex)))
        continue;
      if (!returns(body) && neverCompletes(body, ctx)) local.add(name);
    }
    if (local.size === before) break;
    // calls of the new names are marks too (for the bodies of the next pass, and for the spans)
    const { kinds, starts } = names.tokens;
    const wanted = new Set([...local].map((n) => `name:${n}`));
    for (let t = 0; t < kinds.length; t++)
      if (wanted.has(kinds[t] as string) && !marks.exits.includes(starts[t] as number)) marks.exits.push(starts[t] as number);
    marks.exits.sort((a, b) => a - b);
    marks.jumps = [...new Set([...marks.jumps, ...marks.exits])].sort((a, b) => a - b);
  }
}

/** A C function definition's name (through pointer declarators). */
function cFunctionName(f: SyntaxNode): string | undefined {
  let d = f.childForFieldName('declarator');
  while (d && d.type !== 'identifier' && d.type !== 'field_identifier') d = d.childForFieldName('declarator');
  return d?.text;
}

/** Whether the branch `node` of `parent` never runs by a constant condition. */
function deadBranch(parent: SyntaxNode, type: string, node: SyntaxNode, ctx: Ctx): boolean {
  switch (type) {
    case 'if_statement':
    case 'elif_clause':
    case 'preproc_if':
    case 'preproc_elif':
    case 'while_statement': {
      const condition = parent.childForFieldName('condition');
      if (!condition || node.startIndex < condition.endIndex) return false;
      const alternative = parent.childForFieldName('alternative');
      const inAlternative = alternative !== null && node.startIndex >= alternative.startIndex;
      const value = truth(evaluate(condition, ctx));
      if (!inAlternative) return value === false;
      if (value === true) return true;
      // a later branch of a Python chain after an `elif` that is constantly true
      if (type === 'if_statement' && ctx.python) {
        for (let i = 0; i < parent.namedChildCount; i++) {
          const c = parent.namedChild(i) as SyntaxNode;
          if (c.startIndex >= node.startIndex) break;
          if (c.type === 'elif_clause' && truth(evaluate(c.childForFieldName('condition'), ctx)) === true) return true;
        }
      }
      return false;
    }
    case 'binary_expression':
    case 'boolean_operator': {
      // the right operand of `0 && f()`, `1 || f()`, `False and f()`
      const op = parent.childForFieldName('operator')?.type;
      const left = parent.childForFieldName('left');
      if (!left || node.startIndex < left.endIndex) return false;
      const value = op === '&&' || op === 'and' ? false : op === '||' || op === 'or' ? true : undefined;
      return value !== undefined && truth(evaluate(left, ctx)) === value;
    }
    case 'conditional_expression': {
      // the branch of `c ? a : b` (`a if c else b`) a constant `c` does not take
      const condition = ctx.python ? parent.namedChild(1) : parent.childForFieldName('condition');
      if (!condition || (node.startIndex >= condition.startIndex && node.startIndex < condition.endIndex)) return false;
      const value = truth(evaluate(condition, ctx));
      if (value === undefined) return false;
      const first = ctx.python
        ? node.startIndex < condition.startIndex
        : node.startIndex < (parent.childForFieldName('alternative')?.startIndex ?? 0);
      return first ? value === false : value === true;
    }
    case 'for_statement': {
      const body = parent.childForFieldName('body');
      if (!body || node.startIndex < body.startIndex || node.endIndex > body.endIndex) return false;
      if (!ctx.python) {
        const condition = parent.childForFieldName('condition');
        return !!condition && truth(evaluate(condition, ctx)) === false;
      }
      return emptyIterable(parent.childForFieldName('right'), ctx);
    }
    default:
      return false;
  }
}

/** `[]`, `()`, `{}`, `""`, `range(0)`, `range(5, 2)`: an iterable with nothing in it (Python). */
function emptyIterable(node: SyntaxNode | null, ctx: Ctx): boolean {
  if (!node) return false;
  if (node.type === 'call' && node.childForFieldName('function')?.text === 'range') {
    const args = node.childForFieldName('arguments');
    if (!args || args.namedChildCount < 1 || args.namedChildCount > 3) return false;
    const v: number[] = [];
    for (let i = 0; i < args.namedChildCount; i++) {
      const x = evaluate(args.namedChild(i), ctx);
      if (typeof x !== 'number') return false;
      v.push(x);
    }
    const [a = 0, b = 0, step = 1] = v.length === 1 ? [0, v[0], 1] : v;
    return step > 0 ? b <= a : step < 0 ? b >= a : false;
  }
  const v = evaluate(node, ctx);
  return v === EMPTY || v === '';
}

/** Expression types `evaluate` reads: leaves (no children needed) and composites (their parts are). */
const LEAF_TYPES = new Set([
  'number_literal',
  'integer',
  'float',
  'char_literal',
  'true',
  'false',
  'null',
  'none',
  'string_literal',
  'concatenated_string',
  'string',
]);
const COMPOSITE_TYPES = new Set([
  'list',
  'tuple',
  'dictionary',
  'set',
  'parenthesized_expression',
  'condition_clause',
  'comma_expression',
  'cast_expression',
  'named_expression',
  'not_operator',
  'unary_expression',
  'unary_operator',
  'binary_expression',
  'boolean_operator',
  'binary_operator',
  'comparison_operator',
  'conditional_expression',
]);

/** A constant's value: a number (booleans as 0/1), a Python string's text, or a kind of object. */
type Value = number | string | typeof EMPTY | typeof FULL | typeof NONE;
/** An empty container (Python), a value always true (a non-empty container, a C string), None. */
const EMPTY = Symbol('empty');
const FULL = Symbol('full');
const NONE = Symbol('none');

function truth(v: Value | undefined): boolean | undefined {
  if (v === undefined) return undefined;
  if (typeof v === 'number') return v !== 0;
  if (typeof v === 'string') return v.length > 0;
  return v === FULL;
}

/** The value of an expression when constant by evaluation, else undefined. */
function evaluate(node: SyntaxNode | null, ctx: Ctx, depth = 0): Value | undefined {
  if (!node || depth > 64) return undefined;
  const type = typeOf(node);
  const leaf = LEAF_TYPES.has(type);
  if (!leaf && !COMPOSITE_TYPES.has(type))
    return type === 'identifier' && ctx.marks.names.candidates.size > 0 ? constantNamed(node.text, ctx) : undefined;
  // an expression with no constant leaf in it is not constant
  if (!leaf && !anyIn(ctx.marks.falses, node.startIndex, node.endIndex)) return undefined;
  const d = depth + 1;
  switch (type) {
    case 'number_literal':
      return cNumber(node.text);
    case 'integer':
    case 'float':
      return pyNumber(node.text);
    case 'char_literal': {
      const t = node.text;
      if (t === "'\\0'") return 0;
      return t.length === 3 ? t.charCodeAt(1) : undefined;
    }
    case 'true':
      return 1;
    case 'false':
      return 0;
    case 'null':
      return 0;
    case 'none':
      return NONE;
    case 'string_literal':
    case 'concatenated_string':
      return ctx.python ? undefined : FULL;
    case 'string':
      return ctx.python ? pyString(node) : FULL;
    case 'list':
    case 'tuple':
    case 'dictionary':
    case 'set': {
      let items = 0;
      for (let i = 0; i < node.namedChildCount; i++) {
        const c = (node.namedChild(i) as SyntaxNode).type;
        if (c === 'comment') continue;
        if (c.endsWith('splat') || c === 'list_comprehension' || c.endsWith('_comprehension')) return undefined;
        items++;
      }
      return items === 0 ? EMPTY : FULL;
    }
    case 'parenthesized_expression':
      return node.namedChildCount === 1 ? evaluate(node.namedChild(0), ctx, d) : undefined;
    case 'condition_clause':
      return node.namedChildCount === 1 ? evaluate(node.childForFieldName('value'), ctx, d) : undefined;
    case 'comma_expression':
      return evaluate(node.childForFieldName('right'), ctx, d);
    case 'cast_expression':
      return evaluate(node.childForFieldName('value'), ctx, d);
    case 'named_expression':
      return evaluate(node.childForFieldName('value'), ctx, d);
    case 'not_operator': {
      const v = truth(evaluate(node.childForFieldName('argument'), ctx, d));
      return v === undefined ? undefined : v ? 0 : 1;
    }
    case 'unary_expression':
    case 'unary_operator': {
      const op = node.childForFieldName('operator')?.type ?? node.child(0)?.type;
      const v = evaluate(node.childForFieldName('argument'), ctx, d);
      if (op === '!') {
        const b = truth(v);
        return b === undefined ? undefined : b ? 0 : 1;
      }
      if (typeof v !== 'number') return undefined;
      return op === '-' ? -v : op === '+' ? v : op === '~' ? ~v : undefined;
    }
    case 'binary_expression':
    case 'boolean_operator':
    case 'binary_operator': {
      const op = node.childForFieldName('operator')?.type;
      if (op === '&&' || op === 'and' || op === '||' || op === 'or') {
        const and = op === '&&' || op === 'and';
        const lt = truth(evaluate(node.childForFieldName('left'), ctx, d));
        // `0 && x`, `1 || x` whatever x is; `x && 0`, `x || 1` too (as a condition)
        if (lt === !and) return and ? 0 : 1;
        const rt = truth(evaluate(node.childForFieldName('right'), ctx, d));
        if (rt === !and) return and ? 0 : 1;
        if (lt === undefined || rt === undefined) return undefined;
        return rt ? 1 : 0;
      }
      const l = evaluate(node.childForFieldName('left'), ctx, d);
      const r = evaluate(node.childForFieldName('right'), ctx, d);
      return typeof l === 'number' && typeof r === 'number' && op ? arithmetic(op, l, r) : undefined;
    }
    case 'comparison_operator': {
      if (node.namedChildCount !== 2 || node.childCount !== 3) return undefined;
      const l = evaluate(node.namedChild(0), ctx, d);
      const r = evaluate(node.namedChild(1), ctx, d);
      const op = node.child(1)?.type;
      if (!op || l === undefined || r === undefined) return undefined;
      if ((typeof l === 'number' && typeof r === 'number') || (typeof l === 'string' && typeof r === 'string')) return arithmetic(op, l, r);
      return undefined;
    }
    case 'conditional_expression': {
      if (ctx.python) {
        // a if c else b
        const c = truth(evaluate(node.namedChild(1), ctx, d));
        return c === undefined ? undefined : c ? evaluate(node.namedChild(0), ctx, d) : evaluate(node.namedChild(2), ctx, d);
      }
      const c = truth(evaluate(node.childForFieldName('condition'), ctx, d));
      return c === undefined
        ? undefined
        : c
          ? evaluate(node.childForFieldName('consequence'), ctx, d)
          : evaluate(node.childForFieldName('alternative'), ctx, d);
    }
    case 'identifier':
      return constantNamed(node.text, ctx);
    default:
      return undefined;
  }
}

function arithmetic(op: string, l: number | string, r: number | string): number | undefined {
  switch (op) {
    case '==':
      return l === r ? 1 : 0;
    case '!=':
      return l !== r ? 1 : 0;
    case '<':
      return l < r ? 1 : 0;
    case '>':
      return l > r ? 1 : 0;
    case '<=':
      return l <= r ? 1 : 0;
    case '>=':
      return l >= r ? 1 : 0;
  }
  if (typeof l !== 'number' || typeof r !== 'number') return undefined;
  switch (op) {
    case '+':
      return l + r;
    case '-':
      return l - r;
    case '*':
      return l * r;
    case '&':
      return l & r;
    case '|':
      return l | r;
    case '^':
      return l ^ r;
    default:
      return undefined;
  }
}

function cNumber(text: string): number | undefined {
  const t = text.replace(/[uUlL]+$/, '').replace(/'/g, '');
  if (/^0[xX][\da-fA-F]+$/.test(t)) return Number.parseInt(t.slice(2), 16);
  if (/^0[bB][01]+$/.test(t)) return Number.parseInt(t.slice(2), 2);
  if (/^0[0-7]+$/.test(t)) return Number.parseInt(t, 8);
  if (/^\d+$/.test(t)) return Number(t);
  const f = t.replace(/[fFlL]$/, '');
  return /^(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/.test(f) ? Number(f) : undefined;
}

function pyNumber(text: string): number | undefined {
  const t = text.replace(/_/g, '');
  if (/^0[xX][\da-fA-F]+$/.test(t)) return Number.parseInt(t.slice(2), 16);
  if (/^0[oO][0-7]+$/.test(t)) return Number.parseInt(t.slice(2), 8);
  if (/^0[bB][01]+$/.test(t)) return Number.parseInt(t.slice(2), 2);
  return /^(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/.test(t) ? Number(t) : undefined;
}

/** A Python string's text when it has no interpolation (escapes as written). */
function pyString(node: SyntaxNode): string | undefined {
  let out = '';
  for (let i = 0; i < node.namedChildCount; i++) {
    const c = node.namedChild(i) as SyntaxNode;
    if (c.type === 'interpolation') return undefined;
    if (c.type === 'string_content' || c.type === 'escape_sequence') out += c.text;
  }
  return out;
}

/** A macro (C) or module constant (Python) known to hold one constant everywhere, or undefined. */
function constantNamed(name: string, ctx: Ctx): Value | undefined {
  const names = ctx.marks.names;
  if (names.candidates.size === 0) return undefined;
  if (!names.constants) names.constants = checkedConstants(names, ctx.python);
  return names.constants.get(name);
}

/** Python: occurrences of a name that (re)bind it, or may: `x =`, `x +=`, `for x`, `as x`, `def x`, `global x`, `obj.x`, parameters. */
const BINDING_NEXT = new Set(['=', ':=', '+=', '-=', '*=', '/=', '//=', '%=', '**=', '&=', '|=', '^=', '>>=', '<<=', '@=', ',']);
const BINDING_PREV = new Set(['global', 'nonlocal', 'as', 'def', 'class', 'for', 'import', 'del', 'lambda', '.', '*', '**', ',']);

/**
 * The candidates that are constants: C macros defined once and never undefined nor tested by
 * `#ifdef`/`defined`; Python names bound once at the top level to a constant, never rebound
 * anywhere in the file (no other binding occurrence, no parameter of that name, no `globals()`,
 * `setattr`, `exec` or `import *`).
 */
function checkedConstants(names: Names, python: boolean): Map<string, Value> {
  const out = new Map<string, Value>();
  if (python && names.dynamic) return out;
  for (const [name, { value }] of names.candidates) if (!names.killed.has(name)) out.set(name, value);
  if (!python || out.size === 0) return out;
  const { kinds, starts, ends } = names.tokens;
  const text = names.text;
  for (let t = 0; t < kinds.length; t++) {
    const kind = kinds[t] as string;
    if (kind !== 'ID' && !kind.startsWith('name:')) continue;
    const at = starts[t] as number;
    const len = (ends[t] as number) - at;
    for (const name of out.keys()) {
      if (name.length !== len || !text.startsWith(name, at) || names.candidates.get(name)?.at === at) continue;
      const prev = kinds[t - 1] ?? '';
      const next = kinds[t + 1] ?? '';
      // a parameter `def f(x)`, `def f(x: int)`: `(` or `,` before it and `)`, `:` or `=` after it, inside a def's parentheses
      const parameter = prev === '(' && (next === ')' || next === ':' || next === '=') && inDefParameters(kinds, t);
      const annotated = next === ':' && !['if', 'elif', 'while', 'not', 'and', 'or', 'else', 'is', 'in', '(', '['].includes(prev);
      if (BINDING_NEXT.has(next) || BINDING_PREV.has(prev) || parameter || annotated) out.delete(name);
    }
  }
  return out;
}

/** Whether the `(` before token `t` opens a `def`'s or `lambda`'s parameters. */
function inDefParameters(kinds: readonly string[], t: number): boolean {
  return (kinds[t - 2] ?? '').startsWith('name:') && kinds[t - 3] === 'def';
}

/** Whether some position of the ascending `marks` lies in [from, to). */
function anyIn(marks: readonly number[], from: number, to: number): boolean {
  const lo = firstAt(marks, from);
  return lo < marks.length && (marks[lo] as number) < to;
}

/** Index of the first of the ascending `marks` at or after `from`. */
function firstAt(marks: readonly number[], from: number): number {
  let lo = 0;
  let hi = marks.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((marks[mid] as number) < from) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
