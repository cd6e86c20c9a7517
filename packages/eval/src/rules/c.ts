import type { LanguageRules, Rule, RuleHit, RuleMatch, SyntaxNode } from './rule.js';
import { CREDENTIAL_RULE_TEXT, SECRET_LITERAL, SECRET_RULE_TEXT } from './secrets.js';
import { ancestor, firstIdentifierAfter, namedArgs } from './syntax.js';
import { declaredName, flowSteps, functionSignature, functionTaint, keyOf, type Taint } from '../taint/c.js';
import * as mem from '../taint/c-memory.js';
import { C_MORE_RULES, isSecretRandom } from './c-more.js';

const CONSTANT_TYPES = new Set([
  'string_literal',
  'concatenated_string',
  'char_literal',
  'number_literal',
  'true',
  'false',
  'null',
  'sizeof_expression',
]);

/** Taint-light: a value that no input can influence (literals, sizeof, ALL_CAPS macros, their arithmetic). */
export function isConstantC(node: SyntaxNode | null | undefined): boolean {
  if (!node) return true;
  if (CONSTANT_TYPES.has(node.type)) return true;
  if (node.type === 'identifier') return /^[A-Z][A-Z0-9_]*$/.test(node.text);
  if (node.type === 'parenthesized_expression' || node.type === 'binary_expression' || node.type === 'cast_expression') {
    const kids = node.type === 'cast_expression' ? [node.childForFieldName('value')] : namedArgs(node);
    return kids.every((k) => k?.type === 'type_descriptor' || isConstantC(k));
  }
  return false;
}

/**
 * A local pointer declared with a string literal and never set again, nor its address taken
 * (`const char *cmd = "openssl genpkey ...";`): where it is used it holds that literal.
 */
function holdsLiteral(n: SyntaxNode | undefined): boolean {
  if (n?.type !== 'identifier') return false;
  const fn = ancestor(n, FUNCTION);
  if (!fn) return false;
  let literal = false;
  for (const d of fn.descendantsOfType(['init_declarator', 'assignment_expression', 'update_expression', 'pointer_expression'])) {
    if (d.type === 'init_declarator') {
      const decl = d.childForFieldName('declarator');
      if (decl?.type !== 'pointer_declarator' || declaredName(decl)?.text !== n.text) continue;
      const v = d.childForFieldName('value');
      if (literal || !v || literalText(v) === undefined || d.startIndex > n.startIndex) return false;
      literal = true;
    } else if (d.type === 'assignment_expression') {
      if (d.childForFieldName('left')?.text === n.text) return false;
    } else if (d.type === 'update_expression') {
      if (d.childForFieldName('argument')?.text === n.text) return false;
    } else if (d.text.replace(/\s+/g, '') === `&${n.text}`) return false;
  }
  return literal;
}

function arg(m: RuleMatch, i: number): SyntaxNode | undefined {
  return mem.matchArgs(m)[i];
}

/** The literal text of a C string literal (concatenations joined), or undefined. */
function literalText(node: SyntaxNode | undefined): string | undefined {
  if (!node) return undefined;
  if (node.type === 'string_literal') return node.text.slice(1, -1);
  if (node.type === 'concatenated_string')
    return namedArgs(node)
      .map((n) => literalText(n) ?? '')
      .join('');
  return undefined;
}

const FUNCTION = new Set(['function_definition']);
const LOOP = new Set(['for_statement', 'while_statement', 'do_statement']);
const JUMP = new Set(['return_statement', 'goto_statement', 'break_statement', 'continue_statement']);
const ALLOC_STATEMENT = new Set(['expression_statement', 'declaration', 'if_statement', 'while_statement']);
const FORMAT_POS: Record<string, number> = {
  printf: 0,
  vprintf: 0,
  fprintf: 1,
  vfprintf: 1,
  dprintf: 1,
  sprintf: 1,
  vsprintf: 1,
  snprintf: 2,
  vsnprintf: 2,
  syslog: 1,
  err: 1,
  warn: 0,
};
const SCANF_POS: Record<string, number> = { scanf: 0, fscanf: 1, sscanf: 1, vscanf: 0, vfscanf: 1, vsscanf: 1 };

function call(fnPattern: string, extra = ''): string {
  return `((call_expression function: (identifier) @fn arguments: (argument_list) @args${extra}) @finding (#match? @fn "${fnPattern}"))`;
}

/** Whether an identifier use tests the pointer (`if (p)`, `!p`, `p == NULL`, `assert(p)`). */
function isNullCheck(id: SyntaxNode): boolean {
  let cur: SyntaxNode | null = id.parent;
  for (let depth = 0; cur && depth < 6; depth++, cur = cur.parent) {
    if (['if_statement', 'while_statement', 'conditional_expression', 'for_statement'].includes(cur.type)) return true;
    if (cur.type === 'unary_expression' && cur.text.startsWith('!')) return true;
    if (cur.type === 'binary_expression' && /(==|!=|&&|\|\|)/.test(cur.child(1)?.text ?? '')) return true;
    if (cur.type === 'call_expression') return /assert/i.test(cur.childForFieldName('function')?.text ?? '');
    if (cur.type.endsWith('statement') || cur.type === 'declaration') return false;
  }
  return false;
}

const DEREF_CALLS =
  /^(memcpy|memmove|memset|strcpy|strncpy|strcat|strncat|strlen|strcmp|strncmp|sprintf|snprintf|fprintf|fputs|fgets|fread|fwrite|fclose|fseek|ftell|printf)$/;

/** Whether an identifier use dereferences the pointer it names. */
function isDereference(id: SyntaxNode): boolean {
  const p = id.parent;
  if (!p) return false;
  if (p.type === 'field_expression') return p.childForFieldName('argument')?.id === id.id && p.text.includes('->');
  if (p.type === 'pointer_expression') return p.text.startsWith('*');
  if (p.type === 'subscript_expression') return p.childForFieldName('argument')?.id === id.id;
  if (p.type === 'argument_list') {
    return !!p.parent && mem.callTargets(p.parent).some((t) => DEREF_CALLS.test(t.name));
  }
  return false;
}

/** Calls whose NULL result comes from input or the environment (a missing file, variable or character). */
const MAY_RETURN_NULL =
  /^(fopen|fdopen|freopen|tmpfile|getenv|strchr|strrchr|strstr|strpbrk|memchr|strtok|opendir|readdir|localtime|gmtime|getpwnam|getpwuid|getgrnam|dlopen|crypt|realpath|getcwd|ttyname|getlogin|ctime|asctime|setlocale|\w*(lookup|find|_get_\w+|_open)\w*)$/;
/** Allocators: NULL only when memory runs out. */
const ALLOCATOR = /^(malloc|calloc|realloc|reallocarray|strdup|strndup|\w*(alloc|zalloc|dup|_new|_create)\w*)$/;

/** The functions that can have produced a value (a call's, through its macros and pointers), looking through casts and parentheses. */
function callees(value: SyntaxNode | null | undefined): string[] {
  let v = value;
  while (v && (v.type === 'cast_expression' || v.type === 'parenthesized_expression'))
    v = v.type === 'cast_expression' ? v.childForFieldName('value') : (namedArgs(v)[0] ?? null);
  return v?.type === 'call_expression' ? mem.callTargets(v).map((t) => t.name) : [];
}

function uncheckedResult(m: RuleMatch, producers: RegExp): SyntaxNode | false {
  const ptr = m.captures.ptr;
  const value = m.captures.value;
  if (!ptr || !value || !callees(value).some((n) => producers.test(n))) return false;
  // The allocation's own statement may test the result: `if ((p = malloc(n)) == NULL)`.
  const stmt = ancestor(value, ALLOC_STATEMENT);
  if (stmt && stmt.type !== 'expression_statement' && stmt.type !== 'declaration') return false;
  // `for (...; tok; tok = strtok(NULL, " "))`: the loop condition tests the result next
  for (let cur: SyntaxNode | null = value; cur?.parent; cur = cur.parent) {
    const p: SyntaxNode = cur.parent;
    if (p.type === 'for_statement') {
      if (p.childForFieldName('update')?.id === cur.id || p.childForFieldName('condition')?.id === cur.id) return false;
      break;
    }
    if (cur.type.endsWith('statement')) break;
  }
  const fn = ancestor(ptr, FUNCTION);
  const use = fn ? firstIdentifierAfter(fn, ptr.text, (stmt ?? value).endIndex, m.code) : undefined;
  if (!use || isNullCheck(use) || !isDereference(use)) return false;
  return use;
}

/**
 * The size arguments of the allocation a result comes from carry an arbitrary value from input (or from a
 * caller of a library function): a size the attacker picks makes the allocation fail on purpose, and the
 * unchecked NULL is then written at an offset the same input sets.
 */
function inputSized(m: RuleMatch): Taint | undefined {
  let v: SyntaxNode | null | undefined = m.captures.value;
  while (v && (v.type === 'cast_expression' || v.type === 'parenthesized_expression'))
    v = v.type === 'cast_expression' ? v.childForFieldName('value') : (namedArgs(v)[0] ?? null);
  if (v?.type !== 'call_expression' || !/alloc/.test(v.childForFieldName('function')?.text ?? '')) return undefined;
  for (const a of namedArgs(v.childForFieldName('arguments'))) {
    if (isConstantC(a)) continue;
    const t = taintOf(a);
    if (t?.kind === 'value') return t;
  }
  return undefined;
}

/** The C library's calls that return NULL when the input or the environment says so (no heuristic names). */
const LIBC_NULL =
  /^(fopen|fdopen|getenv|secure_getenv|strchr|strrchr|strstr|strpbrk|memchr|strtok|readdir|localtime|gmtime|getpwnam|getpwuid|getgrnam|crypt|realpath|getcwd|ttyname|getlogin|ctime|asctime|setlocale)$/;
/** Calls that read through a string or block argument (printf's `%s` of NULL is left out: glibc prints "(null)"). */
const READS_THROUGH =
  /^(strcpy|strncpy|strcat|strncat|strlen|strcmp|strncmp|strcasecmp|strncasecmp|strdup|strndup|strchr|strrchr|strstr|strspn|strcspn|memcpy|memmove|memcmp|atoi|atol|atoll|atof|strtol|strtoul|strtoll|strtoull|strtod|fputs|puts|fgets|fread|fwrite|fclose|fprintf|sscanf)$/;
const DIRECT_NULL_QUERY =
  '((call_expression function: (_) @outer arguments: (argument_list [(call_expression) (cast_expression)] @call)) @finding) ((field_expression argument: [(call_expression) (parenthesized_expression)] @call) @finding) ((subscript_expression argument: [(call_expression) (parenthesized_expression)] @call) @finding) ((pointer_expression argument: [(call_expression) (parenthesized_expression)] @call) @finding)';

/**
 * A call of the C library that returns NULL for a missing variable, file, match or user, whose result is
 * used on the spot without a test: passed to a call that reads through it (`strlen(getenv("HOME"))`,
 * `strcmp(h, crypt(pw, h))`), or dereferenced (`localtime(&t)->tm_year`, `strchr(s, ':')[1]`).
 */
function directNullUse(m: RuleMatch): SyntaxNode | false {
  const node = m.captures.finding;
  let v: SyntaxNode | null | undefined = m.captures.call;
  while (v && (v.type === 'cast_expression' || v.type === 'parenthesized_expression'))
    v = v.type === 'cast_expression' ? v.childForFieldName('value') : (namedArgs(v)[0] ?? null);
  if (!node || v?.type !== 'call_expression' || !callees(v).some((n) => LIBC_NULL.test(n))) return false;
  if (node.type === 'call_expression') {
    if (!mem.callTargets(node).some((t) => READS_THROUGH.test(t.name))) return false;
  } else if (node.type === 'pointer_expression' && !node.text.startsWith('*')) return false;
  else if (node.type === 'field_expression' && !node.text.includes('->')) return false;
  return v;
}

const FREE_FN = /^(free|g_free|kfree|xfree|cfree)$/;

/** For a `free(p)`, the first later use of the same pointer that a path from the free reaches, and whether it frees again. */
function afterFree(m: RuleMatch): { use: SyntaxNode; again: boolean } | undefined {
  const ptr = m.captures.ptr;
  const freeCall = m.captures.finding;
  const key = keyOf(ptr);
  if (!ptr || !freeCall || !key) return undefined;
  const fn = ancestor(freeCall, FUNCTION);
  if (!fn) return undefined;
  const direct = afterFreeOf(freeCall, fn, key);
  if (direct) return direct;
  // the same block under another name: `cur = buf; free(buf); cur[0]`, `n->name = copy; free(copy); n->name`
  for (const alias of aliasesAt(fn, key, freeCall)) {
    const r = afterFreeOf(freeCall, fn, alias);
    if (r) return r;
  }
  return undefined;
}

const ALIAS_SCOPE = new Set(['init_declarator', 'assignment_expression']);

/** A function's source text, read once per node. */
const FN_TEXT = new WeakMap<SyntaxNode, string>();
function fnText(fn: SyntaxNode): string {
  let t = FN_TEXT.get(fn);
  if (t === undefined) {
    t = fn.text;
    FN_TEXT.set(fn, t);
  }
  return t;
}

/**
 * Whether `text` may hold an aliasing of `key`: the key as a whole right side (`q = p;`, `q = (char *)p,`,
 * `(q = (p))`) or as a left side (`p = s->f`). Between the key's tokens, and after it, the text may have
 * spaces and parentheses (`(*pp) = q`, `(*s).f`), so every aliasing the syntax tree holds passes.
 */
function mayAlias(text: string, key: string): boolean {
  const tokens = key.match(/\w+|->|\S/g) ?? [];
  const k = tokens.map((t) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('[\\s()]*');
  const start = /^\w/.test(key) ? '\\b' : '';
  return new RegExp(`=[^;=]*${k}[\\s()]*[;,):\\]]|${start}${k}[\\s()]*=[^=]`).test(text);
}

/**
 * The names (variables, field paths) that hold the same pointer as `key` where it is freed: set from it
 * (`q = p`, `s->f = p`) or it set from them (`p = s->f`), neither reassigned between that and the free.
 */
function aliasesAt(fn: SyntaxNode, key: string, freeCall: SyntaxNode): string[] {
  const out: string[] = [];
  const body = fn.childForFieldName('body');
  if (!body) return out;
  if (!mayAlias(fnText(fn).slice(0, freeCall.startIndex - fn.startIndex), key)) return out;
  for (const n of body.descendantsOfType(['init_declarator', 'assignment_expression'])) {
    if (n.startIndex >= freeCall.startIndex) break;
    if (n.type === 'assignment_expression' && n.child(1)?.text !== '=') continue;
    const left = n.childForFieldName(n.type === 'init_declarator' ? 'declarator' : 'left');
    let right: SyntaxNode | null | undefined = n.childForFieldName(n.type === 'init_declarator' ? 'value' : 'right');
    while (right && (right.type === 'cast_expression' || right.type === 'parenthesized_expression'))
      right = right.type === 'cast_expression' ? right.childForFieldName('value') : (namedArgs(right)[0] ?? null);
    const l = left?.type === 'pointer_declarator' ? declaredName(left) : left;
    const lk = l ? keyOf(l) : undefined;
    const rk = right ? keyOf(right) : undefined;
    if (!lk || !rk || lk === rk) continue;
    const other = rk === key ? lk : lk === key ? rk : undefined;
    if (!other || out.includes(other)) continue;
    // neither name set again between the aliasing and the free
    const from = n.endIndex;
    const reassigned = [key, other].some((k) =>
      mem.occurrences(fn, k, from, freeCall.startIndex).some((u) => {
        const p = u.parent;
        return (
          (p?.type === 'assignment_expression' && p.childForFieldName('left')?.id === u.id) ||
          (p?.type === 'pointer_expression' && p.text.startsWith('&'))
        );
      }),
    );
    if (!reassigned && ancestor(n, ALIAS_SCOPE)) out.push(other);
  }
  return out;
}

function afterFreeOf(freeCall: SyntaxNode, fn: SyntaxNode, key: string): { use: SyntaxNode; again: boolean } | undefined {
  const inLoop = ancestor(freeCall, LOOP);
  // a jump after the free inside the loop body (`free(p); return NULL;`) leaves before the next iteration
  const loop = inLoop && !jumpsAfter(freeCall, inLoop) ? inLoop : null;
  // in a loop, the rest of the body then the for-update clause run next: `for (p = h; p; p = p->next) free(p);`
  const ranges: [number, number][] = [];
  if (loop) {
    const body = loop.childForFieldName('body');
    ranges.push([freeCall.endIndex, body?.endIndex ?? loop.endIndex]);
    const update = loop.type === 'for_statement' ? loop.childForFieldName('update') : null;
    if (update) ranges.push([update.startIndex, update.endIndex]);
    const cond = loop.childForFieldName('condition');
    if (cond) ranges.push([cond.startIndex, cond.endIndex]);
    if (body) ranges.push([body.startIndex, freeCall.startIndex]);
  }
  // `free(p); goto fail; ... fail: free(p);`: the path continues at the label
  const label = loop ? undefined : gotoTarget(freeCall, fn);
  if (label) ranges.push([label.startIndex, fn.endIndex]);
  else if (!loop) ranges.push([freeCall.endIndex, fn.endIndex]);
  for (const [from, to] of ranges) {
    for (const use of mem.occurrences(fn, key, from, to)) {
      if (use.startIndex >= freeCall.startIndex && use.endIndex <= freeCall.endIndex) continue;
      const viaLabel = label !== undefined && use.startIndex >= label.startIndex;
      if (use.startIndex > freeCall.endIndex && !viaLabel && mem.leavesBetween(freeCall, use)) return undefined;
      const p = use.parent;
      if (p?.type === 'assignment_expression' && p.childForFieldName('left')?.id === use.id) {
        // `p = p->next`: the right side reads the freed pointer before the assignment
        const right = p.childForFieldName('right');
        const read = right ? mem.occurrences(fn, key, right.startIndex, right.endIndex).find((u) => isDereference(u)) : undefined;
        return read ? { use: read, again: false } : undefined;
      }
      if (p?.type === 'sizeof_expression' || ancestor(use, new Set(['sizeof_expression']))) continue;
      const call = p?.type === 'argument_list' ? p.parent : null;
      if (call && namedArgs(p).length === 1 && mem.callTargets(call).some((t) => FREE_FN.test(t.name))) return { use, again: true };
      if (isNullCheck(use) && !isDereference(use)) continue;
      if (isDereference(use) || p?.type === 'argument_list' || p?.type === 'field_expression') return { use, again: false };
      return undefined;
    }
    if (loop && from === freeCall.endIndex) continue;
  }
  return undefined;
}

/** When the first jump after `node` (in its enclosing blocks) is a `goto`, the labelled statement it goes to. */
function gotoTarget(node: SyntaxNode, fn: SyntaxNode): SyntaxNode | undefined {
  let cur: SyntaxNode = node;
  while (cur.parent && cur.id !== fn.id) {
    const parent: SyntaxNode = cur.parent;
    const from = cur.endIndex;
    if (parent.type === 'compound_statement') {
      const jump = namedArgs(parent).find((s) => s.startIndex >= from && JUMP.has(s.type));
      if (jump) {
        if (jump.type !== 'goto_statement') return undefined;
        const name = jump.childForFieldName('label')?.text;
        return fn.descendantsOfType('labeled_statement').find((l) => l.childForFieldName('label')?.text === name);
      }
    }
    cur = parent;
  }
  return undefined;
}

/** Whether a jump statement follows `node` in one of the blocks between it and `outer`. */
function jumpsAfter(node: SyntaxNode, outer: SyntaxNode): boolean {
  let cur: SyntaxNode = node;
  while (cur.parent && cur.id !== outer.id) {
    const parent: SyntaxNode = cur.parent;
    const from = cur.endIndex;
    if (parent.type === 'compound_statement' && namedArgs(parent).some((s) => s.startIndex >= from && JUMP.has(s.type))) return true;
    cur = parent;
  }
  return false;
}

/** A finding at `node` with the tainted value's way there (source first, the sink last). */
function hit(node: SyntaxNode, taint: Taint, sink: string): RuleHit {
  return { node, flow: flowSteps(node, taint, sink) };
}

const INDEX_TAINT = new WeakMap<object, Map<string, Taint | null>>();

/** An index's taint, worked out once per tree for the read and the write rule alike. */
function indexTaint(idx: SyntaxNode): Taint | undefined {
  const tree = idx.tree as object;
  let m = INDEX_TAINT.get(tree);
  if (!m) {
    m = new Map();
    INDEX_TAINT.set(tree, m);
  }
  const key = `${idx.startIndex}:${idx.endIndex}`;
  let t = m.get(key);
  if (t === undefined) {
    t = taintOf(idx) ?? null;
    m.set(key, t);
  }
  return t ?? undefined;
}

function taintOf(n: SyntaxNode | null | undefined): Taint | undefined {
  return n ? functionTaint(n)?.taintOf(n) : undefined;
}

/**
 * A value input sets that the checks before `at` bound only by something larger than `limit` (the
 * destination's size, the last index of the array): `if (n > 1024) return; memcpy(buf64, s, n)`. Every
 * check that holds there must have a constant bound above the limit; a bound of unknown value, or none,
 * leaves the value to the taint analysis, and so does a tighter check anywhere since the value was set.
 */
function laxlyBounded(expr: SyntaxNode, limit: number): Taint | undefined {
  const key = keyOf(expr);
  const ft = key ? functionTaint(expr) : undefined;
  if (!key || !ft) return undefined;
  const t = ft.definitionTaint(key, expr.startIndex);
  if (t?.kind !== 'value') return undefined;
  // every check since the definition lax, one of them holding here (a tight one on another way clears it)
  const bounds = ft.boundsAt(key, expr.startIndex);
  if (!bounds.some((b) => b.holds)) return undefined;
  for (const b of bounds) {
    const v = mem.constValue(b.bound);
    if (v === undefined || (b.strict ? v - 1 : v) <= limit) return undefined;
  }
  return t;
}

/** strcpy-family: a finding unless the source is a literal that fits, or input cannot reach it, or it is known to fit. */
function unboundedCopy(m: RuleMatch): RuleHit | boolean {
  const dst = arg(m, 0);
  const src = arg(m, 1);
  const call = m.captures.finding;
  if (!dst || !src || !call) return false;
  const appends = /cat$/.test(mem.matchCallee(m) ?? '');
  const lit = literalText(src);
  if (lit !== undefined || isConstantC(src)) {
    const size = mem.bufferBytes(dst);
    return lit !== undefined && size !== undefined && !appends && lit.length + 1 > size;
  }
  const t = taintOf(src);
  if (mem.copyFits(call, dst, src, appends)) return false;
  if (t) return hit(call, t, `copied without a bound by ${mem.matchCallee(m)}()`);
  // not known to come from input, but of a length nothing checks, into a buffer of a fixed size
  return fixedArray(dst) && mem.bufferBytes(src) === undefined;
}

/**
 * Whether a destination is an array of a fixed size the code declares (a literal or a macro, `char b[64]`,
 * `char name[NAME_MAX]`), not a pointer whose size the caller chose nor a variable-length array.
 */
function fixedArray(dst: SyntaxNode): boolean {
  if (mem.bufferBytes(dst) !== undefined) return true;
  let d: SyntaxNode | null = dst;
  while (d && (d.type === 'parenthesized_expression' || d.type === 'cast_expression'))
    d = d.type === 'cast_expression' ? d.childForFieldName('value') : (namedArgs(d)[0] ?? null);
  if (d?.type !== 'identifier') return false;
  const decl = mem.arrayDeclaration(d, d.text);
  return !!decl && decl.byteElements && isConstantC(decl.size);
}

/** sprintf: a finding when the format is not a literal, or its output can exceed the destination. */
function sprintfOverflow(m: RuleMatch): RuleHit | boolean {
  const args = mem.matchArgs(m);
  const call = m.captures.finding;
  const fmt = literalText(args[1]);
  if (!call || !args[0]) return false;
  if (fmt === undefined) return !isConstantC(args[1]);
  const { bytes, unbounded, fixed } = mem.formatBound(fmt, args.slice(2));
  const size = mem.bufferBytes(args[0]);
  if (bytes !== undefined) return size !== undefined && bytes > size;
  // into a block allocated from the very lengths it formats, with room for the rest
  if (mem.formatFitsAllocation(args[0], fixed, unbounded)) return false;
  const tainted = unbounded.map((a) => taintOf(a)).find((t) => t !== undefined);
  if (tainted) return hit(call, tainted, `formatted without a bound by ${mem.matchCallee(m)}()`);
  // a string of a length nothing in view bounds, formatted into an array of a fixed size
  return fixedArray(args[0]) && unbounded.some((a) => !isConstantC(a) && !mem.copyFits(call, args[0] as SyntaxNode, a, true));
}

/** scanf-family: a `%s` or `%[` without a width into a buffer its input can overflow. */
function scanfUnbounded(m: RuleMatch): boolean {
  const name = mem.matchCallee(m) ?? '';
  const pos = SCANF_POS[name] ?? 0;
  const args = mem.matchArgs(m);
  const fmt = literalText(args[pos]);
  if (fmt === undefined) return false;
  const re = /%(\*?)(\d*)(hh|h|ll|l|j|z|t|L|m)?(\[\^?\]?[^\]]*\]|[a-zA-Z%])/g;
  let ai = pos + 1;
  for (let c = re.exec(fmt); c; c = re.exec(fmt)) {
    if (c[4] === '%') continue;
    const dest = c[1] ? undefined : args[ai++];
    const string = c[4] === 's' || c[4]?.startsWith('[');
    // a width that leaves no room for the terminator: `%10s` into char[10] writes 11 bytes
    if (!c[1] && c[2] && string && c[3] !== 'm') {
      const bytes = mem.bufferBytes(dest);
      if (bytes !== undefined && Number(c[2]) >= bytes) return true;
    }
    if (c[1] || c[2] || c[3] === 'm' || !string) continue;
    if (/sscanf$/.test(name)) {
      const src = args[0];
      if (!taintOf(src)) continue;
      const srcBytes = mem.bufferBytes(src);
      const dstBytes = mem.bufferBytes(dest);
      if (srcBytes !== undefined && dstBytes !== undefined && srcBytes <= dstBytes) continue;
    }
    return true;
  }
  return false;
}

/** The copy's length argument, as a node (fread's count times size counts as their product). */
function lengthArgs(name: string, args: readonly SyntaxNode[]): SyntaxNode[] {
  return (mem.LENGTH_ARG[name] ?? []).map((i) => args[i]).filter((a): a is SyntaxNode => a !== undefined);
}

/** Whether a length is the whole of an array: `sizeof a`, `sizeof(a)`, or the size `a` is declared with. */
function isWholeSize(len: SyntaxNode, arr: SyntaxNode): boolean {
  const n = len.text.replace(/\s+/g, '');
  const a = arr.text.replace(/\s+/g, '');
  if (n === `sizeof${a}` || n === `sizeof(${a})`) return true;
  const decl = arr.type === 'identifier' ? mem.arrayDeclaration(arr, arr.text) : undefined;
  return !!decl && decl.byteElements && decl.size.text.replace(/\s+/g, '') === n;
}

/**
 * A bounded writer into a local array: its constant length exceeds the array, or input sets it unchecked,
 * or strncat is bounded by the destination's whole size.
 */
function stackWrite(m: RuleMatch): RuleHit | boolean {
  const name = mem.matchCallee(m) ?? '';
  const args = mem.matchArgs(m);
  const call = m.captures.finding;
  const dst = args[name === 'read' || name === 'pread' || name === 'recv' || name === 'recvfrom' ? 1 : 0];
  if (!call || !dst || !mem.isStackArray(dst)) return false;
  const size = mem.bufferBytes(dst);
  const lens = lengthArgs(name, args);
  if (lens.length === 0) return false;
  // strncat's bound is the room left, not the destination's size: `sizeof dst` overflows once dst holds anything
  if (name === 'strncat' && lens[0] && args[1]?.type !== 'string_literal' && isWholeSize(lens[0], dst)) return true;
  if (lens.some((l) => mem.boundedByDestination(l, dst))) return false;
  const values = lens.map((l) => mem.constValue(l));
  if (values.every((v) => v !== undefined)) {
    const total = values.reduce<number>((a, b) => a * (b as number), 1);
    return size !== undefined && (name === 'strncat' ? total >= size : total > size);
  }
  const t = lens.map((l) => taintOf(l)).find((x) => x !== undefined);
  if (t) return hit(call, t, `length of a write into the stack buffer ${dst.text}`);
  const lax = size !== undefined && lens.length === 1 && lens[0] ? laxlyBounded(lens[0], size) : undefined;
  if (lax)
    return hit(call, lax, `length of a write into the stack buffer ${dst.text}, checked only against a bound above its ${size} bytes`);
  const field = lens.length === 1 && lens[0] ? callerField(lens[0]) : undefined;
  return field ? hit(call, field, `length of a write into the stack buffer ${dst.text}, compared with nothing`) : false;
}

/**
 * A length that is a field of a struct the caller passes (`req->len`, `hdr.size` of a parameter), that
 * nothing in the function compares: into a buffer of a fixed size on the stack, the caller decides how
 * much is written. (Such fields count as the library's state elsewhere; a stack array is the one
 * destination whose size the caller cannot know.)
 */
function callerField(len: SyntaxNode): Taint | undefined {
  let v: SyntaxNode | null = len;
  while (v && (v.type === 'parenthesized_expression' || v.type === 'cast_expression'))
    v = v.type === 'cast_expression' ? v.childForFieldName('value') : (namedArgs(v)[0] ?? null);
  if (v?.type !== 'field_expression') return undefined;
  const key = keyOf(v);
  let base: SyntaxNode | null = v.childForFieldName('argument');
  while (base?.type === 'field_expression' || base?.type === 'subscript_expression') base = base.childForFieldName('argument');
  const ft = functionTaint(len);
  const fn = ancestor(len, FUNCTION);
  if (!key || base?.type !== 'identifier' || !ft || !fn) return undefined;
  const param = ft.definitionTaint(base.text, fn.startIndex + 1) ?? ft.definitionTaint(base.text, len.startIndex);
  if (param?.origin !== 'parameter' || ft.lastDefAt(base.text, len.startIndex) > (fn.childForFieldName('body')?.startIndex ?? 0))
    return undefined;
  // compared before the write (wherever that holds), or the field assigned in the function: not left to the caller
  if (ft.boundsAt(key, len.startIndex).length > 0 || ft.checkedBetween(key, fn.startIndex, len.startIndex, 'lower')) return undefined;
  if (ft.lastDefAt(key, fn.endIndex) > fn.startIndex) return undefined;
  return {
    kind: 'value',
    origin: 'parameter',
    steps: [...param.steps, { node: v, message: `${key}, a length the caller's struct holds` }],
  };
}

/** memcpy-family into a non-stack destination with a length input sets and nothing bounds. */
function uncheckedLength(m: RuleMatch): RuleHit | boolean {
  const name = mem.matchCallee(m) ?? '';
  const args = mem.matchArgs(m);
  const call = m.captures.finding;
  const dst = args[name === 'read' || name === 'recv' ? 1 : 0];
  const len = lengthArgs(name, args)[0];
  if (!call || !dst || !len || isConstantC(len) || mem.isStackArray(dst)) return false;
  if (mem.boundedByDestination(len, dst) || mem.allocatedFrom(dst, len)) return false;
  const t = taintOf(len);
  if (!t) {
    const size = mem.bufferBytes(dst);
    const lax = size !== undefined ? laxlyBounded(len, size) : undefined;
    return lax ? hit(call, lax, `length of ${name}(), checked only against a bound above the ${size} bytes of ${dst.text}`) : false;
  }
  // the length of a real object into a buffer of a size the function does not see: the caller sized it
  if (t.kind === 'length' && mem.bufferBytes(dst) === undefined) return false;
  return hit(call, t, `length of ${name}()`);
}

/** An allocation whose size multiplies (or adds to) an input-set value with no overflow check before. */
function allocOverflow(m: RuleMatch): RuleHit | boolean {
  const call = m.captures.finding;
  let size = m.captures.size;
  const sizeVar = m.captures.sizevar;
  if (sizeVar) {
    // `size_t size = w * h * 3; malloc(size)`: the product computed before, unchecked since
    if (!taintOf(sizeVar)) return false;
    let v: SyntaxNode | null | undefined = functionTaint(sizeVar)?.lastValue(sizeVar.text, sizeVar.startIndex);
    while (v && (v.type === 'cast_expression' || v.type === 'parenthesized_expression'))
      v = v.type === 'cast_expression' ? v.childForFieldName('value') : (namedArgs(v)[0] ?? null);
    if (v?.type !== 'binary_expression' || !/^[*+]$/.test(v.childForFieldName('operator')?.text ?? '')) return false;
    size = v as SyntaxNode;
  }
  // calloc checks the product of its two arguments, not arithmetic inside one of them
  if (!size || !call || isConstantC(size)) return false;
  const op = size.childForFieldName('operator')?.text;
  const operands = [size.childForFieldName('left'), size.childForFieldName('right')];
  for (const o of operands) {
    if (!o || isConstantC(o)) continue;
    const t = taintOf(o);
    // a string's length plus a constant cannot wrap: the string exists
    if (!t || (op === '+' && t.kind === 'length')) continue;
    return hit(call, t, `allocation size ${size.text} computed without an overflow check`);
  }
  return false;
}

const WRITE_PARENTS = new Set(['assignment_expression', 'update_expression']);

/** Whether a subscript is written (`a[i] = v`, `a[i]++`, `&a[i]` passed on). */
function isWrite(sub: SyntaxNode): boolean {
  const p = sub.parent;
  if (!p) return false;
  if (p.type === 'assignment_expression') return p.childForFieldName('left')?.id === sub.id;
  return WRITE_PARENTS.has(p.type);
}

/**
 * Per subscript node, what the read and the write rule both ask first: whether it is written
 * (undefined when its index is constant, which neither rule reports).
 */
const SUBSCRIPT_WRITE = new WeakMap<SyntaxNode, boolean | undefined>();

function subscriptWrite(sub: SyntaxNode, idx: SyntaxNode): boolean | undefined {
  if (SUBSCRIPT_WRITE.has(sub)) return SUBSCRIPT_WRITE.get(sub);
  const w = isConstantC(idx) ? undefined : isWrite(sub);
  SUBSCRIPT_WRITE.set(sub, w);
  return w;
}

/** An index that input sets and nothing bounds, reading (`write` false) or writing an array. */
function taintedIndex(m: RuleMatch, write: boolean): RuleHit | boolean {
  const sub = m.captures.finding;
  const arr = m.captures.arr;
  const idx = m.captures.idx;
  if (!sub || !arr || !idx || subscriptWrite(sub, idx) !== write) return false;
  if (/^(argv|envp|environ)$/.test(arr.text)) return false;
  const count = arr.type === 'identifier' ? mem.arrayDeclaration(arr, arr.text) : undefined;
  const size = count ? mem.constValue(count.size) : undefined;
  const t = indexTaint(idx);
  if (!t) {
    // checked, but only against a bound past the array's end: `if (i > 100) return; a[i]` on an array of 16
    const lax = size !== undefined && size > 0 ? laxlyBounded(idx, size - 1) : undefined;
    return lax ? hit(sub, lax, `index into ${arr.text}, checked only against a bound past its ${size} elements`) : false;
  }
  if (t.kind !== 'value') return false;
  // a byte's high nibble (`hex[b >> 4]`) or another value no larger than the array
  const max = maxValue(idx);
  if (max !== undefined && (max < 16 || (size !== undefined && max < size))) return false;
  // a counter up to an input count, over an array of that many elements
  if (t.bound && sizedBy(arr, t.bound)) return false;
  return hit(sub, t, write ? `index of a write into ${arr.text}` : `index of a read from ${arr.text}`);
}

/** The largest value an index expression can take, when its type or arithmetic bounds it (a byte, `b >> 4`, `x & 15`). */
function maxValue(n: SyntaxNode | null | undefined, depth = 0): number | undefined {
  if (!n || depth > 6) return undefined;
  if (n.type === 'parenthesized_expression') return maxValue(namedArgs(n)[0], depth + 1);
  if (n.type === 'cast_expression') {
    const type = n.childForFieldName('type')?.text.trim() ?? '';
    if (/^(unsigned char|uint8_t|u8|uchar|BYTE)$/.test(type))
      return Math.min(255, maxValue(n.childForFieldName('value'), depth + 1) ?? 255);
    return maxValue(n.childForFieldName('value'), depth + 1);
  }
  const c = mem.constValue(n);
  if (c !== undefined) return c;
  if (n.type === 'subscript_expression') {
    // an element of an unsigned byte array
    const a = n.childForFieldName('argument');
    if (a?.type !== 'identifier') return undefined;
    const d = mem.arrayDeclaration(a, a.text);
    if (!d?.byteElements) return undefined;
    let decl: SyntaxNode | null = d.size.parent;
    while (decl && decl.type !== 'declaration' && decl.type !== 'field_declaration') decl = decl.parent;
    return /\b(unsigned char|uint8_t|u8|uchar|BYTE)\b/.test(decl?.childForFieldName('type')?.text ?? '') ? 255 : undefined;
  }
  if (n.type === 'binary_expression') {
    const op = n.childForFieldName('operator')?.text;
    const l = n.childForFieldName('left');
    const r = n.childForFieldName('right');
    const rv = mem.constValue(r);
    if (op === '>>' && rv !== undefined) {
      const lv = maxValue(l, depth + 1);
      return lv === undefined ? undefined : lv >> rv;
    }
    if (op === '&' && rv !== undefined && rv >= 0) return rv;
    if (op === '%' && rv !== undefined && rv > 0) return rv - 1;
  }
  return undefined;
}

/** Whether an array's declared size or allocation mentions `key` (`int a[n]`, `malloc(n * sizeof *a)`). */
function sizedBy(arr: SyntaxNode, key: string): boolean {
  const word = new RegExp(`(^|[^\\w>.])${key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![\\w])`);
  const base = arr.type === 'identifier' ? arr : undefined;
  const decl = base ? mem.arrayDeclaration(base, base.text) : undefined;
  if (decl && word.test(decl.size.text.replace(/\s+/g, ''))) return true;
  const alloc = mem.allocationOf(arr);
  if (
    alloc &&
    word.test(
      namedArgs(alloc.childForFieldName('arguments'))
        .map((a) => a.text.replace(/\s+/g, ''))
        .join(','),
    )
  )
    return true;
  // `recs = read_records(f, &n)`: the call that made the array wrote its count
  const k = keyOf(arr);
  let v: SyntaxNode | null | undefined = k ? functionTaint(arr)?.lastValue(k, arr.startIndex) : undefined;
  while (v && (v.type === 'cast_expression' || v.type === 'parenthesized_expression'))
    v = v.type === 'cast_expression' ? v.childForFieldName('value') : (namedArgs(v)[0] ?? null);
  return v?.type === 'call_expression' && namedArgs(v.childForFieldName('arguments')).some((a) => a.text.replace(/^&\s*/, '') === key);
}

/** The element count an array or allocation of `name` has, as source text (`N`, `n`, `len`). */
function elementCounts(at: SyntaxNode, name: string): string[] {
  const out: string[] = [];
  const decl = mem.arrayDeclaration(at, name);
  if (decl) {
    out.push(decl.size.text.replace(/\s+/g, ''));
    const v = mem.constValue(decl.size);
    if (v !== undefined) out.push(String(v));
  }
  const alloc = mem.allocationOf(at.type === 'identifier' ? at : (at.descendantsOfType('identifier').find((i) => i.text === name) ?? null));
  if (alloc) {
    const a = namedArgs(alloc.childForFieldName('arguments'));
    const fnName = alloc.childForFieldName('function')?.text ?? '';
    const count = /calloc/.test(fnName) ? a[0] : a[fnName === 'realloc' ? 1 : 0];
    if (count?.type === 'binary_expression' && count.childForFieldName('operator')?.text === '*') {
      for (const side of [count.childForFieldName('left'), count.childForFieldName('right')])
        if (side && side.type !== 'sizeof_expression') out.push(side.text.replace(/\s+/g, ''));
    } else if (count && /calloc/.test(fnName)) out.push(count.text.replace(/\s+/g, ''));
  }
  return out;
}

/**
 * Whether an index is `sizeof` of the very array it indexes (`a[sizeof a]`, `s->f[sizeof(s->f)]`), the array
 * not declared as a pointer in view (`sizeof p` of a pointer is its width, a valid index of a longer block).
 */
function sizeofSelf(arr: SyntaxNode, idx: SyntaxNode): boolean {
  let inner: SyntaxNode | null = idx.childForFieldName('value');
  while (inner?.type === 'parenthesized_expression') inner = namedArgs(inner)[0] ?? null;
  if (!inner || inner.text.replace(/\s+/g, '') !== arr.text.replace(/\s+/g, '')) return false;
  if (arr.type === 'identifier') return mem.arrayDeclaration(arr, arr.text) !== undefined || !declaredPointer(arr);
  return arr.type === 'field_expression';
}

/** Whether a name is declared as a pointer in the function around it or at file level. */
function declaredPointer(id: SyntaxNode): boolean {
  const fn = ancestor(id, FUNCTION);
  const scopes = fn ? [fn, id.tree.rootNode] : [id.tree.rootNode];
  return scopes.some((s) => s.descendantsOfType('pointer_declarator').some((p) => p.childForFieldName('declarator')?.text === id.text));
}

/** The value a name was last set to before `at` (`n` in `n = strlen(s)`), when nothing changes it in between. */
function lengthDefinition(name: SyntaxNode, at: SyntaxNode): SyntaxNode | undefined {
  const fn = ancestor(at, FUNCTION);
  if (!fn) return undefined;
  let value: SyntaxNode | undefined;
  for (const n of fn.descendantsOfType(['init_declarator', 'assignment_expression', 'update_expression'])) {
    if (n.startIndex >= at.startIndex) break;
    if (n.type === 'update_expression') {
      if (n.childForFieldName('argument')?.text === name.text) value = undefined;
      continue;
    }
    const left = n.childForFieldName(n.type === 'init_declarator' ? 'declarator' : 'left');
    if (left?.text !== name.text) continue;
    value =
      n.type === 'assignment_expression' && n.child(1)?.text !== '='
        ? undefined
        : (n.childForFieldName(n.type === 'init_declarator' ? 'value' : 'right') ?? undefined);
  }
  return value;
}

/** `for (i = 0; i <= n; i++) a[i]` over an array of n, `a[N]` / `a[sizeof a]` on an array of N, malloc(strlen(s)) then strcpy. */
function offByOne(m: RuleMatch): SyntaxNode | false {
  const c = m.captures;
  if (c.loopvar && c.bound && c.body && c.cond) {
    const i = c.loopvar.text;
    const bound = c.bound.text.replace(/\s+/g, '');
    const boundValue = mem.constValue(c.bound);
    for (const sub of c.body.descendantsOfType('subscript_expression')) {
      if (sub.childForFieldName('index')?.text.replace(/\s+/g, '') !== i) continue;
      const arr = sub.childForFieldName('argument');
      if (arr?.type !== 'identifier') continue;
      const counts = elementCounts(arr, arr.text);
      const sizeofArr = new RegExp(`^sizeof\\(?${arr.text}\\)?(/sizeof.*)?$`).test(bound);
      if (counts.includes(bound) || (boundValue !== undefined && counts.includes(String(boundValue))) || sizeofArr) return c.cond;
    }
    return false;
  }
  if (c.arr && c.idx) {
    // `a[sizeof a]`, `p->name[sizeof(p->name)]`: one past the end of any array, whatever its element
    if (c.idx.type === 'sizeof_expression' && sizeofSelf(c.arr, c.idx)) return c.finding ?? false;
    if (c.arr.type !== 'identifier') return false;
    const t = c.idx.type;
    if (t !== 'number_literal' && t !== 'sizeof_expression' && !(t === 'identifier' && /^[A-Z][A-Z0-9_]*$/.test(c.idx.text))) return false;
    const idx = c.idx.text.replace(/\s+/g, '');
    const counts = elementCounts(c.arr, c.arr.text);
    const decl = mem.arrayDeclaration(c.arr, c.arr.text);
    if (!decl) return false;
    const v = mem.constValue(c.idx);
    const sizeofArr = new RegExp(`^sizeof\\(?${c.arr.text}\\)?$`).test(idx) && decl.byteElements;
    if (
      sizeofArr ||
      (c.idx.type !== 'identifier' && counts.includes(idx)) ||
      (v !== undefined && counts.includes(String(v)) && c.idx.type !== 'identifier')
    )
      return c.finding ?? false;
    if (c.idx.type === 'identifier' && /^[A-Z][A-Z0-9_]*$/.test(idx) && counts.includes(idx)) return c.finding ?? false;
    return false;
  }
  if (c.copy && c.dst && c.src) {
    const alloc = mem.allocationOf(c.dst);
    let a = namedArgs(alloc?.childForFieldName('arguments'))[0];
    // `size_t n = strlen(s); char *p = malloc(n);`: the length through a name set from it and not changed since
    if (alloc && a?.type === 'identifier') a = lengthDefinition(a, alloc);
    const inner =
      a?.type === 'call_expression' && /^strlen$/.test(a.childForFieldName('function')?.text ?? '')
        ? namedArgs(a.childForFieldName('arguments'))[0]
        : undefined;
    return inner && inner.text === c.src.text ? c.copy : false;
  }
  return false;
}

/** `int a[n];` with `n` from input (not a parameter's value, not through an unmodelled call) that nothing bounds. */
function vlaInputSize(m: RuleMatch): RuleHit | false {
  const size = m.captures.size;
  const decl = m.captures.finding;
  if (!size || !decl || mem.constValue(size) !== undefined || /^[A-Z][A-Z0-9_]*$/.test(size.text.trim())) return false;
  if (!ancestor(decl, FUNCTION) || size.type === 'sizeof_expression') return false;
  const t = taintOf(size);
  if (t?.kind !== 'value' || t.origin === 'parameter' || t.derived) return false;
  return hit(decl, t, `size of the variable-length array ${decl.childForFieldName('declarator')?.text ?? ''}`);
}

const REALLOC = /^(realloc|xrealloc|g_realloc|reallocarray)$/;

/** Whether `use` sits on the path where `q` (realloc's result) is NULL: `if (!q) { ... }`, the else of `if (q)`. */
function onFailurePath(use: SyntaxNode, q: string, stop: SyntaxNode): boolean {
  const esc = q.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const isNull = new RegExp(`^\\(*(!${esc}|${esc}==(NULL|0)|(NULL|0)==${esc})\\)*$`);
  const isSet = new RegExp(`^\\(*(${esc}|${esc}!=(NULL|0)|(NULL|0)!=${esc})\\)*$`);
  for (let n: SyntaxNode | null = use.parent; n && n.id !== stop.id; n = n.parent) {
    if (n.type !== 'if_statement') continue;
    const cond = n.childForFieldName('condition')?.text.replace(/\s+/g, '') ?? '';
    const then = n.childForFieldName('consequence');
    const inThen = !!then && use.startIndex >= then.startIndex && use.endIndex <= then.endIndex;
    if ((isNull.test(cond) && inThen) || (isSet.test(cond) && !inThen)) return true;
  }
  return false;
}

/** `q = realloc(p, n);` then `p` used (not on the failure path, not set again first): the block p pointed to is gone. */
function useAfterRealloc(m: RuleMatch): SyntaxNode | false {
  const stmt = m.captures.finding;
  const q = m.captures.ptr;
  let v = m.captures.value;
  while (v && v.type === 'cast_expression') v = v.childForFieldName('value') ?? undefined;
  if (!stmt || !q || v?.type !== 'call_expression' || !REALLOC.test(v.childForFieldName('function')?.text ?? '')) return false;
  const p = keyOf(namedArgs(v.childForFieldName('arguments'))[0]);
  if (!p || p === q.text) return false;
  const fn = ancestor(stmt, FUNCTION);
  if (!fn || ancestor(stmt, LOOP)) return false;
  for (const use of mem.occurrences(fn, p, stmt.endIndex, fn.endIndex)) {
    if (mem.leavesBetween(stmt, use)) return false;
    const parent = use.parent;
    if (parent?.type === 'assignment_expression' && parent.childForFieldName('left')?.id === use.id) return false;
    if (onFailurePath(use, q.text, fn)) continue;
    if (isNullCheck(use) && !isDereference(use)) continue;
    if (parent?.type === 'sizeof_expression') continue;
    if (isDereference(use) || parent?.type === 'argument_list' || parent?.type === 'field_expression') return use;
    // `memcpy(p + len, ...)`, `*(p + i)`: an address computed from the old block and used
    let e: SyntaxNode = use;
    while (
      e.parent &&
      (e.parent.type === 'parenthesized_expression' ||
        (e.parent.type === 'binary_expression' && /^[+-]$/.test(e.parent.childForFieldName('operator')?.text ?? '')))
    )
      e = e.parent;
    if (
      e.id !== use.id &&
      (e.parent?.type === 'argument_list' || (e.parent?.type === 'pointer_expression' && e.parent.text.startsWith('*')))
    )
      return use;
    return false;
  }
  return false;
}

const CHECK_CALL = /^(access|faccessat|eaccess|euidaccess)$/;
/** Checks by the file's status: a TOCTOU only when the code decides on its kind, owner or mode (not its size). */
const STAT_CALL = /^(stat|lstat|stat64|lstat64)$/;
const USE_CALL = /^(open|fopen|freopen|creat|openat|chmod|chown|lchown|truncate|unlink|remove|rename|execv|execve|opendir)$/;

/**
 * access(path) earlier in the function, or stat/lstat(path, &st) whose kind, owner or mode is then tested
 * (`S_ISREG(st.st_mode)`, `st.st_uid != getuid()`), then this call opens or changes the same path.
 */
function toctou(m: RuleMatch): boolean {
  const call = m.captures.finding;
  const fnName = mem.matchCallee(m) ?? '';
  if (!call || !USE_CALL.test(fnName)) return false;
  const args = mem.matchArgs(m);
  const path = args[fnName === 'openat' ? 1 : 0]?.text.replace(/\s+/g, '');
  if (!path) return false;
  const fn = ancestor(call, FUNCTION);
  return !!fn?.descendantsOfType('call_expression').some((c) => {
    const name = c.childForFieldName('function')?.text ?? '';
    if (c.endIndex > call.startIndex || !(CHECK_CALL.test(name) || STAT_CALL.test(name))) return false;
    const a = namedArgs(c.childForFieldName('arguments'));
    const p = (name === 'faccessat' ? a[1] : a[0])?.text.replace(/\s+/g, '');
    if (p !== path) return false;
    if (!STAT_CALL.test(name)) return true;
    const st = keyOf(a[1]?.type === 'pointer_expression' ? a[1].childForFieldName('argument') : a[1]);
    if (!st) return false;
    const esc = st.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const between = m.code.slice(c.endIndex, call.startIndex);
    return new RegExp(`(^|[^\\w.>])${esc}\\s*(\\.|->)\\s*st_(mode|uid|gid|nlink)\\b`).test(between);
  });
}

const FREE_QUERY =
  '((call_expression function: (identifier) @fn arguments: (argument_list . [(identifier) (field_expression)] @ptr .)) @finding (#match? @fn "^(free|g_free|kfree|xfree|cfree)$"))';
const RESULT_QUERY =
  '[(init_declarator declarator: (pointer_declarator declarator: (identifier) @ptr) value: [(call_expression) (cast_expression)] @value) (assignment_expression left: (identifier) @ptr right: [(call_expression) (cast_expression)] @value)] @finding';
const SUBSCRIPT_QUERY = '(subscript_expression argument: (_) @arr index: (_) @idx) @finding';
const OFF_BY_ONE_QUERY = [
  '(for_statement condition: (binary_expression left: (identifier) @loopvar operator: "<=" right: (_) @bound) @cond body: (_) @body) @finding',
  '(subscript_expression argument: (identifier) @arr index: [(number_literal) (sizeof_expression) (identifier)] @idx) @finding',
  '(subscript_expression argument: (field_expression) @arr index: (sizeof_expression) @idx) @finding',
  '((call_expression function: (identifier) @fn arguments: (argument_list . (_) @dst . (_) @src .)) @copy (#match? @fn "^(strcpy|stpcpy)$"))',
].join(' ');
const NULL_TRIGGER =
  'fopen|fdopen|freopen|tmpfile|getenv|strchr|strrchr|strstr|strpbrk|memchr|strtok|opendir|readdir|localtime|gmtime|getpw|getgr|dlopen|crypt|realpath|getcwd|ttyname|getlogin|ctime|asctime|setlocale|lookup|find|_get_|_open';

const PERMISSIVE = /^0?[0-7]*[2367]$|^0?[0-7]*[67][0-7]$/;
const MODE_BITS: Record<string, number> = {
  S_IRWXU: 0o700,
  S_IRUSR: 0o400,
  S_IWUSR: 0o200,
  S_IXUSR: 0o100,
  S_IREAD: 0o400,
  S_IWRITE: 0o200,
  S_IEXEC: 0o100,
  S_IRWXG: 0o70,
  S_IRGRP: 0o40,
  S_IWGRP: 0o20,
  S_IXGRP: 0o10,
  S_IRWXO: 0o7,
  S_IROTH: 0o4,
  S_IWOTH: 0o2,
  S_IXOTH: 0o1,
  DEFFILEMODE: 0o666,
  ACCESSPERMS: 0o777,
  ALLPERMS: 0o7777,
};

/** The permission bits of a mode written with `S_I*` constants (`S_IRUSR | S_IWUSR`), or undefined. */
function symbolicMode(n: SyntaxNode | null | undefined, depth = 0): number | undefined {
  if (!n || depth > 16) return undefined;
  if (n.type === 'parenthesized_expression') return symbolicMode(namedArgs(n)[0], depth + 1);
  if (n.type === 'identifier') return MODE_BITS[n.text];
  if (n.type === 'number_literal') return /^0[0-7]*$/.test(n.text) ? Number.parseInt(n.text, 8) : undefined;
  if (n.type === 'binary_expression' && /^[|+]$/.test(n.childForFieldName('operator')?.text ?? '')) {
    const l = symbolicMode(n.childForFieldName('left'), depth + 1);
    const r = symbolicMode(n.childForFieldName('right'), depth + 1);
    return l === undefined || r === undefined ? undefined : l | r;
  }
  return undefined;
}

const SECRET_CONTEXT = /secret|private|priv_?key|passw|token|credential|api_?key|\.pem\b|\.key\b/i;

/**
 * World- or group-writable modes (numeric or `S_I*`), an all-open umask, and a file that holds a secret
 * (by the function's name or the call's arguments) created readable by group or others.
 */
function permissiveMode(m: RuleMatch): RuleHit | boolean {
  const args = mem.matchArgs(m);
  const name = mem.matchCallee(m);
  const mode = args[args.length - 1];
  const call = m.captures.finding;
  if (!mode || !call || args.length < (name === 'umask' ? 1 : 2)) return false;
  if (name === 'umask') return mode.type === 'number_literal' && /^0*$/.test(mode.text);
  // open() without O_CREAT takes no mode: its last argument is the flags
  if (/^open/.test(name) && args.length < 3) return false;
  if (mode.type === 'number_literal') {
    if (!mode.text.startsWith('0')) return false;
    if (PERMISSIVE.test(mode.text)) return true;
  } else if ((symbolicMode(mode) ?? 0) & 0o022) return true;
  const bits = symbolicMode(mode);
  if (bits === undefined || !(bits & 0o044) || name === 'mkdir') return false;
  const fn = ancestor(call, FUNCTION);
  const fnName = fn ? functionSignature(fn).name : '';
  if (!SECRET_CONTEXT.test(fnName) && !args.slice(0, -1).some((a) => SECRET_CONTEXT.test(a.text))) return false;
  return { node: call, message: 'A file that holds a secret is created readable by group or others.' };
}

/** C library functions whose name a reader and the rules take at its word: redefining one hides what a call does. */
const SECURITY_LIBC =
  'gets|fgets|strcpy|strncpy|strlcpy|stpcpy|stpncpy|strcat|strncat|strlcat|wcscpy|wcsncpy|wcscat|wcsncat|sprintf|snprintf|vsprintf|vsnprintf|asprintf|printf|fprintf|dprintf|vprintf|vfprintf|syslog|scanf|fscanf|sscanf|vscanf|vsscanf|vfscanf|memcpy|memmove|memset|memset_s|explicit_bzero|bzero|memcmp|strcmp|strncmp|strlen|strnlen|strdup|strndup|malloc|calloc|realloc|free|system|popen|execl|execlp|execle|execv|execvp|execve|access|open|fopen|creat|chmod|umask|mkstemp|mkdtemp|tmpnam|tempnam|mktemp|rand|srand|random|getrandom|read|recv|fread';
const SECURITY_LIBC_NAME = new RegExp(`^(${SECURITY_LIBC})$`);

/** A `#define`, or a function pointer declared or assigned, under the name of a security-relevant library function. */
function libcRedefined(m: RuleMatch): SyntaxNode | boolean {
  const node = m.captures.finding;
  if (!node) return false;
  if (node.type === 'preproc_def' || node.type === 'preproc_function_def') {
    const name = m.captures.name?.text ?? '';
    if (!SECURITY_LIBC_NAME.test(name)) return false;
    // `#define memcpy memcpy`, `#define strlen(s) strlen(s)`: the same function
    const value = node.childForFieldName('value')?.text.replace(/\s+/g, '') ?? '';
    const params = node.childForFieldName('parameters')?.text.replace(/\s+/g, '') ?? '';
    const same = value === name || value === `${name}${params}` || value === `(${name})${params}` || value === `(${name}${params})`;
    // reported at the name (the directive's node runs on to the next line)
    return !same && (m.captures.name ?? false);
  }
  const name = node.type === 'init_declarator' ? mem.declaratorText(m.captures.decl) : m.captures.name?.text;
  if (!name || !SECURITY_LIBC_NAME.test(name)) return false;
  // a function pointer of that name bound to another function (not a plain variable: `int read = 0`)
  const value = m.captures.value;
  return (
    !!value &&
    !isConstantC(value) &&
    /^(identifier|cast_expression|parenthesized_expression|pointer_expression|conditional_expression)$/.test(value.type) &&
    value.text.replace(/[\s()&*]/g, '') !== name
  );
}

const RESOLVED_FN = /\(#(match|eq)\? @fn "((?:[^"\\]|\\.)*)"\)/g;

/**
 * A call rule that sees through aliases: its query takes every call, and its predicate runs for each
 * function the call can reach (mem.callTargets: parentheses, casts, macros, function pointers) whose
 * name the rule's own `#match?` accepts, with the arguments that function gets. The trigger widens to
 * the names anywhere in the text (`#define COPY strcpy`, `= strcpy`, `(strcpy)`) and to token pasting.
 */
function resolvingCalls(rule: Rule): Rule {
  if (!rule.query.includes('function: (identifier) @fn')) return rule;
  const tests = [...rule.query.matchAll(RESOLVED_FN)];
  const first = tests[0];
  if (!first || tests.some((t) => t[0] !== first[0])) return rule;
  const raw = (first[2] as string).replace(/\\(.)/g, '$1');
  const re = first[1] === 'eq' ? new RegExp(`^${raw.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) : new RegExp(raw);
  const words = first[1] === 'eq' ? raw : raw.replace(/\^|\$/g, '');
  const trigger = new RegExp(`${rule.trigger ? `${rule.trigger.source}|` : ''}\\b(?:${words})\\b|##`);
  const query = rule.query.replaceAll('function: (identifier) @fn', 'function: (_) @fn').replace(RESOLVED_FN, '');
  const inner = rule.predicate;
  return {
    ...rule,
    trigger,
    query,
    predicate: (m) => {
      // the patterns of the query without a call (off-by-one's loops and subscripts) as they were
      const call = m.captures.fn?.parent;
      if (!call) return inner ? inner(m) : true;
      for (const t of mem.callTargets(call)) {
        if (!re.test(t.name)) continue;
        const v = inner ? inner(mem.resolvedMatch(m, t)) : true;
        if (v) return v;
      }
      return false;
    },
  };
}

const RULES: Rule[] = [
  {
    id: 'c.gets',
    trigger: /\bgets\s*\(/,
    cwe: 'CWE-242',
    severity: 'high',
    message: 'gets() reads an unbounded line into a fixed buffer.',
    remediation: 'Use fgets(buf, sizeof buf, stdin).',
    query: call('^gets$'),
  },
  {
    id: 'c.unbounded-copy',
    trigger: /\b(strcpy|strcat|wcscpy|wcscat|stpcpy|lstrcpy|lstrcat|_mbscpy|_mbscat)\s*\(/,
    cwe: 'CWE-120',
    severity: 'high',
    message: 'Unbounded string copy from a non-constant source can overflow the destination.',
    remediation: 'Use snprintf or strlcpy/strlcat with the destination size, and check for truncation.',
    query: call('^(strcpy|strcat|wcscpy|wcscat|stpcpy|lstrcpy|lstrcat|_mbscpy|_mbscat)$'),
    predicate: unboundedCopy,
  },
  {
    id: 'c.sprintf',
    trigger: /\bv?sprintf\s*\(/,
    cwe: 'CWE-120',
    severity: 'high',
    message: 'sprintf() writes formatted run-time values of unchecked length into a fixed buffer.',
    remediation: 'Use snprintf with the destination size and check its return value.',
    query: call('^(sprintf|vsprintf)$'),
    predicate: sprintfOverflow,
  },
  {
    id: 'c.scanf-unbounded',
    trigger: /scanf\s*\(/,
    cwe: 'CWE-120',
    severity: 'high',
    message: 'A %s or %[ conversion without a field width, or with one that leaves no room for the terminator, overruns the buffer.',
    remediation: 'Give every %s a width one less than the buffer size (e.g. %63s into char[64]) or read with fgets.',
    query: call('^(scanf|fscanf|sscanf|vscanf|vfscanf|vsscanf)$'),
    predicate: scanfUnbounded,
  },
  {
    id: 'c.stack-buffer-overflow',
    trigger: /\b(mem(cpy|move|set)|strn(cpy|cat)|strl(cpy|cat)|fgets|read|pread|recv|recvfrom|fread|v?snprintf)\s*\(/,
    cwe: 'CWE-121',
    severity: 'high',
    message:
      'A write into a fixed-size stack buffer takes a length larger than the buffer, or one input sets unchecked (or strncat is bounded by the whole buffer, not the room left).',
    remediation: 'Pass sizeof the buffer (or check the length against it first).',
    query: call('^(memcpy|memmove|memset|strncpy|strncat|strlcpy|strlcat|fgets|read|pread|recv|recvfrom|fread|snprintf|vsnprintf)$'),
    predicate: stackWrite,
  },
  {
    id: 'c.embedded-secret',
    ...SECRET_RULE_TEXT,
    query: '[(string_literal) (concatenated_string)] @finding',
    predicate: (m) => SECRET_LITERAL.test(m.captures.finding?.text ?? ''),
  },
  {
    id: 'c.format-string',
    trigger: /\b(v?[fsd]?n?printf|syslog|err|warn)\s*\(/,
    cwe: 'CWE-134',
    severity: 'high',
    message: 'The format string comes from a variable: input can read or write memory with %x / %n.',
    remediation: 'Pass a literal format, e.g. printf("%s", msg).',
    query: call('^(printf|vprintf|fprintf|vfprintf|dprintf|sprintf|vsprintf|snprintf|vsnprintf|syslog|err|warn)$'),
    predicate: (m) => {
      const name = mem.matchCallee(m) ?? '';
      const pos = FORMAT_POS[name];
      const args = mem.matchArgs(m);
      const fmt = pos === undefined ? undefined : args[pos];
      // A variable format with no further arguments is the classic printf(buf) bug.
      return !!fmt && !isConstantC(fmt) && !holdsLiteral(fmt) && fmt.type !== 'call_expression' && args.length === (pos ?? 0) + 1;
    },
  },
  {
    id: 'c.command-injection',
    trigger: /\b(_?popen|_?w?system)\s*\(/,
    cwe: 'CWE-78',
    severity: 'high',
    message: 'A shell command is built from a non-constant string.',
    remediation: 'Avoid the shell: fork and execvp with an argument vector, and validate the inputs.',
    query: call('^(system|popen|_popen|_wsystem)$'),
    predicate: (m) => !isConstantC(arg(m, 0)) && !holdsLiteral(arg(m, 0)),
  },
  {
    id: 'c.exec-shell',
    trigger: /\bexecl[pe]?\s*\(/,
    cwe: 'CWE-78',
    severity: 'high',
    message: 'An exec call runs `sh -c` with a non-constant command.',
    remediation: 'Pass the program and its arguments separately instead of through a shell.',
    query: call('^(execl|execlp|execle)$'),
    predicate: (m) => {
      const args = mem.matchArgs(m);
      return args.some((a) => literalText(a) === '-c') && args.some((a, i) => i > 0 && !isConstantC(a) && a.type !== 'cast_expression');
    },
  },
  {
    id: 'c.weak-hash',
    trigger: /(MD[245]|SHA1?|EVP_md[245]|EVP_sha1)(_\w+)?\s*\(/,
    cwe: 'CWE-328',
    severity: 'medium',
    message: 'MD2, MD4, MD5 and SHA-1 are broken for security uses.',
    remediation: 'Use SHA-256 or stronger (EVP_sha256), or a password KDF (PBKDF2, scrypt, Argon2) for passwords.',
    query:
      '((call_expression function: (identifier) @fn) @finding (#match? @fn "^(\\\\w+_)?(MD2|MD4|MD5|SHA1|SHA)(_Init|_Update|_Final)?$|^EVP_(md2|md4|md5|sha1)$"))',
  },
  {
    id: 'c.weak-cipher',
    trigger: /\b(EVP_(des|rc4|bf|rc2|aes_\d+_ecb)\w*|DES_\w+|BF_\w+|RC4\w*|AES_ecb_encrypt)\s*\(/,
    cwe: 'CWE-327',
    severity: 'medium',
    message: 'DES, 3DES, RC4, Blowfish and ECB mode are weak or deterministic ciphers.',
    remediation: 'Use AES-GCM or ChaCha20-Poly1305 (EVP_aes_256_gcm) with a random IV.',
    query:
      '((call_expression function: (identifier) @fn) @finding (#match? @fn "^(EVP_des_\\\\w+|EVP_rc4\\\\w*|EVP_bf_\\\\w+|EVP_rc2_\\\\w+|EVP_aes_\\\\d+_ecb|DES_\\\\w+|BF_\\\\w+|RC4|RC4_set_key|AES_ecb_encrypt)$"))',
  },
  {
    id: 'c.insecure-random',
    trigger: /\b(s?rand(om)?|[dlm]rand48)\s*\(/,
    cwe: 'CWE-338',
    severity: 'low',
    message: 'rand() and random() are predictable; they must not produce secrets, keys or tokens.',
    remediation: 'Use getrandom(), /dev/urandom or RAND_bytes for anything security-relevant.',
    query: call('^(rand|random|drand48|lrand48|mrand48|srand|srandom)$'),
    // making a secret is c.insecure-random-secret's (medium) finding
    predicate: (m) => !isSecretRandom(m),
  },
  {
    id: 'c.insecure-tempfile',
    trigger: /\b(tmpnam|tempnam|mktemp)\w*\s*\(/,
    cwe: 'CWE-377',
    severity: 'medium',
    message: 'tmpnam/tempnam/mktemp create a predictable name that another process can race to.',
    remediation: 'Use mkstemp() or tmpfile(), which create the file atomically.',
    query: call('^(tmpnam|tmpnam_r|tempnam|mktemp)$'),
  },
  {
    id: 'c.hardcoded-credential',
    ...CREDENTIAL_RULE_TEXT,
    query:
      '[(init_declarator declarator: (_) @name value: (string_literal) @value) (assignment_expression left: (_) @name right: (string_literal) @value)] @finding',
    predicate: (m) => {
      const name = m.captures.name?.text ?? '';
      const value = literalText(m.captures.value) ?? '';
      return /(pass(wd|word)?|pwd|secret|api_?key|access_?key|token|private_?key|credential)\b/i.test(name) && value.length >= 4;
    },
  },
  {
    id: 'c.alloc-overflow',
    trigger: /[aA]lloc\w*\s*\(/,
    cwe: 'CWE-190',
    severity: 'medium',
    message: 'An allocation size multiplies or adds a value input sets, with no overflow check before: it can wrap around.',
    remediation: 'Check the operands against SIZE_MAX / size before multiplying, or use calloc(n, size).',
    query:
      '((call_expression function: (identifier) @fn arguments: (argument_list [(binary_expression operator: ["*" "+"]) @size (cast_expression value: (binary_expression operator: ["*" "+"]) @size)])) @finding (#match? @fn "[aA]lloc")) ((call_expression function: (identifier) @fn arguments: (argument_list (identifier) @sizevar .)) @finding (#match? @fn "[aA]lloc"))',
    predicate: allocOverflow,
  },
  {
    id: 'c.unchecked-length-copy',
    trigger: /\b(w?memcpy|memmove|strncpy|strncat|read|recv)\s*\(/,
    cwe: 'CWE-787',
    severity: 'high',
    message: 'A copy length comes from input and is not compared with a bound before the copy.',
    remediation: 'Check the length against the destination size before copying.',
    query: call('^(memcpy|memmove|strncpy|strncat|wmemcpy|read|recv)$'),
    predicate: uncheckedLength,
  },
  {
    id: 'c.use-after-free',
    trigger: /\bfree\s*\(/,
    cwe: 'CWE-416',
    severity: 'high',
    message: 'A pointer is used after it was freed.',
    remediation: 'Set the pointer to NULL right after free() and do not use it again.',
    query: FREE_QUERY,
    predicate: (m) => {
      const r = afterFree(m);
      return r && !r.again ? r.use : false;
    },
  },
  {
    id: 'c.use-after-realloc',
    trigger: /realloc\w*\s*\(/,
    cwe: 'CWE-416',
    severity: 'high',
    message:
      'The old pointer is used after realloc() moved the block to a new one: on success realloc frees the old block, so the use reads or writes freed memory.',
    remediation: 'After a successful realloc use only the pointer it returned (`p = q;`), and the old one only on the failure path.',
    query: RESULT_QUERY,
    predicate: useAfterRealloc,
  },
  {
    id: 'c.double-free',
    trigger: /\bfree\s*\(/,
    cwe: 'CWE-415',
    severity: 'high',
    message: 'A pointer is freed twice on one path.',
    remediation: 'Free each allocation once; set the pointer to NULL after free().',
    query: FREE_QUERY,
    predicate: (m) => {
      const r = afterFree(m);
      return r?.again ? r.use : false;
    },
  },
  {
    id: 'c.null-dereference',
    // a name followed by a call, or standing alone (`#define OPEN fopen`, `= fopen;`)
    trigger: new RegExp(`(${NULL_TRIGGER})\\w*\\s*([(;,)]|$)|##`, 'm'),
    cwe: 'CWE-476',
    severity: 'medium',
    message: 'The result of a call that returns NULL for a missing file, variable or match is dereferenced without a check.',
    remediation: 'Test the pointer for NULL before using it.',
    query: `${RESULT_QUERY} ${DIRECT_NULL_QUERY}`,
    predicate: (m) => (m.captures.call ? directNullUse(m) : uncheckedResult(m, MAY_RETURN_NULL)),
  },
  {
    id: 'c.unchecked-alloc',
    trigger: /(alloc|dup|_new|_create)\w*\s*\(/,
    cwe: 'CWE-476',
    severity: 'low',
    message: 'An allocation result is dereferenced without a NULL check (a crash when memory runs out).',
    remediation: 'Test the pointer for NULL after allocating and handle the failure.',
    query: RESULT_QUERY,
    // one whose size input sets is c.unchecked-alloc-input-size's (medium) finding
    predicate: (m) => {
      const use = uncheckedResult(m, ALLOCATOR);
      return use && !inputSized(m) ? use : false;
    },
  },
  {
    id: 'c.unchecked-alloc-input-size',
    trigger: /alloc\w*\s*\(/,
    cwe: 'CWE-690',
    severity: 'medium',
    message:
      'An allocation whose size input sets is used without a NULL check: a size chosen to make it fail turns the use into a write through NULL at an offset.',
    remediation: 'Bound the size, test the pointer for NULL after allocating, and handle the failure.',
    query: RESULT_QUERY,
    predicate: (m) => {
      const use = uncheckedResult(m, ALLOCATOR);
      const t = use ? inputSized(m) : undefined;
      return use && t ? hit(use, t, 'used unchecked after an allocation of a size input sets') : false;
    },
  },
  {
    id: 'c.oob-write',
    trigger: /\[/,
    cwe: 'CWE-787',
    severity: 'high',
    message: 'An array is written at an index input sets, with no bound check before.',
    remediation: 'Check the index against the array length (and against 0 for signed types) before the write.',
    query: SUBSCRIPT_QUERY,
    predicate: (m) => taintedIndex(m, true),
  },
  {
    id: 'c.oob-read',
    trigger: /\[/,
    cwe: 'CWE-125',
    severity: 'medium',
    message: 'An array is read at an index input sets, with no bound check before.',
    remediation: 'Check the index against the array length (and against 0 for signed types) before the read.',
    query: SUBSCRIPT_QUERY,
    predicate: (m) => taintedIndex(m, false),
  },
  {
    id: 'c.off-by-one',
    trigger: /<=|\[|strlen/,
    cwe: 'CWE-193',
    severity: 'medium',
    message:
      'An index or size is one past the end: `i <= n` over n elements, `a[N]` on an array of N, or malloc(strlen(s)) for a copy of s.',
    remediation: 'Loop with `i < n`, index up to N - 1, and allocate strlen(s) + 1 bytes for a copy.',
    query: OFF_BY_ONE_QUERY,
    predicate: offByOne,
  },
  {
    id: 'c.vla-input-size',
    trigger: /\[\s*[A-Za-z_]/,
    cwe: 'CWE-789',
    severity: 'medium',
    message:
      'A variable-length array is sized by a number read from input with no upper bound: a large (or negative) size runs the stack past its guard.',
    remediation: 'Check the size against a fixed maximum first, or allocate with malloc and check the result.',
    query: '(declaration declarator: (array_declarator size: (_) @size) @finding)',
    predicate: vlaInputSize,
  },
  {
    id: 'c.toctou',
    trigger: /\b(access|faccessat|eaccess|euidaccess|l?stat(64)?)\s*\(/,
    cwe: 'CWE-367',
    severity: 'medium',
    message:
      'A path checked with access(), or whose kind, owner or mode stat() tested, is opened (or changed) afterwards: another process can swap the file in between.',
    remediation: 'Open the file first and check the open descriptor (fstat, or open with O_NOFOLLOW under the real ids).',
    query: call(`^(${USE_CALL.source.slice(2, -2)})$`),
    predicate: toctou,
  },
  {
    id: 'c.permissive-permissions',
    trigger: /\b(f?chmod|open|creat|mkdir|umask)\s*\(/,
    cwe: 'CWE-732',
    severity: 'medium',
    message: 'A file is created or changed with world-writable permissions.',
    remediation: 'Use the narrowest mode, e.g. 0600 for private files and 0644 for public ones.',
    query: call('^(chmod|fchmod|open|creat|mkdir|umask)$'),
    predicate: permissiveMode,
  },
  {
    id: 'c.xxe',
    trigger: /XML_PARSE_(NOENT|DTDLOAD|DTDATTR)|xmlSubstituteEntitiesDefault|xmlLoadExtDtdDefaultValue/,
    cwe: 'CWE-611',
    severity: 'high',
    message: 'The XML parser substitutes external entities or loads external DTDs.',
    remediation: 'Do not pass XML_PARSE_NOENT / XML_PARSE_DTDLOAD; parse with XML_PARSE_NONET.',
    query:
      '((identifier) @finding (#match? @finding "^(XML_PARSE_NOENT|XML_PARSE_DTDLOAD|XML_PARSE_DTDATTR)$")) ((call_expression function: (identifier) @fn arguments: (argument_list (number_literal) @v)) @finding (#match? @fn "^(xmlSubstituteEntitiesDefault|xmlLoadExtDtdDefaultValue)$") (#eq? @v "1"))',
  },
  {
    id: 'c.tls-no-verify',
    trigger: /SSL_VERIFY_NONE|CURLOPT_SSL_VERIFY/,
    cwe: 'CWE-295',
    severity: 'high',
    message: 'TLS certificate verification is disabled.',
    remediation: 'Keep SSL_VERIFY_PEER / CURLOPT_SSL_VERIFYPEER enabled and pin trusted CAs.',
    query:
      '((identifier) @finding (#eq? @finding "SSL_VERIFY_NONE")) ((call_expression arguments: (argument_list (identifier) @opt (number_literal) @v)) @finding (#match? @opt "^CURLOPT_SSL_VERIFY(PEER|HOST)$") (#eq? @v "0"))',
  },
  {
    id: 'c.sql-format',
    trigger: /\b(select|insert|update|delete)\b/i,
    cwe: 'CWE-89',
    severity: 'high',
    message: 'An SQL statement is assembled with printf-style formatting of strings.',
    remediation: 'Use prepared statements with bound parameters (sqlite3_prepare_v2 + sqlite3_bind_text).',
    query: call('^(sprintf|snprintf|asprintf|sqlite3_mprintf|g_strdup_printf)$'),
    predicate: (m) =>
      mem.matchArgs(m).some((a) => {
        const t = literalText(a);
        return t !== undefined && /\b(select|insert|update|delete)\b[\s\S]*%s/i.test(t);
      }),
  },
  ...C_MORE_RULES,
  {
    id: 'c.libc-redefined',
    trigger: new RegExp(`#\\s*define\\s+(${SECURITY_LIBC})\\b|\\(\\s*\\*\\s*(${SECURITY_LIBC})\\s*\\)|\\b(${SECURITY_LIBC})\\s*=[^=]`),
    // CWE-676: every call written with the library name now runs the replacement, a function the
    // reader (and a check that trusts the name) takes for the library's bounded or clearing one
    cwe: 'CWE-676',
    severity: 'medium',
    message:
      'A macro or function pointer takes the name of a C library function that matters for security: every call written with that name runs something else (an unbounded copy under a bounded name, nothing where memory is cleared).',
    remediation: 'Do not #define or declare C library names (they are reserved identifiers); call the function meant by its own name.',
    query:
      '[(preproc_def name: (identifier) @name) (preproc_function_def name: (identifier) @name) (init_declarator declarator: (_) @decl value: (_) @value) (assignment_expression left: (identifier) @name right: (_) @value)] @finding',
    predicate: libcRedefined,
  },
];

export const C_RULES: readonly Rule[] = RULES.map(resolvingCalls);

export const C_LANGUAGE: LanguageRules = { language: 'c', rules: C_RULES };
