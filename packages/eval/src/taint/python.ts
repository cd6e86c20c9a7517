/**
 * Intra-procedural taint tracking for Python on the syntax layer.
 *
 * One pass over a function body (or a module's top-level statements) in source order: assignments,
 * augmented assignments, unpacking, `for` targets and `with ... as` bind names to the flows of their
 * values; guards (`if x not in ALLOWED: return`) and sanitising calls clear flows for the sink classes
 * they protect; each call, return and header assignment is checked against the sink table as it is met.
 * The result of one scope is cached by source text and scope offset, so every rule asking about the
 * same function pays for one walk.
 */
import type { FlowStep } from '@srcode/dataset';
import { parse, type SyntaxNode } from '@srcode/syntax';
import type { RuleFlowStep } from '../rules/rule.js';

/**
 * A node's type. @srcode/syntax makes `type` a plain value on each node class (a class per symbol), so the
 * walk does not cross into native code for it at every node; ERROR nodes ask the binding.
 */
export function nodeType(node: SyntaxNode): string {
  return node.type;
}

/** Named children that are not comments (as `rules/syntax`'s `namedArgs`, with types read through `nodeType`). */
export function namedArgs(node: SyntaxNode | null | undefined): SyntaxNode[] {
  if (!node) return [];
  const children = node.namedChildren;
  // the binding's array is a fresh copy: returned as it is when no child is a comment, the usual case
  for (let i = 0; i < children.length; i++) {
    if (nodeType(children[i] as SyntaxNode) === 'comment') return children.filter((c) => nodeType(c) !== 'comment');
  }
  return children;
}

/** Where a tainted value comes from; sinks choose which kinds they accept. */
export type SourceKind = 'request' | 'input' | 'env' | 'io' | 'param';

/** The classes of sink a sanitiser can protect, as bits. */
export const SINK = {
  sql: 1,
  command: 2,
  code: 4,
  path: 8,
  url: 16,
  html: 32,
  log: 64,
  header: 128,
  ldap: 256,
  xpath: 512,
  nosql: 1024,
  regex: 2048,
  all: 4095,
} as const;

/** The name of a sink class. */
export type SinkClass = Exclude<keyof typeof SINK, 'all'>;

/** A source of tainted data. */
export interface TaintSource {
  /** Its kind. */
  readonly kind: SourceKind;
  /** The expression read. */
  readonly node: SyntaxNode;
  /** Short description ("request.args", "parameter name"). */
  readonly label: string;
}

/** One way a value is tainted: a source, the assignments it went through, and what it is cleared for. */
export interface Flow {
  /** Where it came from. */
  readonly source: TaintSource;
  /** Assignments passed through, source side first. */
  readonly via: readonly SyntaxNode[];
  /** Sink classes a sanitiser or guard has made this flow safe for (bits of `SINK`). */
  readonly safe: number;
  /** Whether it was built into a larger string (formatting, `+`, joins). */
  readonly composed: boolean;
  /** Literal text before the tainted piece in the string it was built into (URLs: is the host controlled?). */
  readonly prefix: string;
  /** Whether the value may be a whole parsed JSON document (a dict, so query operators can be injected). */
  readonly document: boolean;
}

/** A sink met during the walk, with the flows that reach it. */
export interface SinkHit {
  /** Rule id the hit belongs to. */
  readonly rule: string;
  /** The node reported (the call, return or assignment). */
  readonly node: SyntaxNode;
  /** What is called or written ("redirect()", "os.system()"). */
  readonly sink: string;
  /** Flows reaching the sink that it accepts and that are not sanitised for it. */
  readonly flows: readonly Flow[];
  /** The sink's value is non-constant and not proved clean (used by rules that also flag unknown values). */
  readonly unknown: boolean;
}

/** A taint finding in the form the engine writes into `Finding.flow`. */
export interface TaintFlowReport {
  /** Rule id. */
  readonly ruleId: string;
  /** The sink's range. */
  readonly range: { start: number; end: number };
  /** A message naming the source and the sink. */
  readonly message: string;
  /** Source first, sink last. */
  readonly flow: FlowStep[];
}

type Taint = readonly Flow[];

interface State {
  vars: Map<string, Taint>;
  /** `x = urlparse(y)`, `x = os.path.realpath(y)`: a check on x also clears y. */
  derived: Map<string, string>;
  /** Expressions checked by a guard (`request.args.get('x')`), with the sink bits they are checked for. */
  checked: Map<string, number>;
  /** Names proved clean (constants, numbers, sanitised or allow-listed values). */
  clean: Set<string>;
}

const NO: Taint = [];
const MAX_FLOWS = 4;

function union(a: Taint, b: Taint): Taint {
  if (!a.length) return b;
  if (!b.length) return a;
  const out = [...a];
  for (const f of b) if (out.length < MAX_FLOWS && !out.some((o) => o.source === f.source)) out.push(f);
  return out;
}

function map(t: Taint, fn: (f: Flow) => Flow): Taint {
  return t.length ? t.map(fn) : t;
}

function sanitise(t: Taint, bits: number): Taint {
  return map(t, (f) => ({ ...f, safe: f.safe | bits }));
}

function compose(t: Taint, prefix: string): Taint {
  return map(t, (f) => ({ ...f, composed: true, prefix: prefix + f.prefix, document: false }));
}

function positional(args: SyntaxNode | null | undefined): SyntaxNode[] {
  return namedArgs(args).filter(
    (a) => nodeType(a) !== 'keyword_argument' && nodeType(a) !== 'dictionary_splat' && nodeType(a) !== 'list_splat',
  );
}

export function keyword(args: SyntaxNode | null | undefined, name: string): SyntaxNode | undefined {
  for (const a of namedArgs(args)) {
    if (nodeType(a) === 'keyword_argument' && a.childForFieldName('name')?.text === name) return a.childForFieldName('value') ?? undefined;
  }
  return undefined;
}

/** The argument at `index`, or the keyword argument `name`. */
export function argument(call: SyntaxNode, index: number, name?: string): SyntaxNode | undefined {
  const args = call.childForFieldName('arguments');
  return (name ? keyword(args, name) : undefined) ?? positional(args)[index];
}

/** The literal text of a plain string node (no prefix, no quotes), or undefined. */
export function literalText(node: SyntaxNode | null | undefined): string | undefined {
  if (node?.type !== 'string') return undefined;
  if (node.namedChildren.some((c) => nodeType(c) === 'interpolation')) return undefined;
  return namedArgs(node)
    .filter((c) => nodeType(c) === 'string_content' || nodeType(c) === 'escape_sequence')
    .map((c) => c.text)
    .join('');
}

/** Whether a value is a literal or built from literals and UPPER_CASE constants only. */
export function isConstant(node: SyntaxNode | null | undefined): boolean {
  if (!node) return true;
  switch (nodeType(node)) {
    case 'string':
      return !node.namedChildren.some((c) => nodeType(c) === 'interpolation');
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
      return namedArgs(node).every(isConstant);
    case 'identifier':
      return /^[A-Z][A-Z0-9_]*$/.test(node.text);
    default:
      return false;
  }
}

// --- sources ----------------------------------------------------------------------------------

const REQUEST_ATTR =
  /^(?:(?:flask\.)?request|self\.request|req)\.(args|form|files|json|values|headers|cookies|data|GET|POST|COOKIES|META|body|FILES|REQUEST|query_params|path_params|query_string|full_path|url|path|stream|arguments|body_arguments|query_arguments|params|match_info|content|referrer)$/;
const REQUEST_CALL =
  /^(?:(?:flask\.)?request|self\.request|req)\.(get_json|get_data|json|form|text|body|read|post)$|^self\.get_(argument|arguments|query_argument|body_argument|cookie|secure_cookie)$/;
const INPUT_CALL = /^(input|raw_input|sys\.stdin\.(read|readline|readlines)|getpass\.getpass|getpass)$/;
const ENV_CALL = /^(os\.getenv|getenv|os\.environ\.get|environ\.get)$/;
const IO_CALL =
  /^(requests|httpx|session|s|client)\.(get|post|put|request|patch)$|^(urllib\.request\.|urllib2\.|)urlopen$|^(socket|sock|conn|connection|s|client)\.(recv|recvfrom|recv_into|makefile)$/;
const IO_METHOD = /^(read|readline|readlines|recv|recvfrom|read_text|read_bytes)$/;

function sourceOf(node: SyntaxNode, traits: FileTraits): TaintSource | undefined {
  const text = nodeType(node) === 'call' ? (node.childForFieldName('function')?.text ?? '') : node.text;
  if (nodeType(node) === 'attribute') {
    if (REQUEST_ATTR.test(text)) return { kind: 'request', node, label: text };
    if (traits.httpHandler && /^self\.(path|headers|requestline)$/.test(text)) return { kind: 'request', node, label: text };
    if (/^(os\.environ|environ)$/.test(text)) return { kind: 'env', node, label: text };
    if (text === 'sys.argv') return { kind: 'input', node, label: text };
    return undefined;
  }
  if (nodeType(node) !== 'call') return undefined;
  if (REQUEST_CALL.test(text) || (traits.httpHandler && /^self\.rfile\.(read|readline)$/.test(text)))
    return { kind: 'request', node, label: `${text}()` };
  if (INPUT_CALL.test(text)) return { kind: 'input', node, label: `${text}()` };
  if (ENV_CALL.test(text)) return { kind: 'env', node, label: `${text}()` };
  if (/\.parse_args$/.test(text)) return { kind: 'input', node, label: 'command-line arguments' };
  if (IO_CALL.test(text)) return { kind: 'io', node, label: `${text}()` };
  return undefined;
}

// --- sanitisers and modelled calls -----------------------------------------------------------

/** Calls whose result is clean for every sink (numbers, booleans, hashes, fixed vocabularies). */
const CLEAN_CALL =
  /^(int|float|bool|len|abs|round|ord|hash|id|isinstance|hasattr|uuid\.UUID|UUID|Decimal|datetime\.\w+|url_for|reverse|jsonify|json\.dumps|hashlib\.\w+|hmac\.\w+|secrets\.\w+|uuid\.uuid\d|math\.\w+|time\.\w+|range|enumerate|zip|\w+\.count|\w+\.index|\w+\.find|\w+\.startswith|\w+\.endswith|\w+\.isdigit|\w+\.isalnum|\w+\.exists|os\.path\.(exists|isfile|isdir|getsize)|parameterize|sqlalchemy\.text)$/;

/** The broad name-based sanitisers (`sanitize_path`, `clean_input`, `validate_name`), which only count when imported. */
const NAMED_SANITISER = /(^|\.)(sanitize|sanitise|clean|validate)\w*$/i;

const SANITISERS: [RegExp, number][] = [
  [/(^|\.)(quote|shlex_quote)$/, SINK.command],
  [
    /^(html\.escape|cgi\.escape|markupsafe\.escape|escape|flask\.escape|jinja2\.escape|Markup\.escape|bleach\.clean|conditional_escape|escape_html|xml\.sax\.saxutils\.escape|saxutils\.escape|quoteattr|strip_tags|clean_html|format_html|escape_html_text)$/,
    SINK.html | SINK.header | SINK.log,
  ],
  [/(^|\.)(secure_filename|basename|get_valid_filename)$/, SINK.path],
  [/(^|\.)(safe_join)$/, SINK.path],
  [/^re\.escape$|^regex\.escape$/, SINK.regex | SINK.ldap | SINK.xpath],
  [/(^|\.)(escape_filter_chars|escape_rdn|escape_dn_chars|escape_filter|escape_dn)$/, SINK.ldap],
  [/(^|\.)(urllib\.parse\.quote|parse\.quote|quote_plus|urlencode|url_escape)$/, SINK.html | SINK.header | SINK.log | SINK.command],
  [NAMED_SANITISER, SINK.all],
];

let namesCode = '';
let namesCache: { local: Set<string>; imported: Set<string> } = { local: new Set(), imported: new Set() };

/**
 * Names the file itself defines (functions, classes, assignment targets) and names it imports. A
 * sanitiser is trusted by its name only where that name is not the file's own: a completion that
 * defines `def secure_filename(n): return n` or `class shlex: quote = str` gets its calls treated as
 * any local call (the argument's taint passes through), and the broad `sanitize*`/`clean*`/`validate*`
 * names count only when imported, so no made-up helper name clears a value.
 */
function fileNames(code: string): { local: Set<string>; imported: Set<string> } {
  if (code !== namesCode) {
    namesCode = code;
    const local = new Set<string>();
    for (const m of code.matchAll(/^[ \t]*(?:async[ \t]+)?(?:def|class)[ \t]+(\w+)/gm)) local.add(m[1] as string);
    for (const m of code.matchAll(/^[ \t]*([A-Za-z_]\w*)[ \t]*(?::[^=\n]*)?=(?!=)/gm)) local.add(m[1] as string);
    const imported = new Set<string>();
    for (const m of code.matchAll(/^[ \t]*(?:from[ \t]+[\w.]+[ \t]+)?import[ \t]+([^\n#]+)/gm)) {
      for (const part of (m[1] as string).replace(/[()\\]/g, ' ').split(',')) {
        const words = part.trim().split(/\s+/);
        const name = words.length >= 3 && words[1] === 'as' ? words[2] : words[0]?.split('.')[0];
        if (name) imported.add(name);
      }
    }
    namesCache = { local, imported };
  }
  return namesCache;
}

/**
 * Whether a call's result is clean (`CLEAN_CALL`): by its text, as written, unless the callee resolves to
 * something else (`from os import popen as int`).
 */
function cleanCall(call: SyntaxNode, text: string): boolean {
  if (!CLEAN_CALL.test(text)) return false;
  const name = calleeName(call);
  return name === text || name.endsWith(`.${text}`) || CLEAN_CALL.test(name);
}

/**
 * The sanitiser a call is: by the name its callee resolves to, or by its text when that is the imported name
 * itself (`from django.utils.html import format_html`), never through an alias of something else.
 */
function sanitiserOf(call: SyntaxNode, text: string, code: string): [RegExp, number] | undefined {
  const name = calleeName(call);
  if (name === text) return sanitiserFor(text, code);
  return sanitiserFor(name, code) ?? (name.endsWith(`.${text}`) ? sanitiserFor(text, code) : undefined);
}

/** The first entry of `SANITISERS` whose pattern a call's name matches (null: none), by name; emptied when large. */
const sanitiserByName = new Map<string, [RegExp, number] | null>();

/** The sanitiser a call names, unless the name is the file's own or (for the broad names) not imported. */
function sanitiserFor(fn: string, code: string): [RegExp, number] | undefined {
  let found = sanitiserByName.get(fn);
  if (found === undefined) {
    if (sanitiserByName.size >= 10_000) sanitiserByName.clear();
    found = SANITISERS.find(([re]) => re.test(fn)) ?? null;
    sanitiserByName.set(fn, found);
  }
  const san = found ?? undefined;
  if (!san) return undefined;
  const root = fn.split('.')[0] as string;
  const names = fileNames(code);
  if (names.local.has(root)) return undefined;
  if (san[0] === NAMED_SANITISER && !names.imported.has(root)) return undefined;
  return san;
}

/** Calls that pass the taint of their arguments (and of the object, for methods) to their result. */
const PROPAGATE =
  /^(str|repr|bytes|bytearray|list|tuple|set|dict|sorted|reversed|format|text|Path|pathlib\.Path|PurePath|os\.path\.(join|normpath|expanduser|expandvars|splitext|dirname|abspath|realpath)|posixpath\.join|urllib\.parse\.\w+|parse\.\w+|urlparse|urlsplit|parse_qs|parse_qsl|urljoin|unquote|unquote_plus|base64\.\w+|b64decode|json\.loads|loads|ujson\.loads|codecs\.decode|textwrap\.\w+|Markup|mark_safe|copy\.copy|copy\.deepcopy|f|fmt|shlex\.split|make_response|str\.join|\w+\.join|\w+\.format)$/;

const JSON_LABEL = /json|loads|get_data|body|data/;

// --- conditions ---------------------------------------------------------------------------------

/** Names a condition checks positively (membership, prefix, pattern, allowed host), and for which sinks. */
function checks(cond: SyntaxNode, positive: boolean, out: Map<string, number>): void {
  switch (nodeType(cond)) {
    case 'parenthesized_expression':
      for (const c of namedArgs(cond)) checks(c, positive, out);
      return;
    case 'not_operator': {
      const arg = cond.childForFieldName('argument');
      if (arg) checks(arg, !positive, out);
      return;
    }
    case 'boolean_operator': {
      const op = cond.childForFieldName('operator')?.text ?? cond.child(1)?.text;
      // `a and b` true: both hold; `a or b` false: neither holds
      if ((op === 'and' && positive) || (op === 'or' && !positive)) {
        for (const side of ['left', 'right']) {
          const s = cond.childForFieldName(side);
          if (s) checks(s, positive, out);
        }
      }
      return;
    }
    case 'comparison_operator': {
      const ops = cond.children.filter((c) => !c.isNamed).map((c) => nodeType(c));
      const parts = namedArgs(cond);
      if (parts.length !== 2) return;
      const [left, right] = parts as [SyntaxNode, SyntaxNode];
      const op = ops.join(' ');
      if ((op === 'in' && positive) || (op === 'not in' && !positive)) {
        if (!isTaintedLooking(right)) mark(left, SINK.all, out);
      } else if ((op === '==' && positive) || (op === '!=' && !positive)) {
        if (isConstant(right) || /netloc|host|hostname|scheme/.test(right.text)) mark(left, SINK.all, out);
        if (/netloc|hostname|host/.test(left.text)) mark(left, SINK.url, out);
      }
      return;
    }
    case 'call': {
      if (!positive) return;
      const fn = cond.childForFieldName('function')?.text ?? '';
      const args = positional(cond.childForFieldName('arguments'));
      if (
        /(^|\.)(url_has_allowed_host_and_scheme|is_safe_url|is_safe_redirect|is_allowed_url|is_local_url|is_safe_path|is_within|within_directory|is_relative_to|is_valid_\w+|valid_\w+|allowed_\w+|is_allowed\w*)$/.test(
          fn,
        )
      ) {
        const obj = cond.childForFieldName('function')?.childForFieldName('object');
        if (args[0]) mark(args[0], SINK.all, out);
        if (obj && /is_relative_to$/.test(fn)) mark(obj, SINK.path, out);
        return;
      }
      // `re.fullmatch(P, x)`, `PATTERN.match(x)` (a str has no .match: one argument means a compiled pattern)
      if (/^(re|regex)\.(match|fullmatch)$/.test(fn)) {
        if (args[1]) mark(args[1], SINK.all, out);
        return;
      }
      if (/^[\w.]+\.(match|fullmatch)$/.test(fn) && args.length === 1 && args[0]) {
        mark(args[0], SINK.all, out);
        return;
      }
      if (/\.(isdigit|isalnum|isalpha|isnumeric|isdecimal|isidentifier)$/.test(fn)) {
        const obj = cond.childForFieldName('function')?.childForFieldName('object');
        if (obj) mark(obj, SINK.all, out);
        return;
      }
      if (/\.startswith$/.test(fn)) {
        const obj = cond.childForFieldName('function')?.childForFieldName('object');
        if (obj) mark(obj, SINK.path | SINK.url, out);
        return;
      }
      if (/(^|\.)commonpath$|(^|\.)commonprefix$/.test(fn)) {
        for (const a of namedArgs(args[0])) mark(a, SINK.path, out);
      }
      return;
    }
    default:
      return;
  }
}

function isTaintedLooking(node: SyntaxNode): boolean {
  return /request\.|input\(/.test(node.text);
}

function mark(node: SyntaxNode, bits: number, out: Map<string, number>): void {
  // `os.path.realpath(p).startswith(base)` checks p; `x.lower() in A` checks x
  if (nodeType(node) === 'parenthesized_expression') {
    const inner = namedArgs(node)[0];
    if (inner) mark(inner, bits, out);
    return;
  }
  if (nodeType(node) === 'call') {
    const fn = node.childForFieldName('function');
    const a = positional(node.childForFieldName('arguments'))[0];
    if (
      fn?.type === 'attribute' &&
      /^(lower|upper|strip|lstrip|rstrip|casefold|resolve|absolute|as_posix)$/.test(fn.childForFieldName('attribute')?.text ?? '')
    ) {
      const obj = fn.childForFieldName('object');
      if (obj) mark(obj, bits, out);
      return;
    }
    if (
      a &&
      /^(os\.path\.(realpath|abspath|normpath|join)|str|Path|pathlib\.Path|urlparse|urllib\.parse\.urlparse|urlsplit)$/.test(fn?.text ?? '')
    ) {
      mark(a, bits, out);
      return;
    }
  }
  if (nodeType(node) === 'identifier' || nodeType(node) === 'attribute' || nodeType(node) === 'subscript' || nodeType(node) === 'call') {
    out.set(node.text, (out.get(node.text) ?? 0) | bits);
    // `urlparse(u).netloc == ...` checks u
    if (nodeType(node) === 'attribute') {
      const obj = node.childForFieldName('object');
      if (obj && /^(netloc|hostname|host|scheme)$/.test(node.childForFieldName('attribute')?.text ?? '')) mark(obj, bits, out);
    }
  }
}

const TERMINATES = /^(return_statement|raise_statement|continue_statement|break_statement)$/;

function terminates(block: SyntaxNode | null | undefined): boolean {
  const last = namedArgs(block).at(-1);
  if (!last) return false;
  if (TERMINATES.test(nodeType(last))) return true;
  if (nodeType(last) === 'expression_statement') {
    const call = namedArgs(last)[0];
    if (call?.type === 'call')
      return /(^|\.)(abort|exit|_exit|fail|error|redirect|render_template|HttpResponseForbidden|HttpResponseBadRequest)$/.test(
        call.childForFieldName('function')?.text ?? '',
      );
  }
  if (nodeType(last) === 'if_statement') {
    // every branch terminates
    const alts = last.children.filter((c) => nodeType(c) === 'else_clause' || nodeType(c) === 'elif_clause');
    return (
      terminates(last.childForFieldName('consequence')) &&
      alts.some((a) => nodeType(a) === 'else_clause') &&
      alts.every((a) => terminates(a.childForFieldName('body') ?? a.childForFieldName('consequence')))
    );
  }
  return false;
}

// --- the walk -----------------------------------------------------------------------------------

/** A sink of the table: which calls, which argument, which class and which source kinds it accepts. */
interface SinkSpec {
  rule: string;
  cls: SinkClass;
  /** Accepted source kinds; `param` flows count only when composed unless `paramDirect`. */
  kinds: readonly SourceKind[];
  paramDirect?: boolean;
  /** Extra test on the flows reaching the sink. */
  accept?: (f: Flow, value: SyntaxNode, call: SyntaxNode) => boolean;
  /** The values checked at this call. */
  values: (call: SyntaxNode, fn: string) => (SyntaxNode | undefined)[];
  /** Whether to record hits with no flow but an unproved non-constant value. */
  unknown?: boolean;
}

const ALL_INJECTION: readonly SourceKind[] = ['request', 'input', 'env', 'param'];
const WEB: readonly SourceKind[] = ['request', 'param'];

/** Whether the host of a URL built with `prefix` before the tainted piece is controlled by it. */
export function hostControlled(prefix: string): boolean {
  return /^(\/|\\|[a-z][\w+.-]*:\/*[^/?#]*)?$/i.test(prefix) || /^[^/:?#]*$/.test(prefix);
}

const first = (c: SyntaxNode) => [argument(c, 0)];

/**
 * A URL reaching a redirect or a request: a request value whole or in the host part; a parameter only
 * when a literal scheme or host part precedes it (`f"https://{sub}.example.com"`), not a whole base URL.
 */
function urlAccept(f: Flow): boolean {
  // a route parameter holds no '/' (the default converters stop at one), so "/" + it stays on this host
  if (f.source.label.startsWith('route parameter') && f.composed && /^\/[^/]*$/.test(f.prefix)) return false;
  if (f.source.kind === 'param') return f.composed && f.prefix !== '' && hostControlled(f.prefix);
  return !f.composed || hostControlled(f.prefix);
}

/** The last names of every call `sinkFor` knows: a cheap test before the full table. */
const SINK_NAME =
  /(^|\.)(_?run_ssh|ssh_execute|_?ssh_exec\w*|_cli_run|exec_command|_?run_command|execute_command|_?run_cmd|run_shell|shell_exec|import_module|__import__|send_header|putheader|system|popen\d?|spawnlp|execl|getoutput|getstatusoutput|call|run|Popen|check_call|check_output|eval|exec|execfile|execute|executemany|executescript|raw|mogrify|read_sql|read_sql_query|extra|open|remove|unlink|rmtree|copy|copyfile|copy2|copytree|File|listdir|rmdir|makedirs|mkdir|send_file|send_from_directory|FileResponse|rename|move|ZipFile|save|redirect|HttpResponseRedirect|HttpResponsePermanentRedirect|RedirectResponse|redirect_to|get|post|put|delete|head|patch|options|request|stream|urlopen|Request|search_s|search_st|search_ext_s|search_ext|search|xpath|XPath|evaluate|ETXPath|find|findall|findtext|iterfind|find_one|find_one_and_update|find_one_and_delete|update_one|update_many|delete_one|delete_many|count_documents|aggregate|distinct|replace_one|scan|query|get_item|delete_item|update_item|match|fullmatch|compile|finditer|sub|subn|split|debug|info|warning|warn|error|critical|exception|log|make_response|Response|HttpResponse|render_template_string|Markup|mark_safe|HTMLResponse|write|finish|add_header|set_header|add|set|create_subprocess_shell|Template|from_string|_?exec|\w*_execute|_?query\w*|\w*_query|\w*[a-z]Query\w*|\w*_sql|run_?sql|\w*[a-z]DB|db_\w+|\w+_db|_?select\w*)$/;

/** The same names followed by an opening parenthesis, anywhere in a statement's text. */
const SINK_TEXT = new RegExp(`\\b${SINK_NAME.source.replace(/^\(\^\|\\\.\)/, '').replace(/\$$/, '')}\\s*\\(`);

/** What a file imports or mentions that decides how ambiguous calls (`.search`, `.find`) are read. */
interface FileTraits {
  osImport: boolean;
  ldap: boolean;
  xml: boolean;
  mongo: boolean;
  dynamo: boolean;
  /** A `http.server` request handler class, whose `self.path` and `self.headers` come from the client. */
  httpHandler: boolean;
}

let traitsCode = '';
let traitsCache: FileTraits = { osImport: false, ldap: false, xml: false, mongo: false, dynamo: false, httpHandler: false };

function traitsOf(code: string): FileTraits {
  if (code !== traitsCode) {
    traitsCode = code;
    traitsCache = {
      osImport: /from\s+os\s+import[^\n]*\b(system|popen)\b/.test(code),
      ldap: /ldap/i.test(code),
      xml: /xml|etree|ElementTree/i.test(code),
      mongo: /mongo|pymongo|collection|\bdb\b|\$where/i.test(code),
      dynamo: /boto3|dynamodb/i.test(code),
      httpHandler: /\b(Base|Simple|CGI)HTTPRequestHandler\b/.test(code),
    };
  }
  return traitsCache;
}

/**
 * Calls of a project's own database layer (`execute_query`, `db.query`, `queryOne`, `sql.insertDB`, `db_execute`):
 * their names, or a method of an object named like a connection or cursor.
 */
const SQL_CALL =
  /^(_?exec|_?execute\w*|\w+_execute|_?query\w*|\w+_query|\w*[a-z]Query\w*|\w+_sql|run_?sql|\w*[a-z]DB|db_\w+|\w+_db|_?select\w*)$/;
const DB_OBJECT = /(^|\.)(_?db|database|conn|connection|cursor|cur|sql|engine|dbconn|db_conn|_conn)$/i;
/** SQL statement text: a query's verbs in the order SQL writes them. */
const SQL_TEXT =
  /\b(select\b[\s\S]{1,400}?\bfrom\b|insert\s+(or\s+\w+\s+)?into\b|update\s+[\w."`[\]{}%']+\s+set\b|delete\s+from\b|replace\s+into\b|(drop|create|alter|truncate)\s+table\b)/i;

/** The assignments and augmented assignments inside `scope` (nested functions too), in document order, fetched once per scope. */
export function assignmentsIn(scope: SyntaxNode): readonly SyntaxNode[] {
  memoFor(scope);
  let list = scopeAssignments.get(scope);
  if (!list) {
    list = scope.descendantsOfType(['assignment', 'augmented_assignment']);
    scopeAssignments.set(scope, list);
  }
  return list;
}

/** Whether a value is SQL text: a string holding a statement, or a name assigned one earlier in the function. */
function sqlLooking(node: SyntaxNode | undefined, at: SyntaxNode, depth = 0): boolean {
  if (!node || depth > 2) return false;
  if (nodeType(node) === 'identifier') {
    const scope = scopeOf(at);
    for (const a of assignmentsIn(scope)) {
      if (a.startIndex >= at.startIndex || a.childForFieldName('left')?.text !== node.text) continue;
      if (sqlLooking(a.childForFieldName('right') ?? undefined, a, depth + 1)) return true;
    }
    return false;
  }
  return /^(string|concatenated_string|binary_operator|parenthesized_expression|call)$/.test(nodeType(node)) && SQL_TEXT.test(node.text);
}

/** The argument of a database-layer call that holds its SQL text (one of the first three positional ones). */
export function sqlArgument(call: SyntaxNode): SyntaxNode | undefined {
  return positional(call.childForFieldName('arguments'))
    .slice(0, 3)
    .find((a) => sqlLooking(a, call));
}

/**
 * What is worked out once per node of the tree last analysed (a node object belongs to one tree, hence one
 * text): the sink table's entry of each call, the assignments of each scope. Dropped when a node of another
 * tree is asked about.
 */
let memoTree: unknown;
const sinkSpecs = new Map<SyntaxNode, SinkSpec | null>();
const scopeAssignments = new Map<SyntaxNode, readonly SyntaxNode[]>();
/** Per call: the name it is looked up by and its entry of the sink table (none when the name is no sink's). */
const callSinks = new Map<SyntaxNode, { readonly fn: string; readonly spec: SinkSpec | undefined }>();

function memoFor(node: SyntaxNode): void {
  if (node.tree !== memoTree) {
    memoTree = node.tree;
    sinkSpecs.clear();
    scopeAssignments.clear();
    callSinks.clear();
  }
}

// --- callee resolution -------------------------------------------------------------------------

/** An identifier as Python reads it: NFKC-normalised (`yaml.ｌoad` is `yaml.load`). */
export function pyName(text: string): string {
  return /[^\x00-\x7f]/.test(text) ? text.normalize('NFKC') : text;
}

/** One name a scope binds to a dotted target: an import, or a simple alias assignment (`g = m.f`). */
interface Binding {
  readonly at: number;
  /** The value node (an alias assignment), or the dotted target itself (an import). */
  readonly value?: SyntaxNode;
  readonly target?: string;
}

/** Per tree: the bindings of each scope by name, the patched attributes (`m.f = g`), each call's resolved name. */
interface Bindings {
  readonly scopes: Map<SyntaxNode, Map<string, Binding[]>>;
  readonly patched: Map<string, SyntaxNode[]>;
  /** The modules of the module's `from m import *` (a name bound nowhere else comes from the one, if one). */
  readonly stars: readonly string[];
  /** Whether anything in the tree makes a callee's text differ from its name (an alias, a patch, getattr, non-ASCII). */
  readonly any: boolean;
  /** The tree's functions in document order (so an ancestor comes before what it holds), and the tree's root. */
  readonly functions: readonly SyntaxNode[];
  readonly root: SyntaxNode;
  /** Every name some scope binds. */
  readonly bound: ReadonlySet<string>;
}

/**
 * `scopeOf` from the spans of the tree's functions: the last function in document order whose span holds the node's
 * (the innermost ancestor; a function never shares its span with another, so an equal span is the node itself).
 */
function scopeIn(node: SyntaxNode, b: Bindings): SyntaxNode {
  const start = node.startIndex;
  const end = node.endIndex;
  let found: SyntaxNode | undefined;
  for (const f of b.functions) {
    const fs = f.startIndex;
    if (fs > start) break;
    const fe = f.endIndex;
    if (end <= fe && !(fs === start && fe === end)) found = f;
  }
  return found ?? b.root;
}

let bindingsTree: unknown;
let bindingsOf: Bindings | undefined;
const calleeNames = new Map<SyntaxNode, string>();

const BINDING_TYPES = ['import_statement', 'import_from_statement', 'function_definition', 'class_definition', 'assignment'];
const ALIAS_VALUE = new Set(['identifier', 'attribute', 'call', 'parenthesized_expression', 'subscript']);

function bindingsFor(node: SyntaxNode): Bindings {
  const tree = node.tree;
  if (bindingsOf && tree === bindingsTree) return bindingsOf;
  bindingsTree = tree;
  calleeNames.clear();
  const scopes = new Map<SyntaxNode, Map<string, Binding[]>>();
  const patched = new Map<string, SyntaxNode[]>();
  const stars: string[] = [];
  const root = tree.rootNode;
  let any =
    /[^\x00-\x7f]/.test(root.text) ||
    /\bgetattr\s*\(|\bpartial\s*\(|\)\s*\(|__dict__|\bvars\s*\(|sys\.modules|import_module|__import__|:=/.test(root.text);
  const add = (scope: SyntaxNode, name: string, b: Binding) => {
    let names = scopes.get(scope);
    if (!names) {
      names = new Map();
      scopes.set(scope, names);
    }
    const list = names.get(name);
    if (list) list.push(b);
    else names.set(name, [b]);
  };
  // one walk of the tree for the three kinds of binding, each kind then read in document order as before; each
  // node's scope (`scopeOf`) from the functions open around it in that order, with no climb through its parents
  const imports: SyntaxNode[] = [];
  const definitions: SyntaxNode[] = [];
  const assignments: SyntaxNode[] = [];
  const scopeOfNode = new Map<SyntaxNode, SyntaxNode>();
  const open: SyntaxNode[] = [];
  const functions: SyntaxNode[] = [];
  for (const n of root.descendantsOfType(BINDING_TYPES)) {
    const t = nodeType(n);
    while (open.length && (open[open.length - 1] as SyntaxNode).endIndex <= n.startIndex) open.pop();
    scopeOfNode.set(n, open.length ? (open[open.length - 1] as SyntaxNode) : root);
    if (t === 'function_definition') {
      open.push(n);
      functions.push(n);
    }
    (t === 'assignment' ? assignments : t === 'function_definition' || t === 'class_definition' ? definitions : imports).push(n);
  }
  const scopeAt = (n: SyntaxNode) => scopeOfNode.get(n) ?? scopeOf(n);
  for (const imp of imports) {
    const scope = scopeAt(imp);
    if (nodeType(imp) === 'import_statement') {
      for (const n of namedArgs(imp)) {
        if (nodeType(n) !== 'aliased_import') continue;
        const alias = n.childForFieldName('alias');
        const target = n.childForFieldName('name');
        if (alias && target) {
          add(scope, pyName(alias.text), { at: imp.startIndex, target: pyName(target.text) });
          any = true;
        }
      }
      continue;
    }
    const mod = imp.childForFieldName('module_name');
    if (!mod || nodeType(mod) !== 'dotted_name') continue; // relative imports name the project's own modules
    const base = pyName(mod.text);
    if (namedArgs(imp).some((n) => nodeType(n) === 'wildcard_import')) {
      if (scope.type === 'module') stars.push(base);
      any = true;
      continue;
    }
    for (const n of namedArgs(imp)) {
      if (n.startIndex === mod.startIndex) continue;
      if (nodeType(n) === 'dotted_name') add(scope, pyName(n.text), { at: imp.startIndex, target: `${base}.${pyName(n.text)}` });
      else if (nodeType(n) === 'aliased_import') {
        const alias = n.childForFieldName('alias');
        const target = n.childForFieldName('name');
        if (alias && target) add(scope, pyName(alias.text), { at: imp.startIndex, target: `${base}.${pyName(target.text)}` });
      } else continue;
      any = true;
    }
  }
  // a function or class the file defines binds its name (to nothing this resolution follows)
  for (const d of definitions) {
    const name = d.childForFieldName('name');
    if (name) add(scopeAt(d), pyName(name.text), { at: d.startIndex });
  }
  for (const a of assignments) {
    const left = a.childForFieldName('left');
    const right = a.childForFieldName('right');
    if (!left || !right) continue;
    const alias =
      ALIAS_VALUE.has(nodeType(right)) &&
      (nodeType(right) !== 'call' || /^(getattr|functools\.partial|partial|importlib\.import_module|__import__)\s*\(/.test(right.text));
    if (nodeType(left) === 'identifier') {
      // every assignment is kept (a later `l = other()` ends an alias); only aliases make resolution worth it
      add(scopeAt(a), pyName(left.text), { at: a.startIndex, value: right });
      if (alias) any = true;
    } else if (alias && nodeType(left) === 'attribute') {
      const key = pyName(left.text.replace(/\s+/g, ''));
      const list = patched.get(key);
      if (list) list.push(right);
      else patched.set(key, [right]);
      any = true;
    }
  }
  const bound = new Set<string>();
  for (const names of scopes.values()) for (const name of names.keys()) bound.add(name);
  bindingsOf = { scopes, patched, stars, any, functions, root, bound };
  return bindingsOf;
}

/** Python's own names, which a star import does not shadow as far as this analysis goes. */
const BUILTIN_NAME =
  /^(open|eval|exec|compile|print|len|str|int|float|bool|list|dict|set|tuple|range|input|getattr|setattr|hasattr|isinstance|type|vars|super|iter|next|map|filter|zip|sorted|min|max|sum|any|all|abs|round|repr|format|id|hash|ord|chr|bytes|bytearray|object|enumerate|__import__)$/;

/** The name of a scope's function (`def f`'s parameters shadow the outer names). */
function paramNames(scope: SyntaxNode): string[] {
  const params = scope.childForFieldName('parameters');
  if (!params) return [];
  const out: string[] = [];
  for (const p of namedArgs(params)) {
    const id = nodeType(p) === 'identifier' ? p : (p.childForFieldName('name') ?? namedArgs(p)[0]);
    if (id && nodeType(id) === 'identifier') out.push(pyName(id.text));
  }
  return out;
}

/** The dotted name an expression stands for: through parentheses, aliases, imports, getattr with a constant name and partial. */
function resolveExpr(node: SyntaxNode | null | undefined, b: Bindings, depth: number): string | undefined {
  if (!node || depth > 8) return undefined;
  switch (nodeType(node)) {
    case 'parenthesized_expression': {
      const inner = namedArgs(node);
      return inner.length === 1 ? resolveExpr(inner[0], b, depth + 1) : undefined;
    }
    case 'named_expression':
      return resolveExpr(node.childForFieldName('value'), b, depth + 1);
    case 'subscript': {
      // `yaml.__dict__['load']`, `vars(yaml)['load']`, `sys.modules['yaml']`
      const key = literalText(node.childForFieldName('subscript'));
      const value = node.childForFieldName('value');
      if (key === undefined || !value || !/^[\p{L}_][\p{L}\p{N}_.]*$/u.test(key)) return undefined;
      if (nodeType(value) === 'attribute' && value.childForFieldName('attribute')?.text === '__dict__') {
        const base = resolveExpr(value.childForFieldName('object'), b, depth + 1);
        return base === undefined ? undefined : `${base}.${pyName(key)}`;
      }
      if (nodeType(value) === 'call' && /^(vars)$/.test(resolveExpr(value.childForFieldName('function'), b, depth + 1) ?? '')) {
        const base = resolveExpr(positional(value.childForFieldName('arguments'))[0], b, depth + 1);
        return base === undefined ? undefined : `${base}.${pyName(key)}`;
      }
      if (resolveExpr(value, b, depth + 1) === 'sys.modules') return pyName(key);
      return undefined;
    }
    case 'identifier': {
      const name = pyName(node.text);
      if (!b.any) return name;
      for (let scope: SyntaxNode | null = scopeIn(node, b); scope; scope = scope.parent ? scopeIn(scope, b) : null) {
        const list = b.scopes.get(scope)?.get(name);
        const inScope = list?.filter((x) => scope?.type === 'module' || x.at < node.startIndex) ?? [];
        // the last binding before the use in its own scope (any at module level: a function runs after the module)
        const own = inScope.filter((x) => x.at < node.startIndex);
        const hit = own.length ? own[own.length - 1] : inScope[inScope.length - 1];
        if (hit) {
          if (hit.target) return hit.target.replace(/^(builtins|__builtins__)\./, '');
          if (hit.value && hit.value.startIndex <= node.startIndex && hit.value.endIndex >= node.endIndex) return name;
          return resolveExpr(hit.value, b, depth + 1) ?? name;
        }
        if (scope.type === 'module') break;
        if (paramNames(scope).includes(name)) return name;
      }
      return b.stars.length === 1 && !BUILTIN_NAME.test(name) ? `${b.stars[0]}.${name}` : name;
    }
    case 'attribute': {
      const obj = node.childForFieldName('object');
      const attr = node.childForFieldName('attribute');
      if (!obj || !attr) return undefined;
      const base = resolveExpr(obj, b, depth + 1) ?? obj.text;
      // `builtins.eval` is `eval`
      const name = base === 'builtins' || base === '__builtins__' ? pyName(attr.text) : `${base}.${pyName(attr.text)}`;
      const patch = b.patched.get(name);
      if (patch?.length) {
        const before = patch.filter((v) => v.startIndex < node.startIndex);
        const v = before[before.length - 1];
        if (v) return resolveExpr(v, b, depth + 1) ?? name;
      }
      return name;
    }
    case 'call': {
      const fn = resolveExpr(node.childForFieldName('function'), b, depth + 1);
      const args = positional(node.childForFieldName('arguments'));
      if (fn === 'getattr' && (args.length === 2 || args.length === 3)) {
        const attr = literalText(args[1]);
        if (attr !== undefined && /^[\p{L}_][\p{L}\p{N}_]*$/u.test(attr)) {
          const base = resolveExpr(args[0], b, depth + 1);
          if (base === 'builtins' || base === '__builtins__') return pyName(attr);
          return base === undefined ? undefined : `${base}.${pyName(attr)}`;
        }
      }
      if ((fn === 'functools.partial' || fn === 'partial') && args[0]) return resolveExpr(args[0], b, depth + 1);
      // `importlib.import_module('yaml')`, `__import__('yaml')`: the module named
      if (fn === 'importlib.import_module' || fn === '__import__') {
        const mod = literalText(args[0]);
        return mod !== undefined && /^[\w.]+$/.test(mod) && (fn !== '__import__' || !mod.includes('.')) ? pyName(mod) : undefined;
      }
      return undefined;
    }
    default:
      return undefined;
  }
}

const DOTTED = /^[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*$/;

/**
 * Whether `resolveExpr` would give a callee its own text, told from the text: a plain ASCII dotted name whose first
 * name no scope binds, in a tree that patches no attribute and has not exactly one star import (which would name the
 * module of an unbound name), and that does not start at `builtins`.
 */
function asWritten(text: string, b: Bindings): boolean {
  if (b.patched.size > 0 || b.stars.length === 1 || !DOTTED.test(text)) return false;
  const dot = text.indexOf('.');
  const head = dot < 0 ? text : text.slice(0, dot);
  return !b.bound.has(head) && head !== 'builtins' && head !== '__builtins__';
}

/**
 * The name a call's callee stands for, as Python resolves it: through parentheses (`(yaml.load)(t)`), NFKC-normalised
 * identifiers (`yaml.ｌoad`), import aliases (`import yaml as y`, `from yaml import load as parse`), simple alias
 * assignments in the function or module (`l = yaml.load`, `l = getattr(yaml, 'load')`, `l = functools.partial(yaml.load)`),
 * `getattr` with a constant name, and patched attributes (`yaml.safe_load = yaml.load`). Falls back to the callee's
 * text. Worked out once per call node.
 */
export function calleeName(call: SyntaxNode): string {
  const b = bindingsFor(call);
  let name = calleeNames.get(call);
  if (name === undefined) {
    const fn = call.childForFieldName('function');
    const text = fn?.text ?? '';
    name = b.any && fn && !asWritten(text, b) ? (resolveExpr(fn, b, 0) ?? text) : text;
    calleeNames.set(call, name);
  }
  return name;
}

let respeltTree: unknown;
let respeltList: { readonly call: SyntaxNode; readonly name: string }[] = [];
const respeltOf = new Map<SyntaxNode, string>();

/** The calls of the tree whose callee resolves to a name other than its text, in document order, with that name. */
export function respeltCalls(node: SyntaxNode): readonly { readonly call: SyntaxNode; readonly name: string }[] {
  const b = bindingsFor(node);
  if (node.tree !== respeltTree) {
    respeltTree = node.tree;
    respeltList = [];
    respeltOf.clear();
    if (b.any) {
      for (const call of node.tree.rootNode.descendantsOfType('call')) {
        const name = calleeName(call);
        if (name !== call.childForFieldName('function')?.text) {
          respeltList.push({ call, name });
          respeltOf.set(call, name);
        }
      }
    }
  }
  return respeltList;
}

/** The name a call's callee resolves to when that is not its text (`l` for `yaml.load`), else undefined. */
export function respeltCallee(call: SyntaxNode): string | undefined {
  respeltCalls(call);
  return respeltOf.get(call);
}

/** Whether a call inside `node` is respelt (the sink walk's text test cannot see it by name). */
function holdsRespelt(node: SyntaxNode): boolean {
  for (const r of respeltCalls(node)) if (r.call.startIndex >= node.startIndex && r.call.endIndex <= node.endIndex) return true;
  return false;
}

/** `calleeName` of an expression in callee position (a value assigned or patched in): its dotted name, or undefined. */
export function resolvedName(node: SyntaxNode): string | undefined {
  return resolveExpr(node, bindingsFor(node), 0);
}

/**
 * The name a call is looked up by in the sink table: the name its callee resolves to, or its text when only the
 * text is a sink (`from os import system` keeps os-command-imported).
 */
function sinkName(call: SyntaxNode, code: string): string {
  const text = call.childForFieldName('function')?.text ?? '';
  const name = calleeName(call);
  if (name === text || !SINK_NAME.test(text)) return name;
  return sinkFor(text, call, code) || !SINK_NAME.test(name) || !sinkFor(name, call, code) ? text : name;
}

/** How a sink is named in messages: as written, unless that hides the name it resolves to (`l` for `yaml.load`). */
function sinkLabel(call: SyntaxNode, name: string): string {
  const text = call.childForFieldName('function')?.text ?? name;
  return text === name || name.endsWith(`.${text}`) ? text : `${text} (${name})`;
}

/** `sinkFor`, answered once per call node (the walk and `hitAt` ask about the same calls). */
function sinkOf(fn: string, call: SyntaxNode, code: string): SinkSpec | undefined {
  memoFor(call);
  let spec = sinkSpecs.get(call);
  if (spec === undefined) {
    spec = sinkFor(fn, call, code) ?? null;
    sinkSpecs.set(call, spec);
  }
  return spec ?? undefined;
}

/** `sinkName` and, when that is a sink's name, `sinkOf`, answered once per call node (every rule's `hitAt` asks). */
function sinkAt(call: SyntaxNode, code: string): { readonly fn: string; readonly spec: SinkSpec | undefined } {
  memoFor(call);
  let entry = callSinks.get(call);
  if (!entry) {
    const fn = sinkName(call, code);
    entry = { fn, spec: SINK_NAME.test(fn) ? sinkOf(fn, call, code) : undefined };
    callSinks.set(call, entry);
  }
  return entry;
}

const SHELL = /^(\/usr)?(\/bin\/)?(ba|z|da|k|c|tc)?sh$/;

/** The command string of an argument list that runs a shell itself: `["sh", "-c", cmd]`, `("/bin/bash", "-c", cmd)`. */
function shellArgv(call: SyntaxNode): SyntaxNode | undefined {
  const argv = argument(call, 0, 'args');
  if (!argv || (nodeType(argv) !== 'list' && nodeType(argv) !== 'tuple')) return undefined;
  const [shell, flag, command] = namedArgs(argv);
  if (!command || !SHELL.test(literalText(shell) ?? '') || !/^-\w*c$/.test(literalText(flag) ?? '')) return undefined;
  return command;
}

function sinkFor(fn: string, call: SyntaxNode, code: string): SinkSpec | undefined {
  const traits = traitsOf(code);
  const last = fn.slice(fn.lastIndexOf('.') + 1);
  switch (true) {
    case /^(os\.(system|popen|popen2|popen3|spawnlp|execl)|commands\.getoutput|commands\.getstatusoutput|subprocess\.getoutput|subprocess\.getstatusoutput|asyncio\.create_subprocess_shell)$/.test(
      fn,
    ):
      return { rule: 'python.os-command', cls: 'command', kinds: ALL_INJECTION, paramDirect: true, values: first, unknown: true };
    case /^(system|popen)$/.test(fn) && traits.osImport:
      return { rule: 'python.os-command-imported', cls: 'command', kinds: ALL_INJECTION, paramDirect: true, values: first, unknown: true };
    case /^(subprocess\.)?(call|run|Popen|check_call|check_output)$/.test(fn) &&
      keyword(call.childForFieldName('arguments'), 'shell')?.text === 'True':
      return { rule: 'python.subprocess-shell', cls: 'command', kinds: ALL_INJECTION, paramDirect: true, values: first, unknown: true };
    case /^(subprocess\.)?(call|run|Popen|check_call|check_output)$/.test(fn) && shellArgv(call) !== undefined:
      return {
        rule: 'python.subprocess-shell',
        cls: 'command',
        kinds: ALL_INJECTION,
        paramDirect: true,
        values: (c) => [shellArgv(c)],
        unknown: true,
      };
    case /^(_?run_ssh|ssh_execute|_?ssh_exec\w*|_cli_run|exec_command|_?run_command|execute_command|_?run_cmd|run_shell|shell_exec)$/.test(
      last,
    ):
      return {
        rule: 'python.command-string',
        cls: 'command',
        kinds: ALL_INJECTION,
        values: first,
        accept: (f) => f.composed || f.source.kind !== 'param',
        unknown: true,
      };
    case /^(eval|exec|execfile)$/.test(fn):
      return { rule: 'python.eval', cls: 'code', kinds: [...ALL_INJECTION, 'io'], paramDirect: true, values: first, unknown: true };
    case (/^(execute|executemany|executescript|raw|mogrify|read_sql|read_sql_query|extra)$/.test(last) && fn.includes('.')) ||
      /^(pd\.|pandas\.)?read_sql(_query)?$/.test(fn):
      return {
        rule: 'python.sql-format',
        cls: 'sql',
        kinds: ALL_INJECTION,
        values: (c) =>
          last === 'extra'
            ? ['where', 'select', 'tables', 'order_by'].map((k) => keyword(c.childForFieldName('arguments'), k))
            : [argument(c, 0, /read_sql/.test(fn) ? 'sql' : undefined)],
        accept: (f) => f.composed || f.source.kind !== 'param',
        unknown: true,
      };
    case (SQL_CALL.test(last) || DB_OBJECT.test(fn.slice(0, Math.max(0, fn.lastIndexOf('.'))))) && sqlArgument(call) !== undefined:
      return {
        rule: 'python.sql-query-call',
        cls: 'sql',
        kinds: ALL_INJECTION,
        values: (c) => [sqlArgument(c)],
        accept: (f) => f.composed || f.source.kind !== 'param',
        unknown: true,
      };
    case /^(open|io\.open|codecs\.open|os\.remove|os\.unlink|shutil\.rmtree|shutil\.copy|shutil\.copyfile|shutil\.copy2|shutil\.copytree|static\.File|os\.listdir|os\.rmdir|Image\.open|FileResponse|os\.makedirs|os\.mkdir|send_file|flask\.send_file|os\.rename|shutil\.move|tarfile\.open|zipfile\.ZipFile|ZipFile)$/.test(
      fn,
    ):
      return {
        rule: 'python.path-traversal',
        cls: 'path',
        kinds: ['request'],
        // a copy or a move writes to its second path as it reads the first
        values: /^(shutil\.(copy|copyfile|copy2|copytree|move)|os\.rename)$/.test(fn) ? (c) => [argument(c, 0), argument(c, 1)] : first,
        unknown: true,
      };
    case /^(send_from_directory|flask\.send_from_directory)$/.test(fn):
      return { rule: 'python.path-traversal', cls: 'path', kinds: ['request'], values: (c) => [argument(c, 0, 'directory')] };
    case last === 'save' &&
      fn.includes('.') &&
      positional(call.childForFieldName('arguments')).length >= 1 &&
      /files|upload|file|f\b/i.test(fn):
      return { rule: 'python.path-traversal', cls: 'path', kinds: ['request'], values: (c) => [argument(c, 0, 'dst')] };
    case /^(redirect|flask\.redirect|HttpResponseRedirect|HttpResponsePermanentRedirect|RedirectResponse|redirect_to|self\.redirect)$/.test(
      fn,
    ):
      return {
        rule: 'python.open-redirect',
        cls: 'url',
        kinds: WEB,
        values: (c) => [argument(c, 0, 'url')],
        accept: urlAccept,
      };
    case /^(requests|httpx|session|client|self\.session|http)\.(get|post|put|delete|head|patch|options|request|stream)$/.test(fn) ||
      /^(urllib\.request\.|urllib2\.|request\.)?(urlopen|Request)$/.test(fn) ||
      /^(aiohttp\.ClientSession\(\)|session)\.(get|post)$/.test(fn):
      return {
        rule: 'python.ssrf',
        cls: 'url',
        kinds: ['request', 'param', 'io'],
        values: (c) => [argument(c, /\.request$/.test(fn) ? 1 : 0, 'url')],
        accept: urlAccept,
      };
    case /^(search_s|search_st|search_ext_s|search_ext|search)$/.test(last) && fn.includes('.') && traits.ldap && !/^re\.|regex\./.test(fn):
      return {
        rule: 'python.ldap-injection',
        cls: 'ldap',
        kinds: ['request', 'input', 'param'],
        values: (c) => [
          argument(
            c,
            /^search(_s|_st|_ext_s|_ext)$/.test(last) ? 2 : 1,
            /^search(_s|_st|_ext_s|_ext)$/.test(last) ? 'filterstr' : 'search_filter',
          ),
          argument(c, 0, /^search(_s|_st|_ext_s|_ext)$/.test(last) ? 'base' : 'search_base'),
        ],
        accept: (f) => f.composed || f.source.kind !== 'param',
      };
    case /^(xpath|XPath|evaluate|ETXPath)$/.test(last) || (/^(find|findall|findtext|iterfind)$/.test(last) && traits.xml):
      return {
        rule: 'python.xpath-injection',
        cls: 'xpath',
        kinds: ['request', 'input', 'param'],
        values: first,
        accept: (f) => f.composed && (/xpath|XPath|evaluate/.test(last) || /[[@/]/.test(f.prefix)),
      };
    case /^(find|find_one|find_one_and_update|find_one_and_delete|update_one|update_many|delete_one|delete_many|count_documents|aggregate|distinct|replace_one)$/.test(
      last,
    ) &&
      fn.includes('.') &&
      traits.mongo:
      return {
        rule: 'python.nosql-injection',
        cls: 'nosql',
        kinds: ['request', 'param'],
        values: (c) => [argument(c, 0, 'filter')],
        accept: (f) => f.document,
      };
    case /^(scan|query|get_item|delete_item|update_item)$/.test(last) && fn.includes('.') && traits.dynamo:
      return {
        rule: 'python.nosql-injection',
        cls: 'nosql',
        kinds: ['request', 'param'],
        values: (c) =>
          ['FilterExpression', 'KeyConditionExpression', 'ConditionExpression', 'ProjectionExpression', 'ScanFilter', 'QueryFilter'].map(
            (k) => keyword(c.childForFieldName('arguments'), k),
          ),
        accept: (f) => f.composed || f.document || f.source.kind === 'request',
      };
    case /^(re|regex)\.(search|match|fullmatch|compile|findall|finditer|sub|subn|split)$/.test(fn):
      return {
        rule: 'python.regex-injection',
        cls: 'regex',
        kinds: ['request', 'param'],
        values: (c) => [argument(c, 0, 'pattern')],
        accept: (f) => f.source.kind !== 'param' || f.composed,
      };
    case /^(logger|logging|log|LOG|LOGGER|_logger|_log|app\.logger|current_app\.logger|self\.logger|self\.log)\.(debug|info|warning|warn|error|critical|exception|log)$/.test(
      fn,
    ):
      return {
        rule: 'python.log-injection',
        cls: 'log',
        kinds: ['request'],
        values: (c) => [argument(c, last === 'log' ? 1 : 0)],
        accept: (f) => f.composed,
      };
    case /^(make_response|Response|HttpResponse|flask\.Response|render_template_string|Markup|mark_safe|HTMLResponse|self\.write|self\.finish|(response|resp|res)\.write)$/.test(
      fn,
    ):
      return {
        rule: 'python.xss',
        cls: 'html',
        kinds: WEB,
        values: first,
        unknown: true,
        accept: (f) => f.source.kind !== 'param' || (f.composed && /<[a-zA-Z/]/.test(f.prefix)),
      };
    case /\.(add_header|set_header|add|set|send_header|putheader)$/.test(fn) &&
      /headers|response|resp|self$/.test(fn.slice(0, fn.lastIndexOf('.'))): {
      const location = /^location$/i.test(literalText(argument(call, 0)) ?? '');
      return location
        ? { rule: 'python.open-redirect', cls: 'url', kinds: ['request'], values: (c) => [argument(c, 1)], accept: urlAccept }
        : { rule: 'python.header-injection', cls: 'header', kinds: ['request'], values: (c) => [argument(c, 1)] };
    }
    case (/^(jinja2\.)?Template$/.test(fn) ||
      (/\.from_string$/.test(fn) && /(^|\.)(env|environment|jinja_env|jinja|templates)$|Environment\(.*\)$/i.test(fn.slice(0, -12)))) &&
      /\b(jinja2|mako)\b/.test(code) &&
      !/\bfrom\s+string\s+import\b[^\n]*\bTemplate\b/.test(code):
      return { rule: 'python.template-injection', cls: 'code', kinds: ['request'], values: (c) => [argument(c, 0, 'source')] };
    case /^(importlib\.import_module|import_module|__import__)$/.test(fn):
      return { rule: 'python.dynamic-import', cls: 'code', kinds: ['request'], values: first };
    default:
      return undefined;
  }
}

/** Names a pattern binds (`a`, `a, b`, `(a, [b, c])`, `self.x`, `d[k]` binds d). */
function targets(node: SyntaxNode | null | undefined): string[] {
  if (!node) return [];
  switch (nodeType(node)) {
    case 'identifier':
    case 'attribute':
      return [node.text];
    case 'subscript': {
      const v = node.childForFieldName('value');
      return v ? targets(v) : [];
    }
    case 'pattern_list':
    case 'tuple_pattern':
    case 'list_pattern':
    case 'tuple':
    case 'list':
    case 'parenthesized_expression':
    case 'as_pattern_target':
      return namedArgs(node).flatMap(targets);
    case 'list_splat_pattern':
      return namedArgs(node).flatMap(targets);
    default:
      return [];
  }
}

/** The analysis of one scope. */
interface ScopeResult {
  hits: SinkHit[];
  /** The first hit per rule and node range (`rule:start:end`), built on first lookup. */
  byKey?: Map<string, SinkHit>;
}

class Walker {
  readonly hits: SinkHit[] = [];
  readonly route: boolean;

  constructor(
    readonly code: string,
    readonly scope: SyntaxNode,
  ) {
    this.route = isRouteHandler(scope);
  }

  run(): ScopeResult {
    const state: State = { vars: new Map(), clean: new Set(), derived: new Map(), checked: new Map() };
    if (nodeType(this.scope) === 'function_definition') this.#params(state);
    const body = nodeType(this.scope) === 'module' ? this.scope : this.scope.childForFieldName('body');
    this.#block(body, state);
    return { hits: this.hits };
  }

  #params(state: State): void {
    const params = this.scope.childForFieldName('parameters');
    const names = namedArgs(params);
    const django = names.some((p) => p.text === 'request' || p.childForFieldName('name')?.text === 'request');
    for (const p of names) {
      let id: SyntaxNode | null | undefined;
      let type: string | undefined;
      if (nodeType(p) === 'identifier') id = p;
      else if (nodeType(p) === 'typed_parameter') {
        id = namedArgs(p).find((c) => nodeType(c) === 'identifier');
        type = p.childForFieldName('type')?.text;
      } else if (nodeType(p) === 'default_parameter' || nodeType(p) === 'typed_default_parameter') {
        id = p.childForFieldName('name');
        type = p.childForFieldName('type')?.text;
      } else if (nodeType(p) === 'list_splat_pattern' || nodeType(p) === 'dictionary_splat_pattern') id = namedArgs(p)[0];
      if (id?.type !== 'identifier') continue;
      const name = id.text;
      if (name === 'self' || name === 'cls' || name === 'request' || name === 'req') continue;
      // a framework converts and validates an annotated route parameter; elsewhere an annotation is only a hint
      if (type && this.route && /^(int|float|bool|Decimal|UUID|uuid\.UUID|datetime|date|Literal\[.*\])$/.test(type)) {
        state.clean.add(name);
        continue;
      }
      const kind: SourceKind = this.route || (django && names.indexOf(p) > 0) ? 'request' : 'param';
      const label = kind === 'request' ? `route parameter ${name}` : `parameter ${name}`;
      state.vars.set(name, [{ source: { kind, node: id, label }, via: [], safe: 0, composed: false, prefix: '', document: false }]);
    }
  }

  #block(block: SyntaxNode | null | undefined, state: State): void {
    for (const stmt of namedArgs(block)) this.#stmt(stmt, state);
  }

  #stmt(stmt: SyntaxNode, state: State): void {
    switch (nodeType(stmt)) {
      case 'function_definition':
      case 'class_definition':
      case 'decorated_definition':
        return;
      case 'expression_statement':
        for (const e of namedArgs(stmt)) this.#expressionStatement(e, state);
        return;
      case 'return_statement': {
        const value = namedArgs(stmt)[0];
        if (value) {
          this.#sinks(value, state);
          this.#returned(stmt, value, state);
        }
        return;
      }
      case 'if_statement':
        this.#if(stmt, state);
        return;
      case 'for_statement': {
        const right = stmt.childForFieldName('right');
        if (right) this.#sinks(right, state);
        const t = right ? this.eval(right, state) : NO;
        this.#bind(stmt.childForFieldName('left'), t, state, stmt, right ? this.#proved(right, state) : false);
        this.#block(stmt.childForFieldName('body'), state);
        this.#block(stmt.childForFieldName('alternative'), state);
        return;
      }
      case 'while_statement': {
        const cond = stmt.childForFieldName('condition');
        if (cond) this.#sinks(cond, state);
        this.#block(stmt.childForFieldName('body'), state);
        return;
      }
      case 'with_statement': {
        for (const item of stmt.descendantsOfType('with_item')) {
          const value = item.childForFieldName('value');
          if (!value) continue;
          if (nodeType(value) === 'as_pattern') {
            const expr = namedArgs(value)[0];
            if (expr) {
              this.#sinks(expr, state);
              this.#bind(value.childForFieldName('alias'), this.eval(expr, state), state, value, false);
            }
          } else this.#sinks(value, state);
        }
        this.#block(stmt.childForFieldName('body'), state);
        return;
      }
      case 'try_statement':
        for (const c of namedArgs(stmt)) {
          if (nodeType(c) === 'block') this.#block(c, state);
          else if (nodeType(c) === 'except_clause' || nodeType(c) === 'else_clause' || nodeType(c) === 'finally_clause')
            this.#block(
              namedArgs(c).find((b) => nodeType(b) === 'block'),
              state,
            );
        }
        return;
      case 'assert_statement': {
        const cond = namedArgs(stmt)[0];
        if (cond) this.#apply(cond, true, state);
        return;
      }
      case 'block':
        this.#block(stmt, state);
        return;
      case 'match_statement':
        for (const b of stmt.descendantsOfType('block')) if (b.parent?.type === 'case_clause') this.#block(b, state);
        return;
      case 'ERROR':
        // a fragment that does not parse: walk what it holds as statements
        for (const c of namedArgs(stmt)) this.#stmt(c, state);
        return;
      default:
        if (nodeType(stmt).endsWith('_statement') || nodeType(stmt).endsWith('_clause')) this.#sinks(stmt, state);
        else this.#expressionStatement(stmt, state);
    }
  }

  #expressionStatement(e: SyntaxNode, state: State): void {
    if (nodeType(e) === 'assignment') {
      this.#assignment(e, state);
      return;
    }
    if (nodeType(e) === 'augmented_assignment') {
      const left = e.childForFieldName('left');
      const right = e.childForFieldName('right');
      if (right) this.#sinks(right, state);
      if (left && right) {
        const t = union(this.eval(left, state), compose(this.eval(right, state), ''));
        const proved = this.#proved(left, state) && this.#proved(right, state);
        this.#bind(left, t, state, e, proved);
      }
      return;
    }
    this.#sinks(e, state);
    // `p.resolve().relative_to(base)` raises unless p is inside base
    if (nodeType(e) === 'call') {
      const fn = e.childForFieldName('function');
      if (fn?.type === 'attribute' && /^(relative_to)$/.test(fn.childForFieldName('attribute')?.text ?? '')) {
        const m = new Map<string, number>();
        mark(fn.childForFieldName('object') as SyntaxNode, SINK.path, m);
        this.#clear(m, state);
      }
      // `d.update(request.form)`, `lst.append(x)` taint the container
      if (
        fn?.type === 'attribute' &&
        /^(append|extend|update|insert|add|setdefault)$/.test(fn.childForFieldName('attribute')?.text ?? '')
      ) {
        const obj = fn.childForFieldName('object');
        const t = this.#argsTaint(e, state);
        if (obj && t.length) this.#bind(obj, union(this.eval(obj, state), t), state, e, false);
      }
    }
  }

  #assignment(e: SyntaxNode, state: State): void {
    const left = e.childForFieldName('left');
    let right = e.childForFieldName('right');
    const lefts = [left];
    while (right?.type === 'assignment') {
      lefts.push(right.childForFieldName('left'));
      right = right.childForFieldName('right');
    }
    if (!right) return;
    this.#sinks(right, state);
    if (left?.type === 'subscript') this.#headerWrite(e, left, right, state);
    const t = this.eval(right, state);
    const proved = this.#proved(right, state);
    const from = derivedFrom(right);
    if (from && left?.type === 'identifier') state.derived.set(left.text, from);
    for (const l of lefts) {
      if (l?.type === 'subscript') {
        // d[k] = v: d now also holds v's flows
        const v = l.childForFieldName('value');
        if (v && t.length) this.#bind(v, union(this.eval(v, state), t), state, e, false);
        continue;
      }
      // unpacking from a tuple literal keeps element-wise taint
      if (
        (l?.type === 'pattern_list' || l?.type === 'tuple_pattern') &&
        (nodeType(right) === 'tuple' || nodeType(right) === 'expression_list')
      ) {
        const ls = namedArgs(l);
        const rs = namedArgs(right);
        if (ls.length === rs.length) {
          for (const [i, li] of ls.entries()) {
            const ri = rs[i] as SyntaxNode;
            this.#bind(li, this.eval(ri, state), state, e, this.#proved(ri, state));
          }
          continue;
        }
      }
      this.#bind(l, t, state, e, proved, proved ? SINK.all : this.#provedMask(right, state));
    }
  }

  /** The sink classes a value is proved clean for (`html.escape(x)`: HTML, headers, logs). */
  #provedMask(node: SyntaxNode, state: State): number {
    let mask = 0;
    if (!/escape|quote|secure_filename|basename|safe_join|sanitiz|sanitis|clean|valid/i.test(node.text)) return 0;
    for (const bit of [SINK.html, SINK.command, SINK.sql, SINK.path, SINK.regex, SINK.ldap])
      if (this.#proved(node, state, bit)) mask |= bit;
    return mask;
  }

  #bind(target: SyntaxNode | null | undefined, t: Taint, state: State, at: SyntaxNode, proved: boolean, mask = 0): void {
    for (const name of targets(target)) {
      if (mask) state.checked.set(name, mask);
      else state.checked.delete(name);
      const flows = map(t, (f) => ({ ...f, via: [...f.via, at].slice(-6) }));
      if (flows.length) state.vars.set(name, flows);
      else state.vars.delete(name);
      if (proved) state.clean.add(name);
      else state.clean.delete(name);
    }
  }

  #if(stmt: SyntaxNode, state: State): void {
    const cond = stmt.childForFieldName('condition');
    if (cond) this.#sinks(cond, state);
    const cons = stmt.childForFieldName('consequence');
    const alts = stmt.children.filter((c) => nodeType(c) === 'elif_clause' || nodeType(c) === 'else_clause');
    const inBody = fork(state);
    if (cond) this.#apply(cond, true, inBody);
    this.#block(cons, inBody);
    const branches: State[] = [];
    if (!terminates(cons)) branches.push(inBody);
    let rest = fork(state);
    if (cond) this.#apply(cond, false, rest);
    let hasElse = false;
    for (const alt of alts) {
      if (nodeType(alt) === 'elif_clause') {
        const c = alt.childForFieldName('condition');
        const b = fork(rest);
        if (c) {
          this.#sinks(c, rest);
          this.#apply(c, true, b);
        }
        const body = alt.childForFieldName('consequence');
        this.#block(body, b);
        if (!terminates(body)) branches.push(b);
        if (c) this.#apply(c, false, rest);
      } else {
        hasElse = true;
        const body = alt.childForFieldName('body');
        const b = fork(rest);
        this.#block(body, b);
        if (!terminates(body)) branches.push(b);
      }
    }
    if (!hasElse) branches.push(rest);
    if (!branches.length) rest = fork(state);
    merge(state, branches.length ? branches : [rest]);
  }

  /** Applies what a condition proves when it holds (`positive`) or fails. */
  #apply(cond: SyntaxNode, positive: boolean, state: State): void {
    const m = new Map<string, number>();
    checks(cond, positive, m);
    this.#clear(m, state);
  }

  #clear(m: Map<string, number>, state: State): void {
    for (const [name, bits] of [...m]) {
      const from = state.derived.get(name);
      if (from && !m.has(from)) m.set(from, bits);
    }
    for (const [name, bits] of m) {
      const t = state.vars.get(name);
      if (t) state.vars.set(name, sanitise(t, bits));
      if (bits === SINK.all) state.clean.add(name);
    }
    for (const [name, bits] of m) state.checked.set(name, (state.checked.get(name) ?? 0) | bits);
  }

  #returned(stmt: SyntaxNode, returned: SyntaxNode, state: State): void {
    // `return body, 200` / `return body, 200, headers`: the body is the first element
    const value =
      nodeType(returned) === 'tuple' || nodeType(returned) === 'expression_list' ? (namedArgs(returned)[0] ?? returned) : returned;
    const html = htmlLiteral(value);
    // outside a route handler, only HTML built from parameters and returned counts
    if (!this.route && !html) return;
    if (
      nodeType(value) === 'dictionary' ||
      nodeType(value) === 'list' ||
      nodeType(value) === 'set' ||
      nodeType(value) === 'list_comprehension'
    )
      return;
    if (nodeType(value) === 'call') {
      const fnNode = value.childForFieldName('function');
      const fn = fnNode?.text ?? '';
      let obj = fnNode?.type === 'attribute' ? fnNode.childForFieldName('object') : null;
      // `TEMPLATE.replace(a, x).replace(b, y)`: down the chain of string methods to its base
      while (
        obj?.type === 'call' &&
        /\.(format|join|replace|substitute|strip|encode|decode)$/.test(obj.childForFieldName('function')?.text ?? '')
      ) {
        const f = obj.childForFieldName('function');
        obj = f?.type === 'attribute' ? f.childForFieldName('object') : null;
      }
      const stringMethod =
        obj &&
        /\.(format|join|replace|substitute)$/.test(fn) &&
        (/^[A-Z][A-Z0-9_]*$/.test(obj.text) ||
          (/^(string|concatenated_string|binary_operator|identifier)$/.test(nodeType(obj)) &&
            (nodeType(obj) !== 'identifier' || this.eval(obj, state).length > 0 || html)));
      if (!/^(str|f|fmt)$/.test(fn) && !stringMethod) return;
    }
    const t = this.eval(value, state);
    const flows = t.filter(
      (f) => !(f.safe & SINK.html) && (f.source.kind === 'request' || (f.source.kind === 'param' && f.composed && html)),
    );
    const unknown = html && composedString(value) && !this.#proved(value, state, SINK.html);
    if (flows.length || unknown) this.hits.push({ rule: 'python.xss', node: stmt, sink: 'the response body', flows, unknown });
  }

  /** `response.headers['X'] = v` / Django `response['X'] = v`. */
  #headerWrite(e: SyntaxNode, left: SyntaxNode, right: SyntaxNode, state: State): void {
    const obj = left.childForFieldName('value')?.text ?? '';
    const key = literalText(left.childForFieldName('subscript'));
    // a dict of HTTP headers filled from parameters (`headers[name] = value`) counts too
    const headerDict = /^(headers?|http_headers|response_headers)$/i.test(obj);
    if (key === undefined && !headerDict) return;
    if (!/(^|\.)headers?$/.test(obj) && !/^(resp|response|res|r)$/i.test(obj) && !headerDict) return;
    const t = this.eval(right, state);
    const location = /^location$/i.test(key ?? '');
    const bit = location ? SINK.url : SINK.header;
    const flows = t.filter(
      (f) =>
        (f.source.kind === 'request' || (headerDict && f.source.kind === 'param')) &&
        !(f.safe & bit) &&
        (!location || !f.composed || hostControlled(f.prefix)),
    );
    if (flows.length)
      this.hits.push({
        rule: location ? 'python.open-redirect' : 'python.header-injection',
        node: e,
        sink: `the ${key} header`,
        flows,
        unknown: false,
      });
  }

  /** Checks every call inside `node` (not inside nested functions or lambdas) against the sink table. */
  #sinks(node: SyntaxNode, state: State): void {
    // cheap text test first: most statements call nothing the sink table knows
    const text = node.text;
    if (!SINK_TEXT.test(text) && !holdsRespelt(node)) return;
    // no lambda or comprehension can sit in a statement whose text lacks the keyword: no climb to look for one
    const lambdas = text.includes('lambda');
    const loops = /\bfor\b/.test(text);
    // descendantsOfType includes the node itself
    for (const call of node.descendantsOfType('call')) {
      const { fn, spec } = sinkAt(call, this.code);
      if (spec && lambdas && insideLambda(call, node)) continue;
      if (!spec) continue;
      const bit = SINK[spec.cls];
      const flows: Flow[] = [];
      let unknown = false;
      const at = loops ? this.#inComprehensions(call, node, state) : state;
      for (const v of spec.values(call, fn)) {
        if (!v) continue;
        for (const f of this.eval(v, at)) {
          if (f.safe & bit || !spec.kinds.includes(f.source.kind)) continue;
          if (f.source.kind === 'param' && !spec.paramDirect && !spec.accept && !f.composed) continue;
          if (spec.accept && !spec.accept(f, v, call)) continue;
          if (!flows.some((x) => x.source === f.source)) flows.push(f);
        }
        if (spec.unknown && !this.#proved(v, at, bit) && !isConstant(v)) unknown = true;
      }
      if (flows.length || unknown) this.hits.push({ rule: spec.rule, node: call, sink: `${sinkLabel(call, fn)}()`, flows, unknown });
    }
  }

  /** The state inside the comprehensions between `top` and `call` (their loop variables bound). */
  #inComprehensions(call: SyntaxNode, top: SyntaxNode, state: State): State {
    const comps: SyntaxNode[] = [];
    for (let p = call.parent; p && p !== top.parent; p = p.parent) {
      if (/^(list|set|dictionary)_comprehension$|^generator_expression$/.test(nodeType(p))) comps.unshift(p);
      if (p === top) break;
    }
    if (!comps.length) return state;
    const s = fork(state);
    for (const comp of comps) {
      for (const clause of namedArgs(comp)) {
        if (nodeType(clause) !== 'for_in_clause') continue;
        const right = clause.childForFieldName('right');
        this.#bind(clause.childForFieldName('left'), right ? this.eval(right, s) : NO, s, clause, right ? this.#proved(right, s) : false);
      }
    }
    return s;
  }

  #argsTaint(call: SyntaxNode, state: State): Taint {
    const args = call.childForFieldName('arguments');
    if (!args) return NO;
    // `f(x for x in xs)`: the generator is the argument list
    if (nodeType(args) === 'generator_expression') return this.eval(args, state);
    let t: Taint = NO;
    for (const a of namedArgs(args)) t = union(t, this.eval(a, state));
    return t;
  }

  /** Whether a value is proved clean for every sink: constants, numbers, sanitised or allow-listed names. */
  #proved(node: SyntaxNode, state: State, bit: number = SINK.all): boolean {
    switch (nodeType(node)) {
      case 'identifier':
      case 'attribute': {
        if (state.clean.has(node.text) || isConstant(node) || ((state.checked.get(node.text) ?? 0) & bit) === bit) return true;
        const t = state.vars.get(node.text);
        return t !== undefined && t.length > 0 && t.every((f) => (f.safe & bit) === bit);
      }
      case 'call': {
        const fn = node.childForFieldName('function')?.text ?? '';
        if (cleanCall(node, fn)) return true;
        const san = sanitiserOf(node, fn, this.code);
        if (san) return (san[1] & bit) === bit;
        // psycopg2.sql composition quotes identifiers and literals itself
        if (/^(psycopg2\.)?sql\.(SQL|Identifier|Literal|Placeholder|Composed)\b/.test(fn)) return true;
        // a modelled call of proved values (`os.path.join(BASE, name)` once name is checked, `", ".join("?" for _ in ids)`)
        const fnNode = node.childForFieldName('function');
        const method = fnNode?.type === 'attribute' ? (fnNode.childForFieldName('attribute')?.text ?? '') : '';
        if (/^(os\.path\.(join|normpath|abspath|realpath)|str|Path|pathlib\.Path)$/.test(fn) || /^(format|join)$/.test(method)) {
          const obj = method && !/^os\.path\./.test(fn) ? fnNode?.childForFieldName('object') : null;
          const args = node.childForFieldName('arguments');
          if (obj && !this.#proved(obj, state, bit)) return false;
          if (args?.type === 'generator_expression') return this.#proved(args, state, bit);
          return (
            args?.type === 'argument_list' &&
            namedArgs(args).every((x) =>
              this.#proved(nodeType(x) === 'keyword_argument' ? (x.childForFieldName('value') ?? x) : x, state, bit),
            )
          );
        }
        return false;
      }
      case 'string':
        return namedArgs(node).every((c) => nodeType(c) !== 'interpolation' || this.#proved(namedArgs(c)[0] as SyntaxNode, state, bit));
      case 'binary_operator':
      case 'parenthesized_expression':
      case 'concatenated_string':
      case 'tuple':
      case 'list':
        return namedArgs(node).every((c) => this.#proved(c, state, bit));
      case 'conditional_expression':
        return namedArgs(node).every((c, i) => i === 1 || this.#proved(c, state, bit));
      case 'list_comprehension':
      case 'set_comprehension':
      case 'generator_expression': {
        // the body is proved with each loop variable proved when its iterable is
        const s = fork(state);
        for (const clause of namedArgs(node)) {
          if (nodeType(clause) !== 'for_in_clause') continue;
          const right = clause.childForFieldName('right');
          const ok = right ? this.#proved(right, s, bit) : false;
          for (const name of targets(clause.childForFieldName('left'))) {
            if (ok) s.clean.add(name);
            else s.clean.delete(name);
          }
        }
        const body = node.childForFieldName('body') ?? namedArgs(node)[0];
        return body ? this.#proved(body, s, bit) : false;
      }
      case 'subscript': {
        const v = node.childForFieldName('value');
        return v ? this.#proved(v, state, bit) && isConstant(v) : false;
      }
      default:
        return isConstant(node);
    }
  }

  /** The flows of an expression under `state`. */
  eval(node: SyntaxNode, state: State): Taint {
    const src = nodeType(node) === 'attribute' || nodeType(node) === 'call' ? sourceOf(node, traitsOf(this.code)) : undefined;
    if (src) {
      const checked = state.checked.get(node.text) ?? 0;
      const document = src.kind === 'request' && JSON_LABEL.test(src.label);
      return [{ source: src, via: [], safe: checked, composed: false, prefix: '', document }];
    }
    switch (nodeType(node)) {
      case 'identifier':
        return state.clean.has(node.text) ? NO : (state.vars.get(node.text) ?? NO);
      case 'attribute': {
        const own = state.vars.get(node.text);
        if (own) return own;
        if (state.clean.has(node.text)) return NO;
        const obj = node.childForFieldName('object');
        const attr = node.childForFieldName('attribute')?.text ?? '';
        if (!obj) return NO;
        if (/^(method|status_code|ok|encoding|status|user|is_authenticated|id|pk|session)$/.test(attr)) return NO;
        const t = this.eval(obj, state);
        return /^(filename|name|path|url|host|netloc|text|content)$/.test(attr) ? map(t, (f) => ({ ...f, document: false })) : t;
      }
      case 'subscript': {
        const checked = state.checked.get(node.text) ?? 0;
        const own = state.vars.get(node.text);
        if (own) return own;
        const v = node.childForFieldName('value');
        const t = v ? this.eval(v, state) : NO;
        return checked ? sanitise(t, checked) : t;
      }
      case 'string': {
        let t: Taint = NO;
        let prefix = '';
        for (const c of namedArgs(node)) {
          if (nodeType(c) === 'interpolation') {
            const e = c.childForFieldName('expression') ?? namedArgs(c)[0];
            if (e) t = union(t, compose(this.eval(e, state), prefix));
            prefix += '{}';
          } else if (nodeType(c) === 'string_content' || nodeType(c) === 'escape_sequence') prefix += c.text;
        }
        return t;
      }
      case 'concatenated_string': {
        let t: Taint = NO;
        let prefix = '';
        for (const c of namedArgs(node)) {
          t = union(t, compose(this.eval(c, state), prefix));
          prefix += literalText(c) ?? '{}';
        }
        return t;
      }
      case 'binary_operator': {
        const op = node.child(1)?.text;
        const left = node.childForFieldName('left');
        const right = node.childForFieldName('right');
        if (!left || !right) return NO;
        if (op === '%') {
          const fmt = literalText(left) ?? '';
          const prefix = fmt.slice(0, Math.max(0, fmt.search(/%[^%]/)));
          return union(compose(this.eval(left, state), ''), compose(this.eval(right, state), prefix));
        }
        if (op === '+' || op === '/') {
          return union(compose(this.eval(left, state), ''), compose(this.eval(right, state), stringPrefix(left)));
        }
        return NO;
      }
      case 'call':
        return this.#call(node, state);
      case 'keyword_argument': {
        const v = node.childForFieldName('value');
        return v ? this.eval(v, state) : NO;
      }
      case 'parenthesized_expression':
      case 'await':
      case 'list_splat':
      case 'dictionary_splat':
      case 'expression_list':
      case 'tuple':
      case 'list':
      case 'set':
      case 'pair': {
        let t: Taint = NO;
        for (const c of namedArgs(node)) t = union(t, this.eval(c, state));
        return t;
      }
      case 'dictionary': {
        // a value under `$where` (or a JSON value that may itself be an operator document) can inject query operators
        let t: Taint = NO;
        for (const c of namedArgs(node)) {
          const key = nodeType(c) === 'pair' ? literalText(c.childForFieldName('key')) : undefined;
          const value = nodeType(c) === 'pair' ? c.childForFieldName('value') : c;
          if (!value) continue;
          const vt = this.eval(value, state);
          t = union(
            t,
            key !== undefined && /^\$(where|function|accumulator|expr)$/.test(key) ? map(vt, (f) => ({ ...f, document: true })) : vt,
          );
        }
        return t;
      }
      case 'conditional_expression': {
        const [cons, cond, alt] = namedArgs(node);
        const s = fork(state);
        if (cond) this.#apply(cond, true, s);
        return union(cons ? this.eval(cons, s) : NO, alt ? this.eval(alt, state) : NO);
      }
      case 'boolean_operator':
        return union(
          this.eval(node.childForFieldName('left') as SyntaxNode, state),
          this.eval(node.childForFieldName('right') as SyntaxNode, state),
        );
      case 'list_comprehension':
      case 'set_comprehension':
      case 'generator_expression':
      case 'dictionary_comprehension': {
        const s = fork(state);
        for (const clause of namedArgs(node)) {
          if (nodeType(clause) === 'for_in_clause') {
            const right = clause.childForFieldName('right');
            this.#bind(clause.childForFieldName('left'), right ? this.eval(right, s) : NO, s, clause, false);
          } else if (nodeType(clause) === 'if_clause') {
            const c = namedArgs(clause)[0];
            if (c) this.#apply(c, true, s);
          }
        }
        const body = node.childForFieldName('body') ?? namedArgs(node)[0];
        return body ? this.eval(body, s) : NO;
      }
      default:
        return NO;
    }
  }

  #call(node: SyntaxNode, state: State): Taint {
    const fnNode = node.childForFieldName('function');
    const fn = fnNode?.text ?? '';
    if (cleanCall(node, fn)) return NO;
    const args = node.childForFieldName('arguments');
    // a sanitiser is credited by the name the callee resolves to, never by an alias of something else
    const san = sanitiserOf(node, fn, this.code);
    if (san) return sanitise(this.#argsTaint(node, state), san[1]);
    if (fnNode?.type === 'attribute') {
      const obj = fnNode.childForFieldName('object') as SyntaxNode;
      const method = fnNode.childForFieldName('attribute')?.text ?? '';
      if (/^(os\.path|posixpath|ntpath|urllib\.parse|parse|shlex|html|json|base64|re|codecs)$/.test(obj.text)) {
        if (PROPAGATE.test(fn) || /^urllib\.parse\./.test(fn)) {
          if (/^os\.path\.join$|^posixpath\.join$/.test(fn)) {
            let t: Taint = NO;
            let prefix = '';
            for (const a of positional(args)) {
              t = union(t, compose(this.eval(a, state), prefix));
              prefix += `${literalText(a) ?? '{}'}/`;
            }
            return t;
          }
          const t = this.#argsTaint(node, state);
          return /loads$/.test(fn) ? map(t, (f) => ({ ...f, document: true })) : t;
        }
        if (fn === 're.sub') return this.eval(argument(node, 2) as SyntaxNode, state);
        return NO;
      }
      if (method === 'replace') {
        const from = literalText(argument(node, 0)) ?? '';
        const base = this.eval(obj, state);
        const arg = compose(this.eval(argument(node, 1) as SyntaxNode, state), stringPrefix(obj));
        const bits = /\\n|\\r|\n|\r/.test(from)
          ? SINK.log | SINK.header
          : /\.\.|\//.test(from)
            ? SINK.path
            : /[<>&]/.test(from)
              ? SINK.html
              : 0;
        return union(sanitise(base, bits), arg);
      }
      if (method === 'format') {
        const fmt = literalText(obj) ?? '';
        const prefix = fmt.slice(0, Math.max(0, fmt.indexOf('{')));
        return union(this.eval(obj, state), compose(this.#argsTaint(node, state), prefix));
      }
      if (method === 'join') {
        const sep = literalText(obj);
        const t = compose(this.#argsTaint(node, state), '');
        return sep !== undefined ? t : union(t, this.eval(obj, state));
      }
      if (/^(get|pop|getlist|getall|get_all|getone|setdefault|items|values|keys|copy)$/.test(method)) return this.eval(obj, state);
      if (IO_METHOD.test(method) && !this.eval(obj, state).length) {
        return [{ source: { kind: 'io', node, label: `${fn}()` }, via: [], safe: 0, composed: false, prefix: '', document: false }];
      }
      if (/^(json|get_json)$/.test(method)) return map(this.eval(obj, state), (f) => ({ ...f, document: true }));
      // a method of a tainted value (str methods, decode, strip, ...) returns tainted data
      const t = this.eval(obj, state);
      if (t.length) return t;
      if (
        /^(encode|decode|strip|lstrip|rstrip|lower|upper|title|split|rsplit|splitlines|partition|rpartition|format_map|capitalize|casefold|zfill|ljust|rjust|center|removeprefix|removesuffix|expandtabs|translate|resolve|absolute|joinpath|with_name|with_suffix|expanduser|as_posix|__str__|text)$/.test(
          method,
        )
      )
        return this.#argsTaint(node, state);
      return NO;
    }
    if (PROPAGATE.test(fn)) {
      const t = this.#argsTaint(node, state);
      if (/loads$/.test(fn)) return map(t, (f) => ({ ...f, document: true }));
      return /^(str|repr|format|bytes)$/.test(fn) ? map(t, (f) => ({ ...f, document: false })) : t;
    }
    // a function of the file's own that neither checks nor transforms its input passes it through,
    // so wrapping a value in `def wrap(s): return s` (or a look-alike of a sanitiser's name) hides nothing
    if (fnNode?.type === 'identifier' && fileNames(this.code).local.has(fn) && !checksInput(node, fn)) return this.#argsTaint(node, state);
    return NO;
  }
}

/** Whether the file's own function `name` visibly checks or converts what it is given (a guard, a sanitiser, a conversion). */
function checksInput(at: SyntaxNode, name: string): boolean {
  const def = at.tree.rootNode
    .descendantsOfType(['function_definition', 'class_definition'])
    .find((d) => d.childForFieldName('name')?.text === name);
  if (!def) return true; // a lambda or an assigned callable: left as an unknown call
  if (nodeType(def) === 'class_definition') return true;
  const body = def.childForFieldName('body')?.text ?? '';
  return /\b(raise|abort|assert)\b|\bnot in\b|\bin\s+[A-Z_]|escape|quote|basename|realpath|abspath|normpath|commonpath|relative_to|secure_filename|safe_join|\b(int|float)\(|fullmatch|re\.match|isdigit|isalnum|isidentifier|startswith|urlparse|netloc/.test(
    body,
  );
}

function stringPrefix(node: SyntaxNode): string {
  const lit = literalText(node);
  if (lit !== undefined) return lit;
  if (nodeType(node) === 'binary_operator') {
    const l = node.childForFieldName('left');
    const r = node.childForFieldName('right');
    return (l ? stringPrefix(l) : '') + (r ? stringPrefix(r) : '');
  }
  if (nodeType(node) === 'string') {
    return namedArgs(node)
      .map((c) => (nodeType(c) === 'interpolation' ? '{}' : nodeType(c) === 'string_content' ? c.text : ''))
      .join('');
  }
  return '{}';
}

/** Whether a value is a string built by formatting (`%`, `+`, f-string, `.format`) rather than a plain literal or name. */
function composedString(node: SyntaxNode): boolean {
  switch (nodeType(node)) {
    case 'string':
      return node.namedChildren.some((c) => nodeType(c) === 'interpolation');
    case 'binary_operator':
      return /^[%+]$/.test(node.child(1)?.text ?? '') && !isConstant(node);
    case 'call':
      return (
        /\.(format|join|replace)$/.test(node.childForFieldName('function')?.text ?? '') && !isConstant(node.childForFieldName('arguments'))
      );
    case 'parenthesized_expression':
      return namedArgs(node).some(composedString);
    default:
      return false;
  }
}

function htmlLiteral(value: SyntaxNode): boolean {
  const strings = nodeType(value) === 'string' ? [value, ...value.descendantsOfType('string')] : value.descendantsOfType('string');
  return strings.some((s) => /<[a-zA-Z/!]/.test(s.text));
}

function derivedFrom(right: SyntaxNode): string | undefined {
  let n: SyntaxNode | null | undefined = right;
  for (let i = 0; i < 4 && n?.type === 'call'; i++) {
    const fn = n.childForFieldName('function');
    const text = fn?.text ?? '';
    if (
      /^(os\.path\.(realpath|abspath|normpath)|urlparse|urlsplit|urllib\.parse\.(urlparse|urlsplit)|parse\.(urlparse|urlsplit)|Path|pathlib\.Path|str)$/.test(
        text,
      )
    )
      n = positional(n.childForFieldName('arguments'))[0];
    else if (fn?.type === 'attribute' && /^(resolve|absolute|lower|strip)$/.test(fn.childForFieldName('attribute')?.text ?? ''))
      n = fn.childForFieldName('object');
    else return undefined;
  }
  return n && n !== right && (nodeType(n) === 'identifier' || nodeType(n) === 'attribute') ? n.text : undefined;
}

function insideLambda(call: SyntaxNode, top: SyntaxNode): boolean {
  for (let p = call.parent; p && p !== top; p = p.parent) if (nodeType(p) === 'lambda') return true;
  return false;
}

function fork(s: State): State {
  return { vars: new Map(s.vars), clean: new Set(s.clean), derived: s.derived, checked: new Map(s.checked) };
}

function merge(into: State, branches: readonly State[]): void {
  const vars = new Map<string, Taint>();
  const clean = new Set<string>();
  for (const b of branches) for (const [k, v] of b.vars) vars.set(k, union(vars.get(k) ?? NO, v));
  const [firstBranch, ...others] = branches;
  if (firstBranch) for (const k of firstBranch.clean) if (others.every((o) => o.clean.has(k)) && !vars.has(k)) clean.add(k);
  const checked = new Map<string, number>();
  if (firstBranch)
    for (const [k, v] of firstBranch.checked)
      checked.set(
        k,
        others.reduce((bits, o) => bits & (o.checked.get(k) ?? 0), v),
      );
  into.vars = vars;
  into.clean = clean;
  into.checked = checked;
}

/** Whether a function is a web route handler: a route decorator, or a Django-style view taking `request`. */
export function isRouteHandler(fn: SyntaxNode): boolean {
  if (nodeType(fn) !== 'function_definition') return false;
  const deco = fn.parent?.type === 'decorated_definition' ? fn.parent : null;
  if (!deco) return false;
  return namedArgs(deco).some(
    (d) =>
      nodeType(d) === 'decorator' &&
      /^@\s*[\w.]*\.(route|get|post|put|delete|patch|api_route|websocket)\s*\(|^@\s*(route|get|post|put|delete|api_view|require_http_methods|require_GET|require_POST|csrf_exempt|login_required|app\.\w+)\b/.test(
        d.text,
      ),
  );
}

// --- entry points ---------------------------------------------------------------------------------

const SCOPES = new Set(['function_definition', 'module']);
let cacheCode = '';
let cache = new Map<number, ScopeResult>();

/** The function (or module) whose body holds `node`. */
export function scopeOf(node: SyntaxNode): SyntaxNode {
  let cur: SyntaxNode | null = node.parent;
  while (cur && !SCOPES.has(nodeType(cur))) cur = cur.parent;
  return cur ?? node.tree.rootNode;
}

/** The sink hits of one scope, computed once per source text and scope. */
export function scopeHits(code: string, scope: SyntaxNode): readonly SinkHit[] {
  return scopeResult(code, scope).hits;
}

function scopeResult(code: string, scope: SyntaxNode): ScopeResult {
  if (code !== cacheCode) {
    cacheCode = code;
    cache = new Map();
  }
  let r = cache.get(scope.startIndex);
  if (!r) {
    r = new Walker(code, scope).run();
    cache.set(scope.startIndex, r);
  }
  return r;
}

/**
 * A value whose flows are none and which is constant, whatever the walk's state: a string with no
 * interpolation, a number, a boolean, `None`, and concatenations of such strings.
 */
function inert(node: SyntaxNode | undefined): boolean {
  if (!node) return true;
  switch (nodeType(node)) {
    case 'string':
      return !node.namedChildren.some((c) => nodeType(c) === 'interpolation');
    case 'integer':
    case 'float':
    case 'true':
    case 'false':
    case 'none':
      return true;
    case 'concatenated_string':
      return namedArgs(node).every(inert);
    default:
      return false;
  }
}

/**
 * Whether the walk of `node`'s scope can record a hit of `rule` at `node`, told from the node alone: a call
 * only when the sink table gives it to `rule` and one of the values checked there is not inert (an inert value
 * carries no flow and is constant, so neither a flow nor an unknown value reaches the sink), a `return` only for
 * XSS and when its value is not inert. A `false` saves walking a scope (the walk would record nothing here).
 */
function mayHit(code: string, node: SyntaxNode, rule: string): boolean {
  switch (nodeType(node)) {
    case 'call': {
      const { fn, spec } = sinkAt(node, code);
      return spec !== undefined && spec.rule === rule && spec.values(node, fn).some((v) => !inert(v));
    }
    case 'return_statement': {
      if (rule !== 'python.xss') return false;
      const returned = namedArgs(node)[0];
      if (!returned) return false;
      const value =
        nodeType(returned) === 'tuple' || nodeType(returned) === 'expression_list' ? (namedArgs(returned)[0] ?? returned) : returned;
      return !inert(value);
    }
    default:
      return true;
  }
}

/** The hit of `rule` reported at `node`, if the taint walk of its scope met one. */
export function hitAt(code: string, node: SyntaxNode, rule: string): SinkHit | undefined {
  if (!mayHit(code, node, rule)) return undefined;
  const r = scopeResult(code, scopeOf(node));
  if (r.hits.length === 0) return undefined;
  if (!r.byKey) {
    r.byKey = new Map();
    for (const h of r.hits) {
      const key = `${h.rule}:${h.node.startIndex}:${h.node.endIndex}`;
      if (!r.byKey.has(key)) r.byKey.set(key, h);
    }
  }
  return r.byKey.get(`${rule}:${node.startIndex}:${node.endIndex}`);
}

function toStep(step: { node: SyntaxNode; message: string }): FlowStep {
  const { node, message } = step;
  return {
    range: { start: node.startIndex, end: node.endIndex },
    lines: { start: node.startPosition.row + 1, end: node.endPosition.row + 1 },
    message,
  };
}

const RULE_WHAT: Record<string, string> = {
  'python.os-command': 'command injection',
  'python.os-command-imported': 'command injection',
  'python.subprocess-shell': 'command injection',
  'python.command-string': 'command injection',
  'python.eval': 'code injection',
  'python.dynamic-import': 'code injection',
  'python.template-injection': 'server-side template injection',
  'python.sql-format': 'SQL injection',
  'python.sql-query-call': 'SQL injection',
  'python.path-traversal': 'path traversal',
  'python.open-redirect': 'open redirect',
  'python.ssrf': 'server-side request forgery',
  'python.ldap-injection': 'LDAP injection',
  'python.xpath-injection': 'XPath injection',
  'python.nosql-injection': 'NoSQL injection',
  'python.header-injection': 'HTTP header injection',
  'python.log-injection': 'log injection',
  'python.regex-injection': 'regular expression injection',
  'python.xss': 'cross-site scripting',
};

/** A message naming the source and the sink of a hit's first flow. */
export function describeHit(hit: SinkHit): string | undefined {
  const f = hit.flows[0];
  if (!f) return undefined;
  return `${f.source.label} (line ${f.source.node.startPosition.row + 1}) reaches ${hit.sink} unsanitised: ${RULE_WHAT[hit.rule] ?? 'a dangerous sink'}.`;
}

/** The source-to-sink steps of a hit's first flow, as `Finding.flow` holds them. */
export function flowSteps(hit: SinkHit): (RuleFlowStep & { node: SyntaxNode })[] | undefined {
  const f = hit.flows[0];
  if (!f) return undefined;
  return [
    { node: f.source.node, message: `${f.source.label} read` },
    ...f.via.map((n) => ({ node: n, message: `assigned: ${n.text.split('\n')[0]?.slice(0, 80)}` })),
    { node: hit.node, message: `passed to ${hit.sink}` },
  ];
}

/**
 * Every taint finding of a Python source with its flow (source first, sink last) and a message naming
 * both: what the engine copies into `Finding.flow` and `Finding.message` for the rules' findings
 * at the same range.
 */
export function pythonTaintFlows(code: string): TaintFlowReport[] {
  const root = parse(code, 'python').rootNode;
  const out: TaintFlowReport[] = [];
  for (const scope of [root, ...root.descendantsOfType('function_definition')]) {
    for (const hit of scopeHits(code, scope)) {
      const flow = flowSteps(hit)?.map(toStep);
      const message = describeHit(hit);
      if (flow && message) out.push({ ruleId: hit.rule, range: { start: hit.node.startIndex, end: hit.node.endIndex }, message, flow });
    }
  }
  return out;
}
