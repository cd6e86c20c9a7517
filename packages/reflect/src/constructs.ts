import type { Language } from '@srcode/dataset';
import { languageHints } from './languages.js';
import { isRiskyRegex } from './regex-risk.js';

/**
 * A construct a fix takes away or puts in: an unsafe one (verification off, a shell, a string-built query,
 * a non-literal format, a backtracking-prone pattern) or its safe replacement (a verifying context, an
 * argument vector, bound parameters, a descriptor-based call, a match limit). Each entry names the
 * languages it is written for; counting them on both sides of a pair is how the offline judge sees a fix
 * that replaces instead of adding a check.
 */
export interface Construct {
  /** Stable name, e.g. `tls-verification-off`, recorded in the judge's rationale. */
  id: string;
  /** `unsafe`: fewer of it in the fix is evidence. `safe`: more of it is. */
  side: 'unsafe' | 'safe';
  /** Languages it is written for; all when absent. */
  languages?: readonly Language[];
  /** Occurrences, matched globally on comment-free code. */
  pattern: RegExp;
  /** A safe construct that only counts where it replaces this unsafe one (a `"%s"` format, say, and not any new log line). */
  replaces?: string;
}

const C: readonly Language[] = ['c', 'cpp'];
const PY: readonly Language[] = ['python'];
const ARG = String.raw`(?:[^,()]|\([^()]*\))+`;
const NAME = String.raw`[A-Za-z_][\w.\[\]]*(?:->[\w.\[\]]+)*`;
const unsafe = (id: string, pattern: RegExp, languages?: readonly Language[]): Construct => ({
  id,
  side: 'unsafe',
  pattern,
  ...(languages ? { languages } : {}),
});
const safe = (id: string, pattern: RegExp, languages?: readonly Language[], replaces?: string): Construct => ({
  id,
  side: 'safe',
  pattern,
  ...(languages ? { languages } : {}),
  ...(replaces ? { replaces } : {}),
});

/** The constructs the offline judge counts; see {@link Construct}. */
export const CONSTRUCTS: readonly Construct[] = [
  // certificate and host verification
  unsafe(
    'tls-verification-off',
    /\bverify\s*=\s*False\b|["']verify["']\s*:\s*False\b|\bssl\s*=\s*False\b|check_hostname\s*=\s*False|assert_hostname\s*=\s*False/g,
    PY,
  ),
  unsafe('tls-cert-none', /\bCERT_(?:NONE|OPTIONAL)\b/g, PY),
  unsafe('tls-unverified-context', /_create_unverified_context\s*\(|_create_stdlib_context\s*\(|\bssl\.wrap_socket\s*\(/g, PY),
  unsafe('tls-any-host-key', /\b(?:AutoAddPolicy|WarningPolicy)\s*\(/g, PY),
  unsafe('tls-verification-off', /VERIFY_NONE\b|\bMBEDTLS_SSL_VERIFY_OPTIONAL\b|\bGNUTLS_VERIFY_DISABLE\w*/g, C),
  unsafe('tls-verification-off', /CURLOPT_SSL_VERIFYPEER\s*,\s*(?:0L?|FALSE)\b|CURLOPT_SSL_VERIFYHOST\s*,\s*[01]L?\b/g, C),
  unsafe(
    'tls-old-protocol',
    /\bPROTOCOL_(?:SSLv2|SSLv3|SSLv23|TLSv1(?:_1)?)\b|\b(?:SSLv2|SSLv3|SSLv23|TLSv1|TLSv1_1)_(?:client_|server_)?method\s*\(/g,
  ),
  safe(
    'tls-verifying-context',
    /\bcreate_default_context\s*\(|\bCERT_REQUIRED\b|check_hostname\s*=\s*True|\bverify\s*=\s*(?!False\b)[\w"']|\bPROTOCOL_TLS_CLIENT\b|\bload_(?:verify_locations|default_certs)\s*\(|\bserver_hostname\s*=|\bca_certs\s*=|\bRejectPolicy\s*\(|\bload_(?:system_)?host_keys\s*\(/g,
    PY,
  ),
  safe(
    'tls-verifying-context',
    /VERIFY_(?:PEER|REQUIRED|FAIL_IF_NO_PEER_CERT)\b|CURLOPT_SSL_VERIFYPEER\s*,\s*1L?\b|CURLOPT_SSL_VERIFYHOST\s*,\s*2L?\b|CURLOPT_CAINFO\b/g,
    C,
  ),
  safe(
    'tls-verifying-context',
    /_load_verify_locations\s*\(|\bSSL_CTX_set_default_verify_paths\s*\(|\bSSL_get_verify_result\s*\(|\bX509_V_OK\b|\bmbedtls_ssl_set_hostname\s*\(|\bgnutls_(?:session_set_verify_cert|certificate_verify_peers\d?)\s*\(/g,
    C,
  ),
  safe(
    'tls-host-check',
    /\bSSL_set1_host\s*\(|\bX509_VERIFY_PARAM_set1_host\s*\(|\bX509_check_host\s*\(|\bSSL_CTX_set_min_proto_version\s*\(|\bTLS_(?:client_|server_)?method\s*\(/g,
    C,
  ),

  // check-then-use races: an atomic or descriptor-based call instead of a check on a path
  unsafe('racy-temp-name', /\b(?:mktemp|tmpnam|tempnam)\s*\(/g),
  safe(
    'descriptor-call',
    /\bos\.f(?:stat|chmod|chown|truncate|sync)\s*\(|\bO_(?:NOFOLLOW|EXCL)\b|\bexist_ok\s*=\s*True|\bFile(?:Exists|NotFound)Error\b|\bopen\s*\([^)\n]*["'][rwa+]*x[bt+]*["']|\bdir_fd\s*=|\bfollow_symlinks\s*=\s*False|\bfcntl\.(?:flock|lockf)\s*\(|\bos\.(?:replace|fdopen)\s*\(|\bmk[sd]temp\s*\(|\bNamedTemporaryFile\s*\(/g,
    PY,
  ),
  safe(
    'descriptor-call',
    /\bf(?:stat|chmod|chown|chdir|truncate|dopen|dopendir)\s*\(|\b(?:open|fstat|unlink|rename|mkdir|faccess)at2?\s*\(|\bO_(?:NOFOLLOW|EXCL)\b|\bAT_SYMLINK_NOFOLLOW\b|\bRENAME_NOREPLACE\b|\b(?:flock|lockf)\s*\(|\bF_(?:OFD_)?SETLKW?\b|\bmk[sd]temps?\s*\(/g,
    C,
  ),

  // injection: a command or query built from strings, and what replaces it
  unsafe(
    'shell-command',
    /\bshell\s*=\s*True\b|\bos\.(?:system|popen)\s*\(|\bsubprocess\.(?:getoutput|getstatusoutput)\s*\(|\bcommands\.\w+\s*\(|(?<![\w.])(?:eval|exec)\s*\(|\bjinja2\.Environment\s*\(/g,
    PY,
  ),
  unsafe(
    'string-built-sink',
    /\b(?:execute\w*|raw|system|popen|Popen|run|call|check_call|check_output|render_template_string|from_string|Template|xpath|search\w*|eval|exec)\s*\([^;\n]*?(?:\bf["']|["']\s*\+|\+\s*["']|["']\s*%\s*[\w(]|["']\s*\.format\s*\()/g,
    PY,
  ),
  unsafe('shell-command', /\b(?:system|popen)\s*\(|\bexecl\s*\(\s*"\/bin\/sh"/g, C),
  unsafe('string-built-sink', /\b(?:sqlite3_exec|mysql_(?:real_)?query|PQexec|PQsendQuery)\s*\(/g, C),
  safe(
    'argument-vector',
    /\bshell\s*=\s*False\b|\bsubprocess\.\w+\s*\(\s*\[|\bshlex\.(?:quote|split|join)\s*\(|\bliteral_eval\s*\(|\bSandboxedEnvironment\s*\(|\bautoescape\s*=\s*True|\bselect_autoescape\s*\(|\.xpath\s*\([^)\n]*,\s*\w+\s*=|\.execute\w*\s*\([^)\n]*,\s*[[({]/g,
    PY,
  ),
  safe(
    'argument-vector',
    /\bexec[lv]p?e?\s*\(|\bposix_spawnp?\s*\(|\bsqlite3_(?:prepare\w*|bind_\w+)\s*\(|\bmysql_stmt_\w+\s*\(|\bPQ(?:execParams|prepare|execPrepared)\s*\(/g,
    C,
  ),
  safe('sanitiser', /(?<!un)(?:escape|quote|saniti[sz])\w*\s*\(|\.replace\s*\(\s*["']\\[rn]|\b(?:strspn|strcspn|strpbrk)\s*\(/g),

  // format strings: a format that came from data, made a literal
  unsafe(
    'data-as-format',
    new RegExp(
      String.raw`\b(?:printf|printk)\s*\(\s*${NAME}\s*\)|\b(?:fprintf|dprintf|sprintf|asprintf|syslog|wprintw)\s*\(${ARG},\s*${NAME}\s*\)|\b(?:snprintf)\s*\(${ARG},${ARG},\s*${NAME}\s*\)`,
      'g',
    ),
    C,
  ),
  unsafe('data-as-format', /(?<!["'\w])\b[a-z_]\w*\.format(?:_map)?\s*\(\s*\*\*/g, PY),
  safe('literal-format', /printf\s*\([^;"]*"%s"|\bsyslog\s*\([^;"]*"%s"|\bfputs\s*\(/g, C, 'data-as-format'),
  safe('literal-format', /\bsafe_substitute\s*\(/g, PY, 'data-as-format'),

  // backtracking limits on a pattern match
  safe(
    'match-limit',
    /\bpcre2?_set_(?:match|depth|recursion|heap)_limit\s*\(|\bPCRE_EXTRA_MATCH_LIMIT\w*|\bmatch_limit\w*\s*=|\bonig_set_\w*limit\w*\s*\(/g,
    C,
  ),
  safe('match-limit', /\.(?:match|search|fullmatch|sub|subn|findall|finditer|split)\s*\([^)\n]*\btimeout\s*=|\bre2\.\w+\s*\(/g, PY),
];

/** A pattern with nested or overlapping loops: a string literal that reads as one (see `isRiskyRegex`). */
export const RISKY_REGEX_ID = 'backtracking-pattern';

/** How the constructs changed between the two sides of a pair. */
export interface ConstructChange {
  /** Unsafe constructs of which the fix has fewer (one entry per construct id). */
  removedUnsafe: string[];
  /** Safe constructs of which the fix has more. */
  addedSafe: string[];
  /** Unsafe constructs of which the fix has more. */
  addedUnsafe: string[];
}

function count(code: string, pattern: RegExp): number {
  pattern.lastIndex = 0;
  let n = 0;
  while (pattern.exec(code)) n++;
  return n;
}

function riskyRegexes(code: string, language: Language): number {
  const strings = new RegExp(languageHints(language).strings.source, 'g');
  let n = 0;
  for (const m of code.matchAll(strings)) {
    const raw = /r/i.test(m[1] ?? '') || m[2] === '`';
    const body = raw ? (m[3] ?? '') : (m[3] ?? '').replace(/\\\\/g, '\\').replace(/\\(["'])/g, '$1');
    if (isRiskyRegex(body)) n++;
  }
  return n;
}

/**
 * Counts every construct of the language on both sides and reports what the fix changed. Give it the changed
 * lines of each side (comment-free): lines both sides share count the same on both, and every pattern stays
 * within a line.
 */
export function constructChange(before: string, after: string, language: Language): ConstructChange {
  const counts = new Map<string, { side: Construct['side']; replaces: string | undefined; before: number; after: number }>();
  const add = (id: string, side: Construct['side'], b: number, a: number, replaces?: string) => {
    const key = `${side}:${id}`;
    const c = counts.get(key) ?? { side, replaces, before: 0, after: 0 };
    c.before += b;
    c.after += a;
    counts.set(key, c);
  };
  for (const c of CONSTRUCTS) {
    if (c.languages && !c.languages.includes(language)) continue;
    add(c.id, c.side, count(before, c.pattern), count(after, c.pattern), c.replaces);
  }
  add(RISKY_REGEX_ID, 'unsafe', riskyRegexes(before, language), riskyRegexes(after, language));
  const change: ConstructChange = { removedUnsafe: [], addedSafe: [], addedUnsafe: [] };
  for (const [key, c] of counts) {
    const id = key.slice(key.indexOf(':') + 1);
    if (c.side === 'unsafe' && c.after < c.before) change.removedUnsafe.push(id);
    if (c.side === 'unsafe' && c.after > c.before) change.addedUnsafe.push(id);
    if (c.side === 'safe' && c.after > c.before) change.addedSafe.push(id);
  }
  // a safe construct tied to an unsafe one counts only where that one went away
  change.addedSafe = change.addedSafe.filter((id) => {
    const tied = counts.get(`safe:${id}`)?.replaces;
    return tied === undefined || change.removedUnsafe.includes(tied);
  });
  return change;
}

/** The fix replaces an unsafe construct or brings in a safe one, and brings in no unsafe one. */
export function replacesUnsafeConstruct(change: ConstructChange): boolean {
  return change.addedUnsafe.length === 0 && (change.removedUnsafe.length > 0 || change.addedSafe.length > 0);
}
