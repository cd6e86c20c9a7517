/**
 * Intra-procedural taint tracking for C on the tree-sitter syntax layer.
 *
 * Sources: `argv` (and `envp`), `getenv()`, the buffers and out-arguments filled by `fgets`, `fread`,
 * `read`, `recv`, `recvfrom`, `getline`, `gets` and the `scanf` family (not `getchar`: a character
 * is a byte, which the tables models index with it hold),
 * `strlen` of a tainted buffer (a *length*: it measures a real object, so it does not count as an
 * arbitrary index), and function parameters under the policy below.
 *
 * Parameter policy: a parameter takes the taint of the callers in view. When no caller is in view
 * it is treated as caller-controlled, i.e. tainted: a non-static function in a file without `main`
 * is an entry point of a library or a fragment cut out of one (its callers are elsewhere), and a
 * static function that nothing in the file calls is a fragment too. In a file that defines `main`
 * the program is whole, so a non-main function's parameter is tainted only when some call in the
 * file passes a tainted value in that position (found by re-running the per-function analysis a
 * bounded number of rounds). `argc` is a count the kernel bounds and is not a source.
 *
 * Propagation: assignment and initialisation, compound assignment, arithmetic, casts, unary
 * operators, struct fields (`p->len` takes its own last assignment, else its base's taint; the fields of
 * a parameter's struct are the library's state, except when the struct is the caller's bytes read as one,
 * `h = (struct hdr *)buf` with `buf` a byte pointer),
 * subscripts (the contents of a tainted buffer), `atoi`/`strtol`-family conversions, `strdup`,
 * `strchr`-family, and copies (`strcpy`, `memcpy`, `sprintf` into a buffer carry the source's taint).
 *
 * Sanitisers: a comparison of the value with a bound that holds where the value is used (c-guard.ts):
 * the use sits in the branch where the check holds, or after an `if` whose failing branch always
 * leaves (`return`, `break`, `continue`, `goto`, `exit()`), or after `assert`; or every branch of an
 * earlier `if` ends with such a check. The bound must be the right way round (`n < cap` bounds n,
 * not cap), not the value itself (`n > n`, `m = n; n > m`), and not set by input (a parameter, a
 * constant, a field of the library's state and a real object's length are bounds); a comparison
 * with a literal 0 is a sign test, not a bound; `x == K` pins x; a `for` condition bounds only the
 * variables the loop's update clause changes; a whole type's largest value (`SIZE_MAX`, `INT_MAX`,
 * `(size_t)-1`) bounds nothing. `n = min(n, cap)`, `n %= k`, `n &= k`, `x % k`,
 * `x & k` (k a bound), `sizeof`, literals and ALL_CAPS macros are clean.
 *
 * Definitions: the ones that reach a use are joined, a definition in a branch that the path can go
 * around joining the value before the branch (`if (c) n = 8;` keeps n's earlier taint, a clamp
 * `if (n > MAX) n = MAX;` clears it), one in a branch that always leaves not reaching past it.
 * In a loop body a later definition reaches an earlier use on the next round (`table[idx]; idx += run;`)
 * unless a check earlier in the body holds at the use; a counter the loop condition bounds only by a
 * count read from input (`for (i = 0; i < n; i++)`) takes that count's taint.
 * Each function is analysed once per tree (cached on the tree object).
 */
import { compileQuery, type Query } from '@srcode/syntax';
import type { SyntaxNode } from '../rules/rule.js';
import { branchChain, branchEnd, elseEdge, exitLanding, guardInfo, guardRanges, inRanges, type Range, type SkipRegion } from './c-guard.js';

/** How a tainted value relates to input: an arbitrary value, or the length of a real (tainted) object. */
export type TaintKind = 'value' | 'length';

/** One step of a tainted value's way: a node and what happens there (the shape a rule's flow step takes). */
export interface TaintStep {
  /** Where. */
  readonly node: SyntaxNode;
  /** What happens here, for a reader. */
  readonly message: string;
}

/** A tainted value: what kind, and its steps from the source (first) to the latest propagation (last). */
export interface Taint {
  /** `length` for `strlen` of input and arithmetic on it only; `value` otherwise. */
  readonly kind: TaintKind;
  /** Source first. */
  readonly steps: readonly TaintStep[];
  /** `parameter` when the only source is a parameter under the fragment policy; input otherwise. */
  readonly origin?: 'parameter';
  /** For a loop counter that runs up to an input count (`for (i = 0; i < n; i++)`), the count's key (`n`). */
  readonly bound?: string;
  /** Passed through a call the analysis does not model (its result or out-argument): derived from input, not input itself. */
  readonly derived?: boolean;
}

interface Def {
  /** Where the definition takes effect (end of the assignment or call). */
  readonly at: number;
  /** The value's taint; worked out from `lazy` on first need (most assignments are never asked about). */
  taint?: Taint | undefined;
  lazy?: () => Taint | undefined;
  /** A store into the buffer's contents (`a[i] = v`): the pointer itself keeps its value. */
  readonly store?: boolean;
  /** The assigned value, when there is one (for allocation-size lookups). */
  readonly value?: SyntaxNode;
  /** The statement part that defines (absent for parameters): where it sits decides which paths it is on. */
  readonly node?: SyntaxNode;
  /** The branches around `node`, worked out on first need. */
  chain?: SkipRegion[];
}

/** What a check establishes: an upper bound on the key, only that a product with it does not wrap, or a lower bound (`n >= 0`). */
export type CheckKind = 'bound' | 'product' | 'lower';

interface Check {
  /** Where the comparison stands. */
  readonly at: number;
  /** The comparison (or the overflow-checking call). */
  readonly node: SyntaxNode;
  /** Where it holds in the bounding direction. */
  readonly ranges: readonly Range[];
  readonly kind: CheckKind;
  /** The other side of the comparison (the bound), and the side holding the key; absent when always a valid bound. */
  readonly bound?: SyntaxNode;
  readonly side?: SyntaxNode;
  /** Whether the bound is one input does not set and that is not the key's own source (worked out on first need). */
  ok?: boolean | 'pending';
  /** In a loop condition, on a counter the loop steps up: the counter takes the bound's values. */
  readonly counts?: boolean;
  /** The `if` statements around the comparison, each with the block it sits in (worked out on first need). */
  ifs?: { node: SyntaxNode; start: number; end: number; blockStart: number; blockEnd: number }[];
}

/** The taint facts of one function. */
export interface FunctionTaint {
  /** The function_definition node. */
  readonly fn: SyntaxNode;
  /** The taint of an expression where it stands, or undefined when no input reaches it unchecked. */
  taintOf(expr: SyntaxNode | null | undefined): Taint | undefined;
  /**
   * Whether `key` (an identifier, a field path such as `p->len`, or `strlen(x)`) is compared with a
   * bound in `[from, to)` by a check that holds at `to` (it dominates `to` in the bounding direction).
   * `kind` `product` also accepts overflow checks of a product (`n > SIZE_MAX / size`).
   */
  checkedBetween(key: string, from: number, to: number, kind?: CheckKind): boolean;
  /** The value last assigned to `key` before `at` (for `p = malloc(...)` lookups). */
  lastValue(key: string, at: number): SyntaxNode | undefined;
  /** The taint the last definition of `key` before `at` gave it, whatever checks came after. */
  definitionTaint(key: string, at: number): Taint | undefined;
  /** Position of the last definition of `key` before `at` (the function start when none). */
  lastDefAt(key: string, at: number): number;
  /**
   * The bounds of the checks on `key` made since its last definition before `at`: each bound, whether
   * the comparison is strict (the key stays below it) or not (the key can equal it), and whether it holds
   * at `at` directly (an `if` that leaves, the branch where the check holds).
   */
  boundsAt(key: string, at: number): { bound: SyntaxNode; strict: boolean; holds: boolean }[];
}

const MAX_STEPS = 8;
/** The nodes the analysis visits; relational comparisons only, so arithmetic costs no visit. */
const SCAN_QUERY = [
  '(init_declarator) @n',
  '(declaration) @n',
  '(assignment_expression) @n',
  '(binary_expression operator: ["<" ">" "<=" ">="]) @n',
  // equality bounds only against a constant (`x != 3`, `type == TYPE_A`)
  '(binary_expression operator: ["==" "!="] right: [(number_literal) (char_literal) (sizeof_expression) (identifier)]) @n',
  '(call_expression) @n',
].join(' ');
let scan: Query | undefined;
function scanQuery(): Query {
  scan ??= compileQuery('c', SCAN_QUERY);
  return scan;
}
const CONVERT =
  /^(atoi|atol|atoll|atof|strtol|strtoll|strtoul|strtoull|strtoimax|strtoumax|strtod|strtof|ntohl|ntohs|be16toh|be32toh|be64toh|le16toh|le32toh|le64toh|abs|labs)$/;
const DERIVE = /^(strdup|strndup|strchr|strrchr|strstr|strpbrk|strtok|strtok_r|basename|dirname|realpath)$/;
const LENGTH = /^(strlen|strnlen|wcslen)$/;
const CLAMP = /^(min|MIN|fmin|clamp|CLAMP|imin|umin|min_t)$/;
const SCANF_FMT: Record<string, number> = { scanf: 0, vscanf: 0, fscanf: 1, vfscanf: 1, sscanf: 1, vsscanf: 1 };
/** Calls that fill their buffer argument (index) with input. */
const FILLS: Record<string, number> = {
  fgets: 0,
  fgetws: 0,
  gets: 0,
  fread: 0,
  read: 1,
  pread: 1,
  recv: 1,
  recvfrom: 1,
  recvmsg: 1,
  getline: 0,
  getdelim: 0,
};
const COPIES: Record<string, number> = {
  strcpy: 1,
  strncpy: 1,
  strcat: 1,
  strncat: 1,
  memcpy: 1,
  memmove: 1,
  stpcpy: 1,
  strlcpy: 1,
  strlcat: 1,
};
/** Readers of integers out of byte streams (media and network parsers): their results are input. */
const DECODERS =
  /^(avio_r(8|[lb](16|24|32|64))|bytestream2?_get_\w+|AV_R[LB](8|16|24|32|64)|get_bits(_long|1)?|get_[lb]e(16|32|64)|read_u(8|16|32|64)|readU(8|16|32|64))$/;
/** Calls whose result carries no input: counts of the process, bounds, allocation results, comparisons. */
const PURE_CLEAN =
  /^(sizeof|time|clock|getpid|rand|random|malloc|calloc|realloc|strcmp|strncmp|strcasecmp|memcmp|strcspn|strspn|isalpha|isdigit|isspace|isalnum|isupper|islower|isprint|toupper|tolower|fopen|fclose|open|close|printf|fprintf|snprintf|puts|fputs|fwrite|write|free)$/;
/** Project readers (`ReadFromServer(c, &len, 4)`, `read_block(f, buf, n)`): their out-arguments hold input. */
const READER = /(^|_)(read|recv)|^(Read|Recv)|[a-z](Read|Recv)/;
/** Calls modelled one by one (sources, copies, conversions, checks), left out of the generic out-argument rule. */
const MODELLED =
  /^(v?sn?printf|asprintf|v?f?scanf|v?sscanf|fgets|gets|fread|read|pread|recv|recvfrom|recvmsg|getline|getdelim|str\w*|mem\w*|ato\w+|assert|__assert\w*)$/;
const OVERFLOW_BUILTIN = /^(__builtin_(mul|add|umul|uadd|umull|uaddl|smul|sadd)\w*_overflow|ckd_mul|ckd_add)$/;

/** Normalised text of an lvalue-ish expression: whitespace out, parentheses around the whole dropped. */
export function keyOf(node: SyntaxNode | null | undefined): string | undefined {
  let n = node;
  while (n && n.type === 'parenthesized_expression') n = n.namedChildren[0] ?? null;
  if (!n) return undefined;
  if (n.type === 'identifier') return n.text;
  if (n.type === 'field_expression') {
    const base = keyOf(n.childForFieldName('argument'));
    const field = n.childForFieldName('field')?.text;
    return base && field ? `${base}${n.text.includes('->') ? '->' : '.'}${field}` : undefined;
  }
  if (n.type === 'pointer_expression' && n.text.startsWith('*')) {
    const inner = keyOf(n.childForFieldName('argument'));
    return inner ? `*${inner}` : undefined;
  }
  if (n.type === 'subscript_expression' && n.childForFieldName('index')?.type === 'number_literal') {
    const base = keyOf(n.childForFieldName('argument'));
    return base ? `${base}[${n.childForFieldName('index')?.text}]` : undefined;
  }
  if (n.type === 'call_expression' && LENGTH.test(n.childForFieldName('function')?.text ?? '')) {
    const a = keyOf(n.childForFieldName('arguments')?.namedChildren[0]);
    return a ? `strlen(${a})` : undefined;
  }
  return undefined;
}

/** The variable a write lands in: `buf`, `&x` → `x`, `p->data` → `p->data`, `a[i]` → `a`. */
function targetKey(node: SyntaxNode | null | undefined): string | undefined {
  let n = node;
  while (n && (n.type === 'parenthesized_expression' || n.type === 'cast_expression'))
    n = n.type === 'cast_expression' ? n.childForFieldName('value') : (n.namedChildren[0] ?? null);
  if (!n) return undefined;
  if (n.type === 'pointer_expression' && n.text.startsWith('&')) return targetKey(n.childForFieldName('argument'));
  if (n.type === 'subscript_expression') return targetKey(n.childForFieldName('argument'));
  if (n.type === 'binary_expression') return targetKey(n.childForFieldName('left'));
  return keyOf(n);
}

function step(node: SyntaxNode, message: string): TaintStep {
  return { node, message };
}

function extend(t: Taint | undefined, node: SyntaxNode, message: string, kind?: TaintKind, derived?: boolean): Taint | undefined {
  if (!t) return undefined;
  const steps = t.steps.length >= MAX_STEPS ? t.steps : [...t.steps, step(node, message)];
  return {
    kind: kind ?? t.kind,
    steps,
    ...(t.origin ? { origin: t.origin } : {}),
    ...(t.bound ? { bound: t.bound } : {}),
    ...(t.derived || derived ? { derived: true } : {}),
  };
}

function join(a: Taint | undefined, b: Taint | undefined): Taint | undefined {
  if (!a) return b;
  if (!b) return a;
  // real input first, then arbitrary values before lengths
  const rank = (t: Taint) => (t.origin ? 0 : 2) + (t.kind === 'value' ? 1 : 0);
  return rank(b) > rank(a) ? b : a;
}

function isZero(n: SyntaxNode | null | undefined): boolean {
  return !!n && n.type === 'number_literal' && /^0+[uUlL]*$/.test(n.text);
}

/** The declared name of a (possibly pointer/array) declarator. */
export function declaredName(d: SyntaxNode | null | undefined): SyntaxNode | undefined {
  let n = d;
  while (n && n.type !== 'identifier') {
    const next: SyntaxNode | null = n.childForFieldName('declarator') ?? n.namedChildren.find((c) => c.type !== 'type_qualifier') ?? null;
    if (!next || next.id === n.id) return undefined;
    n = next;
  }
  return n ?? undefined;
}

/** The function_definition's name and parameter names. */
export function functionSignature(fn: SyntaxNode): { name: string; params: SyntaxNode[]; isStatic: boolean } {
  let d = fn.childForFieldName('declarator');
  while (d && d.type !== 'function_declarator') d = d.childForFieldName('declarator');
  const name = d ? (declaredName(d.childForFieldName('declarator'))?.text ?? '') : '';
  const params = (d?.childForFieldName('parameters')?.namedChildren ?? [])
    .filter((p) => p.type === 'parameter_declaration')
    .map((p) => declaredName(p.childForFieldName('declarator')))
    .filter((p): p is SyntaxNode => p !== undefined);
  const isStatic = fn.namedChildren.some((c) => c.type === 'storage_class_specifier' && c.text === 'static');
  return { name, params, isStatic };
}

class FunctionAnalysis implements FunctionTaint {
  readonly fn: SyntaxNode;
  readonly #defs = new Map<string, Def[]>();
  readonly #checks = new Map<string, Check[]>();
  /** Calls to functions of the file, for the call-site pass. */
  readonly calls: SyntaxNode[] = [];
  /** Locals declared as a struct or union (by value): what a call fills through `&s` is its state. */
  readonly #structs = new Set<string>();

  /** Statements outside any function (a snippet): names declared nowhere in view are the missing function's parameters. */
  readonly #fragment: boolean;

  constructor(fn: SyntaxNode, paramTaint: ReadonlyMap<string, Taint>, fragment = false) {
    this.fn = fn;
    this.#fragment = fragment;
    const body = fragment ? fn : fn.childForFieldName('body');
    const start = body?.startIndex ?? fn.startIndex;
    for (const [name, t] of paramTaint) this.#def(name, { at: start, taint: t });
    // one native walk: the nodes come in document order (pre-order), and every definition and check
    // carries its own position, so a later one never leaks into an earlier evaluation
    if (body) for (const c of scanQuery().captures(body)) this.#visit(c.node);
  }

  /** The node being visited: a definition made now sits there. */
  #cur: SyntaxNode | undefined;

  #def(key: string, d: Def): void {
    const def = d.node || !this.#cur ? d : { ...d, node: this.#cur };
    const list = this.#defs.get(key);
    if (list) list.push(def);
    else this.#defs.set(key, [def]);
  }

  #check(key: string | undefined, c: Check): void {
    if (!key || c.ranges.length === 0) return;
    const list = this.#checks.get(key);
    if (list) list.push(c);
    else this.#checks.set(key, [c]);
    // a check on `strlen(x)` also bounds a variable that holds it, and the reverse is handled by defs
  }

  #last(key: string, at: number, skipStores = false): Def | undefined {
    const list = this.#defs.get(key);
    if (!list) return undefined;
    let best: Def | undefined;
    for (const d of list) if (d.at <= at && (!best || d.at >= best.at) && !(skipStores && d.store)) best = d;
    return best;
  }

  lastValue(key: string, at: number): SyntaxNode | undefined {
    return this.#last(key, at, true)?.value;
  }

  definitionTaint(key: string, at: number): Taint | undefined {
    const d = this.#last(key, at);
    if (d?.lazy) {
      const lazy = d.lazy;
      d.lazy = undefined;
      d.taint = lazy();
    }
    return d?.taint;
  }

  lastDefAt(key: string, at: number): number {
    return this.#last(key, at, true)?.at ?? this.fn.startIndex;
  }

  boundsAt(key: string, at: number): { bound: SyntaxNode; strict: boolean; holds: boolean }[] {
    const from = this.lastDefAt(key, at);
    const out: { bound: SyntaxNode; strict: boolean; holds: boolean }[] = [];
    for (const c of this.#checks.get(key) ?? []) {
      if (c.kind !== 'bound' || !c.bound || !c.side || c.at < from || c.at >= at || !this.#boundOk(c)) continue;
      // where the check holds the key is below the bound (`n < B`, `B > n`) or at most it (`n <= B`, `B >= n`)
      const op = c.node.childForFieldName('operator')?.text ?? '';
      // a check is kept in its bounding direction only: `n < B` (or `B > n`) holding and `n >= B` failing
      // leave n below B; `n <= B` holding and `n > B` failing leave it at most B; `n == K` pins it to K
      const holds = inRanges(guardRanges(c.node, true), at);
      const strict = op === '==' || op === '!=' ? false : holds ? op === '<' || op === '>' : op === '<=' || op === '>=';
      out.push({ bound: c.bound, strict, holds: inRanges(c.ranges, at) });
    }
    return out;
  }

  checkedBetween(key: string, from: number, to: number, kind: CheckKind = 'bound'): boolean {
    return this.#checked(key, from, to, kind, 0);
  }

  #checked(key: string, from: number, to: number, kind: CheckKind, depth: number): boolean {
    const list = this.#checks.get(key);
    if (!list) return false;
    for (const c of list)
      if (
        c.at >= from &&
        c.at < to &&
        (c.kind === kind || (c.kind === 'bound' && kind === 'product')) &&
        inRanges(c.ranges, to) &&
        this.#boundOk(c)
      )
        return true;
    if (depth > 4) return false;
    // checked on every way through an `if` before `to`: `if (n > room) { if (n > cap) return -1; reset(); }`
    const tried = new Set<number>();
    for (const c of list) {
      if (c.at < from || c.at >= to) continue;
      c.ifs ??= enclosingIfs(c.node);
      for (const a of c.ifs) {
        if (a.start < from) break;
        // `to` after the if in its block (a block's positions end before the else edge of an if it closes)
        if (a.end > to || tried.has(a.node.id) || a.blockStart > to || to >= a.blockEnd - 0.4) continue;
        tried.add(a.node.id);
        if (this.#everyBranch(a.node, key, from, to, kind, depth)) return true;
      }
    }
    return false;
  }

  /** Whether every branch of `ifStmt` that reaches `to` ends with `key` checked. */
  #everyBranch(ifStmt: SyntaxNode, key: string, from: number, to: number, kind: CheckKind, depth: number): boolean {
    const cons = ifStmt.childForFieldName('consequence');
    const alt = ifStmt.childForFieldName('alternative');
    const ends = (b: SyntaxNode | null, end: number): boolean => {
      const landing = b ? exitLanding(b) : undefined;
      if (b && landing !== undefined && !(landing >= b.endIndex && landing <= to)) return true;
      const nested = b?.type === 'else_clause' ? b.namedChildren[b.namedChildren.length - 1] : undefined;
      if (nested?.type === 'if_statement') return this.#everyBranch(nested, key, from, to, kind, depth + 1);
      return this.#checked(key, from, end, kind, depth + 1);
    };
    return !!cons && ends(cons, branchEnd(cons)) && (alt ? ends(alt, branchEnd(alt)) : ends(null, elseEdge(ifStmt)));
  }

  /**
   * Whether a check's bound is a real one: not set by input (a parameter, the length of a real object
   * and a constant are bounds), not the key's own source (`m = n; if (n > m)`), and for an overflow
   * check a quotient of a constant (`SIZE_MAX / size`).
   */
  #boundOk(c: Check): boolean {
    if (!c.bound) return true;
    if (c.ok !== undefined) return c.ok === true;
    c.ok = 'pending';
    let ok: boolean;
    const b = stripParens(c.bound);
    // `n > SIZE_MAX`, `n >= INT_MAX`, `n > (size_t)-1`: no value of a size fails it, so it bounds nothing
    if (isTypeMaximum(c.bound)) ok = false;
    else if (b.type === 'binary_expression' && b.childForFieldName('operator')?.text === '/' && isConstantExpr(b.childForFieldName('left')))
      ok = true;
    else {
      const bt = this.#eval(c.bound, c.bound.startIndex, 0);
      if (!bt) ok = true;
      else if (!bt.origin && bt.kind === 'value') ok = false;
      else {
        const kt = c.side ? this.#eval(c.side, c.side.startIndex, 0) : undefined;
        ok = !kt || sourceId(kt) !== sourceId(bt);
      }
    }
    c.ok = ok;
    return ok;
  }

  /**
   * What a later definition in the same loop body leaves for the next round: `idx += run;` after
   * `table[idx]` reaches it on the way back, unless a check earlier in the body holds at the use.
   */
  #carried(key: string, at: number): Taint | undefined {
    const list = this.#defs.get(key);
    if (!list) return undefined;
    for (const d of list) {
      if (d.at <= at || !d.node || d.store) continue;
      d.chain ??= branchChain(d.node);
      const body = d.chain.find((r) => r.loop && r.range[0] <= at && at < r.range[1]);
      if (!body) continue;
      if (d.lazy) {
        const lazy = d.lazy;
        d.lazy = undefined;
        d.taint = lazy();
      }
      if (!d.taint || d.taint.origin || this.checkedBetween(key, body.node.startIndex, at)) continue;
      return extend(d.taint, d.node, `${key} carried to the next round of the loop`);
    }
    return undefined;
  }

  /** A loop counter's taint where the loop condition bounds it only by an input count: the count's. */
  #counted(key: string, at: number): Taint | undefined {
    const list = this.#checks.get(key);
    if (!list) return undefined;
    for (const c of list) {
      if (!c.counts || !c.bound || c.at >= at || !inRanges(c.ranges, at) || this.#boundOk(c)) continue;
      const bt = this.#eval(c.bound, c.bound.startIndex, 0);
      // a count the program read itself; one a helper returned with its array (`split(s, &n)`) is that array's
      if (!bt || bt.origin || bt.derived || bt.kind !== 'value') continue;
      const t = extend(bt, c.node, `${key} counts up to ${c.bound.text}`);
      const bound = keyOf(c.bound);
      return t && bound ? { ...t, bound } : t;
    }
    return undefined;
  }

  /**
   * A key's taint at `at`: the join over the definitions that reach it, each unless a check after it
   * holds on the way. `path` lists the points the path considered passes (`at` first, then the places
   * where it goes around a branch that holds a later definition); `limit` leaves out the definitions
   * after it (the ones in a branch gone around).
   */
  #keyTaint(key: string, at: number, path: readonly number[] = [at], limit = at): Taint | undefined {
    const d = this.#last(key, limit);
    if (!d) return undefined;
    if (d.lazy) {
      const lazy = d.lazy;
      d.lazy = undefined;
      d.taint = lazy();
    }
    const point = path[path.length - 1] as number;
    if (d.node && path.length <= 8) d.chain ??= branchChain(d.node);
    // the branches the definition sits in that the path leaves on its way: a check holding at their end holds after
    const left = d.chain ? d.chain.filter((r) => !(r.range[0] <= point && point < r.range[1])) : [];
    const sanitised =
      path.some((p) => this.checkedBetween(key, d.at, p)) || left.some((r) => this.checkedBetween(key, d.at, branchEnd(r.node)));
    const t = d.taint && !sanitised ? d.taint : undefined;
    const region = left[left.length - 1];
    if (!region) return t;
    const { node, landing } = region;
    // a branch that always leaves before `point` does not reach it: the definitions before the branch do
    if (landing !== undefined && !(landing >= node.endIndex && landing <= point)) return this.#keyTaint(key, at, path, node.startIndex);
    return join(t, this.#keyTaint(key, at, [...path, region.skip], node.startIndex));
  }

  /**
   * When a struct pointer was last set to a cast of a byte buffer the caller passed (`(struct h *)buf`,
   * `(struct h *)(data + off)`), that buffer's taint as input: the struct's fields are its bytes.
   */
  #overlay(base: SyntaxNode, at: number): Taint | undefined {
    const key = keyOf(base);
    let v: SyntaxNode | null | undefined = key ? this.lastValue(key, at) : undefined;
    while (v?.type === 'parenthesized_expression') v = v.namedChildren[0];
    if (v?.type !== 'cast_expression' || !/\*\s*$/.test(v.childForFieldName('type')?.text ?? '')) return undefined;
    const inner = v.childForFieldName('value');
    const bytes = inner ? exprKeys(inner)[0] : undefined;
    if (!inner || !bytes || !this.#bytePointer(bytes)) return undefined;
    const t = this.#eval(inner, inner.startIndex, 1);
    if (!t) return undefined;
    return { kind: 'value', steps: t.steps, ...(t.derived ? { derived: true } : {}) };
  }

  /** Whether a parameter or local is declared as a pointer to bytes (`const u8 *buf`, `unsigned char *data`). */
  #bytePointer(name: string): boolean {
    for (const d of this.fn.descendantsOfType(['parameter_declaration', 'declaration'])) {
      const decls = d.type === 'parameter_declaration' ? [d.childForFieldName('declarator')] : d.namedChildren.slice(1);
      for (const x of decls) {
        const ptr = x?.type === 'init_declarator' ? x.childForFieldName('declarator') : x;
        if (ptr?.type !== 'pointer_declarator' || declaredName(ptr)?.text !== name) continue;
        return /^(const\s+)?(unsigned\s+char|signed\s+char|char|u?int8_t|ut8|u8|uchar|guchar|guint8|gchar|BYTE)$/.test(
          (d.childForFieldName('type')?.text ?? '').trim(),
        );
      }
    }
    return false;
  }

  taintOf(expr: SyntaxNode | null | undefined): Taint | undefined {
    if (!expr) return undefined;
    return this.#eval(expr, expr.startIndex, 0);
  }

  #eval(n: SyntaxNode, at: number, depth: number): Taint | undefined {
    if (depth > 12) return undefined;
    switch (n.type) {
      case 'identifier': {
        if (n.text === 'argv' || n.text === 'envp') {
          const own = this.#last(n.text, at);
          return own ? this.#keyTaint(n.text, at) : { kind: 'value', steps: [step(n, `${n.text} read (command-line input)`)] };
        }
        if (this.#fragment && !this.#last(n.text, at) && !/^[A-Z][A-Z0-9_]*$/.test(n.text))
          return this.checkedBetween(n.text, this.fn.startIndex, at)
            ? undefined
            : { kind: 'value', origin: 'parameter', steps: [step(n, `${n.text}, declared outside the snippet (caller-controlled)`)] };
        return join(join(this.#keyTaint(n.text, at), this.#counted(n.text, at)), this.#carried(n.text, at));
      }
      case 'field_expression': {
        const key = keyOf(n);
        if (key && this.#defs.has(key)) return this.#keyTaint(key, at);
        const base = n.childForFieldName('argument');
        if (key && this.checkedBetween(key, this.lastDefAt(keyOf(base) ?? '', at), at)) return undefined;
        // command arguments kept in a struct (`c->argv`) are input wherever they live
        if (n.childForFieldName('field')?.text === 'argv') return { kind: 'value', steps: [step(n, `${n.text} read (command arguments)`)] };
        // a field of a parameter's struct is the library's own state, not caller input
        const bt = base ? this.#eval(base, at, depth + 1) : undefined;
        if (bt?.origin) {
          // unless the struct is the caller's bytes read as one (`hdr = (struct hdr *)buf;`): its fields are data
          const overlay = base ? this.#overlay(base, at) : undefined;
          return overlay ? extend(overlay, n, `field ${n.text} of bytes the caller passed`, 'value') : undefined;
        }
        return extend(bt, n, `field ${n.text}`, 'value');
      }
      case 'subscript_expression': {
        const base = n.childForFieldName('argument');
        return base ? this.#eval(base, at, depth + 1) : undefined;
      }
      case 'pointer_expression': {
        const key = keyOf(n);
        if (key && this.#defs.has(key)) return this.#keyTaint(key, at);
        const a = n.childForFieldName('argument');
        // `if (*w > 16384) return NULL;` bounds what w points to until w changes
        if (key && this.checkedBetween(key, this.lastDefAt(keyOf(a) ?? '', at), at)) return undefined;
        const at2 = a ? this.#eval(a, at, depth + 1) : undefined;
        // `*count` of a pointer parameter: the caller's variable, state rather than input
        return n.text.startsWith('*') && at2?.origin ? undefined : at2;
      }
      case 'parenthesized_expression':
      case 'comma_expression': {
        const kids = n.namedChildren;
        const last = kids[kids.length - 1];
        return last ? this.#eval(last, at, depth + 1) : undefined;
      }
      case 'cast_expression': {
        // a cast to a byte type bounds the value to 0..255 (or -128..127)
        if (/^(unsigned char|u?int8_t|uchar|u8|BYTE)$/.test(n.childForFieldName('type')?.text.trim() ?? '')) return undefined;
        const v = n.childForFieldName('value');
        return v ? this.#eval(v, at, depth + 1) : undefined;
      }
      case 'unary_expression': {
        if (n.text.startsWith('!')) return undefined;
        const a = n.childForFieldName('argument');
        return a ? this.#eval(a, at, depth + 1) : undefined;
      }
      case 'update_expression': {
        const a = n.childForFieldName('argument');
        return a ? this.#eval(a, at, depth + 1) : undefined;
      }
      case 'binary_expression': {
        const op = n.childForFieldName('operator')?.text ?? '';
        if (/^(<|>|<=|>=|==|!=|&&|\|\|)$/.test(op)) return undefined;
        const l = n.childForFieldName('left');
        const r = n.childForFieldName('right');
        const rt = r ? this.#eval(r, at, depth + 1) : undefined;
        // `x % n` is below n, `x & k` below k: the bound is the right side, when input does not set it
        if ((op === '%' || op === '&') && isBoundTaint(rt)) return undefined;
        if (op === '>>' && r?.type === 'number_literal' && Number(r.text) >= 8) return undefined;
        const lt = l ? this.#eval(l, at, depth + 1) : undefined;
        return join(lt, rt);
      }
      case 'conditional_expression': {
        const a = n.childForFieldName('consequence');
        const b = n.childForFieldName('alternative');
        // each arm where it stands: `n > MAX ? MAX : n` clamps, the check holding in the arm it picks
        const ta = a ? this.#eval(a, Math.max(at, a.startIndex), depth + 1) : undefined;
        const tb = b ? this.#eval(b, Math.max(at, b.startIndex), depth + 1) : undefined;
        return join(ta, tb);
      }
      case 'assignment_expression': {
        const r = n.childForFieldName('right');
        return r ? this.#eval(r, at, depth + 1) : undefined;
      }
      case 'call_expression': {
        const name = n.childForFieldName('function')?.text ?? '';
        const args = n.childForFieldName('arguments')?.namedChildren.filter((c) => c.type !== 'comment') ?? [];
        if (name === 'getenv' || name === 'secure_getenv')
          return { kind: 'value', steps: [step(n, `${name}() result (environment input)`)] };
        // `MIN(n, cap)` is below whichever argument is a bound
        if (CLAMP.test(name)) {
          let t: Taint | undefined;
          for (const a of args) {
            const ta = this.#eval(a, at, depth + 1);
            if (isBoundTaint(ta)) return undefined;
            t = join(t, ta);
          }
          return t;
        }
        const a0 = args[0];
        if (LENGTH.test(name) && a0) {
          const key = keyOf(n);
          if (key && this.checkedBetween(key, this.lastDefAt(keyOf(a0) ?? '', at), at)) return undefined;
          return extend(this.#eval(a0, at, depth + 1), n, `length taken by ${name}()`, 'length');
        }
        if ((CONVERT.test(name) || DERIVE.test(name)) && a0)
          return extend(this.#eval(a0, at, depth + 1), n, `converted by ${name}()`, CONVERT.test(name) ? 'value' : undefined);
        if (DECODERS.test(name)) return { kind: 'value', steps: [step(n, `${name}() decodes a value from input`)] };
        if (PURE_CLEAN.test(name)) return undefined;
        // a call the analysis does not model returns something derived from its arguments
        let t: Taint | undefined;
        for (const a of args) if (!(a.type === 'pointer_expression' && a.text.startsWith('&'))) t = join(t, this.#eval(a, at, depth + 1));
        return t && extend(t, n, `returned by ${name}()`, 'value', true);
      }
      default:
        return undefined;
    }
  }

  #visit(node: SyntaxNode): void {
    this.#cur = node;
    switch (node.type) {
      case 'init_declarator': {
        const name = declaredName(node.childForFieldName('declarator'));
        const value = node.childForFieldName('value');
        if (name) {
          const lazy = value ? () => extend(this.#eval(value, value.startIndex, 0), node, `assigned to ${name.text}`) : undefined;
          this.#def(name.text, { at: node.endIndex, ...(lazy ? { lazy } : {}), value: value ?? undefined });
        }
        return;
      }
      case 'declaration': {
        const type = node.childForFieldName('type');
        const aggregate =
          type?.type === 'struct_specifier' ||
          type?.type === 'union_specifier' ||
          (type?.type === 'type_identifier' &&
            !/^(u?int\w*|size_t|ssize_t|off_t|time_t|pid_t|uid_t|gid_t|mode_t|ptrdiff_t|intptr_t|uintptr_t|socklen_t|wchar_t|[A-Z]+)$/.test(
              type.text,
            ));
        if (aggregate)
          for (const c of node.namedChildren) {
            const d = c.type === 'init_declarator' ? c.childForFieldName('declarator') : c;
            if (d?.type === 'identifier') this.#structs.add(d.text);
          }
        for (const c of node.namedChildren) {
          if (c.type !== 'init_declarator') {
            const name = c.type === 'identifier' || c.type.endsWith('declarator') ? declaredName(c) : undefined;
            if (name) this.#def(name.text, { at: node.endIndex, taint: undefined });
          }
        }
        return;
      }
      case 'assignment_expression': {
        const left = node.childForFieldName('left');
        const right = node.childForFieldName('right');
        const op = node.childForFieldName('operator')?.text ?? '=';
        if (!left || !right) return;
        const rt = () => this.#eval(right, right.startIndex, 0);
        if (left.type === 'subscript_expression' || (left.type === 'pointer_expression' && !keyOf(left))) {
          // a tainted value stored into a buffer taints its contents; a clean one leaves them as they were
          const key = targetKey(left);
          if (key)
            this.#def(key, {
              at: node.endIndex,
              store: true,
              lazy: () => extend(rt(), node, `stored into ${key}`) ?? this.#keyTaint(key, node.startIndex),
            });
          return;
        }
        const key = keyOf(left);
        if (!key) return;
        const lazy = (): Taint | undefined => {
          let t: Taint | undefined;
          if (op === '=') t = rt();
          else if ((op === '%=' || op === '&=') && isBoundTaint(rt())) t = undefined;
          // `x >>= 8` drops the bits input set; a smaller shift or a division keeps an input value input
          else if (op === '>>=' || op === '/=')
            t =
              op === '>>=' && right.type === 'number_literal' && Number(right.text) >= 8 ? undefined : this.#keyTaint(key, node.startIndex);
          else t = join(this.#keyTaint(key, node.startIndex), rt());
          return extend(t, node, `assigned to ${key}`);
        };
        this.#def(key, { at: node.endIndex, lazy, ...(op === '=' ? { value: right } : {}) });
        return;
      }
      case 'binary_expression': {
        const op = node.childForFieldName('operator')?.text ?? '';
        if (/^(<|>|<=|>=|==|!=)$/.test(op)) {
          const l = node.childForFieldName('left');
          const r = node.childForFieldName('right');
          if (!l || !r || l.type === 'null' || r.type === 'null') break;
          // `a < b` bounds a where it holds and b where it fails; `a > b` the reverse; `a == K` pins a where it holds
          const eq = op === '==' || op === '!=';
          const less = op === '<' || op === '<=';
          for (const [side, other, when] of [
            [l, r, eq ? op === '==' : less],
            [r, l, eq ? op === '==' : !less],
          ] as const) {
            // a relational comparison bounds the key from below where it fails to bound it from above (`n < 0` failing, `n >= 0`)
            if (!eq && side.type === 'identifier' && !isIdentical(side, other)) {
              const lower = guardRanges(node, !when);
              if (lower.length > 0) this.#check(side.text, { at: node.startIndex, node, ranges: lower, kind: 'lower' });
            }
            // a comparison with 0 is a sign test, not a bound; equality bounds only when with a constant
            if (eq ? !isConstantExpr(other) : isZero(other)) continue;
            const { bound, product } = boundedKeys(side);
            if (bound.length === 0 && product.length === 0) continue;
            // `x != A && x != B`: false only when x is one of the constants, as one comparison
            const info = guardInfo(eq ? equalityChain(node, op) : node, when);
            const ranges = info.ranges;
            if (ranges.length === 0) continue;
            const loop = info.loop?.type === 'for_statement' ? loopUpdated(info.loop) : undefined;
            const stepped = info.loop && !eq ? steppedUp(info.loop) : undefined;
            const otherKeys = new Set(exprKeys(other));
            const add = (key: string, kind: CheckKind, b?: SyntaxNode) => {
              // `n > n`, `n + 1 > n`: a comparison with itself bounds nothing; a `for` condition bounds what the loop steps
              if (otherKeys.has(key) || (loop && !loop.has(key))) return;
              const counts = kind === 'bound' && stepped?.has(key);
              this.#check(key, {
                at: node.startIndex,
                node,
                ranges,
                kind,
                ...(b ? { bound: b, side } : {}),
                ...(counts ? { counts } : {}),
              });
            };
            for (const key of bound) add(key, 'bound', other);
            for (const key of product) add(key, 'product', other);
            // `n > SIZE_MAX / size`: the product n * size cannot wrap, so size is checked for it too
            const q = stripParens(other);
            if (bound.length > 0 && q.type === 'binary_expression' && q.childForFieldName('operator')?.text === '/') {
              const den = q.childForFieldName('right');
              for (const key of den ? exprKeys(den) : [])
                if (!bound.includes(key)) this.#check(key, { at: node.startIndex, node, ranges, kind: 'product' });
            }
          }
        }
        break;
      }
      case 'call_expression': {
        const fname = node.childForFieldName('function')?.text ?? '';
        const args = node.childForFieldName('arguments')?.namedChildren.filter((c) => c.type !== 'comment') ?? [];
        this.calls.push(node);
        if (/assert/i.test(fname)) break;
        if (OVERFLOW_BUILTIN.test(fname)) {
          // true on overflow: the operands are safe where it is false (or, its result kept, from here on)
          const guarded = guardRanges(node, false);
          const ranges: readonly Range[] = guarded.length > 0 ? guarded : [[node.endIndex, this.fn.endIndex]];
          for (const a of args.slice(0, -1))
            for (const key of exprKeys(a)) this.#check(key, { at: node.startIndex, node, ranges, kind: 'product' });
          const out = targetKey(args[args.length - 1]);
          if (out) this.#def(out, { at: node.endIndex, taint: undefined });
          break;
        }
        const fill = FILLS[fname];
        if (fill !== undefined) {
          const key = targetKey(args[fill]);
          if (key)
            this.#def(key, { at: node.endIndex, taint: { kind: 'value', steps: [step(node, `${fname}() fills ${key} with input`)] } });
          break;
        }
        if (READER.test(fname) && !(fname in COPIES)) {
          const t: Taint = { kind: 'value', steps: [step(node, `${fname}() reads input`)] };
          args.forEach((a, i) => {
            const addr =
              a.type === 'pointer_expression' || (a.type === 'cast_expression' && a.childForFieldName('value')?.text.startsWith('&'));
            const key = i > 0 && (addr || (a.type === 'identifier' && i < args.length - 1)) ? targetKey(a) : undefined;
            if (key) this.#def(key, { at: node.endIndex, taint: t });
          });
          break;
        }
        const fmt = SCANF_FMT[fname];
        if (fmt !== undefined) {
          const srcTaint = fname.includes('sscanf') && args[0] ? this.#eval(args[0], node.startIndex, 0) : undefined;
          const t: Taint | undefined = fname.includes('sscanf')
            ? extend(srcTaint, node, `parsed by ${fname}()`, 'value')
            : { kind: 'value', steps: [step(node, `${fname}() reads input`)] };
          for (const a of args.slice(fmt + 1)) {
            const key = targetKey(a);
            if (key) this.#def(key, { at: node.endIndex, taint: t });
          }
          break;
        }
        const copy = COPIES[fname];
        if (copy !== undefined && args[copy]) {
          const t = this.#eval(args[copy], node.startIndex, 0);
          const key = targetKey(args[0]);
          // the block's contents change, not the pointer: a store, so the pointer's value (its allocation) stays in view
          if (key && t) this.#def(key, { at: node.endIndex, store: true, taint: extend(t, node, `copied into ${key} by ${fname}()`) });
          break;
        }
        if (!MODELLED.test(fname) && !PURE_CLEAN.test(fname)) {
          // a call the analysis does not model writes what it derives from its inputs into its out-arguments
          // (a struct it fills, `init(&s, n)`, holds the callee's state rather than the input itself)
          const outs = args.filter(
            (a) => a.type === 'pointer_expression' && a.text.startsWith('&') && !this.#structs.has(targetKey(a) ?? ''),
          );
          if (outs.length > 0) {
            let t: Taint | undefined;
            for (const a of args) if (!outs.includes(a)) t = join(t, this.#eval(a, node.startIndex, 0));
            if (t)
              for (const o of outs) {
                const key = targetKey(o);
                if (key) this.#def(key, { at: node.endIndex, taint: extend(t, node, `written by ${fname}()`, 'value', true) });
              }
          }
        }
        if (/^(v?sn?printf|asprintf)$/.test(fname)) {
          const t = args.slice(1).reduce<Taint | undefined>((acc, a) => join(acc, this.#eval(a, node.startIndex, 0)), undefined);
          const key = targetKey(args[0]);
          if (key && t)
            this.#def(key, { at: node.endIndex, store: true, taint: extend(t, node, `formatted into ${key} by ${fname}()`, 'value') });
        }
        break;
      }
      default:
        return;
    }
  }
}

/** Whether two expressions are the same text (a comparison of a value with itself). */
function isIdentical(a: SyntaxNode, b: SyntaxNode): boolean {
  return a.text.replace(/\s+/g, '') === b.text.replace(/\s+/g, '');
}

/** The `if` statements around a node (innermost first) up to its function, each with the block it sits in. */
function enclosingIfs(node: SyntaxNode): { node: SyntaxNode; start: number; end: number; blockStart: number; blockEnd: number }[] {
  const out: { node: SyntaxNode; start: number; end: number; blockStart: number; blockEnd: number }[] = [];
  for (let a = node.parent; a && a.type !== 'function_definition'; a = a.parent) {
    if (a.type !== 'if_statement') continue;
    let s: SyntaxNode = a;
    while (s.parent?.type === 'labeled_statement') s = s.parent;
    const block = s.parent;
    if (block) out.push({ node: a, start: a.startIndex, end: a.endIndex, blockStart: block.startIndex, blockEnd: block.endIndex });
  }
  return out;
}

/** Whether a value with this taint can serve as a bound: untainted, a parameter's (the caller's capacity), or a real object's length. */
function isBoundTaint(t: Taint | undefined): boolean {
  return !t || t.origin === 'parameter' || t.kind === 'length';
}

/** The expression inside parentheses and casts. */
function stripParens(n: SyntaxNode): SyntaxNode {
  let v = n;
  for (;;) {
    const next =
      v.type === 'parenthesized_expression' ? v.namedChildren[0] : v.type === 'cast_expression' ? v.childForFieldName('value') : null;
    if (!next) return v;
    v = next;
  }
}

/** A compile-time value: literals, ALL_CAPS macros, `sizeof`, and their arithmetic. */
function isConstantExpr(n: SyntaxNode | null | undefined): boolean {
  if (!n) return false;
  const v = stripParens(n);
  switch (v.type) {
    case 'number_literal':
    case 'char_literal':
    case 'sizeof_expression':
      return true;
    case 'identifier':
      return /^[A-Z][A-Z0-9_]*$/.test(v.text);
    case 'binary_expression':
      return isConstantExpr(v.childForFieldName('left')) && isConstantExpr(v.childForFieldName('right'));
    case 'unary_expression':
      return isConstantExpr(v.childForFieldName('argument'));
    default:
      return false;
  }
}

/** The largest values of the integer types of 32 bits and more, by their macros. */
const TYPE_MAX =
  /^(SIZE_MAX|SSIZE_MAX|RSIZE_MAX|PTRDIFF_MAX|INTMAX_MAX|UINTMAX_MAX|U?INT_MAX|U?LONG_MAX|U?LLONG_MAX|U?INT(32|64)_MAX|G_MAXU?(INT|LONG|SIZE|SSIZE|INT32|INT64)|OFF_T_MAX)$/;

/**
 * Whether a bound is a whole type's largest value (`SIZE_MAX`, `INT_MAX`, `(size_t)-1`, `~0`, a literal
 * of 2^31 - 1 or more): a value compared with it is not bounded by the comparison.
 */
function isTypeMaximum(n: SyntaxNode): boolean {
  const v = stripParens(n);
  if (v.type === 'identifier') return TYPE_MAX.test(v.text);
  if (v.type === 'number_literal') {
    // `(size_t)-1` is all ones
    const t = v.text.replace(/[uUlL]+$/, '');
    if (t === '-1') return true;
    const num = /^0[xX]/.test(t) ? Number.parseInt(t, 16) : Number(t);
    return Number.isFinite(num) && num >= 2 ** 31 - 1;
  }
  if (v.type === 'unary_expression') {
    const arg = v.childForFieldName('argument');
    const op = v.text.trimStart()[0];
    return (
      (op === '-' || op === '~') && !!arg && stripParens(arg).type === 'number_literal' && /^(0|1)[uUlL]*$/.test(stripParens(arg).text)
    );
  }
  return false;
}

/** Which source a taint comes from: a parameter by its name, input by the node that reads it. */
function sourceId(t: Taint): string {
  const first = t.steps[0]?.node;
  if (!first) return '';
  return t.origin ? `p:${first.text}` : `n:${first.startIndex}:${first.endIndex}`;
}

/** The keys (identifiers, field paths, `strlen(x)`) an expression reads, outside `sizeof`. */
function exprKeys(n: SyntaxNode): string[] {
  const out: string[] = [];
  const visit = (x: SyntaxNode) => {
    if (x.type === 'sizeof_expression') return;
    const k = keyOf(x);
    if (k && (x.type === 'identifier' || x.type === 'field_expression' || x.type === 'call_expression')) {
      out.push(k);
      if (x.type !== 'field_expression') return;
    }
    for (const c of x.namedChildren) visit(c);
  };
  visit(n);
  return out;
}

/**
 * The keys one side of a comparison bounds from above when the side is bounded: the key itself,
 * the terms of a sum (`off + len > size` bounds both, sizes being non-negative), a key scaled by a
 * constant; a product of two run-time values bounds neither, but cannot wrap (`product`).
 */
function boundedKeys(side: SyntaxNode): { bound: string[]; product: string[] } {
  const k = keyOf(side);
  if (k) return { bound: [k], product: [] };
  const v = stripParens(side);
  if (v !== side) return boundedKeys(v);
  if (v.type !== 'binary_expression') return { bound: [], product: [] };
  const op = v.childForFieldName('operator')?.text;
  const l = v.childForFieldName('left');
  const r = v.childForFieldName('right');
  if (!l || !r) return { bound: [], product: [] };
  const merge = (a: ReturnType<typeof boundedKeys>, b: ReturnType<typeof boundedKeys>) => ({
    bound: [...a.bound, ...b.bound],
    product: [...a.product, ...b.product],
  });
  switch (op) {
    case '+':
      return merge(
        isConstantExpr(l) ? { bound: [], product: [] } : boundedKeys(l),
        isConstantExpr(r) ? { bound: [], product: [] } : boundedKeys(r),
      );
    case '-':
    case '<<':
    case '/':
      return isConstantExpr(r) ? boundedKeys(l) : { bound: [], product: [] };
    case '*': {
      if (isConstantExpr(r)) return boundedKeys(l);
      if (isConstantExpr(l)) return boundedKeys(r);
      return { bound: [], product: [...exprKeys(l), ...exprKeys(r)] };
    }
    default:
      return { bound: [], product: [] };
  }
}

/**
 * The top of a chain `x != A && x != B ...` (or `x == A || x == B ...`) that `cmp` is part of, all
 * comparing the same expression with constants: it has one value when each part has that value.
 */
function equalityChain(cmp: SyntaxNode, op: string): SyntaxNode {
  const join = op === '!=' ? '&&' : '||';
  const subject = (c: SyntaxNode): string | undefined => {
    const l = c.childForFieldName('left');
    const r = c.childForFieldName('right');
    if (c.childForFieldName('operator')?.text !== op || !l || !r) return undefined;
    return isConstantExpr(r) ? l.text : isConstantExpr(l) ? r.text : undefined;
  };
  const want = subject(cmp);
  const same = (n: SyntaxNode): boolean => {
    const v = stripParens(n);
    if (v.type !== 'binary_expression') return false;
    if (v.childForFieldName('operator')?.text === join) {
      const l = v.childForFieldName('left');
      const r = v.childForFieldName('right');
      return !!l && !!r && same(l) && same(r);
    }
    return subject(v) === want;
  };
  let top = cmp;
  for (let p = cmp.parent; p && want !== undefined; p = p.parent) {
    if (p.type === 'parenthesized_expression') continue;
    if (p.type !== 'binary_expression' || p.childForFieldName('operator')?.text !== join || !same(p)) break;
    top = p;
  }
  return top;
}

const STEPPED = new WeakMap<object, Map<number, Set<string>>>();

/** The keys a loop steps up (`i++`, `++i`, `i += k`) in its update clause or body (worked out once per loop). */
function steppedUp(loop: SyntaxNode): Set<string> {
  const tree = loop.tree as object;
  let memo = STEPPED.get(tree);
  if (!memo) {
    memo = new Map();
    STEPPED.set(tree, memo);
  }
  const known = memo.get(loop.id);
  if (known) return known;
  const keys = new Set<string>();
  memo.set(loop.id, keys);
  for (const u of loop.descendantsOfType(['update_expression', 'assignment_expression'])) {
    if (u.type === 'update_expression' && u.text.includes('++')) {
      const k = keyOf(u.childForFieldName('argument'));
      if (k) keys.add(k);
    } else if (u.type === 'assignment_expression' && u.childForFieldName('operator')?.text === '+=') {
      const k = keyOf(u.childForFieldName('left'));
      if (k) keys.add(k);
    }
  }
  return keys;
}

/** The keys a `for` loop's update clause changes. */
function loopUpdated(loop: SyntaxNode): Set<string> {
  const keys = new Set<string>();
  const update = loop.childForFieldName('update');
  if (update) {
    for (const u of [update, ...update.descendantsOfType(['update_expression', 'assignment_expression'])]) {
      const t =
        u.type === 'update_expression'
          ? u.childForFieldName('argument')
          : u.type === 'assignment_expression'
            ? u.childForFieldName('left')
            : null;
      const k = keyOf(t);
      if (k) keys.add(k);
    }
  }
  return keys;
}

/** A file's functions, their parameter policy, and the analyses made so far (each function's once). */
class FileTaint {
  readonly #fns: SyntaxNode[];
  readonly #sigs: ReturnType<typeof functionSignature>[];
  readonly #byName = new Map<string, number>();
  readonly #byStart = new Map<number, number>();
  readonly #fromCallers: boolean[];
  readonly #params: Map<string, Taint>[];
  readonly #done: (FunctionAnalysis | undefined)[];
  #propagated = false;

  constructor(root: SyntaxNode) {
    this.#fns = root.descendantsOfType('function_definition');
    this.#sigs = this.#fns.map((fn) => functionSignature(fn));
    this.#sigs.forEach((s, i) => {
      this.#byName.set(s.name, i);
    });
    this.#fns.forEach((fn, i) => {
      this.#byStart.set(fn.startIndex, i);
    });
    const hasMain = this.#byName.has('main');
    const code = root.text;
    // called in the file: the name followed by `(` more often than at its own definition
    const called = (name: string) => /^\w+$/.test(name) && (code.match(new RegExp(`\\b${name}\\s*\\(`, 'g'))?.length ?? 0) > 1;
    this.#fromCallers = this.#sigs.map((s) => s.name !== 'main' && (s.isStatic ? called(s.name) : hasMain));
    this.#params = this.#sigs.map((s, i) => {
      const m = new Map<string, Taint>();
      if (s.name === 'main' || this.#fromCallers[i]) return m;
      for (const p of s.params)
        m.set(p.text, { kind: 'value', origin: 'parameter', steps: [step(p, `parameter ${p.text} of ${s.name}() (caller-controlled)`)] });
      return m;
    });
    this.#done = this.#fns.map(() => undefined);
  }

  #analysis(i: number): FunctionAnalysis {
    let a = this.#done[i];
    if (!a) {
      a = new FunctionAnalysis(this.#fns[i] as SyntaxNode, this.#params[i] as Map<string, Taint>);
      this.#done[i] = a;
    }
    return a;
  }

  /** Parameters decided by the callers in view: taint passed at call sites, a few rounds (only the changed functions re-run). */
  #propagate(): void {
    this.#propagated = true;
    for (let round = 0; round < 3; round++) {
      const changed = new Set<number>();
      this.#fns.forEach((_, i) => {
        const a = this.#analysis(i);
        for (const c of a.calls) {
          const j = this.#byName.get(c.childForFieldName('function')?.text ?? '');
          if (j === undefined || !this.#fromCallers[j]) continue;
          const sig = this.#sigs[j];
          const args = c.childForFieldName('arguments')?.namedChildren.filter((x) => x.type !== 'comment') ?? [];
          const pm = this.#params[j] as Map<string, Taint>;
          sig?.params.forEach((p, k) => {
            if (pm.has(p.text) || !args[k]) return;
            const t = a.taintOf(args[k]);
            if (t) {
              pm.set(p.text, extend(t, p, `passed to ${sig.name}() as ${p.text}`) as Taint);
              changed.add(j);
            }
          });
        }
      });
      if (changed.size === 0) return;
      for (const j of changed) this.#done[j] = undefined;
    }
  }

  #root: FunctionAnalysis | undefined;

  /** The analysis of the statements outside functions (a snippet when the file defines no function). */
  root(root: SyntaxNode): FunctionAnalysis {
    this.#root ??= new FunctionAnalysis(root, new Map(), this.#fns.length === 0);
    return this.#root;
  }

  #ranges: { start: number; end: number }[] | undefined;

  /**
   * The innermost function_definition holding `node` (itself included), by the functions' ranges (in
   * document order, so the last holding one is the innermost); null when none does. The same as
   * climbing `.parent`, which it falls back to where ranges cannot tell (an empty node, or a node with
   * a function's exact range that is not that function).
   */
  enclosing(node: SyntaxNode): SyntaxNode | null {
    const start = node.startIndex;
    const end = node.endIndex;
    this.#ranges ??= this.#fns.map((fn) => ({ start: fn.startIndex, end: fn.endIndex }));
    let found = -1;
    if (start < end) {
      for (let i = 0; i < this.#ranges.length; i++) {
        const r = this.#ranges[i] as { start: number; end: number };
        if (r.start > start) break;
        if (end <= r.end) found = i;
      }
    }
    const fn = found >= 0 ? (this.#fns[found] as SyntaxNode) : null;
    const exact = fn !== null && this.#ranges[found]?.start === start && this.#ranges[found]?.end === end && fn.id !== node.id;
    if (start < end && !exact) return fn;
    let up: SyntaxNode | null = node;
    while (up && up.type !== 'function_definition') up = up.parent;
    return up;
  }

  get(fn: SyntaxNode): FunctionAnalysis | undefined {
    const i = this.#byStart.get(fn.startIndex);
    if (i === undefined) return undefined;
    if (this.#fromCallers[i] && !this.#propagated) this.#propagate();
    return this.#analysis(i);
  }
}

const FILES = new WeakMap<object, FileTaint>();

/** The taint facts of the function enclosing `node` (computed once per tree); outside functions, of the file's top level. */
export function functionTaint(node: SyntaxNode): FunctionTaint | undefined {
  const tree = node.tree as object;
  let file = FILES.get(tree);
  if (!file) {
    file = new FileTaint(node.tree.rootNode);
    FILES.set(tree, file);
  }
  const fn = file.enclosing(node);
  return fn ? file.get(fn) : file.root(node.tree.rootNode);
}

/** The taint of an expression where it stands in its function. */
export function taintAt(expr: SyntaxNode | null | undefined): Taint | undefined {
  return expr ? functionTaint(expr)?.taintOf(expr) : undefined;
}

/** The flow of a finding at `node` that `taint` reaches: the taint's steps (source first), then the sink. */
export function flowSteps(node: SyntaxNode, taint: Taint, sink: string): TaintStep[] {
  return [...taint.steps, step(node, sink)];
}
