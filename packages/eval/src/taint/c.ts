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
 * operators, struct fields (`p->len` takes its own last assignment, else its base's taint),
 * subscripts (the contents of a tainted buffer), `atoi`/`strtol`-family conversions, `strdup`,
 * `strchr`-family, and copies (`strcpy`, `memcpy`, `sprintf` into a buffer carry the source's taint).
 *
 * Sanitisers: a relational comparison of the value against a bound earlier in the function (after
 * the value's last assignment) — `if (n > MAX) return`, `if (n < sizeof buf)`, `assert(n <= cap)`;
 * a comparison with a literal 0 is a sign test, not a bound; a `for` condition bounds only the
 * variables the loop's update clause changes. `n = min(...)`/`MIN`, `n %= k`, `n &= k`, `x % k`,
 * `x & k`, `sizeof`, literals and ALL_CAPS macros are clean.
 *
 * Order is source order inside one function (a cheap stand-in for dominance): the last definition
 * before a use decides, and a check counts when it lies between that definition and the use.
 * Each function is analysed once per tree (cached on the tree object).
 */
import { compileQuery, type Query } from '@srcode/syntax';
import type { SyntaxNode } from '../rules/rule.js';

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
}

interface Check {
  readonly at: number;
}

/** The taint facts of one function. */
export interface FunctionTaint {
  /** The function_definition node. */
  readonly fn: SyntaxNode;
  /** The taint of an expression where it stands, or undefined when no input reaches it unchecked. */
  taintOf(expr: SyntaxNode | null | undefined): Taint | undefined;
  /** Whether `key` (an identifier, a field path such as `p->len`, or `strlen(x)`) is compared with a bound in `[from, to)`. */
  checkedBetween(key: string, from: number, to: number): boolean;
  /** The value last assigned to `key` before `at` (for `p = malloc(...)` lookups). */
  lastValue(key: string, at: number): SyntaxNode | undefined;
  /** Position of the last definition of `key` before `at` (the function start when none). */
  lastDefAt(key: string, at: number): number;
}

const MAX_STEPS = 8;
/** The nodes the analysis visits; relational comparisons only, so arithmetic costs no visit. */
const SCAN_QUERY = [
  '(init_declarator) @n',
  '(declaration) @n',
  '(assignment_expression) @n',
  '(binary_expression operator: ["<" ">" "<=" ">="]) @n',
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

function extend(t: Taint | undefined, node: SyntaxNode, message: string, kind?: TaintKind): Taint | undefined {
  if (!t) return undefined;
  const steps = t.steps.length >= MAX_STEPS ? t.steps : [...t.steps, step(node, message)];
  return { kind: kind ?? t.kind, steps, ...(t.origin ? { origin: t.origin } : {}) };
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

  #def(key: string, d: Def): void {
    const list = this.#defs.get(key);
    if (list) list.push(d);
    else this.#defs.set(key, [d]);
  }

  #check(key: string | undefined, at: number): void {
    if (!key) return;
    const list = this.#checks.get(key);
    if (list) list.push({ at });
    else this.#checks.set(key, [{ at }]);
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

  lastDefAt(key: string, at: number): number {
    return this.#last(key, at, true)?.at ?? this.fn.startIndex;
  }

  checkedBetween(key: string, from: number, to: number): boolean {
    return (this.#checks.get(key) ?? []).some((c) => c.at >= from && c.at < to);
  }

  /** A key's taint at `at`: its last definition's, unless a bound check came after that definition. */
  #keyTaint(key: string, at: number): Taint | undefined {
    const d = this.#last(key, at);
    if (!d) return undefined;
    if (d.lazy) {
      const lazy = d.lazy;
      d.lazy = undefined;
      d.taint = lazy();
    }
    if (!d.taint || this.checkedBetween(key, d.at, at)) return undefined;
    return d.taint;
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
        return this.#keyTaint(n.text, at);
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
        return bt?.origin ? undefined : extend(bt, n, `field ${n.text}`, 'value');
      }
      case 'subscript_expression': {
        const base = n.childForFieldName('argument');
        return base ? this.#eval(base, at, depth + 1) : undefined;
      }
      case 'pointer_expression': {
        const key = keyOf(n);
        if (key && this.#defs.has(key)) return this.#keyTaint(key, at);
        const a = n.childForFieldName('argument');
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
        // `x % n` is below n, `x & k` below k: the bound is the right side
        if (op === '%' || (op === '&' && !rt)) return undefined;
        if (op === '>>' && r?.type === 'number_literal' && Number(r.text) >= 8) return undefined;
        const lt = l ? this.#eval(l, at, depth + 1) : undefined;
        return join(lt, rt);
      }
      case 'conditional_expression': {
        const cond = n.childForFieldName('condition');
        const a = n.childForFieldName('consequence');
        const b = n.childForFieldName('alternative');
        // `n > MAX ? MAX : n` clamps: a branch compared in the condition counts as checked
        const compared = new Set(cond ? relationalKeys(cond) : []);
        const ta = a && !compared.has(keyOf(a) ?? '\0') ? this.#eval(a, at, depth + 1) : undefined;
        const tb = b && !compared.has(keyOf(b) ?? '\0') ? this.#eval(b, at, depth + 1) : undefined;
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
        if (CLAMP.test(name)) return undefined;
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
        return t && extend(t, n, `returned by ${name}()`, 'value');
      }
      default:
        return undefined;
    }
  }

  #visit(node: SyntaxNode): void {
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
          else if (op === '%=' || op === '&=') t = undefined;
          else if (op === '>>=' || op === '/=') t = this.#keyTaint(key, node.startIndex) && rt();
          else t = join(this.#keyTaint(key, node.startIndex), rt());
          return extend(t, node, `assigned to ${key}`);
        };
        this.#def(key, { at: node.endIndex, lazy, ...(op === '=' ? { value: right } : {}) });
        return;
      }
      case 'binary_expression': {
        const op = node.childForFieldName('operator')?.text ?? '';
        if (/^(<|>|<=|>=)$/.test(op)) {
          const l = node.childForFieldName('left');
          const r = node.childForFieldName('right');
          const loop = loopUpdated(node);
          for (const [side, other] of [
            [l, r],
            [r, l],
          ] as const) {
            if (isZero(other)) continue;
            const key = keyOf(side);
            if (!key || (loop && !loop.has(key))) continue;
            this.#check(key, node.startIndex);
          }
          // `SIZE_MAX / size < n`, `n > INT_MAX / k`: an overflow check bounds the identifiers in the quotient's partner
          if (/SIZE_MAX|INT_MAX|UINT_MAX|LONG_MAX|SSIZE_MAX|UINT32_MAX|INT32_MAX|\//.test(node.text))
            for (const id of node.descendantsOfType('identifier')) this.#check(id.text, node.startIndex);
        }
        break;
      }
      case 'call_expression': {
        const fname = node.childForFieldName('function')?.text ?? '';
        const args = node.childForFieldName('arguments')?.namedChildren.filter((c) => c.type !== 'comment') ?? [];
        this.calls.push(node);
        if (/assert/i.test(fname)) break;
        if (OVERFLOW_BUILTIN.test(fname)) {
          for (const a of args) for (const id of a.descendantsOfType('identifier')) this.#check(id.text, node.startIndex);
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
          if (key && t) this.#def(key, { at: node.endIndex, taint: extend(t, node, `copied into ${key} by ${fname}()`) });
          break;
        }
        if (!MODELLED.test(fname) && !PURE_CLEAN.test(fname)) {
          // a call the analysis does not model writes what it derives from its inputs into its out-arguments
          const outs = args.filter((a) => a.type === 'pointer_expression' && a.text.startsWith('&'));
          if (outs.length > 0) {
            let t: Taint | undefined;
            for (const a of args) if (!outs.includes(a)) t = join(t, this.#eval(a, node.startIndex, 0));
            if (t)
              for (const o of outs) {
                const key = targetKey(o);
                if (key) this.#def(key, { at: node.endIndex, taint: extend(t, node, `written by ${fname}()`, 'value') });
              }
          }
        }
        if (/^(v?sn?printf|asprintf)$/.test(fname)) {
          const t = args.slice(1).reduce<Taint | undefined>((acc, a) => join(acc, this.#eval(a, node.startIndex, 0)), undefined);
          const key = targetKey(args[0]);
          if (key && t) this.#def(key, { at: node.endIndex, taint: extend(t, node, `formatted into ${key} by ${fname}()`, 'value') });
        }
        break;
      }
      default:
        return;
    }
  }
}

/** The keys compared relationally inside a condition. */
function relationalKeys(cond: SyntaxNode): string[] {
  const out: string[] = [];
  const visit = (n: SyntaxNode) => {
    if (n.type === 'binary_expression' && /^(<|>|<=|>=)$/.test(n.childForFieldName('operator')?.text ?? '')) {
      for (const s of [n.childForFieldName('left'), n.childForFieldName('right')]) {
        const k = keyOf(s);
        if (k) out.push(k);
      }
    }
    for (const c of n.namedChildren) visit(c);
  };
  visit(cond);
  return out;
}

/** For a comparison in a `for` condition, the keys the loop's update clause changes; undefined elsewhere. */
function loopUpdated(cmp: SyntaxNode): Set<string> | undefined {
  let cur: SyntaxNode | null = cmp;
  while (cur?.parent && cur.parent.type !== 'for_statement') {
    if (cur.type.endsWith('statement')) return undefined;
    cur = cur.parent;
  }
  const loop = cur?.parent;
  if (!loop || !cur || loop.childForFieldName('condition')?.id !== cur.id) return undefined;
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
