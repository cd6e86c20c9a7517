import type { LanguageRules, Rule, RuleMatch, SyntaxNode } from './rule.js';
import { CREDENTIAL_RULE_TEXT, SECRET_LITERAL, SECRET_RULE_TEXT } from './secrets.js';
import { ancestor, contains, firstIdentifierAfter, namedArgs } from './syntax.js';

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

function arg(m: RuleMatch, i: number): SyntaxNode | undefined {
  return namedArgs(m.captures.args)[i];
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

/** A sprintf's output length is unbounded unless its format is a literal and every argument is constant. */
function unboundedSprintf(args: readonly SyntaxNode[]): boolean {
  return literalText(args[1]) === undefined || args.slice(2).some((a) => !isConstantC(a));
}

const FUNCTION = new Set(['function_definition']);
const BLOCK = new Set(['compound_statement']);
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

/** The first later use of `name` after `from` inside the enclosing function, skipping the ones in `skip`. */
function firstLaterUse(at: SyntaxNode, name: string, from: number, code: string): SyntaxNode | undefined {
  const fn = ancestor(at, FUNCTION);
  return fn ? firstIdentifierAfter(fn, name, from, code) : undefined;
}

function isAssignedAt(id: SyntaxNode): boolean {
  const p = id.parent;
  return p?.type === 'assignment_expression' && p.childForFieldName('left')?.id === id.id;
}

/** A jump (return/goto/break/continue) between `free(p)` and the use makes the use unreachable from the free. */
function leavesBefore(freeCall: SyntaxNode, use: SyntaxNode): boolean {
  const block = ancestor(freeCall, BLOCK);
  if (!block) return false;
  return namedArgs(block).some((s) => s.startIndex > freeCall.endIndex && s.startIndex < use.startIndex && JUMP.has(s.type));
}

/** Whether `use` sits in the other branch of an `if` whose consequence holds `at`. */
function inOtherBranch(at: SyntaxNode, use: SyntaxNode): boolean {
  let cur: SyntaxNode | null = at.parent;
  while (cur) {
    if (cur.type === 'if_statement') {
      const alt = cur.childForFieldName('alternative');
      if (alt && contains(alt, use) && !contains(alt, at)) return true;
    }
    cur = cur.parent;
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
    const fn = p.parent?.childForFieldName('function');
    return fn?.type === 'identifier' && DEREF_CALLS.test(fn.text);
  }
  return false;
}

/** Whether an identifier use tests the pointer (`if (p)`, `!p`, `p == NULL`, `assert(p)`). */
function isNullCheck(id: SyntaxNode): boolean {
  let cur: SyntaxNode | null = id.parent;
  for (let depth = 0; cur && depth < 6; depth++, cur = cur.parent) {
    if (['if_statement', 'while_statement', 'conditional_expression', 'for_statement'].includes(cur.type)) return true;
    if (cur.type === 'unary_expression' && cur.text.startsWith('!')) return true;
    if (cur.type === 'binary_expression' && /(==|!=|&&|\|\|)/.test(cur.child(1)?.text ?? '')) return true;
    if (cur.type === 'call_expression' && /assert/i.test(cur.childForFieldName('function')?.text ?? '')) return true;
    if (cur.type.endsWith('statement') || cur.type === 'declaration') return false;
  }
  return false;
}

/** Calls that return NULL on failure or absence: the C library's and the common allocator families. */
const MAY_RETURN_NULL =
  /^(malloc|calloc|realloc|strdup|strndup|fopen|fdopen|tmpfile|getenv|strchr|strrchr|strstr|memchr|opendir|localtime|gmtime|\w*(alloc|zalloc|dup|_new|_create|lookup|find|_get_\w+|_open)\w*)$/;

/** The function that produced a value, looking through casts and parentheses. */
function callee(value: SyntaxNode | null): string | undefined {
  let v = value;
  while (v && (v.type === 'cast_expression' || v.type === 'parenthesized_expression'))
    v = v.type === 'cast_expression' ? v.childForFieldName('value') : (namedArgs(v)[0] ?? null);
  return v?.type === 'call_expression' ? v.childForFieldName('function')?.text : undefined;
}

function nullDeref(m: RuleMatch): SyntaxNode | false {
  const ptr = m.captures.ptr;
  const value = m.captures.value;
  if (!ptr || !value || !MAY_RETURN_NULL.test(callee(value) ?? '')) return false;
  // The allocation's own statement may test the result: `if ((p = malloc(n)) == NULL)`.
  const stmt = ancestor(value, ALLOC_STATEMENT);
  if (stmt && stmt.type !== 'expression_statement' && stmt.type !== 'declaration') return false;
  const use = firstLaterUse(ptr, ptr.text, (stmt ?? value).endIndex, m.code);
  if (!use || isNullCheck(use) || !isDereference(use)) return false;
  return use;
}

function useAfterFree(m: RuleMatch): SyntaxNode | false {
  const ptr = m.captures.ptr;
  const freeCall = m.captures.finding;
  if (!ptr || !freeCall) return false;
  if (ancestor(freeCall, LOOP)) return false;
  const use = firstLaterUse(freeCall, ptr.text, freeCall.endIndex, m.code);
  if (!use || isAssignedAt(use) || inOtherBranch(freeCall, use) || leavesBefore(freeCall, use)) return false;
  if (use.parent?.type === 'argument_list' && use.parent.parent?.childForFieldName('function')?.text === 'free') return use;
  return isDereference(use) || use.parent?.type === 'argument_list' ? use : false;
}

/** The length argument is neither constant nor compared anywhere in the function. */
function uncheckedLength(m: RuleMatch): boolean {
  const len = arg(m, 2);
  if (!len || isConstantC(len)) return false;
  const fn = ancestor(m.captures.finding as SyntaxNode, FUNCTION);
  if (!fn) return false;
  const ids = len.descendantsOfType('identifier').map((n) => n.text);
  if (ids.length === 0) return false;
  const comparisons = fn.descendantsOfType('binary_expression').filter((b) => /^(<|>|<=|>=)$/.test(b.child(1)?.text ?? ''));
  const guarded = comparisons.some((b) => b.descendantsOfType('identifier').some((n) => ids.includes(n.text)));
  return !guarded && !/\b(MIN|min|MAX|max)\s*\(/.test(len.text);
}

/** For a copy into a local array with an unbounded length, the array's declarator (where the buffer lives). */
function stackBufferTarget(m: RuleMatch): SyntaxNode | false {
  const args = namedArgs(m.captures.args);
  const dst = args[0];
  const name = m.captures.fn?.text ?? '';
  if (dst?.type !== 'identifier') return false;
  const unbounded = /^mem/.test(name) ? !isConstantC(args[2]) : /sprintf$/.test(name) ? unboundedSprintf(args) : !isConstantC(args[1]);
  if (!unbounded) return false;
  const fn = ancestor(m.captures.finding as SyntaxNode, FUNCTION);
  const decl = fn
    ?.descendantsOfType('array_declarator')
    .find((d) => d.childForFieldName('declarator')?.text === dst.text && d.childForFieldName('size') !== null);
  return decl ?? false;
}

const PERMISSIVE = /^0?[0-7]*[2367]$|^0?[0-7]*[67][0-7]$/;

export const C_RULES: readonly Rule[] = [
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
    predicate: (m) => !isConstantC(arg(m, 1)),
  },
  {
    id: 'c.sprintf',
    trigger: /\bv?sprintf\s*\(/,
    cwe: 'CWE-120',
    severity: 'high',
    message: 'sprintf() writes formatted run-time values of unchecked length into a fixed buffer.',
    remediation: 'Use snprintf with the destination size and check its return value.',
    query: call('^(sprintf|vsprintf)$'),
    predicate: (m) => unboundedSprintf(namedArgs(m.captures.args)),
  },
  {
    id: 'c.scanf-unbounded',
    trigger: /scanf\s*\(/,
    cwe: 'CWE-120',
    severity: 'high',
    message: 'A %s or %[ conversion without a field width reads unbounded input.',
    remediation: 'Give every %s a width one less than the buffer size (e.g. %63s) or read with fgets.',
    query: call('^(scanf|fscanf|sscanf|vscanf|vfscanf|vsscanf)$'),
    predicate: (m) => {
      const name = m.captures.fn?.text ?? '';
      const fmt = literalText(arg(m, SCANF_POS[name] ?? 0));
      return fmt !== undefined && /%(s|\[)/.test(fmt);
    },
  },
  {
    id: 'c.stack-buffer-overflow',
    trigger: /\b(strcpy|strcat|v?sprintf|memcpy|memmove|wcscpy|wcscat)\s*\(/,
    cwe: 'CWE-121',
    severity: 'high',
    message: 'A fixed-size stack buffer is the destination of a copy whose length it does not bound.',
    remediation: 'Bound every write into the buffer by its size (snprintf, strlcpy, a checked memcpy length).',
    query: call('^(strcpy|strcat|sprintf|vsprintf|memcpy|memmove|wcscpy|wcscat)$'),
    predicate: stackBufferTarget,
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
      const name = m.captures.fn?.text ?? '';
      const pos = FORMAT_POS[name];
      const args = namedArgs(m.captures.args);
      const fmt = pos === undefined ? undefined : args[pos];
      // A variable format with no further arguments is the classic printf(buf) bug.
      return !!fmt && !isConstantC(fmt) && fmt.type !== 'call_expression' && args.length === (pos ?? 0) + 1;
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
    predicate: (m) => !isConstantC(arg(m, 0)),
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
      const args = namedArgs(m.captures.args);
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
    message: 'An allocation size is computed with unchecked arithmetic on input and can wrap around.',
    remediation: 'Check the operands against SIZE_MAX / size before multiplying, or use calloc(n, size).',
    query:
      '((call_expression function: (identifier) @fn arguments: (argument_list [(binary_expression operator: ["*" "+"]) @size (cast_expression value: (binary_expression operator: ["*" "+"]) @size)])) @finding (#match? @fn "[aA]lloc"))',
    predicate: (m) => !isConstantC(m.captures.size),
  },
  {
    id: 'c.unchecked-length-copy',
    trigger: /\b(w?memcpy|memmove|strncpy|strncat)\s*\(/,
    cwe: 'CWE-787',
    severity: 'medium',
    message: 'A copy length comes from a variable that is never compared with a bound in this function.',
    remediation: 'Check the length against the destination size before copying.',
    query: call('^(memcpy|memmove|strncpy|strncat|wmemcpy)$'),
    predicate: uncheckedLength,
  },
  {
    id: 'c.use-after-free',
    trigger: /\bfree\s*\(/,
    cwe: 'CWE-416',
    severity: 'high',
    message: 'A pointer is used after it was freed.',
    remediation: 'Set the pointer to NULL right after free() and do not use it again.',
    query: '((call_expression function: (identifier) @fn arguments: (argument_list . (identifier) @ptr .)) @finding (#eq? @fn "free"))',
    predicate: useAfterFree,
  },
  {
    id: 'c.null-dereference',
    trigger:
      /(alloc|dup|_new|_create|lookup|find|_get_|_open|fopen|fdopen|tmpfile|getenv|strchr|strrchr|strstr|memchr|opendir|localtime|gmtime)\w*\s*\(/,
    cwe: 'CWE-476',
    severity: 'medium',
    message: 'The result of a call that can return NULL is dereferenced without a check.',
    remediation: 'Test the pointer for NULL before using it.',
    query:
      '[(init_declarator declarator: (pointer_declarator declarator: (identifier) @ptr) value: [(call_expression) (cast_expression)] @value) (assignment_expression left: (identifier) @ptr right: [(call_expression) (cast_expression)] @value)] @finding',
    predicate: nullDeref,
  },
  {
    id: 'c.permissive-permissions',
    trigger: /\b(f?chmod|open|creat|mkdir|umask)\s*\(/,
    cwe: 'CWE-732',
    severity: 'medium',
    message: 'A file is created or changed with world-writable permissions.',
    remediation: 'Use the narrowest mode, e.g. 0600 for private files and 0644 for public ones.',
    query: call('^(chmod|fchmod|open|creat|mkdir|umask)$'),
    predicate: (m) => {
      const args = namedArgs(m.captures.args);
      const mode = args[args.length - 1];
      if (mode?.type !== 'number_literal' || args.length < (m.captures.fn?.text === 'umask' ? 1 : 2)) return false;
      if (m.captures.fn?.text === 'umask') return /^0*$/.test(mode.text);
      return PERMISSIVE.test(mode.text) && mode.text.startsWith('0');
    },
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
      namedArgs(m.captures.args).some((a) => {
        const t = literalText(a);
        return t !== undefined && /\b(select|insert|update|delete)\b[\s\S]*%s/i.test(t);
      }),
  },
];

export const C_LANGUAGE: LanguageRules = { language: 'c', rules: C_RULES };
