/**
 * Buffer sizes, copy bounds and pointer lifetimes for the C memory-safety rules: what a predicate
 * needs beyond taint to tell `strcpy(copy, s)` into `malloc(strlen(s) + 1)` from an overflow.
 */
import { parse } from '@srcode/syntax';
import type { RuleMatch, SyntaxNode } from '../rules/rule.js';
import { functionTaint, keyOf } from './c.js';

const ALLOC = /^(malloc|calloc|realloc|reallocarray|alloca|xmalloc|xcalloc|xrealloc|g_malloc|g_malloc0|kmalloc|kzalloc)$/;
const BYTE_TYPES = /^(char|unsigned char|signed char|u?int8_t|uchar|u8|BYTE|gchar|guchar)$/;

function args(call: SyntaxNode | null | undefined): SyntaxNode[] {
  return call?.childForFieldName('arguments')?.namedChildren.filter((c) => c.type !== 'comment') ?? [];
}

/** The called function's name. */
export function calleeName(call: SyntaxNode | null | undefined): string {
  return call?.type === 'call_expression' ? (call.childForFieldName('function')?.text ?? '') : '';
}

function strip(n: SyntaxNode | null | undefined): SyntaxNode | null | undefined {
  let v = n;
  while (v && (v.type === 'parenthesized_expression' || v.type === 'cast_expression'))
    v = v.type === 'cast_expression' ? v.childForFieldName('value') : (v.namedChildren[0] ?? null);
  return v;
}

const MACROS = new WeakMap<object, Map<string, string>>();

/** `#define NAME value` of the file, by name. */
function macros(node: SyntaxNode): Map<string, string> {
  const tree = node.tree as object;
  let m = MACROS.get(tree);
  if (!m) {
    m = new Map();
    for (const d of node.tree.rootNode.descendantsOfType('preproc_def')) {
      const name = d.childForFieldName('name')?.text;
      const value = d.childForFieldName('value')?.text.trim();
      if (name && value) m.set(name, value);
    }
    MACROS.set(tree, m);
  }
  return m;
}

interface ArrayDecl {
  readonly name: string;
  readonly start: number;
  /** The enclosing function's range, or undefined at file level. */
  readonly fn: readonly [number, number] | undefined;
  readonly size: SyntaxNode;
  readonly byteElements: boolean;
}

const ARRAYS = new WeakMap<object, Map<string, ArrayDecl[]>>();

/** Every sized array declaration of the file (not parameters), by name: one native walk per tree. */
function arrays(node: SyntaxNode): Map<string, ArrayDecl[]> {
  const tree = node.tree as object;
  let m = ARRAYS.get(tree);
  if (m) return m;
  m = new Map();
  for (const d of node.tree.rootNode.descendantsOfType('array_declarator')) {
    const name = d.childForFieldName('declarator');
    const size = d.childForFieldName('size');
    if ((name?.type !== 'identifier' && name?.type !== 'field_identifier') || !size) continue;
    let decl: SyntaxNode | null = d.parent;
    while (decl && !['declaration', 'parameter_declaration', 'field_declaration'].includes(decl.type)) decl = decl.parent;
    if (!decl || decl.type === 'parameter_declaration') continue;
    let fn: SyntaxNode | null = decl.parent;
    while (fn && fn.type !== 'function_definition') fn = fn.parent;
    const type = decl.childForFieldName('type')?.text.trim() ?? '';
    const entry: ArrayDecl = {
      name: name.text,
      start: d.startIndex,
      fn: fn ? [fn.startIndex, fn.endIndex] : undefined,
      size,
      byteElements: BYTE_TYPES.test(type),
    };
    const list = m.get(name.text);
    if (list) list.push(entry);
    else m.set(name.text, [entry]);
  }
  ARRAYS.set(tree, m);
  return m;
}

/** An array declaration of `name` visible at `at`: in the enclosing function first, then at file level (struct fields too). */
export function arrayDeclaration(at: SyntaxNode, name: string): { size: SyntaxNode; byteElements: boolean; local: boolean } | undefined {
  const list = arrays(at).get(name);
  if (!list) return undefined;
  const pos = at.startIndex;
  const local = list.find((d) => d.fn && d.fn[0] <= pos && pos < d.fn[1] && d.start <= pos);
  if (local) return { size: local.size, byteElements: local.byteElements, local: true };
  const global = list.find((d) => !d.fn);
  return global ? { size: global.size, byteElements: global.byteElements, local: false } : undefined;
}

/** A compile-time value: literals, macros, `sizeof` of a byte array or a byte type, and their arithmetic. */
export function constValue(n: SyntaxNode | null | undefined, depth = 0): number | undefined {
  const v = strip(n);
  if (!v || depth > 6) return undefined;
  if (v.type === 'number_literal') {
    const t = v.text.replace(/[uUlL]+$/, '');
    const num = /^0[xX]/.test(t) ? Number.parseInt(t, 16) : /^0[0-7]+$/.test(t) ? Number.parseInt(t, 8) : Number(t);
    return Number.isFinite(num) ? num : undefined;
  }
  if (v.type === 'char_literal') return 1;
  if (v.type === 'identifier') {
    const m = macros(v).get(v.text);
    if (m === undefined || !/^[\w\s()+\-*/]+$/.test(m)) return undefined;
    if (/^\(?\s*\d+[uUlL]*\s*\)?$/.test(m)) return Number(m.replace(/[()\suUlL]/g, ''));
    return undefined;
  }
  if (v.type === 'sizeof_expression') {
    const inner = strip(v.childForFieldName('value'));
    const type = v.childForFieldName('type')?.text.trim();
    if (type)
      return BYTE_TYPES.test(type) ? 1 : type === 'int' || type === 'int32_t' || type === 'uint32_t' || type === 'float' ? 4 : undefined;
    if (inner?.type === 'identifier') return bufferBytes(inner);
    if (inner?.type === 'string_literal') return inner.text.length - 1;
    return undefined;
  }
  if (v.type === 'binary_expression') {
    const a = constValue(v.childForFieldName('left'), depth + 1);
    const b = constValue(v.childForFieldName('right'), depth + 1);
    if (a === undefined || b === undefined) return undefined;
    switch (v.childForFieldName('operator')?.text) {
      case '+':
        return a + b;
      case '-':
        return a - b;
      case '*':
        return a * b;
      case '/':
        return b ? Math.floor(a / b) : undefined;
      default:
        return undefined;
    }
  }
  return undefined;
}

/** The size in bytes of the byte buffer an identifier names: a declared `char x[N]`, or a constant `malloc(N)` last assigned. */
export function bufferBytes(buf: SyntaxNode | null | undefined): number | undefined {
  const b = strip(buf);
  if (b?.type === 'field_expression') {
    // `s[n].name`, `p->name`: the field's declared size, when every struct in view that has the field agrees
    const field = b.childForFieldName('field');
    const decls = field ? (arrays(b).get(field.text) ?? []).filter((d) => !d.fn) : [];
    const sizes = new Set(decls.map((d) => (d.byteElements ? constValue(d.size) : undefined)));
    return sizes.size === 1 ? [...sizes][0] : undefined;
  }
  if (b?.type !== 'identifier') return undefined;
  const decl = arrayDeclaration(b, b.text);
  if (decl) return decl.byteElements ? constValue(decl.size) : undefined;
  const alloc = allocationOf(b);
  if (alloc && /^(malloc|alloca|xmalloc|g_malloc)$/.test(calleeName(alloc))) return constValue(args(alloc)[0]);
  return undefined;
}

/** The allocation call last assigned to the pointer `ptr` names before it stands, if any. */
export function allocationOf(ptr: SyntaxNode | null | undefined): SyntaxNode | undefined {
  const p = strip(ptr);
  const key = keyOf(p);
  if (!p || !key) return undefined;
  const value = strip(functionTaint(p)?.lastValue(key, p.startIndex));
  return value?.type === 'call_expression' && ALLOC.test(calleeName(value)) ? value : undefined;
}

/** Whether `dst` is a local fixed-size array (a stack buffer) of the enclosing function. */
export function isStackArray(dst: SyntaxNode | null | undefined): boolean {
  const d = strip(dst);
  return d?.type === 'identifier' && arrayDeclaration(d, d.text)?.local === true;
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Names assigned `strlen(src)` in the function (`size_t len = strlen(src);`). */
function lengthHolders(fn: SyntaxNode, src: string): string[] {
  const re = new RegExp(`\\b(\\w+)\\s*=\\s*(?:\\([^()]*\\)\\s*)?strn?len\\s*\\(\\s*${escapeRe(src)}\\s*[,)]`, 'g');
  return [...fn.text.matchAll(re)].map((m) => m[1] as string);
}

/**
 * Whether a string copy of `src` into `dst` at `call` is known to fit: the source is a byte array no
 * larger than the destination (`strcpy` only), its length is compared with a bound before the call,
 * or the destination was allocated from the source's length.
 */
export function copyFits(call: SyntaxNode, dst: SyntaxNode, src: SyntaxNode, appends: boolean): boolean {
  const ft = functionTaint(call);
  if (!ft) return false;
  const s = strip(src);
  const srcText = s?.text.replace(/\s+/g, '') ?? '';
  const dstBytes = bufferBytes(dst);
  if (!appends) {
    const srcBytes = bufferBytes(s);
    if (srcBytes !== undefined && dstBytes !== undefined && srcBytes <= dstBytes) return true;
  }
  const holders = lengthHolders(ft.fn, s?.text ?? '');
  const words = [`strlen(${srcText})`, `strnlen(${srcText}`, ...holders];
  const mentions = (text: string) => {
    const t = text.replace(/\s+/g, '');
    return words.some((w) => (/^\w+$/.test(w) ? new RegExp(`\\b${w}\\b`).test(t) : t.includes(w)));
  };
  // the source's length (or a variable holding it) bounded by a check that holds at the copy
  const srcKey = keyOf(s);
  if (srcKey && ft.checkedBetween(`strlen(${srcKey})`, ft.lastDefAt(srcKey, call.startIndex), call.startIndex)) return true;
  for (const h of holders) if (ft.checkedBetween(h, ft.lastDefAt(h, call.startIndex), call.startIndex)) return true;
  const alloc = allocationOf(dst);
  if (alloc) {
    // a size held in a name (`size_t total = strlen(a) + strlen(b) + 1; malloc(total)`) is read as its value
    const sizeText = args(alloc)
      .map((a) => (a.type === 'identifier' ? (ft.lastValue(a.text, a.startIndex)?.text ?? a.text) : a.text))
      .join(',');
    if (mentions(sizeText)) return true;
    // strcat into a buffer sized from several lengths: `malloc(strlen(a) + strlen(b) + 1)`
    if (appends && /strlen|len\b|size/.test(sizeText) && new RegExp(`\\b${escapeRe(s?.text ?? '\0')}\\b`).test(sizeText)) return true;
  }
  return false;
}

/** The position of the length argument of the bounded memory writers (`fread`'s is the product of two). */
export const LENGTH_ARG: Readonly<Record<string, readonly number[]>> = {
  memcpy: [2],
  memmove: [2],
  memset: [2],
  wmemcpy: [2],
  strncpy: [2],
  strncat: [2],
  strlcpy: [2],
  strlcat: [2],
  fgets: [1],
  read: [2],
  pread: [2],
  recv: [2],
  recvfrom: [2],
  fread: [1, 2],
  snprintf: [1],
  vsnprintf: [1],
};

/** Whether a length expression is bounded by the destination itself (`sizeof dst`, `sizeof dst - 1`, `sizeof(dst) - len`). */
export function boundedByDestination(len: SyntaxNode, dst: SyntaxNode): boolean {
  const d = strip(dst)?.text;
  return !!d && new RegExp(`sizeof\\s*\\(?\\s*${escapeRe(d)}\\s*\\)?`).test(len.text);
}

/** The identifiers (and field paths) of an expression, outside `sizeof`. */
export function keysIn(n: SyntaxNode): string[] {
  const out: string[] = [];
  const visit = (x: SyntaxNode) => {
    if (x.type === 'sizeof_expression') return;
    const k = keyOf(x);
    if (k && (x.type === 'identifier' || x.type === 'field_expression')) {
      out.push(k);
      if (x.type === 'identifier') return;
    }
    for (const c of x.namedChildren) visit(c);
  };
  visit(n);
  return out;
}

/** Whether `dst` was allocated from an expression mentioning every key of `len` (`p = malloc(n); memcpy(p, s, n)`). */
export function allocatedFrom(dst: SyntaxNode, len: SyntaxNode): boolean {
  const alloc = allocationOf(dst);
  if (!alloc) return false;
  const sizeText = args(alloc)
    .map((a) => a.text)
    .join(',')
    .replace(/\s+/g, '');
  const keys = keysIn(len);
  return keys.length > 0 && keys.every((k) => new RegExp(`(^|[^\\w>.])${escapeRe(k)}(?![\\w])`).test(sizeText));
}

/** The upper bound of a printf conversion's output, or undefined when it depends on a string of unknown length. */
function conversionWidth(spec: string, arg: SyntaxNode | undefined): number | undefined {
  const m = /^%([-+ #0]*)(\d*|\*)(?:\.(\d*|\*))?(hh|h|ll|l|j|z|t|L)?([diouxXeEfFgGaAcspn%])$/.exec(spec);
  if (!m) return undefined;
  const width = m[2] && m[2] !== '*' ? Number(m[2]) : 0;
  const prec = m[3] !== undefined && m[3] !== '*' ? Number(m[3] || '0') : undefined;
  const long = m[4] === 'l' || m[4] === 'll' || m[4] === 'j' || m[4] === 'z' || m[4] === 't';
  let w: number | undefined;
  switch (m[5]) {
    case '%':
      return 1;
    case 'c':
      w = 1;
      break;
    case 'd':
    case 'i':
      w = long ? 20 : 11;
      break;
    case 'u':
    case 'o':
    case 'x':
    case 'X':
      w = long ? 22 : 11;
      break;
    case 'p':
      w = 18;
      break;
    case 'e':
    case 'E':
    case 'g':
    case 'G':
    case 'a':
    case 'A':
      w = 32 + (prec ?? 6);
      break;
    case 'f':
    case 'F':
      w = 320 + (prec ?? 6);
      break;
    case 's': {
      if (prec !== undefined) w = prec;
      else {
        const a = strip(arg);
        if (a?.type === 'string_literal') w = a.text.length - 2;
        else {
          const bytes = bufferBytes(a);
          w = bytes !== undefined ? bytes - 1 : undefined;
        }
      }
      break;
    }
    default:
      return 0;
  }
  return w === undefined ? undefined : Math.max(w, width);
}

/**
 * The most bytes (with the terminator) a printf-style format can write, given its arguments; undefined
 * when some `%s` takes a string of unknown length. `unbounded` lists those arguments.
 */
export function formatBound(
  format: string,
  fmtArgs: readonly SyntaxNode[],
): { bytes: number | undefined; unbounded: SyntaxNode[]; fixed: number } {
  let bytes = 1;
  let known = true;
  const unbounded: SyntaxNode[] = [];
  let ai = 0;
  const re = /%[-+ #0]*(?:\d+|\*)?(?:\.(?:\d+|\*)?)?(?:hh|h|ll|l|j|z|t|L)?[diouxXeEfFgGaAcspn%]/g;
  let last = 0;
  for (let m = re.exec(format); m; m = re.exec(format)) {
    bytes += m.index - last;
    last = m.index + m[0].length;
    if (m[0] === '%%') {
      bytes += 1;
      continue;
    }
    const stars = (m[0].match(/\*/g) ?? []).length;
    ai += stars;
    const arg = fmtArgs[ai++];
    const w = conversionWidth(m[0], arg);
    if (w === undefined) {
      known = false;
      if (arg) unbounded.push(arg);
    } else bytes += w;
  }
  bytes += format.length - last;
  return { bytes: known ? bytes : undefined, unbounded, fixed: bytes };
}

/**
 * Whether a formatted write into `dst` fits the block it was allocated as: a single size that is a sum of
 * `strlen(x)` for every argument of unknown length and constants covering the rest (`fixed` bytes, the
 * terminator included): `malloc(strlen(name) + 8)` for `sprintf(p, "hello %s", name)`. The size may be held
 * in a name set once (`size_t n = strlen(a) + 2; malloc(n)`).
 */
export function formatFitsAllocation(dst: SyntaxNode, fixed: number, unbounded: readonly SyntaxNode[]): boolean {
  const alloc = allocationOf(dst);
  if (!alloc || !/^(malloc|xmalloc|alloca|g_malloc)$/.test(calleeName(alloc))) return false;
  const ft = functionTaint(alloc);
  let size = strip(args(alloc)[0]);
  if (size?.type === 'identifier') size = strip(ft?.lastValue(size.text, size.startIndex));
  if (!size) return false;
  const lengths: string[] = [];
  let constant = 0;
  const terms = (n: SyntaxNode | null | undefined): boolean => {
    const v = strip(n);
    if (!v) return false;
    if (v.type === 'binary_expression' && v.childForFieldName('operator')?.text === '+')
      return terms(v.childForFieldName('left')) && terms(v.childForFieldName('right'));
    const c = constValue(v);
    if (c !== undefined) {
      constant += c;
      return true;
    }
    if (v.type === 'call_expression' && /^strlen$/.test(calleeName(v))) {
      const a = strip(args(v)[0]);
      if (!a) return false;
      lengths.push(a.text.replace(/\s+/g, ''));
      return true;
    }
    return false;
  };
  if (!terms(size)) return false;
  for (const u of unbounded) {
    const i = lengths.indexOf(strip(u)?.text.replace(/\s+/g, '') ?? '');
    if (i < 0) return false;
    lengths.splice(i, 1);
  }
  return constant >= fixed;
}

const JUMP = new Set(['return_statement', 'goto_statement', 'break_statement', 'continue_statement']);
const EXIT_CALL = /^(exit|_exit|abort|longjmp|err|errx|__builtin_unreachable)$/;

function isJump(s: SyntaxNode): boolean {
  if (JUMP.has(s.type)) return true;
  if (s.type === 'expression_statement') {
    const c = s.namedChildren[0];
    return c?.type === 'call_expression' && EXIT_CALL.test(calleeName(c));
  }
  return false;
}

/** Whether the path from `from` to `to` (later in the same function) must leave through a jump in a block around `from` that does not contain `to`. */
export function leavesBetween(from: SyntaxNode, to: SyntaxNode): boolean {
  let cur: SyntaxNode | null = from;
  while (cur?.parent) {
    const parent: SyntaxNode = cur.parent;
    if (parent.type === 'if_statement') {
      // `to` in the other branch of an if whose one branch holds `from`
      const alt = parent.childForFieldName('alternative');
      if (alt && to.startIndex >= alt.startIndex && to.endIndex <= alt.endIndex && !(from.startIndex >= alt.startIndex)) return true;
    }
    if (parent.startIndex <= to.startIndex && parent.endIndex >= to.endIndex) {
      // `to` lies in this block: only the statements of `parent` between the two count
      if (parent.type === 'compound_statement')
        return parent.namedChildren.some((s) => s.startIndex >= cur!.endIndex && s.endIndex <= to.startIndex && isJump(s));
      return false;
    }
    if (parent.type === 'compound_statement' && parent.namedChildren.some((s) => s.startIndex >= cur!.endIndex && isJump(s))) return true;
    if (parent.type === 'case_statement' && parent.namedChildren.some((s) => s.startIndex >= cur!.endIndex && isJump(s))) return true;
    if (isJump(cur) && cur.id !== from.id) return true;
    cur = parent;
  }
  return false;
}

/** Occurrences of the lvalue text `key` in `scope` (identifiers or field paths) starting in `[from, to)`. */
export function occurrences(scope: SyntaxNode, key: string, from: number, to: number): SyntaxNode[] {
  const base = key.replace(/^\*/, '').split(/->|\./)[0] ?? key;
  if (!/^\w+$/.test(base)) return [];
  // the root node starts at the first token, so its text is offset from the source by its start
  const root = scope.tree.rootNode;
  const shift = root.startIndex;
  const code = root.text;
  const re = new RegExp(`\\b${base}\\b`, 'g');
  re.lastIndex = Math.max(from, scope.startIndex) - shift;
  const out: SyntaxNode[] = [];
  const end = Math.min(to, scope.endIndex);
  for (let m = re.exec(code); m && m.index + shift < end; m = re.exec(code)) {
    const at = m.index + shift;
    let node: SyntaxNode | null = scope.descendantForIndex(at, at + base.length);
    if (node?.type !== 'identifier' || node.startIndex !== at) continue;
    // climb to the full field path when the key names one
    while (
      node &&
      keyOf(node) !== key &&
      node.parent &&
      (node.parent.type === 'field_expression' || node.parent.type === 'parenthesized_expression')
    )
      node = node.parent;
    if (node && keyOf(node) === key) out.push(node);
    else if (key.includes('->') || key.includes('.')) {
      // the base pointer reassigned: a later `node->data` names another object
      const id = scope.descendantForIndex(at, at + base.length);
      const p = id.parent;
      if (p?.type === 'assignment_expression' && p.childForFieldName('left')?.id === id.id) out.push(id);
    }
  }
  return out;
}

/*
 * Callee resolution, shared by every C call rule: the functions a call can reach through parentheses and
 * casts (`(strcpy)(d, s)`, `((fn_t)strcpy)(d, s)`), object-like and function-like macros of the file
 * (`#define COPY strcpy`, `#define CP(a, b) strcpy(a, b)`, `#define CAT(a, b) a##b`), and function
 * pointers a declaration or assignment of the file binds to a function (`cp = strcpy`, arrays and struct
 * fields of them, `dlsym(h, "strcpy")`), with the arguments the reached call gets.
 */

/** One function a call can reach and the arguments it gets there (a macro may reorder or add them). */
export interface CallTarget {
  /** The function reached (`strcpy`). */
  readonly name: string;
  /**
   * Its arguments, parentheses stripped: the call's own, or as a macro passes them on (an argument the
   * macro writes itself is a node of the macro's body, one mentioning a parameter is that parameter's
   * argument).
   */
  readonly args: readonly SyntaxNode[];
  /** The macro, pointer or alias the call goes through; undefined for a plain call of `name`. */
  readonly via?: string;
}

interface FunctionMacro {
  readonly params: readonly string[];
  readonly variadic: boolean;
  readonly body: string;
  /** The body's calls, parsed on first need. */
  calls?: readonly SyntaxNode[];
}

interface FileAliases {
  /** `#define NAME value` whose value is a name (parentheses, casts and `&` around it stripped). */
  readonly objectMacros: Map<string, string>;
  readonly functionMacros: Map<string, FunctionMacro>;
  /** Names (and `.field`s) bound by a declaration or assignment to a value that names a function (scanned on first need). */
  bound?: Map<string, Set<string>>;
  readonly root: SyntaxNode;
  readonly code: string;
  /** Per called name, whether the text may bind it (`name =`, `(*name)`). */
  readonly mayBind: Map<string, boolean>;
  readonly targets: Map<string, readonly CallTarget[]>;
}

function bindingsOf(a: FileAliases): Map<string, Set<string>> {
  a.bound ??= scanBindings(a.root);
  return a.bound;
}

/** Whether the text can bind `name` to a function: an assignment or initialisation of it, or a declarator `(*name)`. */
function mayBind(a: FileAliases, name: string): boolean {
  let v = a.mayBind.get(name);
  if (v === undefined) {
    v = new RegExp(`\\b${name}\\s*(\\[[^\\]]*\\]\\s*)*(=[^=]|\\))`).test(a.code);
    a.mayBind.set(name, v);
  }
  return v;
}

const ALIASES = new WeakMap<object, FileAliases>();
const IDENT = /^[A-Za-z_]\w*$/;
const NOT_CALLED = new Set(['if', 'while', 'for', 'switch', 'return', 'sizeof', '_Alignof', 'alignof', 'defined', '__typeof__', 'typeof']);

/** A name a value stands for, looking through parentheses, casts, `&`, `*` and a comma's left side (or several, for `c ? f : g`). */
function valueNames(v: SyntaxNode | null | undefined, out: Set<string>, depth = 0): void {
  if (!v || depth > 8) return;
  switch (v.type) {
    case 'identifier':
      out.add(v.text);
      return;
    case 'parenthesized_expression':
      valueNames(v.namedChildren.filter((c) => c.type !== 'comment').at(-1), out, depth + 1);
      return;
    case 'cast_expression':
      valueNames(v.childForFieldName('value'), out, depth + 1);
      return;
    case 'pointer_expression':
      valueNames(v.childForFieldName('argument'), out, depth + 1);
      return;
    case 'comma_expression':
      valueNames(v.childForFieldName('right'), out, depth + 1);
      return;
    case 'conditional_expression':
      valueNames(v.childForFieldName('consequence'), out, depth + 1);
      valueNames(v.childForFieldName('alternative'), out, depth + 1);
      return;
    case 'initializer_list':
      for (const c of v.namedChildren) valueNames(c.type === 'initializer_pair' ? c.childForFieldName('value') : c, out, depth + 1);
      return;
    case 'call_expression': {
      // dlsym(handle, "strcpy"), GetProcAddress(module, "strcpy")
      const f = v.childForFieldName('function')?.text ?? '';
      const a = args(v);
      const lit = a[1]?.type === 'string_literal' ? a[1].text.slice(1, -1) : undefined;
      if (/^(dlsym|dlvsym|GetProcAddress)$/.test(f) && lit && IDENT.test(lit)) out.add(lit);
      return;
    }
  }
}

function bind(bindings: Map<string, Set<string>>, key: string, names: Set<string>): void {
  if (names.size === 0) return;
  let s = bindings.get(key);
  if (!s) {
    s = new Set();
    bindings.set(key, s);
  }
  for (const n of names) if (n !== key) s.add(n);
}

/** The innermost declared name of a declarator (`(*cp)(...)`, `table[]`, `*p`). */
function declaratorName(d: SyntaxNode | null | undefined): string | undefined {
  let n = d;
  for (let depth = 0; n && depth < 10; depth++) {
    if (n.type === 'identifier' || n.type === 'field_identifier') return n.text;
    n =
      n.childForFieldName('declarator') ??
      n.namedChildren.find((c) => c.type !== 'type_qualifier' && c.type !== 'attribute_specifier') ??
      null;
  }
  return undefined;
}

/** Values that can name a function: `f`, `{ f, g }`, `(fn_t)f`, `(f)`, `&f`, `c ? f : g`, `(0, f)`. */
const BINDING_VALUE = new Set([
  'identifier',
  'initializer_list',
  'cast_expression',
  'parenthesized_expression',
  'pointer_expression',
  'conditional_expression',
  'comma_expression',
]);

/** Function pointers bound in declarations and assignments: `cp = strcpy`, `fn_t t[] = { strcpy }`, `{ .copy = strcpy }`. */
function scanBindings(root: SyntaxNode): Map<string, Set<string>> {
  const bindings = new Map<string, Set<string>>();
  for (const n of root.descendantsOfType(['init_declarator', 'assignment_expression'])) {
    const value = n.childForFieldName(n.type === 'init_declarator' ? 'value' : 'right');
    if (!value) continue;
    const vt = value.type;
    if (vt === 'call_expression' ? !/^(dlsym|dlvsym|GetProcAddress)\b/.test(value.text) : !BINDING_VALUE.has(vt)) continue;
    const names = new Set<string>();
    valueNames(value, names);
    if (names.size === 0) continue;
    if (n.type === 'init_declarator') {
      const name = declaratorName(n.childForFieldName('declarator'));
      if (name) bind(bindings, name, names);
      if (value.type === 'initializer_list')
        for (const p of value.descendantsOfType('initializer_pair')) {
          const field = p.childForFieldName('designator')?.text.replace(/^\./, '') ?? p.namedChildren[0]?.text.replace(/^\./, '');
          const fv = new Set<string>();
          valueNames(p.childForFieldName('value'), fv);
          if (field && IDENT.test(field)) bind(bindings, `.${field}`, fv);
        }
      continue;
    }
    let left = n.childForFieldName('left');
    while (left?.type === 'parenthesized_expression') left = left.namedChildren[0] ?? null;
    if (left?.type === 'identifier') bind(bindings, left.text, names);
    else if (left?.type === 'field_expression') bind(bindings, `.${left.childForFieldName('field')?.text}`, names);
    else if (left?.type === 'subscript_expression' || left?.type === 'pointer_expression') {
      const base = left.childForFieldName('argument');
      if (base?.type === 'identifier') bind(bindings, base.text, names);
    }
  }
  return bindings;
}

function fileAliases(node: SyntaxNode): FileAliases {
  const tree = node.tree as object;
  const cached = ALIASES.get(tree);
  if (cached) return cached;
  const root = node.tree.rootNode;
  const objectMacros = new Map<string, string>();
  const functionMacros = new Map<string, FunctionMacro>();
  const code = root.text;
  if (code.includes('#')) {
    for (const d of root.descendantsOfType(['preproc_def', 'preproc_function_def'])) {
      const name = d.childForFieldName('name')?.text;
      const value = d.childForFieldName('value')?.text.trim() ?? '';
      if (!name) continue;
      if (d.type === 'preproc_def') {
        const m = /^[(\s]*(?:\(\s*[A-Za-z_][\w\s*]*\)\s*)?[&*\s]*([A-Za-z_]\w*)[\s)]*$/.exec(value);
        if (m?.[1] && m[1] !== name) objectMacros.set(name, m[1]);
        continue;
      }
      const paramsNode = d.childForFieldName('parameters');
      const params = (paramsNode?.namedChildren ?? []).filter((c) => c.type === 'identifier').map((c) => c.text);
      functionMacros.set(name, { params, variadic: paramsNode?.text.includes('...') ?? false, body: value });
    }
  }
  const a: FileAliases = { objectMacros, functionMacros, root, code, mayBind: new Map(), targets: new Map() };
  ALIASES.set(tree, a);
  return a;
}

/** Every name `name` can stand for: itself, object-like macros and pointer bindings, transitively. */
function namesOf(a: FileAliases, name: string): Set<string> {
  const out = new Set<string>([name]);
  const todo = [name];
  while (todo.length && out.size < 64) {
    const n = todo.pop() as string;
    const next: string[] = [];
    const m = a.objectMacros.get(n);
    if (m) next.push(m);
    for (const b of bindingsOf(a).get(n) ?? []) next.push(b);
    for (const x of next)
      if (!out.has(x)) {
        out.add(x);
        todo.push(x);
      }
  }
  return out;
}

function stripParens(n: SyntaxNode): SyntaxNode {
  let v = n;
  while (v.type === 'parenthesized_expression') {
    const inner = v.namedChildren.filter((c) => c.type !== 'comment');
    if (inner.length !== 1 || !inner[0]) break;
    v = inner[0];
  }
  return v;
}

/** The text a function-like macro expands to for argument texts, `##` pasted (`CAT(str, cpy)` -> `strcpy`). */
function expandText(m: FunctionMacro, argTexts: readonly string[]): string {
  let body = m.body;
  m.params.forEach((p, i) => {
    body = body.replace(new RegExp(`\\b${p}\\b`, 'g'), argTexts[i] ?? '');
  });
  return body.replace(/\s*##\s*/g, '').trim();
}

/** The names a call's `function` node can stand for. */
function calleeNames(a: FileAliases, fn: SyntaxNode | null | undefined, depth = 0): Set<string> {
  const out = new Set<string>();
  if (!fn || depth > 6) return out;
  const v = stripParens(fn);
  switch (v.type) {
    case 'identifier':
      return namesOf(a, v.text);
    case 'cast_expression':
    case 'pointer_expression':
      return calleeNames(a, v.childForFieldName(v.type === 'cast_expression' ? 'value' : 'argument'), depth + 1);
    case 'comma_expression':
      return calleeNames(a, v.childForFieldName('right'), depth + 1);
    case 'conditional_expression':
      for (const f of ['consequence', 'alternative']) for (const n of calleeNames(a, v.childForFieldName(f), depth + 1)) out.add(n);
      return out;
    case 'subscript_expression':
      return calleeNames(a, v.childForFieldName('argument'), depth + 1);
    case 'field_expression': {
      const field = v.childForFieldName('field')?.text ?? '';
      for (const n of bindingsOf(a).get(`.${field}`) ?? []) for (const x of namesOf(a, n)) out.add(x);
      let base = v.childForFieldName('argument');
      while (base && base.type !== 'identifier' && /field|subscript|pointer|parenth/.test(base.type))
        base = base.childForFieldName('argument') ?? base.namedChildren[0] ?? null;
      if (base?.type === 'identifier') for (const x of bindingsOf(a).get(base.text) ?? []) for (const y of namesOf(a, x)) out.add(y);
      return out;
    }
    case 'call_expression': {
      // a macro that makes a name: `CAT(str, cpy)(dst, src)`, `ID(strcpy)(dst, src)`
      const inner = v.childForFieldName('function');
      const m = inner?.type === 'identifier' ? a.functionMacros.get(inner.text) : undefined;
      if (m) {
        const text = expandText(
          m,
          args(v).map((x) => x.text),
        );
        if (IDENT.test(text)) return namesOf(a, text);
      }
      // `dlsym(h, "strcpy")(dst, src)`
      valueNames(v, out);
      return out;
    }
  }
  return out;
}

/** A function-like macro body's calls, from a parse of the body as a statement. */
function macroCalls(m: FunctionMacro, parse: (code: string) => SyntaxNode): readonly SyntaxNode[] {
  if (!m.calls) {
    const body = m.body.replace(/\s*##\s*/g, '');
    const root = parse(`void __macro_body(void) { ${body} ; }`);
    m.calls = root.descendantsOfType('call_expression').filter((c) => {
      const f = c.childForFieldName('function');
      return !(f?.type === 'identifier' && NOT_CALLED.has(f.text));
    });
  }
  return m.calls;
}

/** The identifiers of an expression outside `sizeof`. */
function mentionedNames(n: SyntaxNode, out: string[] = []): string[] {
  if (n.type === 'sizeof_expression') return out;
  if (n.type === 'identifier') out.push(n.text);
  for (const c of n.namedChildren) mentionedNames(c, out);
  return out;
}

const bodyParser = (code: string): SyntaxNode => parse(code, 'c').rootNode as SyntaxNode;

/** The targets a call of function-like macro `m` reaches with `callArgs`, macros inside macros followed. */
function macroTargets(a: FileAliases, name: string, m: FunctionMacro, callArgs: readonly SyntaxNode[], depth: number): CallTarget[] {
  if (depth > 4) return [];
  const out: CallTarget[] = [];
  for (const c of macroCalls(m, bodyParser)) {
    const mapped: SyntaxNode[] = [];
    for (const arg of args(c)) {
      const s = stripParensCasts(arg);
      const i = s.type === 'identifier' ? m.params.indexOf(s.text) : -1;
      if (i >= 0) {
        const x = callArgs[i];
        if (x) mapped.push(x);
        continue;
      }
      if (s.type === 'identifier' && s.text === '__VA_ARGS__') {
        mapped.push(...callArgs.slice(m.params.length));
        continue;
      }
      // an expression of a parameter (`(n) + 0`) stands for that parameter's argument; one of none, for itself
      const p = mentionedNames(arg).find((x) => m.params.includes(x) || x === '__VA_ARGS__');
      const x = p === '__VA_ARGS__' ? callArgs[m.params.length] : p ? callArgs[m.params.indexOf(p)] : arg;
      if (x) mapped.push(x);
    }
    const f = c.childForFieldName('function');
    const fs = f ? stripParens(f) : undefined;
    let names: Set<string>;
    if (fs?.type === 'identifier' && m.params.includes(fs.text)) {
      // `#define CALL(f, a, b) f(a, b)`: the function is an argument
      const x = callArgs[m.params.indexOf(fs.text)];
      names = x ? calleeNames(a, x) : new Set();
    } else names = fs?.type === 'identifier' ? namesOf(a, fs.text) : new Set();
    for (const n of names) {
      const inner = n !== name ? a.functionMacros.get(n) : undefined;
      if (inner) out.push(...macroTargets(a, n, inner, mapped, depth + 1).map((t) => ({ ...t, via: name })));
      out.push({ name: n, args: mapped, via: name });
    }
  }
  return out;
}

function stripParensCasts(n: SyntaxNode): SyntaxNode {
  let v: SyntaxNode = n;
  for (;;) {
    const s = stripParens(v);
    if (s.type !== 'cast_expression') return s;
    const inner = s.childForFieldName('value');
    if (!inner) return s;
    v = inner;
  }
}

/**
 * Every function a call can reach, with the arguments it gets: the name it is written with first, then
 * what macros and function pointers of the file make of it (the written name stays, so a `#define`
 * that shadows a library function adds a target and hides none).
 */
export function callTargets(call: SyntaxNode): readonly CallTarget[] {
  const a = fileAliases(call);
  const key = `${call.startIndex}:${call.endIndex}`;
  const cached = a.targets.get(key);
  if (cached) return cached;
  const fn = call.childForFieldName('function');
  // the usual call: a plain name nothing in the file redefines or binds (its arguments read when a rule asks)
  if (
    fn?.type === 'identifier' &&
    !a.objectMacros.has(fn.text) &&
    !a.functionMacros.has(fn.text) &&
    (!mayBind(a, fn.text) || !bindingsOf(a).has(fn.text))
  ) {
    let cached: SyntaxNode[] | undefined;
    const plain = [
      {
        name: fn.text,
        get args() {
          cached ??= args(call).map(stripParens);
          return cached;
        },
      },
    ];
    a.targets.set(key, plain);
    return plain;
  }
  const callArgs = args(call).map(stripParens);
  const out: CallTarget[] = [];
  const seen = new Set<string>();
  const add = (t: CallTarget) => {
    const k = `${t.name}|${t.args.map((x) => `${x.tree === call.tree ? '' : 'm'}${x.startIndex}`).join(',')}`;
    if (seen.has(k)) return;
    seen.add(k);
    out.push(t);
  };
  const written = fn?.type === 'identifier' ? fn.text : undefined;
  if (written) add({ name: written, args: callArgs });
  for (const n of calleeNames(a, fn)) {
    if (n !== written) add({ name: n, args: callArgs, via: fn?.text });
    const m = a.functionMacros.get(n);
    if (m) for (const t of macroTargets(a, n, m, callArgs, 0)) add(t);
  }
  a.targets.set(key, out);
  return out;
}

/** Whether a file binds or defines anything a call could go through (no alias, no macro: plain calls only). */
export function hasAliases(node: SyntaxNode): boolean {
  const a = fileAliases(node);
  return a.objectMacros.size > 0 || a.functionMacros.size > 0 || bindingsOf(a).size > 0;
}

const RESOLVED = new WeakMap<object, CallTarget>();

/** The match as the rule sees it for one target of its call: its name and arguments stand for the call's. */
export function resolvedMatch(m: RuleMatch, t: CallTarget): RuleMatch {
  const captures = { ...m.captures };
  RESOLVED.set(captures, t);
  return { code: m.code, captures };
}

/** The function a call rule's match reaches (the written name when the match is not resolved). */
export function matchCallee(m: RuleMatch): string {
  return RESOLVED.get(m.captures)?.name ?? m.captures.fn?.text ?? '';
}

/** The arguments a call rule's match passes to the function it reaches. */
export function matchArgs(m: RuleMatch): readonly SyntaxNode[] {
  const t = RESOLVED.get(m.captures);
  return t ? t.args : args(m.captures.args?.parent);
}

/** The name a declarator declares (`(*cp)(char *, const char *)` -> `cp`). */
export function declaratorText(d: SyntaxNode | null | undefined): string | undefined {
  return declaratorName(d);
}
