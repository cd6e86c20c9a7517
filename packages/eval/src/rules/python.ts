import type { LanguageRules, Rule, RuleMatch, SyntaxNode } from './rule.js';
import { CREDENTIAL_RULE_TEXT, SECRET_LITERAL, SECRET_RULE_TEXT } from './secrets.js';
import { ancestor, namedArgs } from './syntax.js';

/** Taint-light: a value no input can influence (plain literals and their combinations). */
export function isConstantPy(node: SyntaxNode | null | undefined): boolean {
  if (!node) return true;
  switch (node.type) {
    case 'string':
      return !node.namedChildren.some((c) => c.type === 'interpolation');
    case 'integer':
    case 'float':
    case 'true':
    case 'false':
    case 'none':
      return true;
    case 'concatenated_string':
    case 'parenthesized_expression':
    case 'binary_operator':
    case 'tuple':
    case 'list':
      return namedArgs(node).every(isConstantPy);
    case 'identifier':
      return /^[A-Z][A-Z0-9_]*$/.test(node.text);
    default:
      return false;
  }
}

/** Positional arguments of a call's argument list. */
function positional(args: SyntaxNode | undefined): SyntaxNode[] {
  return namedArgs(args).filter((a) => a.type !== 'keyword_argument' && a.type !== 'dictionary_splat');
}

/** The value of keyword argument `name`, if given. */
function keyword(args: SyntaxNode | undefined, name: string): SyntaxNode | undefined {
  for (const a of namedArgs(args)) {
    if (a.type === 'keyword_argument' && a.childForFieldName('name')?.text === name) {
      return a.childForFieldName('value') ?? undefined;
    }
  }
  return undefined;
}

const FUNCTION = new Set(['function_definition', 'module']);

/** The right-hand sides assigned to `name` before `before` in the enclosing function. */
function assignmentsOf(at: SyntaxNode, name: string, before: number): SyntaxNode[] {
  const scope = ancestor(at, FUNCTION);
  if (!scope) return [];
  const out: SyntaxNode[] = [];
  for (const a of [...scope.descendantsOfType('assignment'), ...scope.descendantsOfType('augmented_assignment')]) {
    if (a.startIndex >= before || a.childForFieldName('left')?.text !== name) continue;
    const right = a.childForFieldName('right');
    if (right) out.push(right);
  }
  return out;
}

/** Whether a string value is built from input by formatting: `%`, `+`, f-strings, `.format()`. */
function isFormatted(node: SyntaxNode | undefined, at: SyntaxNode, depth = 0): boolean {
  if (!node || depth > 3) return false;
  switch (node.type) {
    case 'string':
      return node.namedChildren.some((c) => c.type === 'interpolation');
    case 'binary_operator': {
      const op = node.child(1)?.text;
      return (op === '%' || op === '+') && !isConstantPy(node);
    }
    case 'call': {
      const fn = node.childForFieldName('function');
      return (
        fn?.type === 'attribute' &&
        fn.childForFieldName('attribute')?.text === 'format' &&
        !isConstantPy(node.childForFieldName('arguments'))
      );
    }
    case 'parenthesized_expression':
    case 'concatenated_string':
      return namedArgs(node).some((c) => isFormatted(c, at, depth + 1));
    case 'identifier':
      return assignmentsOf(at, node.text, at.startIndex).some((v) => isFormatted(v, at, depth + 1));
    default:
      return false;
  }
}

function firstArg(m: RuleMatch): SyntaxNode | undefined {
  return positional(m.captures.args)[0];
}

function call(pattern: string): string {
  return `((call function: [(identifier) @fn (attribute) @fn] arguments: (argument_list) @args) @finding (#match? @fn "${pattern}"))`;
}

const WORLD = /^0o?[0-7]*([2367]|[67][0-7])$/;

export const PYTHON_RULES: readonly Rule[] = [
  {
    id: 'python.os-command',
    trigger: /\b(os|commands|subprocess)\.(system|popen|spawnlp|execl|getoutput|getstatusoutput)/,
    cwe: 'CWE-78',
    severity: 'high',
    message: 'A shell command is built from a non-constant string.',
    remediation: 'Call subprocess.run([...]) with an argument list and no shell; validate inputs.',
    query: call(
      '^(os\\\\.(system|popen|popen2|popen3|spawnlp|execl)|commands\\\\.getoutput|commands\\\\.getstatusoutput|subprocess\\\\.getoutput|subprocess\\\\.getstatusoutput)$',
    ),
    predicate: (m) => !isConstantPy(firstArg(m)),
  },
  {
    id: 'python.os-command-imported',
    trigger: /from\s+os\s+import[^\n]*\b(system|popen)\b/,
    cwe: 'CWE-78',
    severity: 'high',
    message: 'A shell command is built from a non-constant string (system/popen imported from os).',
    remediation: 'Call subprocess.run([...]) with an argument list and no shell; validate inputs.',
    query: '((call function: (identifier) @fn arguments: (argument_list) @args) @finding (#match? @fn "^(system|popen)$"))',
    predicate: (m) => !isConstantPy(firstArg(m)),
  },
  {
    id: 'python.subprocess-shell',
    trigger: /shell\s*=\s*True/,
    cwe: 'CWE-78',
    severity: 'high',
    message: 'subprocess runs a non-constant command through the shell (shell=True).',
    remediation: 'Pass an argument list and drop shell=True; use shlex.quote only as a last resort.',
    query: call('^(subprocess\\\\.)?(call|run|Popen|check_call|check_output)$'),
    predicate: (m) => keyword(m.captures.args, 'shell')?.text === 'True' && !isConstantPy(firstArg(m)),
  },
  {
    id: 'python.eval',
    trigger: /\b(eval|exec|execfile|compile)\s*\(/,
    cwe: 'CWE-95',
    severity: 'high',
    message: 'eval/exec run a non-constant string as code.',
    remediation: 'Parse the data instead: ast.literal_eval for literals, json.loads for JSON.',
    query: call('^(eval|exec|execfile|compile)$'),
    predicate: (m) => !isConstantPy(firstArg(m)),
  },
  {
    id: 'python.unsafe-deserialisation',
    trigger: /pickle|dill|marshal|jsonpickle|shelve/,
    cwe: 'CWE-502',
    severity: 'high',
    message: 'Deserialising with pickle/marshal/shelve/jsonpickle can run arbitrary code.',
    remediation: 'Use a data-only format (json) or sign and verify the payload before loading.',
    query: call(
      '^((c?[pP]ickle|_pickle|dill|marshal|jsonpickle|shelve)\\\\.(loads?|decode|open|Unpickler)|pd\\\\.read_pickle|pandas\\\\.read_pickle)$',
    ),
  },
  {
    id: 'python.yaml-load',
    trigger: /\b(load|load_all|unsafe_load|full_load|unsafe_load_all)\s*\(/,
    cwe: 'CWE-502',
    severity: 'high',
    message: 'yaml.load without a safe loader can construct arbitrary Python objects.',
    remediation: 'Use yaml.safe_load, or yaml.load(data, Loader=yaml.SafeLoader).',
    query: call('^(yaml\\\\.)?(load|load_all|unsafe_load|full_load|unsafe_load_all)$'),
    predicate: (m) => {
      const fn = m.captures.fn?.text ?? '';
      if (!fn.startsWith('yaml.') && !/^(unsafe_load|full_load)$/.test(fn)) return false;
      if (/unsafe|full/.test(fn)) return true;
      const loader = keyword(m.captures.args, 'Loader') ?? positional(m.captures.args)[1];
      return !loader || !/Safe|BaseLoader/.test(loader.text);
    },
  },
  {
    id: 'python.sql-format',
    trigger: /\.(execute|executemany|executescript|raw|mogrify)\s*\(/,
    cwe: 'CWE-89',
    severity: 'high',
    message: 'An SQL query is built by string formatting and passed to execute().',
    remediation: 'Use parameterised queries: cursor.execute("... WHERE id = ?", (value,)).',
    query:
      '((call function: (attribute attribute: (identifier) @fn) arguments: (argument_list) @args) @finding (#match? @fn "^(execute|executemany|executescript|raw|mogrify)$"))',
    predicate: (m) => isFormatted(firstArg(m), m.captures.finding as SyntaxNode),
  },
  {
    id: 'python.weak-hash',
    trigger: /md[245]|sha1?\b|sha\s*\(|SHA|MD[245]|new\s*\(/i,
    cwe: 'CWE-328',
    severity: 'medium',
    message: 'MD4, MD5 and SHA-1 are broken for security uses.',
    remediation: 'Use hashlib.sha256 (or hashlib.pbkdf2_hmac / argon2 for passwords).',
    query:
      '((call function: (attribute) @fn) @finding (#match? @fn "^(hashlib\\\\.)?(md4|md5|sha1|sha)$")) ((call function: (attribute) @fn arguments: (argument_list . (string) @algo)) @finding (#match? @fn "^hashlib\\\\.new$") (#match? @algo "[mM][dD][45]|[sS][hH][aA]1")) ((call function: (attribute) @fn) @finding (#match? @fn "^(MD5|SHA1|SHA|MD4|MD2)\\\\.new$"))',
  },
  {
    id: 'python.weak-cipher',
    trigger: /DES|ARC[24]|Blowfish|XOR|ECB|TripleDES|IDEA/,
    cwe: 'CWE-327',
    severity: 'medium',
    message: 'DES, 3DES, RC4, Blowfish and ECB mode are weak or deterministic ciphers.',
    remediation: 'Use AES-GCM (Crypto.Cipher.AES with MODE_GCM, or cryptography AESGCM).',
    query:
      '((call function: (attribute) @fn) @finding (#match? @fn "^(DES|DES3|ARC4|ARC2|Blowfish|XOR)\\\\.new$")) ((attribute) @finding (#match? @finding "^(AES|DES|DES3|Blowfish|ARC2)\\\\.MODE_ECB$|^modes\\\\.ECB$|^algorithms\\\\.(TripleDES|Blowfish|ARC4|IDEA)$"))',
  },
  {
    id: 'python.insecure-random',
    trigger: /\brandom\./,
    cwe: 'CWE-338',
    severity: 'medium',
    message: 'The random module is predictable; it must not produce secrets, keys or tokens.',
    remediation: 'Use the secrets module (secrets.token_hex, secrets.choice) or os.urandom.',
    query: call('^random\\\\.(random|randint|randrange|choice|choices|getrandbits|sample|shuffle|uniform|seed|Random)$'),
  },
  {
    id: 'python.insecure-tempfile',
    trigger: /mktemp|tempnam|tmpnam/,
    cwe: 'CWE-377',
    severity: 'medium',
    message: 'mktemp() returns a name that another process can create first.',
    remediation: 'Use tempfile.mkstemp() or tempfile.NamedTemporaryFile().',
    query: call('^(tempfile\\\\.)?mktemp$|^os\\\\.(tempnam|tmpnam)$'),
  },
  {
    id: 'python.tls-no-verify',
    trigger: /verify|check_hostname|validate_certs|_create_unverified_context|CERT_NONE/,
    cwe: 'CWE-295',
    severity: 'high',
    message: 'TLS certificate verification is disabled.',
    remediation: 'Keep verify=True (the default) and ssl.create_default_context().',
    query:
      '((keyword_argument name: (identifier) @k value: (false)) @finding (#match? @k "^(verify|check_hostname|verify_ssl|validate_certs)$")) ((attribute) @finding (#match? @finding "^ssl\\\\.(_create_unverified_context|CERT_NONE)$"))',
  },
  {
    id: 'python.hardcoded-credential',
    ...CREDENTIAL_RULE_TEXT,
    query:
      '[(assignment left: (_) @name right: (string) @value) (keyword_argument name: (identifier) @name value: (string) @value) (pair key: (string) @name value: (string) @value)] @finding',
    predicate: (m) => {
      const name = m.captures.name?.text ?? '';
      const value = m.captures.value;
      if (!value || !isConstantPy(value)) return false;
      const text = value.text.replace(/^[a-zA-Z]*['"]+|['"]+$/g, '');
      return (
        /(pass(wd|word)?|pwd|secret|api_?key|access_?key|auth_?token|private_?key|credential)/i.test(name) &&
        text.length >= 4 &&
        !/^[A-Z_]+$/.test(text) &&
        !/\s/.test(text)
      );
    },
  },
  {
    id: 'python.embedded-secret',
    ...SECRET_RULE_TEXT,
    query: '(string) @finding',
    predicate: (m) => SECRET_LITERAL.test(m.captures.finding?.text ?? ''),
  },
  {
    id: 'python.path-traversal',
    trigger: /\bjoin\s*\(|\+|%|\{/,
    cwe: 'CWE-22',
    severity: 'high',
    message: 'A file path is joined from input and opened without checking that it stays inside its base.',
    remediation: 'Resolve the path (os.path.realpath) and check it starts with the base directory, or use werkzeug.utils.secure_filename.',
    query:
      '((call function: [(identifier) @fn (attribute) @fn] arguments: (argument_list . [(call) (binary_operator) (string) (identifier)] @path)) @finding (#match? @fn "^(open|io\\\\.open|codecs\\\\.open|send_file|os\\\\.remove|os\\\\.unlink|shutil\\\\.rmtree|shutil\\\\.copy|os\\\\.listdir|os\\\\.rmdir|Image\\\\.open|FileResponse|os\\\\.makedirs)$"))',
    predicate: (m) => {
      const at = m.captures.finding as SyntaxNode;
      const scope = ancestor(at, FUNCTION);
      if (!scope || scope.type === 'module') return false;
      if (/realpath|abspath|normpath|secure_filename|safe_join|commonpath|\.resolve\(|basename|is_relative_to|startswith/.test(scope.text))
        return false;
      const params = scope.childForFieldName('parameters')?.text ?? '';
      const path = m.captures.path;
      const joined = (n: SyntaxNode | undefined): boolean => {
        if (!n) return false;
        if (n.type === 'call')
          return (
            /^(os\.path\.join|path\.join)$/.test(n.childForFieldName('function')?.text ?? '') &&
            !isConstantPy(n.childForFieldName('arguments'))
          );
        if (n.type === 'binary_operator' || n.type === 'string') return isFormatted(n, at);
        if (n.type === 'identifier') return assignmentsOf(at, n.text, at.startIndex).some(joined);
        return false;
      };
      return joined(path) && /\w/.test(params);
    },
  },
  {
    id: 'python.tar-extract',
    trigger: /\bextract(all)?\s*\(/,
    cwe: 'CWE-22',
    severity: 'high',
    message: 'extractall() on an untrusted archive writes outside the target through ../ or absolute names.',
    remediation: 'Check each member path (or use filter="data" on Python 3.12+) before extracting.',
    query:
      '((call function: (attribute attribute: (identifier) @fn) arguments: (argument_list) @args) @finding (#match? @fn "^(extractall|extract)$"))',
    predicate: (m) => {
      const scope = ancestor(m.captures.finding as SyntaxNode, FUNCTION);
      return (
        !keyword(m.captures.args, 'filter') &&
        !keyword(m.captures.args, 'members') &&
        !/(\.\.|isabs|realpath|abspath|commonpath|startswith)/.test(scope?.text ?? '')
      );
    },
  },
  {
    id: 'python.xxe',
    trigger: /XMLParser|minidom|xml\.sax|pulldom|setFeature/,
    cwe: 'CWE-611',
    severity: 'high',
    message: 'The XML parser resolves external entities.',
    remediation: 'Use defusedxml, or lxml XMLParser(resolve_entities=False, no_network=True).',
    query:
      '((call function: (attribute) @fn arguments: (argument_list) @args) @finding (#match? @fn "XMLParser$")) ((call function: (attribute) @fn arguments: (argument_list) @args) @finding (#match? @fn "^(xml\\\\.dom\\\\.minidom|minidom|xml\\\\.sax|pulldom|xml\\\\.dom\\\\.pulldom)\\\\.(parse|parseString)$")) ((call function: (attribute attribute: (identifier) @fn) arguments: (argument_list (attribute) @feat (true))) @finding (#eq? @fn "setFeature") (#match? @feat "feature_external_(ges|pes)"))',
    predicate: (m) => {
      const fn = m.captures.fn?.text ?? '';
      if (fn.endsWith('XMLParser')) return keyword(m.captures.args, 'resolve_entities')?.text !== 'False';
      return true;
    },
  },
  {
    id: 'python.permissive-permissions',
    trigger: /\bos\.(f|l)?(chmod|makedirs|mkdir|open)\s*\(/,
    cwe: 'CWE-732',
    severity: 'medium',
    message: 'A file or directory is given world-writable permissions.',
    remediation: 'Use the narrowest mode: 0o600 for private files, 0o700 for private directories.',
    query:
      '((call function: (attribute) @fn arguments: (argument_list (integer) @mode)) @finding (#match? @fn "^os\\\\.(chmod|fchmod|lchmod|makedirs|mkdir|open)$"))',
    predicate: (m) => WORLD.test(m.captures.mode?.text ?? ''),
  },
  {
    id: 'python.xss',
    trigger: /<[a-zA-Z/]|Markup|mark_safe|make_response|render_template_string/,
    cwe: 'CWE-79',
    severity: 'medium',
    message: 'HTML is built from input without escaping.',
    remediation: 'Render through an auto-escaping template, or wrap each value in html.escape / markupsafe.escape.',
    query:
      '((binary_operator left: (string) @html) @finding (#match? @html "<[a-zA-Z/]")) ((string (interpolation)) @html @finding (#match? @html "<[a-zA-Z/]")) ((call function: (attribute object: (string) @html attribute: (identifier) @fn)) @finding (#eq? @fn "format") (#match? @html "<[a-zA-Z/]")) ((call function: [(identifier) @fn (attribute) @fn] arguments: (argument_list . (_) @html)) @finding (#match? @fn "(^|\\\\.)(Markup|mark_safe|make_response|render_template_string)$"))',
    predicate: (m) => {
      const node = m.captures.finding as SyntaxNode;
      if (/escape|quote|bleach|sanitize|clean/i.test(node.text)) return false;
      const fn = m.captures.fn?.text ?? '';
      if (/(Markup|mark_safe|make_response|render_template_string)$/.test(fn))
        return !isConstantPy(m.captures.html) && isFormatted(m.captures.html, node);
      return !isConstantPy(node);
    },
  },
  {
    id: 'python.jwt-no-verify',
    trigger: /jwt\.decode/,
    cwe: 'CWE-347',
    severity: 'high',
    message: 'A JSON Web Token is decoded without verifying its signature.',
    remediation: 'Pass the key and an explicit algorithms=[...] list; never disable verify_signature.',
    query: '((call function: (attribute) @fn arguments: (argument_list) @args) @finding (#match? @fn "^jwt\\\\.decode$"))',
    predicate: (m) => {
      const args = m.captures.args;
      const opts = keyword(args, 'options')?.text ?? '';
      return (
        keyword(args, 'verify')?.text === 'False' ||
        /verify_signature['"]\s*:\s*False/.test(opts) ||
        /none/i.test(keyword(args, 'algorithms')?.text ?? '')
      );
    },
  },
];

export const PYTHON_LANGUAGE: LanguageRules = { language: 'python', rules: PYTHON_RULES };
