import { compileQuery, parse, plainTree, type Query } from '@srcode/syntax';
import {
  argument,
  assignmentsIn,
  calleeName,
  respeltCallee,
  respeltCalls,
  pyName,
  resolvedName,
  describeHit,
  flowSteps,
  hitAt,
  isConstant,
  isRouteHandler,
  keyword,
  nodeType,
  literalText,
  namedArgs,
  type SinkHit,
  scopeOf,
  sqlArgument,
} from '../taint/python.js';
import type { LanguageRules, PredicateResult, Rule, RuleHit, RuleMatch, SyntaxNode } from './rule.js';
import { CREDENTIAL_RULE_TEXT, isPlaceholderSecret, PLAIN_SECRET_NAME, SECRET_LITERAL, SECRET_NAME, SECRET_RULE_TEXT } from './secrets.js';
import { ancestor } from './syntax.js';

/** Positional arguments of a call's argument list. */
function positional(args: SyntaxNode | undefined): SyntaxNode[] {
  return namedArgs(args).filter((a) => a.type !== 'keyword_argument' && a.type !== 'dictionary_splat');
}

const FUNCTION = new Set(['function_definition', 'module']);

/** The right-hand sides assigned to `name` before `before` in the enclosing function. */
function assignmentsOf(at: SyntaxNode, name: string, before: number): SyntaxNode[] {
  const scope = ancestor(at, FUNCTION);
  if (!scope) return [];
  const out: SyntaxNode[] = [];
  // every use asks whether some or every value has a property, so the document order of the list does not matter
  for (const a of assignmentsIn(scope)) {
    if (a.startIndex >= before || a.childForFieldName('left')?.text !== name) continue;
    const right = a.childForFieldName('right');
    if (right) out.push(right);
  }
  return out;
}

/** Whether a string value is built from input by formatting: `%`, `+`, f-strings, `.format()`. */
function isFormatted(node: SyntaxNode | undefined, at: SyntaxNode, depth = 0): boolean {
  if (!node || depth > 3) return false;
  switch (nodeType(node)) {
    case 'string':
      return node.namedChildren.some((c) => c.type === 'interpolation');
    case 'binary_operator': {
      const op = node.child(1)?.text;
      return (op === '%' || op === '+') && !isConstant(node);
    }
    case 'call': {
      const fn = node.childForFieldName('function');
      return (
        fn?.type === 'attribute' && fn.childForFieldName('attribute')?.text === 'format' && !isConstant(node.childForFieldName('arguments'))
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

function _firstArg(m: RuleMatch): SyntaxNode | undefined {
  return positional(m.captures.args)[0];
}

function call(pattern: string): string {
  return `((call function: [(identifier) @fn (attribute) @fn] arguments: (argument_list) @args) @finding (#match? @fn "${pattern}"))`;
}

/** Modes with write (or any) access for others: octal, or symbolic bits. */
const WORLD = /^0o?[0-7]*[2367]$/;
const WORLD_BITS = /\bS_I(WOTH|RWXO|ROTH|XOTH)\b/;

/**
 * The finding a taint rule reports for a hit: the hit's node, plus (in the engine's `RuleHit` form)
 * the flow and a message naming source and sink. See `pythonTaintFlows` for the same data by range.
 */
function report(hit: SinkHit | undefined, unknownToo = false): PredicateResult {
  if (!hit) return false;
  if (hit.flows.length) return withFlow(hit);
  return unknownToo && hit.unknown ? hit.node : false;
}

/** A hit with flows as the engine's `RuleHit`: the sink node, the steps from the source, a message naming both. */
function withFlow(hit: SinkHit): RuleHit {
  const flow = flowSteps(hit);
  return flow ? { node: hit.node, flow, message: describeHit(hit) ?? hit.sink } : { node: hit.node };
}

function taintAt(m: RuleMatch, rule: string): SinkHit | undefined {
  const node = m.captures.finding;
  return node ? hitAt(m.code, node, rule) : undefined;
}

/** `eval(compile(tree, ...))` after the tree was parsed with `ast.parse` and its nodes checked against an allow-list. */
function astCheckedCompile(call: SyntaxNode): boolean {
  const arg = argument(call, 0);
  const scope = ancestor(call, FUNCTION);
  if (!arg || !scope) return false;
  const compiled =
    (arg.type === 'call' && /^compile$/.test(arg.childForFieldName('function')?.text ?? '')) ||
    (arg.type === 'identifier' &&
      assignmentsOf(call, arg.text, call.startIndex).some((v) => v.type === 'call' && v.childForFieldName('function')?.text === 'compile'));
  return (
    compiled &&
    /\bast\.parse\s*\(/.test(scope.text) &&
    /\bast\.walk\s*\(|NodeVisitor|NodeTransformer/.test(scope.text) &&
    /isinstance\s*\(|ALLOWED|allowed|SAFE|whitelist|allowlist/.test(scope.text)
  );
}

const PATH_SINK =
  /^(open|io\.open|codecs\.open|send_file|os\.remove|os\.unlink|shutil\.rmtree|shutil\.copy|os\.listdir|os\.rmdir|Image\.open|FileResponse|os\.makedirs)$/;

/** The parameter-based check of old: a path joined or formatted from input in a function with parameters, with no check in sight. */
function joinedFromParameters(call: SyntaxNode): boolean {
  const fn = call.childForFieldName('function')?.text ?? '';
  if (!PATH_SINK.test(fn)) return false;
  const path = positional(call.childForFieldName('arguments') ?? undefined)[0];
  if (!path || !/^(call|binary_operator|string|identifier)$/.test(path.type)) return false;
  const scope = ancestor(call, FUNCTION);
  if (!scope || scope.type === 'module') return false;
  if (/realpath|abspath|normpath|secure_filename|safe_join|commonpath|\.resolve\(|basename|is_relative_to|startswith/.test(scope.text))
    return false;
  const params = scope.childForFieldName('parameters')?.text ?? '';
  const joined = (n: SyntaxNode | undefined): boolean => {
    if (!n) return false;
    if (n.type === 'call')
      return (
        /^(os\.path\.join|path\.join)$/.test(n.childForFieldName('function')?.text ?? '') && !isConstant(n.childForFieldName('arguments'))
      );
    if (n.type === 'binary_operator' || n.type === 'string') return isFormatted(n, call);
    if (n.type === 'identifier') return assignmentsOf(call, n.text, call.startIndex).some(joined);
    return false;
  };
  return joined(path) && /\w/.test(params);
}

function inTest(node: SyntaxNode, code: string): boolean {
  if (/^\s*(import (pytest|unittest)|from (unittest|pytest)\b)/m.test(code)) return true;
  for (let p: SyntaxNode | null = node.parent; p; p = p.parent) {
    if (p.type === 'function_definition' && /^test/i.test(p.childForFieldName('name')?.text ?? '')) return true;
    if (p.type === 'class_definition' && /^Test|Test$|TestCase/.test(p.childForFieldName('name')?.text ?? '')) return true;
  }
  return false;
}

/**
 * A value that is the same on every run: a bytes or string literal, `b"\\0" * 16`, `bytes(16)`, or a name
 * every assignment of which (in the function or at module level, before the use) is one.
 */
function fixedBytes(node: SyntaxNode | undefined, at: SyntaxNode, depth: number): boolean {
  if (!node || depth > 4) return false;
  switch (nodeType(node)) {
    case 'string':
    case 'concatenated_string':
      return isConstant(node);
    case 'binary_operator':
      return node.child(1)?.text === '*' && namedArgs(node).every((c) => c.type === 'integer' || fixedBytes(c, at, depth + 1));
    case 'parenthesized_expression':
      return fixedBytes(namedArgs(node)[0], at, depth + 1);
    case 'call': {
      const fn = node.childForFieldName('function')?.text ?? '';
      if (/^(bytes|bytearray)$/.test(fn))
        return positional(node.childForFieldName('arguments') ?? undefined).every(
          (a) => a.type === 'integer' || fixedBytes(a, at, depth + 1),
        );
      // `"...".encode()`, `bytes.fromhex("00ff...")`, `unhexlify("...")`
      if (/\.(encode)$/.test(fn))
        return fixedBytes(node.childForFieldName('function')?.childForFieldName('object') ?? undefined, at, depth + 1);
      if (/(^|\.)(fromhex|unhexlify|a2b_hex|b64decode)$/.test(fn)) {
        const a = positional(node.childForFieldName('arguments') ?? undefined);
        return a.length === 1 && fixedBytes(a[0], at, depth + 1);
      }
      return false;
    }
    case 'identifier': {
      const values = [...assignmentsOf(at, node.text, at.startIndex)];
      const root = at.tree.rootNode;
      for (const a of namedArgs(root)) {
        const e = a.type === 'expression_statement' ? namedArgs(a)[0] : undefined;
        if (e?.type === 'assignment' && e.childForFieldName('left')?.text === node.text && e.startIndex < at.startIndex) {
          const r = e.childForFieldName('right');
          if (r && !values.some((v) => v.startIndex === r.startIndex)) values.push(r);
        }
      }
      return values.length > 0 && values.every((v) => fixedBytes(v, at, depth + 1));
    }
    default:
      return false;
  }
}

/** A group that is one repeated piece, itself repeated: `(a+)+`, `([a-z0-9_.+-]+)+`, `(\\w*)*`, `(?:\\s+)*`. */
const NESTED_QUANTIFIER = /\((?:\?:)?(?:\[(?:[^\]\\]|\\.)*\]|\\.|[^()[\]\\|])(?:[+*]|\{\d+,\d*\})\)(?:[+*]|\{\d+,\d*\})/;

/**
 * A repeated group whose one repeated piece sits among optional ones, so the group can still match by that
 * piece alone: `(\\w+\\s?)*`, `([a-z0-9]+\\.?)+`, `(\\s*\\w+)*`. The same splits blow up as in `(a+)+`.
 */
const NESTED_AMONG_OPTIONAL =
  /\((?:\?:)?(?:(?:\[(?:[^\]\\]|\\.)*\]|\\.|[^()[\]\\|+*?{}])(?:\?|\*|\{0,\d*\}))*(?:\[(?:[^\]\\]|\\.)*\]|\\.|[^()[\]\\|+*?{}])(?:[+*]|\{\d+,\d*\})(?:(?:\[(?:[^\]\\]|\\.)*\]|\\.|[^()[\]\\|+*?{}])(?:\?|\*|\{0,\d*\}))*\)(?:[+*]|\{\d+,\d*\})/;

/** An integer below `min`, or a name every assignment of which (in the function or at module level, before the use) is one. */
function smallInt(node: SyntaxNode | undefined, at: SyntaxNode, min: number): boolean {
  if (!node) return false;
  if (node.type === 'integer') return Number(node.text.replace(/_/g, '')) < min;
  if (node.type !== 'identifier') return false;
  const values = assignmentsOf(at, node.text, at.startIndex);
  for (const a of namedArgs(at.tree.rootNode)) {
    const e = a.type === 'expression_statement' ? namedArgs(a)[0] : undefined;
    if (e?.type === 'assignment' && e.childForFieldName('left')?.text === node.text && e.startIndex < at.startIndex) {
      const r = e.childForFieldName('right');
      if (r && !values.some((v) => v.startIndex === r.startIndex)) values.push(r);
    }
  }
  return values.length > 0 && values.every((v) => v.type === 'integer' && Number(v.text.replace(/_/g, '')) < min);
}

/**
 * A formatting slot where SQL takes a value (a comparison, LIKE, IN, VALUES, SET, LIMIT, or quotes), not a table or
 * column name: `= '%s'`, `= %d`, `LIKE '{q}'`, `VALUES ({a}, ...`, `= '" + x + "'`.
 */
const SQL_VALUE_SLOT =
  /(?:[=<>]|\b(?:like|in|values|limit|offset)\b)\s*\(?\s*(?:['"]?\s*(?:%[sdr]|%\(\w+\)[sd]|\{[^{}]*\})|['"]\s*["']\s*\+)|'(?:%[sdr]|%\(\w+\)[sd]|\{[^{}]*\})'/i;

/** An HMAC value: `hmac.new(...)` / `hmac.digest(...)` (with `.digest()` / `.hexdigest()`), or a name assigned one in the function. */
const HMAC_CALL = /^hmac\.(new|digest|HMAC)\s*\(/;
function hmacValue(node: SyntaxNode | undefined, at: SyntaxNode): boolean {
  if (!node) return false;
  if (node.type === 'call') return HMAC_CALL.test(node.text);
  if (node.type === 'identifier')
    return assignmentsOf(at, node.text, at.startIndex).some((v) => v.type === 'call' && HMAC_CALL.test(v.text));
  return false;
}

/** The method an `attribute` node names (its `attribute` identifier), as a query's `attribute: (identifier) @fn` captures it. */
function methodName(fn: SyntaxNode | undefined): string | undefined {
  const name = fn?.childForFieldName('attribute');
  return name?.type === 'identifier' ? name.text : undefined;
}

/** Whether an argument list holds `name=` a literal of node type `value` (`true`, `false`), as `(keyword_argument name: (identifier) value: (true))` matches. */
function literalKeyword(args: SyntaxNode | undefined, name: string, value: string): boolean {
  return (args?.namedChildren ?? []).some(
    (a) =>
      a.type === 'keyword_argument' &&
      a.childForFieldName('name')?.type === 'identifier' &&
      a.childForFieldName('name')?.text === name &&
      a.childForFieldName('value')?.type === value,
  );
}

/** A query for calls to functions named by `pattern` (the taint walk decides which of them are findings). */
function sinkCall(pattern: string): string {
  return `((call function: [(identifier) (attribute)] @fn) @finding (#match? @fn "${pattern}"))`;
}

const PLAIN_RULES: readonly Rule[] = [
  {
    id: 'python.os-command',
    trigger: /\b(os|commands|subprocess)\.(system|popen|spawnlp|execl|getoutput|getstatusoutput)|\bcreate_subprocess_shell\b/,
    cwe: 'CWE-78',
    severity: 'high',
    message: 'A shell command is built from a non-constant string.',
    remediation: 'Call subprocess.run([...]) with an argument list and no shell; validate inputs (shlex.quote as a last resort).',
    query: sinkCall(
      '^(os\\\\.(system|popen|popen2|popen3|spawnlp|execl)|commands\\\\.getoutput|commands\\\\.getstatusoutput|subprocess\\\\.getoutput|subprocess\\\\.getstatusoutput|asyncio\\\\.create_subprocess_shell)$',
    ),
    predicate: (m) => report(taintAt(m, 'python.os-command'), true),
  },
  {
    id: 'python.os-command-imported',
    trigger: /from\s+os\s+import[^\n]*\b(system|popen)\b/,
    cwe: 'CWE-78',
    severity: 'high',
    message: 'A shell command is built from a non-constant string (system/popen imported from os).',
    remediation: 'Call subprocess.run([...]) with an argument list and no shell; validate inputs.',
    query: sinkCall('^(system|popen)$'),
    predicate: (m) => report(taintAt(m, 'python.os-command-imported'), true),
  },
  {
    id: 'python.subprocess-shell',
    trigger: /shell\s*=\s*True|sh['"]\s*,\s*['"]-\w*c['"]/,
    cwe: 'CWE-78',
    severity: 'high',
    message: 'subprocess runs a non-constant command through the shell (shell=True, or an argument list starting sh -c).',
    remediation: 'Pass an argument list and drop shell=True; use shlex.quote only as a last resort.',
    query: sinkCall('^(subprocess\\\\.)?(call|run|Popen|check_call|check_output)$'),
    predicate: (m) => report(taintAt(m, 'python.subprocess-shell'), true),
  },
  {
    id: 'python.command-string',
    trigger:
      /\b(_?run_ssh|ssh_execute|_?ssh_exec\w*|_cli_run|exec_command|_?run_command|execute_command|_?run_cmd|run_shell|shell_exec)\s*\(/,
    cwe: 'CWE-78',
    severity: 'high',
    message: 'A command string built from input is handed to a function that runs it through a (remote) shell.',
    remediation: 'Pass the command as an argument list and quote each value (shlex.quote) where a string is unavoidable.',
    query: sinkCall(
      '(^|\\\\.)(_?run_ssh|ssh_execute|_?ssh_exec\\\\w*|_cli_run|exec_command|_?run_command|execute_command|_?run_cmd|run_shell|shell_exec)$',
    ),
    predicate: (m) => {
      const hit = taintAt(m, 'python.command-string');
      if (!hit) return false;
      // an argument list is the safe form: each element reaches the program as one argument
      const arg = argument(hit.node, 0);
      const listy = (n: SyntaxNode) => n.type === 'list' || n.type === 'list_comprehension' || /^list\(/.test(n.text);
      if (!arg || listy(arg) || (arg.type === 'identifier' && assignmentsOf(hit.node, arg.text, hit.node.startIndex).some(listy)))
        return false;
      if (hit.flows.length) return withFlow(hit);
      return hit.unknown && isFormatted(argument(hit.node, 0), hit.node) ? hit.node : false;
    },
  },
  {
    id: 'python.eval',
    trigger: /\b(eval|exec|execfile)\s*\(/,
    cwe: 'CWE-95',
    severity: 'high',
    message: 'eval/exec run a non-constant string as code.',
    remediation: 'Parse the data instead: ast.literal_eval for literals, json.loads for JSON.',
    query: sinkCall('^(eval|exec|execfile)$'),
    predicate: (m) => {
      const hit = taintAt(m, 'python.eval');
      if (!hit || astCheckedCompile(hit.node)) return false;
      return report(hit, true);
    },
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
    trigger: /\.(execute|executemany|executescript|raw|mogrify|extra)\s*\(|read_sql/,
    cwe: 'CWE-89',
    severity: 'high',
    message: 'An SQL query is built from input by string formatting and run.',
    remediation: 'Use parameterised queries: cursor.execute("... WHERE id = ?", (value,)).',
    query: sinkCall('(\\\\.(execute|executemany|executescript|raw|mogrify|extra)|read_sql|read_sql_query)$'),
    predicate: (m) => {
      const hit = taintAt(m, 'python.sql-format');
      if (!hit) return false;
      if (hit.flows.length) return withFlow(hit);
      return hit.unknown && isFormatted(argument(hit.node, 0), hit.node) ? hit.node : false;
    },
  },
  {
    id: 'python.sql-query-call',
    // SQL statement text somewhere in the file: the project's own database layer is only recognised by what it is given
    trigger:
      /\b(select\b[\s\S]{1,400}?\bfrom\b|insert\s+(or\s+\w+\s+)?into\b|update\s+[\w."`[\]{}%']+\s+set\b|delete\s+from\b|replace\s+into\b|(drop|create|alter|truncate)\s+table\b)/i,
    cwe: 'CWE-89',
    severity: 'high',
    message: "SQL text built from input by string formatting is handed to the project's own database call.",
    remediation: "Pass values as query parameters (the driver's placeholders) through the database layer instead of formatting them in.",
    query: sinkCall(
      '(^|\\\\.)(_?exec|_?execute\\\\w*|\\\\w+_execute|_?query\\\\w*|\\\\w+_query|\\\\w*[a-z]Query\\\\w*|\\\\w+_sql|run_?sql|\\\\w*[a-z]DB|db_\\\\w+|\\\\w+_db|_?select\\\\w*)$|(^|\\\\.)(_?db|database|conn|connection|cursor|cur|sql|engine|dbconn|db_conn|_conn)\\\\.\\\\w+$',
    ),
    predicate: (m) => {
      const hit = taintAt(m, 'python.sql-query-call');
      if (!hit) return false;
      if (hit.flows.length) return withFlow(hit);
      // SQL text formatted with values nothing proves constant, into a value's place, with no parameters passed
      const sql = sqlArgument(hit.node);
      if (!hit.unknown || !sql || !isFormatted(sql, hit.node)) return false;
      const args = positional(hit.node.childForFieldName('arguments') ?? undefined);
      if (args[args.length - 1] !== sql) return false;
      const texts = sql.type === 'identifier' ? assignmentsOf(hit.node, sql.text, hit.node.startIndex).map((v) => v.text) : [sql.text];
      return texts.some((t) => SQL_VALUE_SLOT.test(t)) ? hit.node : false;
    },
  },
  {
    id: 'python.weak-hash',
    trigger: /md[245]|sha1?\b|sha\s*\(|SHA|MD[245]|new\s*\(/i,
    cwe: 'CWE-328',
    severity: 'medium',
    message: 'MD4, MD5 and SHA-1 are broken for security uses.',
    remediation: 'Use hashlib.sha256 (or hashlib.pbkdf2_hmac / argon2 for passwords).',
    // plain call patterns the engine walks itself; the algorithm named first to hashlib.new is checked below
    query:
      '((call function: (attribute) @fn) @finding (#match? @fn "^(hashlib\\\\.)?(md4|md5|sha1|sha)$")) ((call function: (attribute) @fn arguments: (argument_list) @args) @finding (#match? @fn "^hashlib\\\\.new$")) ((call function: (attribute) @fn) @finding (#match? @fn "^(MD5|SHA1|SHA|MD4|MD2)\\\\.new$"))',
    // hashlib.new: its first named argument (as a query's `. (string)` reads it: a comment there counts) a string naming MD4, MD5 or SHA-1
    predicate: (m) => {
      if (m.captures.fn?.text !== 'hashlib.new') return true;
      const first = m.captures.args?.namedChildren[0];
      return first?.type === 'string' && /[mM][dD][45]|[sS][hH][aA]1/.test(first.text);
    },
  },
  {
    id: 'python.password-fast-hash',
    trigger: /pass|pwd|pw\b/i,
    cwe: 'CWE-916',
    severity: 'medium',
    message: 'A password is hashed with a fast general-purpose hash (SHA-2, SHA-3, BLAKE2), which is cheap to brute-force.',
    remediation: 'Use a password hash: hashlib.scrypt, hashlib.pbkdf2_hmac with a random salt and many iterations, bcrypt or argon2.',
    query:
      '((call function: (attribute) @fn arguments: (argument_list) @args) @finding (#match? @fn "\\\\.(sha224|sha256|sha384|sha512|sha3_256|sha3_512|blake2b|blake2s)$"))',
    predicate: (m) => {
      const call = m.captures.finding as SyntaxNode;
      const value = argument(call, 0);
      if (!value) return false;
      // what is hashed: a value named as a password, or a parameter of a function named for passwords
      const PASSWORD = /pass(wd|word)?|pwd|\bpw\b/i;
      if (PASSWORD.test(value.text)) return true;
      const scope = ancestor(call, FUNCTION);
      const name = scope?.type === 'function_definition' ? (scope.childForFieldName('name')?.text ?? '') : '';
      return PASSWORD.test(name) && value.type !== 'string';
    },
  },
  {
    id: 'python.hash-algorithm-choice',
    trigger: /\b(hashlib|hmac)\.new\s*\(/,
    cwe: 'CWE-327',
    severity: 'medium',
    message: 'The hash algorithm is chosen by the caller (hashlib.new / hmac.new with a variable), so a broken one can be asked for.',
    remediation: 'Fix the algorithm in code (hashlib.sha256, hmac.new(key, msg, hashlib.sha256)) or check the name against an allow-list.',
    query: '((call function: (attribute) @fn arguments: (argument_list) @args) @finding (#match? @fn "^(hashlib|hmac)\\\\.new$"))',
    predicate: (m) => {
      const call = m.captures.finding as SyntaxNode;
      const isHmac = m.captures.fn?.text === 'hmac.new';
      const algo = isHmac ? argument(call, 2, 'digestmod') : argument(call, 0, 'name');
      if (!algo) return isHmac;
      if (isConstant(algo) || algo.type === 'attribute' || /^(sha\d+|sha3_\d+|blake2[bs])$/.test(algo.text)) return false;
      const scope = ancestor(call, FUNCTION);
      // an allow-list check on the name (`if algo not in ALLOWED`, `algo in hashlib.algorithms_guaranteed`)
      return !new RegExp(`\\b${algo.text.replace(/\W/g, '')}\\s+(not\\s+)?in\\b`).test(scope?.text ?? '');
    },
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
    id: 'python.weak-tls-version',
    trigger: /PROTOCOL_(SSLv[23]|TLSv1)|(SSLv[23]|TLSv1(_1)?)_METHOD|TLSVersion\.(SSLv3|TLSv1)/,
    cwe: 'CWE-327',
    severity: 'medium',
    message: 'SSL 2/3 and TLS 1.0/1.1 are broken or deprecated protocol versions.',
    remediation: 'Use ssl.create_default_context() (or PROTOCOL_TLS_CLIENT / TLS_SERVER) with minimum_version = ssl.TLSVersion.TLSv1_2.',
    query:
      '((attribute attribute: (identifier) @v) @finding (#match? @v "^(PROTOCOL_(SSLv2|SSLv3|TLSv1|TLSv1_1)|(SSLv2|SSLv3|TLSv1|TLSv1_1)_METHOD|SSLv3|TLSv1|TLSv1_1)$"))',
    predicate: (m) => {
      const at = m.captures.finding as SyntaxNode;
      const v = m.captures.v?.text ?? '';
      // the bare names are members of ssl.TLSVersion; OP_NO_* flags and negotiation (SSLv23) are not matched
      if (/^(SSLv3|TLSv1|TLSv1_1)$/.test(v)) return /(^|\.)TLSVersion$/.test(at.childForFieldName('object')?.text ?? '');
      return true;
    },
  },
  {
    id: 'python.static-iv',
    trigger: /MODE_(CBC|CFB|OFB|CTR|GCM|EAX|OCB)|modes\.(CBC|CFB|OFB|CTR|GCM)\b/,
    cwe: 'CWE-329',
    severity: 'medium',
    message: 'The cipher is given a fixed IV or nonce, so equal plaintexts encrypt alike (and GCM/CTR keystreams repeat).',
    remediation: 'Draw a fresh IV for every message (os.urandom(16), get_random_bytes(16)) and send it with the ciphertext.',
    query:
      '((call function: (attribute) @fn arguments: (argument_list) @args) @finding (#match? @fn "\\\\.new$|(^|\\\\.)modes\\\\.(CBC|CFB|CFB8|OFB|CTR|GCM)$"))',
    predicate: (m) => {
      const call = m.captures.finding as SyntaxNode;
      const fn = m.captures.fn?.text ?? '';
      let iv: SyntaxNode | undefined;
      if (/modes\.\w+$/.test(fn))
        iv = argument(call, 0, /GCM|CTR/.test(fn) ? (/GCM/.test(fn) ? 'initialization_vector' : 'nonce') : 'initialization_vector');
      else {
        const mode = argument(call, 1, 'mode');
        if (!mode || !/MODE_(CBC|CFB|OFB|CTR|GCM|EAX|OCB)$/.test(mode.text)) return false;
        iv =
          keyword(m.captures.args, 'iv') ??
          keyword(m.captures.args, 'IV') ??
          keyword(m.captures.args, 'nonce') ??
          positional(m.captures.args)[2];
      }
      return fixedBytes(iv, call, 0);
    },
  },
  {
    id: 'python.weak-key',
    trigger: /generate_private_key|RSA\.generate|DSA\.generate|newkeys|generate_rsa|generate_dsa|key_size/,
    cwe: 'CWE-326',
    severity: 'medium',
    message: 'An RSA or DSA key shorter than 2048 bits (or an EC curve under 224 bits) can be broken.',
    remediation: 'Use at least 2048-bit RSA/DSA keys (3072 for new systems) or an EC curve such as SECP256R1.',
    query:
      '((call function: [(identifier) @fn (attribute) @fn] arguments: (argument_list) @args) @finding (#match? @fn "(^|\\\\.)(generate_private_key|generate|newkeys|generate_rsa|generate_dsa)$"))',
    predicate: (m) => {
      const call = m.captures.finding as SyntaxNode;
      const fn = m.captures.fn?.text ?? '';
      if (/generate_private_key$/.test(fn)) {
        const curve = argument(call, 0, 'curve');
        if (curve && /SECP192|SECT163|SECT233|SECP160|SECT193/i.test(curve.text)) return true;
        return smallInt(argument(call, /^(rsa\.)/.test(fn) ? 1 : 0, 'key_size'), call, 2048);
      }
      if (/^(RSA|DSA|rsa|dsa)\.generate$|(^|\.)newkeys$|generate_rsa|generate_dsa/.test(fn))
        return smallInt(argument(call, 0, 'bits'), call, 2048);
      return false;
    },
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
    id: 'python.tmp-fixed-path',
    trigger: /['"](\/tmp|\/var\/tmp|\/dev\/shm)\//,
    cwe: 'CWE-377',
    severity: 'medium',
    message: 'A file is written at a fixed name in a shared temporary folder, which another user can create or link first.',
    remediation: 'Use tempfile.NamedTemporaryFile() or tempfile.mkstemp(), or a private folder made with tempfile.mkdtemp().',
    query:
      '((call function: [(identifier) @fn (attribute) @fn] arguments: (argument_list) @args) @finding (#match? @fn "^(open|io\\\\.open|codecs\\\\.open)$"))',
    predicate: (m) => {
      const call = m.captures.finding as SyntaxNode;
      const path = argument(call, 0, 'file');
      const mode = literalText(argument(call, 1, 'mode')) ?? 'r';
      if (!path || !/[wax+]/.test(mode)) return false;
      // a literal path, or an f-string whose literal head fixes the folder and the name's start
      const head = path.type === 'string' ? path.text.replace(/^[a-zA-Z]*['"]+/, '') : '';
      return /^(\/tmp|\/var\/tmp|\/dev\/shm)\/[\w.-]/.test(head);
    },
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
    // a keyword name outside ASCII is NFKC-normalised by Python (`ｖerify=False`)
    trigger: /verify|check_hostname|validate_certs|_create_unverified_context|CERT_NONE|[^\x00-\x7f]/,
    cwe: 'CWE-295',
    severity: 'high',
    message: 'TLS certificate verification is disabled.',
    remediation: 'Keep verify=True (the default) and ssl.create_default_context().',
    // the keyword's name as Python reads it (NFKC: `ｖerify=False` is `verify=False`), tested below
    query:
      '((keyword_argument name: (identifier) @k value: (false)) @finding) ((attribute) @finding (#match? @finding "^ssl\\\\.(_create_unverified_context|CERT_NONE)$"))',
    predicate: (m) => !m.captures.k || /^(verify|check_hostname|verify_ssl|validate_certs)$/.test(pyName(m.captures.k.text)),
  },
  {
    id: 'python.tls-no-context',
    trigger: /starttls|FTP_TLS|\.stls\s*\(/,
    cwe: 'CWE-295',
    severity: 'medium',
    message: 'TLS is started without an SSL context, so the server certificate is not verified.',
    remediation: 'Pass context=ssl.create_default_context() to starttls() / FTP_TLS().',
    query:
      '((call function: [(identifier) @fn (attribute) @fn] arguments: (argument_list) @args) @finding (#match? @fn "(^|\\\\.)(starttls|stls|FTP_TLS)$"))',
    predicate: (m) => {
      const call = m.captures.finding as SyntaxNode;
      if (argument(call, 99, 'context')) return false;
      const fn = m.captures.fn?.text ?? '';
      return !/FTP_TLS$/.test(fn) || !argument(call, 5);
    },
  },
  {
    id: 'python.cleartext-credentials',
    trigger: /ftplib|FTP\(|telnetlib|Telnet\(|http:\/\//,
    cwe: 'CWE-319',
    severity: 'medium',
    message: 'Credentials travel in clear text (FTP, Telnet or plain HTTP).',
    remediation: 'Use FTP_TLS/SFTP, SSH instead of Telnet, and https:// URLs for anything carrying credentials.',
    query:
      '((call function: [(identifier) @fn (attribute) @fn] arguments: (argument_list) @args) @finding (#match? @fn "(^|\\\\.)(FTP|Telnet|get|post|put|request|urlopen|Request)$"))',
    predicate: (m) => {
      const call = m.captures.finding as SyntaxNode;
      const fn = m.captures.fn?.text ?? '';
      if (/(^|ftplib\.)FTP$/.test(fn)) return /\.login\s*\(/.test(m.code);
      if (/(^|telnetlib\.)Telnet$/.test(fn)) return true;
      if (!/^(requests|httpx|session|urllib\.request|urllib2|http)\.|^(urlopen|Request)$/.test(fn)) return false;
      const url = literalText(argument(call, 0, 'url')) ?? argument(call, 0, 'url')?.text ?? '';
      if (!/^f?['"]?http:\/\/(?!(localhost|127\.0\.0\.1|0\.0\.0\.0|\[::1\])[:/'"]|$)/.test(url)) return false;
      const args = m.captures.args?.text ?? '';
      return /\bauth\s*=|pass(wd|word)?|secret|token|api_?key|Authorization|credential/i.test(args);
    },
  },
  {
    id: 'python.hardcoded-credential',
    ...CREDENTIAL_RULE_TEXT,
    query:
      '[(assignment left: (_) @name right: (string) @value) (keyword_argument name: (identifier) @name value: (string) @value) (pair key: (string) @name value: (string) @value)] @finding',
    predicate: (m) => {
      const name = (m.captures.name?.text ?? '').replace(/^['"]|['"]$/g, '');
      const value = m.captures.value;
      if (!value || !isConstant(value)) return false;
      const text = literalText(value) ?? value.text.replace(/^[a-zA-Z]*['"]+|['"]+$/g, '');
      const last = name.slice(name.lastIndexOf('.') + 1);
      const strong = SECRET_NAME.test(last);
      const plain = PLAIN_SECRET_NAME.test(last);
      if (!strong && !plain) return false;
      if (text.length < 4 || /\s/.test(text) || /^[A-Z_]+$/.test(text) || isPlaceholderSecret(text)) return false;
      // a plain name (key, token) needs a value that looks generated, not a word or a dict key
      if (!strong && !(text.length >= 8 && /\d/.test(text) && /[a-zA-Z]/.test(text) && !/[/.:]/.test(text))) return false;
      return !inTest(m.captures.finding as SyntaxNode, m.code);
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
    trigger:
      /\b(open|remove|unlink|rmtree|copy|copyfile|copy2|copytree|File|listdir|rmdir|makedirs|mkdir|send_file|send_from_directory|FileResponse|rename|move|ZipFile|save)\s*\(/,
    cwe: 'CWE-22',
    severity: 'high',
    message: 'A file path built from input is used without checking that it stays inside its base.',
    remediation:
      'Resolve the path (os.path.realpath / Path.resolve) and check it is inside the base directory, or use werkzeug.utils.secure_filename / send_from_directory.',
    query: sinkCall(
      '(^|\\\\.)(open|remove|unlink|rmtree|copy|copyfile|copy2|copytree|File|listdir|rmdir|makedirs|mkdir|send_file|send_from_directory|FileResponse|rename|move|ZipFile|save)$',
    ),
    predicate: (m) => {
      const hit = taintAt(m, 'python.path-traversal');
      if (hit?.flows.length) return withFlow(hit);
      // parameters (not known request data): a join or format with no check anywhere in the function
      return hit?.unknown === true && joinedFromParameters(hit.node);
    },
  },
  {
    id: 'python.tar-extract',
    trigger: /\bextract(all)?\s*\(|\bunpack_archive\s*\(/,
    cwe: 'CWE-22',
    severity: 'high',
    message: 'extractall() on an untrusted archive writes outside the target through ../ or absolute names.',
    remediation: 'Check each member path (or use filter="data" on Python 3.12+) before extracting.',
    query:
      '((call function: (attribute attribute: (identifier) @fn) arguments: (argument_list) @args) @finding (#match? @fn "^(extractall|extract|unpack_archive)$"))',
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
      '((call function: (attribute) @fn arguments: (argument_list) @args) @finding (#match? @fn "XMLParser$")) ((call function: (attribute) @fn arguments: (argument_list) @args) @finding (#match? @fn "^(xml\\\\.dom\\\\.minidom|minidom|xml\\\\.sax|pulldom|xml\\\\.dom\\\\.pulldom)\\\\.(parse|parseString)$")) ((call function: (attribute attribute: (identifier) @fn) arguments: (argument_list [(attribute) (identifier)] @feat (true))) @finding (#eq? @fn "setFeature") (#match? @feat "feature_external_(ges|pes)"))',
    predicate: (m) => {
      const fn = m.captures.fn?.text ?? '';
      if (fn.endsWith('XMLParser')) return keyword(m.captures.args, 'resolve_entities')?.text !== 'False';
      return true;
    },
  },
  {
    id: 'python.lxml-unsafe-parser',
    trigger: /lxml/,
    cwe: 'CWE-611',
    severity: 'medium',
    message: 'lxml parses with its default parser, which resolves entities (XXE) unless told otherwise.',
    remediation: 'Pass parser=etree.XMLParser(resolve_entities=False, no_network=True), or use defusedxml.',
    query:
      '((call function: (attribute) @fn arguments: (argument_list) @args) @finding (#match? @fn "^(etree|lxml\\\\.etree|ET|objectify)\\\\.(fromstring|parse|XML|iterparse|XMLID)$"))',
    predicate: (m) => {
      if (!/\bfrom\s+lxml\b|\bimport\s+lxml\b/.test(m.code)) return false;
      const call = m.captures.finding as SyntaxNode;
      if (
        /^ET\./.test(m.captures.fn?.text ?? '') &&
        !/\bfrom\s+lxml\s+import\s+etree\s+as\s+ET\b|import\s+lxml\.etree\s+as\s+ET\b/.test(m.code)
      )
        return false;
      if (/iterparse$/.test(m.captures.fn?.text ?? '')) return argument(call, 99, 'resolve_entities')?.text !== 'False';
      const parser = argument(call, 1, 'parser');
      if (!parser) return !/etree\.set_default_parser\s*\(/.test(m.code);
      return /XMLParser\(\s*\)/.test(parser.text);
    },
  },
  {
    id: 'python.permissive-permissions',
    trigger: /\bos\.(f|l)?(chmod|makedirs|mkdir|open)\s*\(/,
    cwe: 'CWE-732',
    severity: 'medium',
    message: 'A file or directory is given permissions for other users (world-readable or world-writable).',
    remediation: 'Use the narrowest mode: 0o600 for private files, 0o700 for private directories.',
    query:
      '((call function: (attribute) @fn arguments: (argument_list) @args) @finding (#match? @fn "^os\\\\.(chmod|fchmod|lchmod|makedirs|mkdir|open)$"))',
    predicate: (m) => {
      const call = m.captures.finding as SyntaxNode;
      const fn = m.captures.fn?.text ?? '';
      const mode = argument(call, fn === 'os.open' ? 2 : 1, 'mode');
      if (!mode) return false;
      if (mode.type === 'integer') return WORLD.test(mode.text);
      return WORLD_BITS.test(mode.text);
    },
  },
  {
    id: 'python.xss',
    trigger: /<[a-zA-Z/]|Markup|mark_safe|make_response|render_template_string|Response|request|\.write\s*\(/,
    cwe: 'CWE-79',
    severity: 'medium',
    message: 'A response body (HTML) is built from input without escaping.',
    remediation: 'Render through an auto-escaping template, or wrap each value in html.escape / markupsafe.escape.',
    query: `${sinkCall('(make_response|Response|HttpResponse|render_template_string|Markup|mark_safe|HTMLResponse|\\\\.write|\\\\.finish)$')} ((return_statement) @finding)`,
    predicate: (m) => {
      const at = m.captures.finding as SyntaxNode;
      // a return outside a route handler matters only when it holds HTML: no walk for the others
      if (at.type === 'return_statement' && !/</.test(at.text) && !isRouteHandler(scopeOf(at))) return false;
      const hit = taintAt(m, 'python.xss');
      if (!hit) return false;
      if (hit.flows.length) return withFlow(hit);
      // HTML formatted with values nothing proves escaped
      const value = hit.node.type === 'return_statement' ? hit.node : argument(hit.node, 0);
      return hit.unknown && value && /<[a-zA-Z/]/.test(value.text) && !/escape|bleach|sanitize|clean/i.test(value.text) ? hit.node : false;
    },
  },
  {
    id: 'python.open-redirect',
    trigger: /redirect|Redirect|[Ll]ocation/,
    cwe: 'CWE-601',
    severity: 'medium',
    message: 'A redirect goes to a URL taken from the request without checking its host.',
    remediation: 'Redirect only to relative paths or allow-listed hosts (url_has_allowed_host_and_scheme / urlparse(url).netloc check).',
    query: `${sinkCall('(redirect|HttpResponseRedirect|HttpResponsePermanentRedirect|RedirectResponse|redirect_to|send_header|putheader|add_header|set_header)$')} ((assignment left: (subscript value: (_) @target)) @finding (#match? @target "(^|\\\\.)(headers?|resp|response|res|r)$"))`,
    predicate: (m) => report(taintAt(m, 'python.open-redirect')),
  },
  {
    id: 'python.ssrf',
    trigger: /requests|httpx|urlopen|urllib|aiohttp|session\.|client\.|http\./,
    cwe: 'CWE-918',
    severity: 'high',
    message: 'A server-side request goes to a URL or host taken from input.',
    remediation: 'Build the URL from a fixed base and check the host against an allow-list before requesting it.',
    query: sinkCall(
      '^((requests|httpx|session|client|self\\\\.session|http)\\\\.(get|post|put|delete|head|patch|options|request|stream)|(urllib\\\\.request\\\\.|urllib2\\\\.|request\\\\.)?(urlopen|Request))$',
    ),
    predicate: (m) => report(taintAt(m, 'python.ssrf')),
  },
  {
    id: 'python.ldap-injection',
    trigger: /ldap/i,
    cwe: 'CWE-90',
    severity: 'high',
    message: 'An LDAP search filter or DN is built from input without escaping.',
    remediation: 'Escape values with ldap.filter.escape_filter_chars / ldap3.utils.conv.escape_filter_chars.',
    query: sinkCall('\\\\.(search_s|search_st|search_ext_s|search_ext|search)$'),
    predicate: (m) => report(taintAt(m, 'python.ldap-injection')),
  },
  {
    id: 'python.xpath-injection',
    trigger: /^(?=[\s\S]*(xml|etree|ElementTree|xpath|XPath))[\s\S]*(xpath|XPath|\.find(all|text)?\s*\(|iterfind|\.evaluate\s*\()/,
    cwe: 'CWE-643',
    severity: 'high',
    message: 'An XPath expression is built from input.',
    remediation: 'Pass values as XPath variables (tree.xpath("//u[@name=$n]", n=value)) instead of formatting them in.',
    query: sinkCall('(xpath|XPath|evaluate|ETXPath|find|findall|findtext|iterfind)$'),
    predicate: (m) => report(taintAt(m, 'python.xpath-injection')),
  },
  {
    id: 'python.nosql-injection',
    trigger: /mongo|\$where|collection|boto3|dynamodb|FilterExpression/i,
    cwe: 'CWE-943',
    severity: 'high',
    message: 'A NoSQL query (MongoDB filter, $where, DynamoDB expression) is built from request data.',
    remediation:
      'Take scalar values only (str()/int()), never a whole request document; use boto3 Key/Attr conditions and ExpressionAttributeValues.',
    query: sinkCall(
      '\\\\.(find|find_one|find_one_and_update|find_one_and_delete|update_one|update_many|delete_one|delete_many|count_documents|aggregate|distinct|replace_one|scan|query|get_item|delete_item|update_item)$',
    ),
    predicate: (m) => report(taintAt(m, 'python.nosql-injection')),
  },
  {
    id: 'python.header-injection',
    trigger: /header|response\[|resp\[/,
    cwe: 'CWE-113',
    severity: 'medium',
    message: 'An HTTP response header is set from request data (CR/LF can split the response).',
    remediation: 'Reject or strip \\r and \\n from the value, or allow-list it.',
    query: `${sinkCall('(headers|response|resp|self)\\\\.(add_header|set_header|add|set|send_header|putheader)$')} ((assignment left: (subscript value: (_) @target)) @finding (#match? @target "(^|\\\\.)(headers?|http_headers|response_headers|resp|response|res|r)$"))`,
    predicate: (m) => report(taintAt(m, 'python.header-injection')),
  },
  {
    id: 'python.log-injection',
    // only request data counts: a file that reads none (no request object, no route) is skipped
    trigger: /^(?=[\s\S]*(\brequest\b|@[\w.]+\.(route|get|post|put|delete|patch)\b|HTTPRequestHandler|get_argument))[\s\S]*log/i,
    cwe: 'CWE-117',
    severity: 'medium',
    message: 'Request data is formatted into a log message (forged log lines through CR/LF).',
    remediation: "Pass values as logging arguments and strip \\r and \\n (value.replace('\\n', '')) before logging.",
    query: sinkCall(
      '^(logger|logging|log|LOG|LOGGER|_logger|_log|app\\\\.logger|current_app\\\\.logger|self\\\\.logger|self\\\\.log)\\\\.(debug|info|warning|warn|error|critical|exception|log)$',
    ),
    predicate: (m) => report(taintAt(m, 'python.log-injection')),
  },
  {
    id: 'python.regex-injection',
    trigger: /\bre(gex)?\.(search|match|fullmatch|compile|findall|finditer|sub|subn|split)\s*\(/,
    cwe: 'CWE-1333',
    severity: 'medium',
    message: 'A regular expression is taken from input without re.escape (ReDoS, pattern injection).',
    remediation: 'Escape literal input with re.escape, or match with plain string operations.',
    query: sinkCall('^(re|regex)\\\\.(search|match|fullmatch|compile|findall|finditer|sub|subn|split)$'),
    predicate: (m) => report(taintAt(m, 'python.regex-injection')),
  },
  {
    id: 'python.redos-pattern',
    trigger: /\)[+*{]|[+*]\)/,
    cwe: 'CWE-1333',
    severity: 'medium',
    message: 'The regular expression nests quantifiers (`(a+)+`), so some inputs make matching take exponential time.',
    remediation: 'Remove the nested repetition (`[a-z]+` rather than `([a-z]+)+`), or bound the input length before matching.',
    query:
      '((call function: (attribute) @fn arguments: (argument_list) @args) @finding (#match? @fn "^(re|regex)\\\\.(compile|search|match|fullmatch|findall|finditer|sub|subn|split)$"))',
    predicate: (m) => {
      const pattern = literalText(argument(m.captures.finding as SyntaxNode, 0, 'pattern'));
      return pattern !== undefined && (NESTED_QUANTIFIER.test(pattern) || NESTED_AMONG_OPTIONAL.test(pattern));
    },
  },
  {
    id: 'python.dynamic-import',
    trigger: /import_module|__import__/,
    cwe: 'CWE-94',
    severity: 'high',
    message: 'A module named by the request is imported (importing runs its code).',
    remediation: 'Map request values to modules through a fixed dictionary of allowed names.',
    query: sinkCall('^(importlib\\\\.import_module|import_module|__import__)$'),
    predicate: (m) => report(taintAt(m, 'python.dynamic-import')),
  },
  {
    id: 'python.template-injection',
    trigger: /^(?=[\s\S]*\b(jinja2|mako)\b)[\s\S]*(\bTemplate\s*\(|\.from_string\s*\()/,
    cwe: 'CWE-1336',
    severity: 'high',
    message: 'A template is compiled from request data (server-side template injection runs code on the server).',
    remediation: 'Load templates from fixed files and pass request values as render() variables, never as template source.',
    query: sinkCall('(^|\\\\.)(Template|from_string)$'),
    predicate: (m) => report(taintAt(m, 'python.template-injection')),
  },
  {
    id: 'python.jinja-autoescape-off',
    trigger: /Environment\s*\(/,
    cwe: 'CWE-79',
    severity: 'medium',
    message: 'A Jinja2 environment renders without autoescaping, so values reach HTML unescaped.',
    remediation: 'Pass autoescape=True (or select_autoescape()) to Environment.',
    query:
      '((call function: [(identifier) (attribute)] @fn arguments: (argument_list) @args) @finding (#match? @fn "^(jinja2\\\\.)?Environment$"))',
    predicate: (m) => {
      if (!/jinja2/.test(m.code)) return false;
      const call = m.captures.finding as SyntaxNode;
      const auto = argument(call, 99, 'autoescape');
      if (auto) return auto.type === 'false' || auto.type === 'none';
      return !namedArgs(m.captures.args).some((a) => a.type === 'dictionary_splat');
    },
  },
  {
    id: 'python.cookie-insecure',
    trigger: /set_cookie\s*\(/,
    cwe: 'CWE-614',
    severity: 'medium',
    message: 'A cookie is set with secure=False, so it also travels over plain HTTP.',
    remediation: 'Pass secure=True (and httponly=True, samesite="Lax") for session and token cookies.',
    // a plain call pattern the engine walks itself, the method's name and the argument checked below
    query: '((call function: (attribute) @fn arguments: (argument_list) @args) @finding (#match? @fn "set_cookie$"))',
    predicate: (m) => methodName(m.captures.fn) === 'set_cookie' && literalKeyword(m.captures.args, 'secure', 'false'),
  },
  {
    id: 'python.bind-all-interfaces',
    trigger: /0\.0\.0\.0/,
    cwe: 'CWE-1327',
    severity: 'low',
    message: 'A socket is bound to all network interfaces (0.0.0.0).',
    remediation: 'Bind to 127.0.0.1 or to the one interface the service is meant for, taken from configuration.',
    // a plain call pattern the engine walks itself; then a tuple argument whose first named element is the string 0.0.0.0
    query: '((call function: (attribute) @fn arguments: (argument_list) @args) @finding (#match? @fn "bind$"))',
    predicate: (m) =>
      methodName(m.captures.fn) === 'bind' &&
      (m.captures.args?.namedChildren ?? []).some((a) => {
        const host = a.type === 'tuple' ? a.namedChildren[0] : undefined;
        return host?.type === 'string' && literalText(host) === '0.0.0.0';
      }),
  },
  {
    id: 'python.debug-mode',
    trigger: /debug\s*=\s*True/,
    cwe: 'CWE-489',
    severity: 'high',
    message: 'The web application runs in debug mode (the Werkzeug debugger runs code sent to it).',
    remediation: 'Never pass debug=True in deployed code; read it from configuration that defaults to off.',
    // a plain call pattern the engine walks itself, the method's name and the argument checked below
    query: '((call function: (attribute) @fn arguments: (argument_list) @args) @finding (#match? @fn "run$"))',
    predicate: (m) =>
      methodName(m.captures.fn) === 'run' &&
      m.captures.fn?.childForFieldName('object')?.isNamed === true &&
      literalKeyword(m.captures.args, 'debug', 'true'),
  },
  {
    id: 'python.debug-setting',
    trigger: /\bDEBUG['"]?\s*\]?\s*=\s*True\b|\.debug\s*=\s*True\b/,
    cwe: 'CWE-489',
    severity: 'high',
    message:
      'Debug mode is switched on in the settings (Django DEBUG, Flask app.debug / config["DEBUG"]): tracebacks, settings or a debugger reach clients.',
    remediation: 'Read the setting from the environment with a default of False (DEBUG = os.environ.get("DEBUG") == "1").',
    query: '((assignment left: (_) @target right: (true)) @finding)',
    predicate: (m) => {
      const target = m.captures.target as SyntaxNode;
      const at = m.captures.finding as SyntaxNode;
      const flask = /\bflask\b|\bFlask\s*\(/.test(m.code);
      if (target.type === 'identifier')
        return (
          target.text === 'DEBUG' &&
          at.parent?.parent?.type === 'module' &&
          /\b(ALLOWED_HOSTS|INSTALLED_APPS|MIDDLEWARE|ROOT_URLCONF|DATABASES)\b|\bdjango\b/.test(m.code)
        );
      if (target.type === 'attribute')
        return (
          flask && target.childForFieldName('attribute')?.text === 'debug' && target.childForFieldName('object')?.type === 'identifier'
        );
      if (target.type === 'subscript')
        return (
          flask &&
          /(^|\.)config$/.test(target.childForFieldName('value')?.text ?? '') &&
          literalText(target.childForFieldName('subscript')) === 'DEBUG'
        );
      return false;
    },
  },
  {
    id: 'python.cors-credentials-any-origin',
    trigger: /supports_credentials|allow_credentials/,
    cwe: 'CWE-942',
    severity: 'medium',
    message:
      "CORS allows credentials for any origin (flask-cors and Starlette then echo the caller's Origin), so any site can make authenticated requests and read the answers.",
    remediation: 'List the trusted origins explicitly when credentials are allowed, or drop supports_credentials / allow_credentials.',
    query:
      '((call function: [(identifier) (attribute)] @fn arguments: (argument_list) @args) @finding (#match? @fn "(^|\\\\.)(CORS|add_middleware)$"))',
    predicate: (m) => {
      const args = m.captures.args;
      const fn = m.captures.fn?.text ?? '';
      const anyOrigin = (v: SyntaxNode | undefined) =>
        v !== undefined &&
        (literalText(v) === '*' || ((v.type === 'list' || v.type === 'tuple') && v.namedChildren.some((c) => literalText(c) === '*')));
      if (/(^|\.)CORS$/.test(fn)) {
        if (keyword(args, 'supports_credentials')?.type !== 'true') return false;
        const origins = keyword(args, 'origins');
        if (origins) return anyOrigin(origins);
        // no origins: flask-cors's default is every origin, unless each resource names its own
        const resources = keyword(args, 'resources');
        if (!resources) return true;
        const named = /["']origins["']\s*:\s*([^,}]+)/.exec(resources.text);
        return !named || /^\s*\[?\s*(r|u)?["']\*["']\s*\]?\s*$/.test(named[1] ?? '');
      }
      if (!/CORSMiddleware$/.test(positional(args)[0]?.text ?? '')) return false;
      if (keyword(args, 'allow_credentials')?.type !== 'true') return false;
      return anyOrigin(keyword(args, 'allow_origins')) || /^(r|u)?["']\.\*["']$/.test(keyword(args, 'allow_origin_regex')?.text ?? '');
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
  {
    id: 'python.ssh-unknown-host-key',
    trigger: /AutoAddPolicy|WarningPolicy/,
    cwe: 'CWE-322',
    severity: 'high',
    message: 'The SSH client accepts any host key it has not seen (AutoAddPolicy / WarningPolicy), so a man in the middle is trusted.',
    remediation: 'Load known hosts (load_system_host_keys / load_host_keys) and keep the default RejectPolicy.',
    // a plain call pattern the engine walks itself, the method's name and the policy checked below
    query: '((call function: (attribute) @fn arguments: (argument_list) @args) @finding (#match? @fn "set_missing_host_key_policy$"))',
    predicate: (m) =>
      methodName(m.captures.fn) === 'set_missing_host_key_policy' &&
      /^(paramiko\.)?(client\.)?(AutoAddPolicy|WarningPolicy)(\(\))?$/.test(positional(m.captures.args)[0]?.text ?? ''),
  },
  {
    id: 'python.hmac-timing-compare',
    trigger: /\bhmac\b/,
    cwe: 'CWE-208',
    severity: 'medium',
    message: 'An HMAC is compared with == / !=, which stops at the first differing byte and leaks how much of a forged tag was right.',
    remediation: 'Compare tags with hmac.compare_digest(expected, received).',
    query: '(comparison_operator) @finding',
    predicate: (m) => {
      const cmp = m.captures.finding as SyntaxNode;
      const sides = cmp.namedChildren;
      if (sides.length !== 2) return false;
      const op = cmp.children.find((c) => !c.isNamed)?.text;
      if (op !== '==' && op !== '!=') return false;
      const [a, b] = sides as [SyntaxNode, SyntaxNode];
      const other = hmacValue(a, cmp) ? b : hmacValue(b, cmp) ? a : undefined;
      return other !== undefined && other.type !== 'none' && other.type !== 'integer' && !hmacValue(other, cmp);
    },
  },
];

// --- one callee resolution for every call rule -------------------------------------------------

/** A call pattern of a rule's query: the `#match?` test on the callee and whether it needs an argument list. */
interface CallPattern {
  readonly re: RegExp;
  readonly args: boolean;
}

const CALL_IN_QUERY =
  /\(call function: (?:\[\(identifier\) \(attribute\)\] @fn|\[\(identifier\) @fn \(attribute\) @fn\]|\(attribute\) @fn|\(identifier\) @fn)( arguments: \(argument_list\) @args)?\) @finding \(#match\? @fn "((?:[^"\\]|\\.)*)"\)/g;

/** The call patterns of a query, its callee named by text (`(call function: (attribute) @fn ...) (#match? @fn "re")`). */
function callPatterns(query: string): CallPattern[] {
  const text = query.replace(/\s+/g, ' ').replace(/\( /g, '(').replace(/ \)/g, ')');
  const out: CallPattern[] = [];
  for (const m of text.matchAll(CALL_IN_QUERY)) {
    out.push({ re: new RegExp((m[2] as string).replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c))), args: m[1] !== undefined });
  }
  return out;
}

/** Every call with an argument list: one shared list of matches for every resolving rule. */
const ALL_CALLS = '((call function: (_) @fn arguments: (argument_list) @args) @finding)';

/**
 * Text that may spell a call other than by its name: an import alias, a from-import, getattr, partial, a
 * parenthesised callee, an alias or patch assignment, a character outside ASCII (NFKC-normalised by Python).
 */
/** A trigger tested once per text: every resolving rule shares it, so the engine's test of each costs one lookup. */
class OncePerText extends RegExp {
  #text: string | undefined;
  #result = false;
  override test(text: string): boolean {
    if (text !== this.#text) {
      this.#text = text;
      this.lastIndex = 0;
      this.#result = super.test(text);
    }
    return this.#result;
  }
}

const RESPELLING_RE =
  /[^\x00-\x7f]|\bimport\b[^\n]*\bas\b|\bfrom\s+[\w.]+\s+import\b|\bgetattr\s*\(|\bpartial\s*\(|\)\s*\(|\]\s*\(|__import__|import_module|sys\.modules|__dict__|\bvars\s*\(|:=|^[ \t]*[\w.]+[ \t]*=[ \t]*\(?[\w.]+\)?[ \t]*(#|;|$)/m;
const RESPELLING = new OncePerText(RESPELLING_RE.source, RESPELLING_RE.flags);

/** Per file: the text of the calls whose callee resolves to a name other than its text, as `name(`, joined to the source. */
let respeltCode = '';
let respeltText = '';
function respelt(code: string, call: SyntaxNode): string {
  if (code !== respeltCode) {
    respeltCode = code;
    respeltText = `${code}\n${respeltCalls(call)
      .map((r) => `${r.name}(`)
      .join('\n')}`;
  }
  return respeltText;
}

/** A stand-in for a callee node that reads as the name it resolves to (its text, object and attribute). */
function asName(fn: SyntaxNode, name: string): SyntaxNode {
  let inner = fn;
  while (inner.type === 'parenthesized_expression' && inner.namedChildren.length === 1) inner = inner.namedChildren[0] as SyntaxNode;
  const dot = name.lastIndexOf('.');
  const ident = (text: string): SyntaxNode =>
    Object.create(inner, { text: { value: text }, type: { value: 'identifier' }, isNamed: { value: true } }) as SyntaxNode;
  return Object.create(inner, {
    text: { value: name },
    type: { value: dot >= 0 ? 'attribute' : 'identifier' },
    childForFieldName: {
      value: (field: string) =>
        dot < 0 ? null : field === 'attribute' ? ident(name.slice(dot + 1)) : field === 'object' ? ident(name.slice(0, dot)) : null,
    },
  }) as SyntaxNode;
}

/**
 * The rule again, over every call whose callee resolves to a name other than its text (`l = yaml.load; l(t)`,
 * `getattr(yaml, 'load')(t)`, `from yaml import load as parse`, `(yaml.load)(t)`, `yaml.ｌoad(t)`): the rule's
 * own call patterns, trigger and predicate, the callee read as the name it resolves to. Same id: a finding is the
 * rule's, whichever spelling it came through.
 */
function resolving(rule: Rule): Rule | undefined {
  const patterns = callPatterns(rule.query);
  if (!patterns.length) return undefined;
  const { trigger, predicate } = rule;
  return {
    ...rule,
    trigger: RESPELLING,
    query: ALL_CALLS,
    predicate: (m) => {
      const call = m.captures.finding;
      const fn = m.captures.fn;
      const name = call && respeltCallee(call);
      if (!fn || !name || !patterns.some((p) => p.re.test(name))) return false;
      if (trigger) {
        trigger.lastIndex = 0;
        if (!trigger.test(respelt(m.code, call))) return false;
      }
      return predicate ? predicate({ code: m.code, captures: { ...m.captures, fn: asName(fn, name) } }) : true;
    },
  };
}

const queries = new Map<Rule, Query>();
function queryOf(rule: Rule): Query {
  let q = queries.get(rule);
  if (!q) {
    q = compileQuery('python', rule.query);
    queries.set(rule, q);
  }
  return q;
}

/** The findings the rules would make on code written inside a string (calls through the same callee resolution). */
function callFindings(code: string): { rule: Rule; at: SyntaxNode }[] {
  if (code.length > 20_000) return [];
  let tree: ReturnType<typeof parse>;
  try {
    tree = parse(code, 'python');
  } catch {
    return [];
  }
  const root = plainTree(tree, code).rootNode as unknown as SyntaxNode;
  const out: { rule: Rule; at: SyntaxNode }[] = [];
  const calls = root.descendantsOfType('call');
  for (const rule of [...PLAIN_RULES, EXEC_STRING]) {
    if (rule.severity === 'low') continue;
    if (rule.trigger) {
      rule.trigger.lastIndex = 0;
      if (!rule.trigger.test(code) && !rule.trigger.test(respelt(code, root))) continue;
    }
    const patterns = callPatterns(rule.query);
    if (!patterns.length) {
      // a rule of other shapes (a keyword argument, an attribute): its own query over the string's tree
      for (const match of queryOf(rule).matches(tree.rootNode)) {
        const captures: Record<string, SyntaxNode> = {};
        for (const c of match.captures) if (!(c.name in captures)) captures[c.name] = c.node;
        const at = captures[rule.report ?? 'finding'];
        const verdict = rule.predicate ? rule.predicate({ code, captures }) : true;
        if (at && verdict && !(Array.isArray(verdict) && verdict.length === 0)) out.push({ rule, at });
      }
      continue;
    }
    for (const call of calls) {
      const fn = call.childForFieldName('function');
      const args = call.childForFieldName('arguments');
      if (!fn) continue;
      const name = calleeName(call);
      const p = patterns.find((x) => x.re.test(name) && (!x.args || args?.type === 'argument_list'));
      if (!p) continue;
      const captures: Record<string, SyntaxNode> = { finding: call, fn: name === fn.text ? fn : asName(fn, name) };
      if (args) captures.args = args;
      const verdict = rule.predicate ? rule.predicate({ code, captures }) : true;
      if (verdict && !(Array.isArray(verdict) && verdict.length === 0)) out.push({ rule, at: call });
    }
  }
  return out;
}

const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"', '\n': '' };

/**
 * The value of a constant string expression: a literal (escapes read), literals joined by `+` or side by side, in
 * parentheses, `compile(...)` of one, or a name every earlier assignment of which in the function is one.
 */
function constString(node: SyntaxNode | undefined, at: SyntaxNode, depth = 0): string | undefined {
  if (!node || depth > 4) return undefined;
  switch (node.type) {
    case 'string': {
      const raw = literalText(node);
      if (raw === undefined) return undefined;
      return /^[rR]|^[bB][rR]/.test(node.text) ? raw : raw.replace(/\\(.|\n)/g, (w, c: string) => ESCAPES[c] ?? w);
    }
    case 'concatenated_string': {
      const parts = namedArgs(node).map((c) => constString(c, at, depth + 1));
      return parts.every((p) => p !== undefined) ? parts.join('') : undefined;
    }
    case 'binary_operator': {
      if (node.child(1)?.text !== '+') return undefined;
      const l = constString(node.childForFieldName('left') ?? undefined, at, depth + 1);
      const r = l === undefined ? undefined : constString(node.childForFieldName('right') ?? undefined, at, depth + 1);
      return l !== undefined && r !== undefined ? l + r : undefined;
    }
    case 'parenthesized_expression':
      return constString(namedArgs(node)[0], at, depth + 1);
    case 'call':
      return /^(compile|builtins\.compile)$/.test(calleeName(node)) ? constString(argument(node, 0, 'source'), at, depth + 1) : undefined;
    case 'identifier': {
      const values = assignmentsOf(at, node.text, at.startIndex).map((v) => constString(v, at, depth + 1));
      return values.length === 1 ? values[0] : undefined;
    }
    default:
      return undefined;
  }
}

/** How deep `exec` strings are being read (a string holding exec of a string...). */
let execDepth = 0;

const EXEC_STRING: Rule = {
  id: 'python.exec-string',
  trigger: /\b(exec|eval)\b/,
  cwe: 'CWE-95',
  severity: 'high',
  message: 'exec/eval runs a constant string of code holding a call the rules flag.',
  remediation: 'Write the code as code, and fix the call it holds.',
  query: sinkCall('^(exec|eval|builtins\\\\.exec|builtins\\\\.eval)$'),
  predicate: (m) => {
    const call = m.captures.finding;
    if (!call) return false;
    const source = constString(argument(call, 0, 'source'), call);
    if (source === undefined || !/\(/.test(source) || execDepth > 2) return false;
    execDepth++;
    let found: { rule: Rule; at: SyntaxNode }[];
    try {
      found = callFindings(source);
    } finally {
      execDepth--;
    }
    if (!found.length) return false;
    const first = found[0] as { rule: Rule; at: SyntaxNode };
    return { node: call, message: `exec/eval runs code holding a call ${first.rule.id} flags: ${first.at.text.slice(0, 80)}` };
  },
};

/** Library names that are the safe form of a call, whose replacement by another value undoes the fix. */
const SAFE_NAME =
  /^(yaml\.(safe_load|safe_load_all|safe_dump|SafeLoader|CSafeLoader)|shlex\.quote|pipes\.quote|html\.escape|markupsafe\.escape|ast\.literal_eval|json\.loads|json\.load|hmac\.compare_digest|secrets\.\w+|werkzeug\.utils\.secure_filename|os\.path\.(realpath|abspath|normpath|basename)|re\.escape|defusedxml\.\w+(\.\w+)?|subprocess\.list2cmdline|ssl\.create_default_context|bleach\.clean)$/;

const MONKEYPATCH: Rule = {
  id: 'python.monkeypatch-safe-name',
  trigger: /^[ \t]*[\w.]+\.\w+[ \t]*=(?!=)/m,
  cwe: 'CWE-693',
  severity: 'medium',
  message: 'A safe library name is rebound to another function, so calls that read as safe run something else.',
  remediation: 'Do not reassign library functions; call the unsafe function by its own name if it is meant.',
  query: '((assignment left: (attribute) @target right: (_) @value) @finding)',
  predicate: (m) => {
    const target = m.captures.target;
    const value = m.captures.value;
    if (!target || !value) return false;
    const obj = target.childForFieldName('object');
    const attr = target.childForFieldName('attribute');
    if (!obj || !attr) return false;
    const name = `${resolvedName(obj) ?? obj.text}.${pyName(attr.text)}`;
    if (!SAFE_NAME.test(name)) return false;
    const to = resolvedName(value);
    return to !== name;
  },
};

/** The Python rules: taint-based injection and request-data rules, then configuration and API-misuse rules, each also over respelt calls. */
export const PYTHON_RULES: readonly Rule[] = [
  ...PLAIN_RULES,
  EXEC_STRING,
  MONKEYPATCH,
  ...[...PLAIN_RULES, EXEC_STRING].map(resolving).filter((r): r is Rule => r !== undefined),
];

/** Python with its rules, as the registry takes it. */
export const PYTHON_LANGUAGE: LanguageRules = { language: 'python', rules: PYTHON_RULES, plainNodes: true };
