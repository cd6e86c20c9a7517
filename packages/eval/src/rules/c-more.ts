/**
 * C rules for the mistakes code models make beyond the classic unsafe calls: a loop that writes
 * through a counter nothing bounds, a pointer to a local array returned, a variable read before it is
 * set, a division by an input, `p = realloc(p, n)`, a `strncpy` that fills the whole buffer without a
 * terminator, `rand()` making a secret, a fixed-offset read of a buffer whose passed length is never
 * compared, and `s[strlen(s) - 1]` on a string that can be empty.
 */
import * as mem from '../taint/c-memory.js';
import { declaredName, functionSignature, functionTaint, keyOf } from '../taint/c.js';
import { guardRanges, inRanges } from '../taint/c-guard.js';
import type { Rule, RuleHit, RuleMatch, SyntaxNode } from './rule.js';
import { ancestor, namedArgs } from './syntax.js';

const FUNCTION = new Set(['function_definition']);

function call(fnPattern: string): string {
  return `((call_expression function: (identifier) @fn arguments: (argument_list) @args) @finding (#match? @fn "${fnPattern}"))`;
}
const LOOPS = new Set(['for_statement', 'while_statement', 'do_statement']);
const RELATIONAL = /^(<|>|<=|>=)$/;

function strip(n: SyntaxNode | null | undefined): SyntaxNode | null | undefined {
  let v = n;
  while (v && (v.type === 'parenthesized_expression' || v.type === 'cast_expression'))
    v = v.type === 'cast_expression' ? v.childForFieldName('value') : (namedArgs(v)[0] ?? null);
  return v;
}

/** Whether an expression computes with `key` itself (`i`, `i + 1`), not through an element or a call it indexes (`p[i]`). */
function mentions(n: SyntaxNode, key: string): boolean {
  if (keyOf(n) === key) return true;
  if (n.type === 'subscript_expression' || n.type === 'call_expression') return false;
  return n.namedChildren.some((c) => mentions(c, key));
}

/** Whether some comparison inside `scope` sets `key` (or an expression of it) against something else. */
function comparedIn(scope: SyntaxNode, key: string): boolean {
  for (const b of scope.descendantsOfType('binary_expression')) {
    const op = b.childForFieldName('operator')?.text ?? '';
    if (!RELATIONAL.test(op) && op !== '==' && op !== '!=') continue;
    const l = b.childForFieldName('left');
    const r = b.childForFieldName('right');
    if (!l || !r) continue;
    // `i > i` compares nothing
    if (mentions(l, key) !== mentions(r, key)) return true;
  }
  return false;
}

/** The loop's condition, or undefined for `for (;;)`. */
function loopCondition(loop: SyntaxNode): SyntaxNode | null {
  return loop.childForFieldName('condition');
}

/** Whether a loop is counted: its condition compares something relationally (`i < n`, `len > 0`). */
function counted(loop: SyntaxNode): boolean {
  const cond = loopCondition(loop);
  if (!cond) return false;
  if (cond.type === 'binary_expression' && RELATIONAL.test(cond.childForFieldName('operator')?.text ?? '')) return true;
  return cond.descendantsOfType('binary_expression').some((b) => RELATIONAL.test(b.childForFieldName('operator')?.text ?? ''));
}

/** Whether the loop steps `key` up (`key++`, `++key`, `key += k`). */
function stepsUp(loop: SyntaxNode, key: string): boolean {
  for (const u of loop.descendantsOfType(['update_expression', 'assignment_expression'])) {
    if (u.type === 'update_expression' && u.text.includes('++') && keyOf(u.childForFieldName('argument')) === key) return true;
    if (u.type === 'assignment_expression' && u.childForFieldName('operator')?.text === '+=' && keyOf(u.childForFieldName('left')) === key)
      return true;
  }
  return false;
}

/** Whether `key` is assigned anywhere inside `scope` (`buf = realloc(buf, cap)` grows it). */
function assignedIn(scope: SyntaxNode, key: string): boolean {
  return scope
    .descendantsOfType('assignment_expression')
    .some((a) => a.childForFieldName('operator')?.text === '=' && keyOf(a.childForFieldName('left')) === key);
}

const SCOPES = new WeakMap<object, Map<number, Map<string, 'parameter' | 'local'>>>();

/** Where a name is declared from `fn`'s point of view: a parameter, a local of the function, or elsewhere (a global). */
function scopeOf(fn: SyntaxNode, name: string): 'parameter' | 'local' | 'global' {
  const tree = fn.tree as object;
  let byFn = SCOPES.get(tree);
  if (!byFn) {
    byFn = new Map();
    SCOPES.set(tree, byFn);
  }
  let names = byFn.get(fn.id);
  if (!names) {
    const m = new Map<string, 'parameter' | 'local'>();
    for (const d of fn.descendantsOfType('declaration'))
      for (const c of d.namedChildren) {
        const n = c.type === 'init_declarator' ? declaredName(c.childForFieldName('declarator')) : declaredName(c);
        if (n) m.set(n.text, 'local');
      }
    for (const p of functionSignature(fn).params) m.set(p.text, 'parameter');
    names = m;
    byFn.set(fn.id, m);
  }
  return names.get(name) ?? 'global';
}

/** A write's index as a key and whether it steps there (`a[i++]`). */
function indexKey(idx: SyntaxNode): { key: string; post: boolean } | undefined {
  const v = strip(idx);
  if (!v) return undefined;
  if (v.type === 'update_expression' && v.text.includes('++')) {
    const key = keyOf(v.childForFieldName('argument'));
    return key ? { key, post: true } : undefined;
  }
  const key = keyOf(v);
  return key && (v.type === 'identifier' || v.type === 'field_expression') ? { key, post: false } : undefined;
}

/**
 * `buf[i++] = c` in a loop that nothing counts (`while (read(fd, &c, 1) == 1)`, `while (*s)`) with no
 * comparison of `i` anywhere in the loop, into a fixed array or a buffer the caller passed; or
 * `stack[top++] = x` on a counter that outlives the call (a global or a field) with no comparison of
 * it in the function. `stack` says which destination the rule reports (a local array, or any other).
 */
const LOOP_WRITES = new WeakMap<object, Map<number, boolean | null>>();

/** The loop-write check, once per write for both rules: whether it overflows (and into a stack array), null when not. */
function loopOverflow(m: RuleMatch, stack: boolean): SyntaxNode | false {
  const write = m.captures.finding;
  if (!write) return false;
  const tree = write.tree as object;
  let memo = LOOP_WRITES.get(tree);
  if (!memo) {
    memo = new Map();
    LOOP_WRITES.set(tree, memo);
  }
  let r = memo.get(write.id);
  if (r === undefined) {
    const arr = strip(m.captures.arr);
    r = loopOverflowAt(m) ? !!arr && mem.isStackArray(arr) : null;
    memo.set(write.id, r);
  }
  return r !== null && r === stack ? write : false;
}

function loopOverflowAt(m: RuleMatch): SyntaxNode | false {
  const write = m.captures.finding;
  const arr = strip(m.captures.arr);
  const idx = m.captures.idx;
  if (!write || !arr || !idx) return false;
  const ix = indexKey(idx);
  const fn = ancestor(write, FUNCTION);
  const arrKey = keyOf(arr);
  if (!ix || !fn || !arrKey) return false;
  const base = arrKey.split(/->|\./)[0] ?? arrKey;
  const fixed = mem.arrayDeclaration(arr, arrKey) !== undefined;
  const where = scopeOf(fn, base);
  // a buffer whose capacity the function cannot see and does not manage: a fixed array, or one passed in
  if (!fixed && where !== 'parameter') return false;
  let loop: SyntaxNode | null = write.parent;
  while (loop && !LOOPS.has(loop.type) && loop.id !== fn.id) loop = loop.parent;
  if (loop && LOOPS.has(loop.type)) {
    if (counted(loop) || !(ix.post || stepsUp(loop, ix.key)) || comparedIn(loop, ix.key) || assignedIn(loop, arrKey)) return false;
    return write;
  }
  // outside a loop: a push on a counter that persists between calls, with no capacity check in the function
  const counter = ix.key.split(/->|\./)[0] ?? ix.key;
  const persists = ix.key.includes('->') || ix.key.includes('.') || scopeOf(fn, counter) === 'global';
  if (!ix.post || !persists || !fixed || comparedIn(fn, ix.key)) return false;
  return write;
}

/** `return buf;` (or `&x`) of an array or variable that lives on the function's stack. */
function returnsStack(m: RuleMatch): SyntaxNode | false {
  const ret = m.captures.finding;
  const v = strip(m.captures.value);
  if (!ret || !v) return false;
  const fn = ancestor(ret, FUNCTION);
  if (!fn) return false;
  const target = v.type === 'pointer_expression' && v.text.startsWith('&') ? strip(v.childForFieldName('argument')) : v;
  if (target?.type !== 'identifier') return false;
  const array = mem.isStackArray(target);
  if (!array && target === v) return false;
  if (!array && scopeOf(fn, target.text) !== 'local') return false;
  // a static local outlives the call
  for (const d of fn.descendantsOfType('declaration')) {
    const names = d.namedChildren.map((c) =>
      c.type === 'init_declarator' ? declaredName(c.childForFieldName('declarator'))?.text : declaredName(c)?.text,
    );
    if (names.includes(target.text) && d.namedChildren.some((c) => c.type === 'storage_class_specifier' && c.text === 'static'))
      return false;
  }
  return ret;
}

const SCALAR = /^(int|long|short|char|float|double|unsigned|signed|size_t|ssize_t|u?int(8|16|32|64)_t|long long|unsigned \w+|_Bool|bool)$/;

/** A local scalar declared without a value whose first use reads it (`double sum; ... sum += x`). */
function uninitialised(m: RuleMatch): SyntaxNode | false {
  const decl = m.captures.finding;
  const fn = decl ? ancestor(decl, FUNCTION) : null;
  if (!decl || !fn || decl.parent?.type === 'translation_unit') return false;
  if (decl.namedChildren.some((c) => c.type === 'storage_class_specifier')) return false;
  const type = decl.childForFieldName('type')?.text.replace(/\s+/g, ' ').trim() ?? '';
  if (!SCALAR.test(type)) return false;
  const code = m.code;
  for (const c of decl.namedChildren) {
    if (c.type !== 'identifier') continue;
    const name = c.text;
    const re = new RegExp(`\\b${name}\\b`, 'g');
    re.lastIndex = decl.endIndex;
    for (let hit = re.exec(code); hit && hit.index < fn.endIndex; hit = re.exec(code)) {
      const at = hit.index;
      const id = fn.descendantForIndex(at, at + name.length);
      if (id.type !== 'identifier' || id.startIndex !== at) continue;
      const p = id.parent;
      if (!p) break;
      if (p.type === 'sizeof_expression') continue;
      // written or its address taken: set before any read
      if (p.type === 'assignment_expression' && p.childForFieldName('left')?.id === id.id && p.childForFieldName('operator')?.text === '=')
        break;
      if (p.type === 'pointer_expression' && p.text.startsWith('&')) break;
      // a new declaration of the name, or an argument of what may be a macro that sets it (`spin_lock_irqsave(l, flags)`)
      if (p.type === 'init_declarator' || p.type === 'declaration' || p.type.endsWith('declarator') || p.type === 'argument_list') break;
      // a first use inside a branch may follow a write on another path
      let branch = false;
      for (let a: SyntaxNode | null = p; a && a.id !== decl.parent?.id; a = a.parent)
        if (a.type === 'if_statement' || a.type === 'switch_statement' || a.type === 'conditional_expression' || a.type === 'do_statement')
          branch = true;
      if (branch) break;
      return id;
    }
  }
  return false;
}

/** `a / n` or `a % n` with an integer divisor input sets and no check that it is not zero where it is used. */
function divideByInput(m: RuleMatch): RuleHit | false {
  const div = m.captures.finding;
  const d = strip(m.captures.divisor);
  if (!div || !d || (d.type !== 'identifier' && d.type !== 'field_expression')) return false;
  const fn = ancestor(div, FUNCTION);
  const key = keyOf(d);
  const ft = functionTaint(div);
  if (!fn || !key || !ft) return false;
  const t = ft.taintOf(d);
  if (!t || t.origin || t.kind !== 'value') return false;
  const base = key.split(/->|\./)[0] ?? key;
  // floating-point division gives inf, not a trap
  if (/\b(double|float)\b/.test(declaredType(fn, base) ?? '')) return false;
  if (nonZeroAt(fn, key, div.startIndex, ft.lastDefAt(key, div.startIndex))) return false;
  return { node: div, flow: [...t.steps, { node: div, message: `divides by ${d.text}` }] };
}

/** The declared type text of a name in the function (a parameter or a local), if found. */
function declaredType(fn: SyntaxNode, name: string): string | undefined {
  for (const d of fn.descendantsOfType(['declaration', 'parameter_declaration'])) {
    const kids = d.type === 'parameter_declaration' ? [d.childForFieldName('declarator')] : d.namedChildren;
    for (const c of kids) {
      if (!c) continue;
      const n = c.type === 'init_declarator' ? declaredName(c.childForFieldName('declarator')) : declaredName(c);
      if (n?.text === name) return d.childForFieldName('type')?.text;
    }
  }
  return undefined;
}

/** Whether a test that `key` is not zero holds at `at` (after its last definition `from`). */
function nonZeroAt(fn: SyntaxNode, key: string, at: number, from: number): boolean {
  const zero = (n: SyntaxNode | null) => !!n && n.type === 'number_literal' && /^0+[uUlL]*$/.test(n.text);
  const one = (n: SyntaxNode | null) => !!n && n.type === 'number_literal' && /^0*1[uUlL]*$/.test(n.text);
  const tests: { node: SyntaxNode; when: boolean }[] = [];
  for (const b of fn.descendantsOfType('binary_expression')) {
    if (b.startIndex < from || b.startIndex >= at) continue;
    const op = b.childForFieldName('operator')?.text ?? '';
    const l = b.childForFieldName('left');
    const r = b.childForFieldName('right');
    const [side, other, flipped] = keyOf(l) === key ? [l, r, false] : keyOf(r) === key ? [r, l, true] : [null, null, false];
    if (!side || !other) continue;
    const o = flipped ? (({ '<': '>', '>': '<', '<=': '>=', '>=': '<=' } as Record<string, string>)[op] ?? op) : op;
    if (zero(other) && (o === '!=' || o === '>')) tests.push({ node: b, when: true });
    if (zero(other) && (o === '==' || o === '<=')) tests.push({ node: b, when: false });
    if (one(other) && o === '>=') tests.push({ node: b, when: true });
    if (one(other) && o === '<') tests.push({ node: b, when: false });
  }
  // `if (!n)`, `if (n)`, `n ? a / n : 0`, `n && a / n`
  for (const id of fn.descendantsOfType(['identifier', 'field_expression'])) {
    if (id.startIndex < from || id.startIndex >= at || keyOf(id) !== key) continue;
    const p = id.parent;
    if (p?.type === 'unary_expression' && p.text.startsWith('!')) tests.push({ node: p, when: false });
    else if (
      p &&
      (p.type === 'parenthesized_expression' ||
        (p.type === 'binary_expression' && /^(&&|\|\|)$/.test(p.childForFieldName('operator')?.text ?? '')) ||
        (p.type === 'conditional_expression' && p.childForFieldName('condition')?.id === id.id))
    )
      tests.push({ node: id, when: true });
  }
  return tests.some((t) => inRanges(guardRanges(t.node, t.when), at));
}

/** `p = realloc(p, n)`: when realloc fails the only pointer to the block is overwritten with NULL. */
function reallocLeak(m: RuleMatch): boolean {
  const left = keyOf(m.captures.ptr);
  const first = mem.matchArgs(m)[0];
  return !!left && !!first && keyOf(strip(first)) === left;
}

/** `strncpy(d, s, sizeof d)` with no terminator written after: a source as long as the buffer leaves it unterminated. */
function strncpyUnterminated(m: RuleMatch): boolean {
  const call = m.captures.finding;
  const [dst, src, len] = mem.matchArgs(m);
  if (!call || !dst || !src || !len) return false;
  const d = strip(dst)?.text.replace(/\s+/g, '') ?? '';
  const n = len.text.replace(/\s+/g, '');
  // the whole buffer: `sizeof d`, `sizeof(d)`, or the array's declared size
  const whole =
    n === `sizeof${d}` ||
    n === `sizeof(${d})` ||
    (() => {
      const a = strip(dst);
      if (a?.type !== 'identifier') return false;
      const decl = mem.arrayDeclaration(a, a.text);
      return !!decl && decl.size.text.replace(/\s+/g, '') === n;
    })();
  if (!whole || src.type === 'string_literal') return false;
  const fn = ancestor(call, FUNCTION);
  if (!fn) return false;
  const after = m.code.slice(call.endIndex, fn.endIndex).replace(/\s+/g, '');
  const esc = d.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  // `d[sizeof d - 1] = '\0'`, `d[n - 1] = 0`, `*(d + n - 1) = 0`
  return !new RegExp(`${esc}\\[[^\\]]*\\]=('\\\\0'|0|'\\\\x00')`).test(after);
}

/** Calls that return how many bytes they stored: the buffer's and the size's argument positions. */
const BYTE_COUNT_READS: Readonly<Record<string, readonly [number, number]>> = {
  read: [1, 2],
  pread: [1, 2],
  recv: [1, 2],
  recvfrom: [1, 2],
  readlink: [1, 2],
  readlinkat: [2, 3],
  fread: [0, 2],
};

/** Whether `size` is the whole of array `arr`: `sizeof arr`, `sizeof(arr)` or the size it is declared with. */
function wholeArray(size: SyntaxNode, arr: SyntaxNode): boolean {
  const n = size.text.replace(/\s+/g, '');
  if (n === `sizeof${arr.text}` || n === `sizeof(${arr.text})`) return true;
  const decl = mem.arrayDeclaration(arr, arr.text);
  return !!decl && decl.byteElements && decl.size.text.replace(/\s+/g, '') === n;
}

/**
 * `n = read(fd, buf, sizeof buf); buf[n] = 0;`: the count a read returns indexes the buffer it filled, and
 * the read may fill all of it, so the write lands one past the end. Clean when the read leaves room
 * (`sizeof buf - 1`), or the count is compared with anything but 0 or -1, or set again, in between.
 */
function readTerminator(m: RuleMatch): RuleHit | false {
  const write = m.captures.finding;
  const arr = m.captures.arr;
  const idx = m.captures.idx;
  if (!write || !arr || !idx) return false;
  const fn = ancestor(write, FUNCTION);
  if (!fn) return false;
  let read: SyntaxNode | undefined;
  for (const n of fn.descendantsOfType(['init_declarator', 'assignment_expression'])) {
    if (n.startIndex >= write.startIndex) break;
    const left = n.childForFieldName(n.type === 'init_declarator' ? 'declarator' : 'left');
    if (left?.text !== idx.text || (n.type === 'assignment_expression' && n.child(1)?.text !== '=')) continue;
    const v = strip(n.childForFieldName(n.type === 'init_declarator' ? 'value' : 'right'));
    const name = v?.type === 'call_expression' ? (v.childForFieldName('function')?.text ?? '') : '';
    const at = BYTE_COUNT_READS[name];
    if (!v || !at) {
      read = undefined;
      continue;
    }
    const a = namedArgs(v.childForFieldName('arguments'));
    const buf = strip(a[at[0]]);
    const size = a[at[1]];
    if (name === 'fread' && a[1]?.text.trim() !== '1') read = undefined;
    else read = buf?.text === arr.text && size && wholeArray(size, arr) ? v : undefined;
  }
  if (!read) return false;
  const from = read.endIndex;
  for (const b of fn.descendantsOfType(['binary_expression', 'update_expression', 'assignment_expression'])) {
    if (b.startIndex < from) continue;
    if (b.startIndex >= write.startIndex) break;
    if (b.type === 'update_expression') {
      if (strip(b.childForFieldName('argument'))?.text === idx.text) return false;
      continue;
    }
    if (b.type === 'assignment_expression') {
      if (b.childForFieldName('left')?.text === idx.text) return false;
      continue;
    }
    if (!/^(<|>|<=|>=|==|!=)$/.test(b.childForFieldName('operator')?.text ?? '')) continue;
    const l = strip(b.childForFieldName('left'));
    const r = strip(b.childForFieldName('right'));
    const other = l?.text === idx.text ? r : r?.text === idx.text ? l : undefined;
    if (!other) continue;
    const zeroOrMinusOne = /^(0|-\s*1|-1)$/.test(other.text.trim());
    if (!zeroOrMinusOne) return false;
  }
  return {
    node: write,
    flow: [
      { node: read, message: `${read.text.replace(/\s+/g, ' ')} may fill all of ${arr.text}` },
      { node: write, message: `${arr.text}[${idx.text}] is then one past its end` },
    ],
  };
}

const SIGNED_TYPE =
  /^(const\s+)?(int|long|short|signed|signed int|long int|long long|long long int|int(8|16|32|64)_t|ssize_t|off_t|intptr_t)$/;
const UNSIGNED_CAST = /^\(\s*(unsigned|unsigned int|unsigned long|size_t|uint(8|16|32|64)_t|uintptr_t)\s*\)/;

/**
 * `int i = atoi(s); if (i >= 16) return; a[i]`: a signed number parsed from input is compared with the
 * array's upper bound only, so a negative one indexes before the array. Clean when a comparison with 0
 * (or 1, or a negative) or through an unsigned cast is in view, or the index is set again in between.
 */
function indexWithoutMinimum(m: RuleMatch): boolean {
  const sub = m.captures.finding;
  const arr = m.captures.arr;
  const idx = m.captures.idx;
  if (!sub || !arr || !idx || !mem.arrayDeclaration(arr, arr.text)) return false;
  if (!SIGNED_TYPE.test(variableType(idx)?.trim() ?? '')) return false;
  const fn = ancestor(sub, FUNCTION);
  if (!fn) return false;
  const name = idx.text;
  const text = m.code.slice(fn.startIndex, sub.startIndex);
  const parsed = new RegExp(
    `\\b${name}\\s*=\\s*(\\([^()]*\\)\\s*)?(atoi|atol|atoll|strtol|strtoll|strtoimax)\\s*\\(|scanf\\s*\\((?:[^;]*?,)?\\s*"[^"]*%(hh|h|l|ll)?[di][^"]*"[^;]*&\\s*${name}\\b`,
  ).exec(text);
  if (!parsed) return false;
  const from = fn.startIndex + parsed.index;
  let upper = false;
  for (const b of fn.descendantsOfType(['binary_expression', 'assignment_expression', 'update_expression'])) {
    if (b.startIndex < from + parsed[0].length) continue;
    if (b.startIndex >= sub.startIndex) break;
    if (b.type !== 'binary_expression') {
      const target = b.type === 'assignment_expression' ? b.childForFieldName('left') : b.childForFieldName('argument');
      if (strip(target)?.text === name) return false;
      continue;
    }
    if (!RELATIONAL.test(b.childForFieldName('operator')?.text ?? '')) continue;
    const l = b.childForFieldName('left');
    const r = b.childForFieldName('right');
    const side = strip(l)?.text === name ? l : strip(r)?.text === name ? r : undefined;
    if (!side) continue;
    if (UNSIGNED_CAST.test(side.text.trim())) return false;
    const other = side === l ? r : l;
    const v = other ? mem.constValue(other) : undefined;
    if (v !== undefined && v <= 1) return false;
    upper = true;
  }
  return upper;
}

/** OpenSSL calls that take a key's (or a group's) size in bits, by the position of that argument. */
const KEY_BITS_ARG: Readonly<Record<string, number>> = {
  RSA_generate_key: 0,
  RSA_generate_key_ex: 1,
  EVP_PKEY_CTX_set_rsa_keygen_bits: 1,
  DSA_generate_parameters_ex: 1,
  DSA_generate_parameters: 0,
  EVP_PKEY_CTX_set_dsa_paramgen_bits: 1,
  DH_generate_parameters_ex: 1,
  DH_generate_parameters: 0,
  EVP_PKEY_CTX_set_dh_paramgen_prime_len: 1,
};
const MIN_KEY_BITS = 2048;

/** The key size an openssl command line asks for (`genrsa 1024`, `dsaparam -out f 1024`, `rsa_keygen_bits:1024`). */
function commandKeyBits(text: string): number | undefined {
  const opt = /\b(?:rsa_keygen_bits|dsa_paramgen_bits|dh_paramgen_prime_len):(\d+)/.exec(text);
  if (opt) return Number(opt[1]);
  const cmd = /\bopenssl\s+(?:genrsa|dsaparam|dhparam)\b([^|;&]*)/.exec(text);
  if (!cmd?.[1]) return undefined;
  // the size is the positional number (options such as `-out f` or `-rand f` take a word, not a number)
  const n = /(?:^|\s)(\d{3,5})(?=\s|$)/.exec(cmd[1].replace(/-\w+\s+%\w/g, ' '));
  return n ? Number(n[1]) : undefined;
}

/** An RSA, DSA or DH key generated below 2048 bits, through the OpenSSL API or an openssl command line. */
function weakKeySize(m: RuleMatch): boolean {
  const node = m.captures.finding;
  if (!node) return false;
  if (node.type === 'call_expression') {
    const name = node.childForFieldName('function')?.text ?? '';
    const at = KEY_BITS_ARG[name];
    if (at === undefined) return false;
    const bits = mem.constValue(namedArgs(node.childForFieldName('arguments'))[at]);
    return bits !== undefined && bits > 0 && bits < MIN_KEY_BITS;
  }
  const bits = commandKeyBits(node.text.slice(1, -1));
  return bits !== undefined && bits > 0 && bits < MIN_KEY_BITS;
}

const SECRET_CONTEXT =
  /(token|passw|secret|salt|nonce|session|otp|csrf|cookie|uuid|guid|crypt|challenge|(^|_|\b)(api_?|private_?|session_?)?key(s|gen)?($|_|\b)|(^|_)auth($|_)|(^|_)pin($|_))/i;

/** `rand()` whose value goes into a secret: in a function or an assignment whose name says token, key, password, salt, nonce or session. */
export function isSecretRandom(m: RuleMatch): boolean {
  const call = m.captures.finding;
  if (!call) return false;
  const fn = ancestor(call, FUNCTION);
  const name = fn ? functionSignature(fn).name : '';
  if (SECRET_CONTEXT.test(name)) return true;
  // the statement it is part of writes a secret-named variable
  let stmt: SyntaxNode | null = call;
  while (stmt && !stmt.type.endsWith('statement') && stmt.type !== 'declaration') stmt = stmt.parent;
  if (!stmt) return false;
  const target =
    stmt.type === 'declaration'
      ? stmt.namedChildren.map((c) => (c.type === 'init_declarator' ? declaredName(c.childForFieldName('declarator'))?.text : '')).join(' ')
      : (stmt.descendantsOfType('assignment_expression')[0]?.childForFieldName('left')?.text ?? '');
  return SECRET_CONTEXT.test(target);
}

const SIGNED =
  /^(int|long|short|long long|long int|short int|signed|signed int|signed long|ssize_t|off_t|int(8|16|32|64)_t|intptr_t|ptrdiff_t|gint|Sint\d+|s\d+)$/;
/** The size argument of the copies and allocations a negative length turns into a huge one. */
const SIZE_ARG: Record<string, number> = {
  memcpy: 2,
  memmove: 2,
  memset: 2,
  strncpy: 2,
  strncat: 2,
  malloc: 0,
  read: 2,
  recv: 2,
  fread: 2,
  fgets: 1,
};

/**
 * A signed length from input passed as a size after an upper-bound check only: `if (len > MAX) return;
 * memcpy(dst, src, len);` lets a negative len through, which the size_t parameter makes huge.
 */
function signedLength(m: RuleMatch): RuleHit | false {
  const call = m.captures.finding;
  const name = mem.matchCallee(m) ?? '';
  const pos = SIZE_ARG[name];
  const len = pos === undefined ? undefined : strip(mem.matchArgs(m)[pos]);
  if (!call || len?.type !== 'identifier') return false;
  const fn = ancestor(call, FUNCTION);
  const ft = functionTaint(call);
  if (!fn || !ft) return false;
  const type = declaredType(fn, len.text)?.replace(/\s+/g, ' ').trim() ?? '';
  if (!SIGNED.test(type)) return false;
  const from = ft.lastDefAt(len.text, call.startIndex);
  const t = ft.definitionTaint(len.text, call.startIndex);
  // from input, bounded from above (else the unchecked-length rules report it), never from below
  if (t?.kind !== 'value' || ft.taintOf(len) !== undefined) return false;
  // a value read in 8, 16 or 24 bits (`AV_RB16(p)`, `ntohs`, a byte) or cast to unsigned cannot be negative
  const value = ft.lastValue(len.text, call.startIndex)?.text ?? '';
  if (/(8|16|24)\s*\(|\b(ntohs|be16toh|le16toh|getc|fgetc|getchar)\b|\(\s*(unsigned|u?int(8|16)_t|uint\w*|size_t)\b/.test(value))
    return false;
  if (!ft.checkedBetween(len.text, from, call.startIndex) || ft.checkedBetween(len.text, from, call.startIndex, 'lower')) return false;
  return {
    node: call,
    flow: [
      ...t.steps,
      { node: call, message: `${len.text} (${type}) passed as the size of ${name}() without a check that it is not negative` },
    ],
  };
}

const BYTE_POINTEE = /^(const\s+)?(unsigned\s+char|signed\s+char|char|u?int8_t|ut8|u8|uchar|guchar|guint8|BYTE|uint8)(\s+const)?$/;
const LENGTH_NAME =
  /^(len|length|size|sz|count|n|nbytes|buflen|buf_len|buf_size|bufsize|data_len|datalen|data_size|avail|remaining|left)$/i;
const INTEGER_TYPE =
  /^(const\s+)?(unsigned|signed|int|long|short|size_t|ssize_t|u?int(16|32|64)_t|ut(16|32|64)|u(16|32|64)|st(32|64)|guint|gsize|unsigned\s+int|unsigned\s+long|long\s+long|unsigned\s+long\s+long|DWORD|UINT|ULONG)$/;

const BUFFER_LENGTHS = new WeakMap<object, Map<number, Map<string, string>>>();

/**
 * A function's byte-buffer parameters that the next parameter gives the length of
 * (`const ut8 *buf, int len`): the buffer's name to the length's (worked out once per function).
 */
function bufferLengths(fn: SyntaxNode): Map<string, string> {
  const tree = fn.tree as object;
  let byFn = BUFFER_LENGTHS.get(tree);
  if (!byFn) {
    byFn = new Map();
    BUFFER_LENGTHS.set(tree, byFn);
  }
  const known = byFn.get(fn.id);
  if (known) return known;
  const out = new Map<string, string>();
  byFn.set(fn.id, out);
  let d = fn.childForFieldName('declarator');
  while (d && d.type !== 'function_declarator') d = d.childForFieldName('declarator');
  const params = (d?.childForFieldName('parameters')?.namedChildren ?? []).filter((p) => p.type === 'parameter_declaration');
  params.forEach((p, i) => {
    const decl = p.childForFieldName('declarator');
    const next = params[i + 1];
    if (decl?.type !== 'pointer_declarator' || decl.childForFieldName('declarator')?.type !== 'identifier' || !next) return;
    const pointee = p.text
      .slice(0, decl.startIndex - p.startIndex)
      .replace(/\s+/g, ' ')
      .trim();
    const lenDecl = next.childForFieldName('declarator');
    const lenType = next.text
      .slice(0, (lenDecl?.startIndex ?? next.endIndex) - next.startIndex)
      .replace(/\s+/g, ' ')
      .trim();
    if (!BYTE_POINTEE.test(pointee) || lenDecl?.type !== 'identifier' || !INTEGER_TYPE.test(lenType) || !LENGTH_NAME.test(lenDecl.text))
      return;
    const name = decl.childForFieldName('declarator')?.text;
    if (name) out.set(name, lenDecl.text);
  });
  return out;
}

/**
 * `buf[k]` for a constant k >= 1 on a byte buffer whose length the caller passes in the next parameter,
 * with no comparison of that length holding at the read: the buffer can be shorter than k + 1 bytes.
 */
function readPastLength(m: RuleMatch): RuleHit | false {
  const sub = m.captures.finding;
  const arr = m.captures.arr;
  const idx = m.captures.idx;
  if (!sub || !arr || !idx) return false;
  const k = mem.constValue(idx);
  if (k === undefined || k < 1) return false;
  const fn = ancestor(sub, FUNCTION);
  const len = fn ? bufferLengths(fn).get(arr.text) : undefined;
  const ft = functionTaint(sub);
  if (!fn || !len || !ft) return false;
  // the buffer itself reassigned in the function (`buf = local;`) is another object
  if (ft.lastDefAt(arr.text, sub.startIndex) > (fn.childForFieldName('body')?.startIndex ?? fn.startIndex)) return false;
  const t = ft.definitionTaint(len, sub.startIndex);
  if (!t) return false;
  const start = fn.startIndex;
  if (ft.checkedBetween(len, start, sub.startIndex, 'lower') || ft.checkedBetween(len, start, sub.startIndex)) return false;
  return {
    node: sub,
    flow: [...t.steps, { node: sub, message: `${arr.text}[${k}] read with no check that ${len} is above ${k}` }],
  };
}

/** Whether a subscript is written (`a[i] = v`, `a[i]++`). */
function written(sub: SyntaxNode): boolean {
  const p = sub.parent;
  if (p?.type === 'assignment_expression') return p.childForFieldName('left')?.id === sub.id;
  return p?.type === 'update_expression';
}

/**
 * `s[strlen(s) - 1]`, or `s[n - 1]` with `n = strlen(s)`, where nothing before tests the string for being
 * empty (`n > 0`, `!n`, `if (n)`, `*s`, `s[0]`): an empty string (a line that starts with a NUL byte, an
 * argument "") makes the index -1, the byte before the buffer.
 */
function lastCharOfEmpty(m: RuleMatch, write: boolean): RuleHit | false {
  const sub = m.captures.finding;
  const arr = m.captures.arr;
  const idx = strip(m.captures.idx);
  if (!sub || !arr || idx?.type !== 'binary_expression' || written(sub) !== write) return false;
  if (idx.childForFieldName('operator')?.text !== '-' || idx.childForFieldName('right')?.text !== '1') return false;
  const left = strip(idx.childForFieldName('left'));
  const arrKey = keyOf(arr);
  const fn = ancestor(sub, FUNCTION);
  const ft = functionTaint(sub);
  if (!left || !arrKey || !fn || !ft) return false;
  const lengthOf = (call: SyntaxNode | null | undefined) =>
    call?.type === 'call_expression' &&
    /^(strlen|wcslen)$/.test(call.childForFieldName('function')?.text ?? '') &&
    keyOf(namedArgs(call.childForFieldName('arguments'))[0]) === arrKey;
  let holder: string | undefined;
  if (!lengthOf(left)) {
    holder = left.type === 'identifier' ? left.text : undefined;
    if (!holder || !lengthOf(strip(ft.lastValue(holder, sub.startIndex)))) return false;
  }
  // a test of the length or of the first byte anywhere before, in a condition: the code thought of empty strings
  const from = holder ? ft.lastDefAt(holder, sub.startIndex) : ft.lastDefAt(arrKey, sub.startIndex);
  // the length itself, or the string's first byte (`strlen(s)`, `n`, `*s`, `s[0]`)
  const isLength = (x: SyntaxNode | null | undefined): boolean => {
    const v = strip(x);
    if (!v) return false;
    if (holder && v.type === 'identifier' && v.text === holder) return true;
    if (lengthOf(v)) return true;
    if (v.type === 'pointer_expression' && v.text.startsWith('*')) return keyOf(v.childForFieldName('argument')) === arrKey;
    return (
      v.type === 'subscript_expression' &&
      keyOf(v.childForFieldName('argument')) === arrKey &&
      strip(v.childForFieldName('index'))?.text === '0'
    );
  };
  // a comparison of it, its negation, or it tested for truth: not an index that merely uses it
  const tests = (cond: SyntaxNode): boolean => {
    if (isLength(cond)) return true;
    for (const n of [cond, ...cond.descendantsOfType(['binary_expression', 'unary_expression'])]) {
      const op = n.childForFieldName('operator')?.text ?? '';
      if (n.type === 'unary_expression' && op === '!' && isLength(n.childForFieldName('argument'))) return true;
      if (n.type !== 'binary_expression' || !/^(==|!=|<|>|<=|>=|&&|\|\|)$/.test(op)) continue;
      if (isLength(n.childForFieldName('left')) || isLength(n.childForFieldName('right'))) return true;
    }
    return false;
  };
  for (const c of fn.descendantsOfType([
    'if_statement',
    'while_statement',
    'for_statement',
    'conditional_expression',
    'binary_expression',
  ])) {
    const logical = c.type === 'binary_expression' && /^(&&|\|\|)$/.test(c.childForFieldName('operator')?.text ?? '');
    if (c.type === 'binary_expression' && !logical) continue;
    const cond = logical ? c.childForFieldName('left') : c.childForFieldName('condition');
    if (cond && cond.startIndex >= from && cond.endIndex <= sub.startIndex && tests(cond)) return false;
  }
  const what = holder ?? `strlen(${arrKey})`;
  return {
    node: sub,
    flow: [{ node: sub, message: `${arr.text}[${what} - 1] with ${what} possibly 0: the index is -1` }],
  };
}

/** Integer types of 32 bits or fewer (what `int` arithmetic computes in), with their largest value. */
const NARROW_MAX: [RegExp, number][] = [
  [/^(unsigned char|uint8_t|u8|__u8|uchar|guchar|BYTE|bool|_Bool)$/, 0xff],
  [/^(signed char|char|int8_t|s8|__s8|gchar)$/, 0x7f],
  [/^(unsigned short|unsigned short int|uint16_t|u16|__u16|ushort|guint16|WORD)$/, 0xffff],
  [/^(short|short int|signed short|int16_t|s16|__s16|gint16)$/, 0x7fff],
  [/^(unsigned|unsigned int|uint32_t|u32|__u32|uint|guint|guint32|UINT|DWORD)$/, 0xffffffff],
  [/^(int|signed|signed int|int32_t|s32|__s32|gint|gint32|INT)$/, 0x7fffffff],
];
/** Types of 64 bits (on LP64) or of a size: arithmetic with one of them is done that wide. */
const WIDE_TYPE =
  /^(size_t|ssize_t|off_t|off64_t|loff_t|ptrdiff_t|intptr_t|uintptr_t|u?int64_t|[us]64|__[us]64|long|long int|long long|long long int|unsigned long|unsigned long int|unsigned long long|unsigned long long int|signed long|double|float|long double|time_t|gsize|gssize|guint64|gint64|sf_count_t|uint_fast64_t|int_fast64_t|uintmax_t|intmax_t)$/;

type Width = { wide: true } | { wide: false; max: number } | undefined;

function typeWidth(text: string | undefined): Width {
  const t = text
    ?.replace(/\b(const|volatile|register|static)\b/g, '')
    .replace(/\s+/g, ' ')
    .trim();
  if (!t) return undefined;
  if (WIDE_TYPE.test(t)) return { wide: true };
  for (const [re, max] of NARROW_MAX) if (re.test(t)) return { wide: false, max };
  return undefined;
}

const FIELD_TYPES = new WeakMap<object, Map<string, string | null>>();

/** The declared type of a struct field by name in the file (null when two declarations disagree). */
function fieldType(at: SyntaxNode, field: string): string | undefined {
  const tree = at.tree as object;
  let m = FIELD_TYPES.get(tree);
  if (!m) {
    m = new Map();
    for (const d of at.tree.rootNode.descendantsOfType('field_declaration')) {
      const type = d.childForFieldName('type')?.text;
      if (!type) continue;
      for (const decl of d.childrenForFieldName('declarator')) {
        // a pointer or array field is no integer
        if (decl.type !== 'field_identifier') continue;
        const prev = m.get(decl.text);
        m.set(decl.text, prev === undefined || prev === type ? type : null);
      }
    }
    FIELD_TYPES.set(tree, m);
  }
  return m.get(field) ?? undefined;
}

const SCOPE_TYPES = new WeakMap<object, Map<number, Map<string, { at: number; type: string | undefined }>>>();

/**
 * The first declaration of each scalar name in a scope (a function's parameters and locals, or the file's
 * declarations outside any function), by name: where it starts and its declared type.
 */
function scopeTypes(scope: SyntaxNode, fileLevel: boolean): Map<string, { at: number; type: string | undefined }> {
  const tree = scope.tree as object;
  let byScope = SCOPE_TYPES.get(tree);
  if (!byScope) {
    byScope = new Map();
    SCOPE_TYPES.set(tree, byScope);
  }
  let m = byScope.get(scope.startIndex);
  if (!m) {
    m = new Map();
    for (const d of scope.descendantsOfType(['parameter_declaration', 'declaration'])) {
      if (fileLevel && ancestor(d, FUNCTION)) continue;
      for (const decl of d.childrenForFieldName('declarator')) {
        const inner = decl.type === 'init_declarator' ? decl.childForFieldName('declarator') : decl;
        if (inner?.type === 'identifier' && !m.has(inner.text))
          m.set(inner.text, { at: d.startIndex, type: d.childForFieldName('type')?.text });
      }
    }
    byScope.set(scope.startIndex, m);
  }
  return m;
}

/** The declared type of a scalar variable in view (a parameter, a local before `id`, else a global before it). */
function variableType(id: SyntaxNode): string | undefined {
  const fn = ancestor(id, FUNCTION);
  for (const scope of fn ? [fn, id.tree.rootNode] : [id.tree.rootNode]) {
    const d = scopeTypes(scope, scope.id !== fn?.id).get(id.text);
    if (d && d.at <= id.startIndex) return d.type;
  }
  return undefined;
}

/** How wide the arithmetic of an expression is: 64 bits, at most 32 (with the largest value its type holds), or unknown. */
function widthOf(n: SyntaxNode | null | undefined, depth = 0): Width {
  const v = n && depth < 8 ? (n.type === 'parenthesized_expression' ? namedArgs(n)[0] : n) : undefined;
  if (!v) return undefined;
  switch (v.type) {
    case 'parenthesized_expression':
      return widthOf(v, depth + 1);
    case 'number_literal':
      return /[lL]|\./.test(v.text) ? { wide: true } : { wide: false, max: 0x7fffffff };
    case 'char_literal':
      return { wide: false, max: 0xff };
    case 'sizeof_expression':
      return { wide: true };
    case 'identifier':
      return typeWidth(variableType(v));
    case 'field_expression':
      return typeWidth(fieldType(v, v.childForFieldName('field')?.text ?? ''));
    case 'cast_expression':
      return typeWidth(v.childForFieldName('type')?.text);
    case 'call_expression':
      return /^(strlen|strnlen|wcslen|sizeof|fread|fwrite)$/.test(v.childForFieldName('function')?.text ?? '') ? { wide: true } : undefined;
    case 'binary_expression': {
      const l = widthOf(v.childForFieldName('left'), depth + 1);
      const r = widthOf(v.childForFieldName('right'), depth + 1);
      if (l?.wide || r?.wide) return { wide: true };
      if (!l || !r) return undefined;
      return { wide: false, max: Math.max(l.max, r.max) };
    }
  }
  return undefined;
}

function isConstantOperand(n: SyntaxNode): boolean {
  const v = strip(n);
  if (!v) return true;
  if (v.type === 'number_literal' || v.type === 'char_literal' || v.type === 'sizeof_expression') return true;
  if (v.type === 'identifier' && /^[A-Z][A-Z0-9_]*$/.test(v.text)) return true;
  return mem.constValue(v) !== undefined;
}

/** The largest value an operand can have where it is used: from constant checks that hold there, or its type. */
function operandMax(n: SyntaxNode, at: number): number | undefined {
  const v = strip(n);
  if (!v) return undefined;
  const c = mem.constValue(v);
  if (c !== undefined) return Math.abs(c);
  const w = widthOf(v);
  let max = w && !w.wide ? w.max : undefined;
  const key = keyOf(v);
  const ft = key ? functionTaint(v) : undefined;
  if (key && ft) {
    for (const b of ft.boundsAt(key, at)) {
      const bv = b.holds ? mem.constValue(b.bound) : undefined;
      if (bv !== undefined) max = Math.min(max ?? Number.POSITIVE_INFINITY, b.strict ? bv - 1 : bv);
    }
  }
  if (v.type === 'binary_expression' && v.childForFieldName('operator')?.text === '*') {
    const l = v.childForFieldName('left');
    const r = v.childForFieldName('right');
    const lm = l ? operandMax(l, at) : undefined;
    const rm = r ? operandMax(r, at) : undefined;
    if (lm !== undefined && rm !== undefined) max = Math.min(max ?? Number.POSITIVE_INFINITY, lm * rm);
  }
  return max;
}

/** The factors of a chain of `*` (through parentheses), stopping at operands of 64-bit width. */
function factors(n: SyntaxNode, out: SyntaxNode[] = []): SyntaxNode[] {
  const v = strip(n) ?? n;
  if (v.type === 'binary_expression' && v.childForFieldName('operator')?.text === '*' && !widthOf(v)?.wide) {
    const l = v.childForFieldName('left');
    const r = v.childForFieldName('right');
    if (l && r) {
      factors(l, out);
      factors(r, out);
      return out;
    }
  }
  out.push(v);
  return out;
}

/**
 * In a size expression (through `+`, `-`, `*` and parentheses), a product of at least two run-time values
 * that C computes in 32 bits (no factor of 64-bit type, one known to be of 32 bits or fewer), which no check
 * keeps below the wrap: `count * elem_sz` of a u32 count, `w * h * 4` of ints, the `w * h` of `w * h * sizeof(px)`.
 */
function narrowProduct(size: SyntaxNode | null | undefined, at: number, depth = 0): SyntaxNode | undefined {
  const v = strip(size);
  if (!v || depth > 6 || v.type !== 'binary_expression') return undefined;
  const op = v.childForFieldName('operator')?.text ?? '';
  if (!/^[*+-]$/.test(op)) return undefined;
  if (op === '*' && !widthOf(v)?.wide) {
    const fs = factors(v);
    const runtime = fs.filter((f) => !isConstantOperand(f));
    const widths = fs.map((f) => widthOf(f));
    if (runtime.length >= 2 && widths.every((w) => !w?.wide) && runtime.some((f) => widthOf(f) !== undefined)) {
      const limit = widths.some((w) => w && !w.wide && w.max === 0xffffffff) ? 0xffffffff : 0x7fffffff;
      let max: number | undefined = 1;
      for (const f of fs) {
        const fm = operandMax(f, at);
        max = fm === undefined || max === undefined ? undefined : max * fm;
      }
      const keys = runtime.map((f) => keyOf(f)).filter((k): k is string => k !== undefined);
      if ((max === undefined || max > limit) && !overflowChecked(v, keys, at)) return v;
      return undefined;
    }
  }
  return narrowProduct(v.childForFieldName('left'), at, depth + 1) ?? narrowProduct(v.childForFieldName('right'), at, depth + 1);
}

/** An overflow test of a product before `at`: a comparison with a quotient (`n > UINT_MAX / size`) of one of the operands, or a checked multiply. */
function overflowChecked(at: SyntaxNode, keys: readonly string[], before: number): boolean {
  const fn = ancestor(at, FUNCTION);
  if (!fn) return false;
  const text = fn.text.slice(0, before - fn.startIndex);
  if (/__builtin_\w*mul_overflow|\bckd_mul\b|\bSIZE_MAX\b|\bUINT32?_MAX\b|\bINT_MAX\b|\bULONG_MAX\b/.test(text) && keys.length > 0) {
    for (const b of fn.descendantsOfType('binary_expression')) {
      if (b.startIndex >= before) break;
      if (!RELATIONAL.test(b.childForFieldName('operator')?.text ?? '')) continue;
      if (b.text.includes('/') && keys.some((k) => b.text.includes(k))) return true;
    }
    if (/__builtin_\w*mul_overflow|\bckd_mul\b/.test(text)) return true;
  }
  return false;
}

const SIZE_ARGS: Readonly<Record<string, readonly number[]>> = {
  ...mem.LENGTH_ARG,
  malloc: [0],
  alloca: [0],
  xmalloc: [0],
  kmalloc: [0],
  kzalloc: [0],
  vmalloc: [0],
  g_malloc: [0],
  calloc: [0, 1],
  realloc: [1],
  xrealloc: [1],
  reallocarray: [1, 2],
  fwrite: [1, 2],
  write: [2],
  send: [2],
  mmap: [1],
  mprotect: [1],
  mincore: [1],
};

/** A 32-bit product used as a size, or stored in a 64-bit variable: the widening comes after the wrap. */
function narrowSize(m: RuleMatch): RuleHit | false {
  const node = m.captures.finding;
  if (!node) return false;
  let sizes: SyntaxNode[] = [];
  if (m.captures.fn) {
    const args = mem.matchArgs(m);
    sizes = (SIZE_ARGS[mem.matchCallee(m)] ?? []).map((i) => args[i]).filter((a): a is SyntaxNode => a !== undefined);
  } else {
    // `size_t total = w * h;`, `off->pos = block * bsize` into a wide variable or field
    const target = m.captures.target;
    const value = m.captures.value;
    if (!value?.text.includes('*')) return false;
    const w =
      target?.type === 'identifier' ? typeWidth(variableType(target)) : target?.type === 'field_expression' ? widthOf(target) : undefined;
    if (!w?.wide || !value) return false;
    if (target?.type === 'identifier' && node.type === 'declaration') {
      const t = typeWidth(node.childForFieldName('type')?.text);
      if (!t?.wide) return false;
    }
    sizes = [value];
  }
  for (const s of sizes) {
    if (s.type !== 'binary_expression' && s.type !== 'parenthesized_expression' && s.type !== 'cast_expression') continue;
    const p = narrowProduct(s, s.startIndex);
    if (p)
      return {
        node: p,
        flow: [{ node: p, message: `${p.text.replace(/\s+/g, ' ')} is computed in 32 bits and wraps before it is widened` }],
      };
  }
  return false;
}

/** The last name of a destination (`result.iv`, `h[i].salt`, `&ctx->nonce`, `iv`), or undefined. */
function lastName(n: SyntaxNode | null | undefined): string | undefined {
  let v = strip(n);
  while (v && (v.type === 'pointer_expression' || v.type === 'subscript_expression')) v = strip(v.childForFieldName('argument'));
  if (v?.type === 'identifier') return v.text;
  if (v?.type === 'field_expression') return v.childForFieldName('field')?.text;
  return undefined;
}

const IV_NAME = /^(iv|ivec|nonce|iv_?buf|init_?vector)$|_(iv|nonce)$|^(iv|nonce)_/i;
const SALT_NAME = /^salt$|_salt$|^salt_/i;
/** Calls that fill a buffer with random bytes (the first argument), or read it from a file or device (`read(fd, iv, n)`). */
const RANDOM_FILL =
  /^(RAND_bytes|RAND_priv_bytes|RAND_pseudo_bytes|getrandom|getentropy|arc4random_buf|randombytes_buf|BCryptGenRandom|CryptGenRandom|gnutls_rnd|mbedtls_ctr_drbg_random|wc_RNG_GenerateBlock|read|fread|recv)$/;

/**
 * A constant written over an IV, nonce or salt (`memcpy(iv, "0123456789abcdef", 16)`, `memset(salt, 0, 32)`),
 * with no call in the function filling it with random bytes: every message or password gets the same one.
 */
function constantNonce(m: RuleMatch, names: RegExp): RuleHit | false {
  const call = m.captures.finding;
  const name = mem.matchCallee(m);
  const args = mem.matchArgs(m);
  const [dst, src] = args;
  const last = lastName(dst);
  if (!call || !dst || !src || !last || !names.test(last)) return false;
  const constant =
    name === 'memset'
      ? mem.constValue(strip(src)) !== undefined
      : strip(src)?.type === 'string_literal' || strip(src)?.type === 'concatenated_string';
  if (!constant) return false;
  const fn = ancestor(call, FUNCTION);
  const key = (dst.type === 'pointer_expression' ? dst.childForFieldName('argument') : dst)?.text.replace(/\s+/g, '');
  const filled = (fn ?? call.tree.rootNode).descendantsOfType('call_expression').some((c) => {
    if (c.id === call.id) return false;
    const targets = mem.callTargets(c);
    if (!targets.some((t) => RANDOM_FILL.test(t.name))) return false;
    return (targets[0]?.args ?? []).some((a) => lastName(a) === last || a.text.replace(/\s+/g, '').replace(/^&/, '') === key);
  });
  if (filled) return false;
  return { node: call, flow: [{ node: call, message: `${dst.text} set to a constant and never filled with random bytes` }] };
}

const SUBSCRIPT_WRITE = [
  '(assignment_expression left: (subscript_expression argument: (_) @arr index: (_) @idx)) @finding',
  '(assignment_expression left: (field_expression argument: (subscript_expression argument: (_) @arr index: (_) @idx))) @finding',
  '(update_expression argument: (subscript_expression argument: (_) @arr index: (_) @idx)) @finding',
].join(' ');

/** The rules of this module, in the order they report. */
export const C_MORE_RULES: readonly Rule[] = [
  {
    id: 'c.constant-iv',
    trigger: /\b(iv|nonce|ivec)\b|_iv\b|_nonce\b/i,
    cwe: 'CWE-329',
    severity: 'medium',
    message: 'An IV or nonce is set to a constant and never filled with random bytes: the same plaintext encrypts the same way every time.',
    remediation: 'Fill the IV with RAND_bytes (or getrandom) for every message and store it beside the ciphertext.',
    query: call('^(memcpy|memmove|memset|strcpy|strncpy)$'),
    predicate: (m) => constantNonce(m, IV_NAME),
  },
  {
    id: 'c.constant-salt',
    trigger: /salt/i,
    cwe: 'CWE-760',
    severity: 'medium',
    message:
      'A password salt is set to a constant and never filled with random bytes: equal passwords hash alike and precomputed tables apply.',
    remediation: 'Draw a fresh salt per password with RAND_bytes (or getrandom) and store it with the hash.',
    query: call('^(memcpy|memmove|memset|strcpy|strncpy)$'),
    predicate: (m) => constantNonce(m, SALT_NAME),
  },
  {
    id: 'c.narrow-product',
    trigger: /\w\s*\*\s*[\w(]/,
    cwe: 'CWE-190',
    severity: 'medium',
    message:
      'Two run-time values of 32-bit type are multiplied before the product becomes a size: it wraps at 2^31 (or 2^32) first, and the copy or allocation gets a small size.',
    remediation: 'Widen one operand before multiplying (`(size_t)count * size`) and check it against SIZE_MAX / size.',
    query: `${call(`^(${Object.keys(SIZE_ARGS).join('|')})$`)} (declaration type: (_) declarator: (init_declarator declarator: (identifier) @target value: (binary_expression) @value)) @finding (assignment_expression left: [(identifier) (field_expression)] @target right: (binary_expression) @value) @finding`,
    predicate: narrowSize,
  },
  {
    id: 'c.loop-stack-overflow',
    trigger: /\+\+|\+=/,
    cwe: 'CWE-121',
    severity: 'high',
    message: 'A loop writes a local array through a counter it never compares with the array size: input decides how far it writes.',
    remediation: 'Stop the loop before the counter reaches the array size (e.g. `while (i < sizeof buf - 1 && ...)`).',
    query: SUBSCRIPT_WRITE,
    predicate: (m) => loopOverflow(m, true),
  },
  {
    id: 'c.loop-overflow',
    trigger: /\+\+|\+=/,
    cwe: 'CWE-787',
    severity: 'high',
    message:
      'A buffer is written through a counter that is never compared with its capacity (in a loop input ends, or a push on a counter kept between calls).',
    remediation: 'Pass the buffer size and compare the counter with it before each write.',
    query: SUBSCRIPT_WRITE,
    predicate: (m) => loopOverflow(m, false),
  },
  {
    id: 'c.signed-length',
    trigger: /\b(mem(cpy|move|set)|strn(cpy|cat)|malloc|read|recv|fread|fgets)\s*\(/,
    cwe: 'CWE-195',
    severity: 'high',
    message:
      'A signed length from input is checked only against an upper bound and then used as a size: a negative value becomes a huge one.',
    remediation: 'Reject negative lengths too (`if (len < 0 || len > MAX)`), or keep lengths in size_t.',
    query: call('^(memcpy|memmove|memset|strncpy|strncat|malloc|read|recv|fread|fgets)$'),
    predicate: signedLength,
  },
  {
    id: 'c.return-stack-address',
    trigger: /\breturn\s*\(?\s*&?\s*\w+\s*\)?\s*;/,
    cwe: 'CWE-562',
    severity: 'high',
    message: 'The function returns the address of a local variable or array, which is gone once it returns.',
    remediation: 'Return heap memory the caller frees, write into a buffer the caller passes, or make the array static.',
    query: '(return_statement [(identifier) (pointer_expression) (parenthesized_expression)] @value) @finding',
    predicate: returnsStack,
  },
  {
    id: 'c.uninitialized-variable',
    trigger: /\b(int|long|short|char|float|double|unsigned|signed|bool|_Bool|\w+_t)\s+\w+\s*[;,]/,
    cwe: 'CWE-457',
    severity: 'medium',
    message: 'A local variable is read before any value is assigned to it.',
    remediation: 'Initialise the variable where it is declared (e.g. `double sum = 0;`).',
    query: '(declaration type: [(primitive_type) (sized_type_specifier) (type_identifier)] declarator: (identifier)) @finding',
    predicate: uninitialised,
  },
  {
    id: 'c.divide-by-input',
    trigger: /[\w)\]]\s*[/%]=?\s*[A-Za-z_(*]/,
    cwe: 'CWE-369',
    severity: 'medium',
    message: 'An integer is divided by a value input sets, with no check that it is not zero.',
    remediation: 'Reject a zero divisor before dividing.',
    query: '(binary_expression operator: ["/" "%"] right: (_) @divisor) @finding',
    predicate: divideByInput,
  },
  {
    id: 'c.realloc-leak',
    trigger: /realloc\s*\(/,
    cwe: 'CWE-401',
    severity: 'medium',
    message: 'The result of realloc() overwrites the only pointer to the block: when it fails, the block leaks (and the NULL is used).',
    remediation: 'Assign realloc() to a temporary, check it, then replace the pointer.',
    query:
      '(assignment_expression left: (_) @ptr right: [(call_expression function: (identifier) @fn arguments: (argument_list) @args) (cast_expression value: (call_expression function: (identifier) @fn arguments: (argument_list) @args))] (#match? @fn "^(realloc|xrealloc|g_realloc|reallocarray)$")) @finding',
    predicate: reallocLeak,
  },
  {
    id: 'c.strncpy-unterminated',
    trigger: /strncpy\s*\(/,
    cwe: 'CWE-170',
    severity: 'medium',
    message: 'strncpy() fills the whole buffer and no terminator is written after it: a long source leaves the string unterminated.',
    remediation: "Copy sizeof dst - 1 bytes and set dst[sizeof dst - 1] = '\\0', or use snprintf.",
    query: '((call_expression function: (identifier) @fn arguments: (argument_list) @args) @finding (#eq? @fn "strncpy"))',
    predicate: strncpyUnterminated,
  },
  {
    id: 'c.index-without-minimum',
    trigger: /\b(ato(i|l|ll)|strto(l|ll|imax)|scanf)\s*\(/,
    cwe: 'CWE-129',
    severity: 'high',
    message:
      'A signed number parsed from input indexes an array after a check of its upper bound only: a negative value reads or writes before the array.',
    remediation: 'Reject negative values too (`if (i < 0 || i >= N)`), or parse into an unsigned type with strtoul and check the range.',
    query: '(subscript_expression argument: (identifier) @arr index: (identifier) @idx) @finding',
    predicate: indexWithoutMinimum,
  },
  {
    id: 'c.weak-key-size',
    trigger:
      /\b(RSA_generate_key|EVP_PKEY_CTX_set_\w+_bits|EVP_PKEY_CTX_set_dh_paramgen_prime_len|DSA_generate_parameters|DH_generate_parameters|openssl|_keygen_bits|_paramgen_bits)/,
    cwe: 'CWE-326',
    severity: 'medium',
    message:
      'An RSA, DSA or DH key (or group) is generated with fewer than 2048 bits, which is within reach of factoring or discrete-log attacks.',
    remediation: 'Generate RSA and DSA keys and DH groups of at least 2048 bits (3072 for use past 2030), or use an elliptic curve.',
    query:
      '[((call_expression function: (identifier) @fn) @finding (#match? @fn "^(RSA_generate_key(_ex)?|EVP_PKEY_CTX_set_(rsa_keygen|dsa_paramgen)_bits|EVP_PKEY_CTX_set_dh_paramgen_prime_len|(DSA|DH)_generate_parameters(_ex)?)$")) ((string_literal) @finding (#match? @finding "openssl|_keygen_bits|_paramgen_bits|_prime_len"))]',
    predicate: weakKeySize,
  },
  {
    id: 'c.read-terminator',
    trigger: /\b(read|pread|recv|recvfrom|readlink|readlinkat|fread)\s*\(/,
    cwe: 'CWE-193',
    severity: 'medium',
    message:
      'The byte count a read returns indexes the buffer it read into, and the read may fill the whole buffer: the write (a terminator, most often) lands one past its end.',
    remediation: "Read at most sizeof buf - 1 bytes (`n = read(fd, buf, sizeof buf - 1); buf[n] = '\\0';`).",
    query: '(assignment_expression left: (subscript_expression argument: (identifier) @arr index: (identifier) @idx)) @finding',
    predicate: readTerminator,
  },
  {
    id: 'c.read-past-length',
    trigger: /\[\s*[1-9]/,
    cwe: 'CWE-125',
    severity: 'medium',
    message:
      'A byte of a buffer is read at a fixed offset while the length its caller passes with it is never compared: a shorter buffer is read past its end.',
    remediation: 'Return early when the length is below the bytes the code reads (`if (len < 2) return -1;`).',
    query: '(subscript_expression argument: (identifier) @arr index: (number_literal) @idx) @finding',
    predicate: readPastLength,
  },
  {
    id: 'c.last-char-of-empty-write',
    trigger: /-\s*1\s*\]/,
    cwe: 'CWE-124',
    severity: 'medium',
    message:
      'The last character of a string is written at strlen(s) - 1 with no test that the string is not empty: an empty string makes it the byte before the buffer.',
    remediation: 'Test the length first (`if (n > 0 && s[n - 1] == \'\\n\') s[n - 1] = 0;`) or use s[strcspn(s, "\\n")] = 0.',
    query: '(subscript_expression argument: (_) @arr index: (binary_expression) @idx) @finding',
    predicate: (m) => lastCharOfEmpty(m, true),
  },
  {
    id: 'c.last-char-of-empty-read',
    trigger: /-\s*1\s*\]/,
    cwe: 'CWE-127',
    // one byte read before the buffer: a defect, rarely an exploit (the write is the medium finding)
    severity: 'low',
    message:
      'The last character of a string is read at strlen(s) - 1 with no test that the string is not empty: an empty string reads the byte before the buffer.',
    remediation: 'Test the length first: `n > 0 && s[n - 1] == ...`.',
    query: '(subscript_expression argument: (_) @arr index: (binary_expression) @idx) @finding',
    predicate: (m) => lastCharOfEmpty(m, false),
  },
  {
    id: 'c.insecure-random-secret',
    trigger: /\b(rand(om)?|[dlm]rand48)\s*\(/,
    cwe: 'CWE-338',
    severity: 'medium',
    message: 'rand() (or random()) makes a token, key, password, salt or session id: its output is predictable.',
    remediation: 'Take secrets from getrandom(), /dev/urandom or RAND_bytes.',
    query: '((call_expression function: (identifier) @fn) @finding (#match? @fn "^(rand|random|drand48|lrand48|mrand48)$"))',
    predicate: isSecretRandom,
  },
];
