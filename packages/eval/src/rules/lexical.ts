import type { Language, Severity } from '@srcode/dataset';

/** Where a lexical rule matched, in the comment-free code it was given. */
export interface LexicalMatch {
  /** UTF-16 offset of the match. */
  index: number;
  /** Length of the match in UTF-16 units. */
  length: number;
  /** What the match is about (a called function, a variable name), for the finding's message. */
  subject: string;
}

/** One lexical check of `LexicalAnalyzer`: regular expressions over comment-free code, no parse. */
export interface LexicalRule {
  /** Stable rule id written into findings, e.g. `c-unsafe-copy`. */
  id: string;
  /** `CWE-<n>`. */
  cwe: string;
  /** Severity written into findings. */
  severity: Severity;
  /** Languages the rule runs on. */
  languages: readonly Language[];
  /** The finding's message for a match's subject. */
  describe: (subject: string) => string;
  /** The matches in comment-free code (comments blanked, offsets kept), each with a stable subject. */
  find: (code: string) => LexicalMatch[];
}

const C: readonly Language[] = ['c', 'cpp'];
const PY: readonly Language[] = ['python'];
const JS: readonly Language[] = ['javascript', 'typescript'];

const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function matches(re: RegExp, group = 0) {
  return (code: string) =>
    [...code.matchAll(re)].map((m) => ({
      index: m.index,
      length: m[0].length,
      subject: group ? (m[group] ?? m.slice(1).find((g) => g !== undefined) ?? m[0]) : m[0],
    }));
}

/** Matches of `re` whose subject (group 1) never appears in a `guard` built from it. */
function unguarded(re: RegExp, guard: (name: string) => RegExp, skip: RegExp = /^$/) {
  return (code: string) => {
    const out: LexicalMatch[] = [];
    const cache = new Map<string, boolean>();
    for (const m of code.matchAll(re)) {
      const name = m[1];
      if (!name || skip.test(name)) continue;
      let guarded = cache.get(name);
      if (guarded === undefined) {
        guarded = guard(esc(name)).test(code);
        cache.set(name, guarded);
      }
      if (!guarded) out.push({ index: m.index, length: m[0].length, subject: name });
    }
    return out;
  };
}

/** All matches of `re`, but only when the function has none of the `safe` tokens. */
function unlessAny(re: RegExp, safe: RegExp) {
  return (code: string) => (safe.test(code) ? [] : matches(re)(code));
}

const C_KEYWORDS = /^(?:if|for|while|switch|return|sizeof|case|this|else|do)$/;
const COMPARED = (n: string) =>
  new RegExp(
    `\\b${n}\\s*(?:<=?|>=?(?!>)|==|!=)(?!<)|(?<![<>-])(?:<=?|>=?|==|!=)\\s*${n}\\b|\\b(?:min|max|MIN|MAX|min_t|clamp)\\s*\\([^;]*\\b${n}\\b`,
  );

/**
 * The lexical rules, for the weaknesses of the fix-commit data in C, C++, Python, JavaScript,
 * TypeScript, Java, Go and Ruby: unbounded copies, shell commands, format strings, unchecked
 * dereferences / indices / lengths, allocation arithmetic, use after free, `shell=True`, `yaml.load`,
 * deserialisation, SQL and HTML built by formatting, unnormalised paths, weak hashes, `Math.random`,
 * dynamic evaluation.
 */
export const LEXICAL_RULES: readonly LexicalRule[] = [
  {
    id: 'c-unsafe-copy',
    cwe: 'CWE-120',
    severity: 'high',
    languages: C,
    describe: (s) => `unbounded copy with ${s}()`,
    find: matches(/\b(strcpy|strcat|wcscpy|wcscat|gets|sprintf|vsprintf)\s*\(/g, 1),
  },
  {
    id: 'c-command',
    cwe: 'CWE-78',
    severity: 'high',
    languages: C,
    describe: (s) => `shell command through ${s}()`,
    find: matches(/\b(system|popen|execlp|execvp)\s*\(/g, 1),
  },
  {
    id: 'c-format-string',
    cwe: 'CWE-134',
    severity: 'high',
    languages: C,
    describe: (s) => `non-literal format string in ${s}()`,
    find: matches(
      /\b(?:(printf)\s*\(|(syslog)\s*\(\s*\w+\s*,|(fprintf)\s*\(\s*[\w>.-]+\s*,|(snprintf)\s*\([^,;]+,[^,;]+,)\s*(?!")[A-Za-z_][\w>.-]*\s*\)/g,
      1,
    ),
  },
  {
    id: 'c-unchecked-deref',
    cwe: 'CWE-476',
    severity: 'medium',
    languages: C,
    describe: (s) => `${s} is dereferenced but never checked against NULL`,
    find: unguarded(
      /\b([A-Za-z_]\w*)\s*->/g,
      (n) =>
        new RegExp(
          `!\\s*${n}\\b(?!\\s*(?:->|\\.|\\[))|\\b${n}\\s*[!=]=\\s*(?:NULL|0|nullptr)\\b|\\b(?:NULL|nullptr)\\s*[!=]=\\s*${n}\\b|\\(\\s*${n}\\s*(?:&&|\\|\\||\\)|\\?)|(?:&&|\\|\\|)\\s*${n}\\s*(?:&&|\\|\\||\\))|IS_ERR(?:_OR_NULL)?\\s*\\(\\s*${n}\\s*\\)`,
        ),
      C_KEYWORDS,
    ),
  },
  {
    id: 'c-unchecked-index',
    cwe: 'CWE-787',
    severity: 'medium',
    languages: C,
    describe: (s) => `index ${s} is never compared with a bound`,
    find: unguarded(/\b[A-Za-z_][\w>.-]*\s*\[\s*([a-z_]\w*)\s*\]/g, COMPARED, C_KEYWORDS),
  },
  {
    id: 'c-unchecked-length',
    cwe: 'CWE-787',
    severity: 'medium',
    languages: C,
    describe: (s) => `length ${s} of a memory copy is never compared with a bound`,
    find: unguarded(
      /\b(?:memcpy|memmove|strncpy|strncat|memset|fread|recv|read)\s*\([^;]*?,\s*([a-z_]\w*)\s*\)\s*;/g,
      COMPARED,
      C_KEYWORDS,
    ),
  },
  {
    id: 'c-alloc-arithmetic',
    cwe: 'CWE-190',
    severity: 'medium',
    languages: C,
    describe: (s) => `allocation size computed with unchecked arithmetic: ${s.replace(/\s+/g, ' ')}`,
    find: unlessAny(
      /\b(?:malloc|realloc|alloca|kmalloc|kzalloc|xmalloc|g_malloc|av_malloc)\s*\([^;]*?[a-z_]\w*\s*[*+]\s*[\w(][^;]*?\)/g,
      /SIZE_MAX|INT_MAX|UINT_MAX|LONG_MAX|overflow|check_mul|check_add|__builtin_\w+_overflow|av_size_mult/,
    ),
  },
  {
    id: 'c-use-after-free',
    cwe: 'CWE-416',
    severity: 'high',
    languages: C,
    describe: (s) => `${s} is used after being freed`,
    find: (code) => {
      const out: LexicalMatch[] = [];
      for (const m of code.matchAll(/\b(?:free|kfree|g_free|av_free|xfree|av_freep)\s*\(\s*&?([A-Za-z_][\w>.-]*?)\s*\)\s*;/g)) {
        const name = m[1] ?? '';
        const rest = code.slice(m.index + m[0].length);
        const n = esc(name);
        if (new RegExp(`^\\s*${n}\\s*=`).test(rest)) continue;
        const next = new RegExp(`(?<![\\w>.])${n}\\b(?!\\s*=[^=])`).exec(rest);
        const reassigned = new RegExp(`(?<![\\w>.])${n}\\s*=[^=]`).exec(rest);
        if (next && (!reassigned || next.index < reassigned.index)) out.push({ index: m.index, length: m[0].length, subject: name });
      }
      return out;
    },
  },
  {
    id: 'py-shell-true',
    cwe: 'CWE-78',
    severity: 'high',
    languages: PY,
    describe: () => 'subprocess call with shell=True',
    find: matches(/\bshell\s*=\s*True\b/g),
  },
  {
    id: 'py-os-command',
    cwe: 'CWE-78',
    severity: 'high',
    languages: PY,
    describe: (s) => `shell command through ${s}`,
    find: matches(
      /\b(os\.system|os\.popen|commands\.getoutput|commands\.getstatusoutput|subprocess\.getoutput|subprocess\.getstatusoutput)\s*\(/g,
      1,
    ),
  },
  {
    id: 'py-yaml-load',
    cwe: 'CWE-502',
    severity: 'medium',
    languages: PY,
    describe: () => 'yaml.load without a safe loader',
    find: matches(/\byaml\.(?:unsafe_)?load(?:_all)?\s*\((?![^)]*(?:SafeLoader|CSafeLoader|BaseLoader))/g),
  },
  {
    id: 'py-deserialise',
    cwe: 'CWE-502',
    severity: 'medium',
    languages: PY,
    describe: (s) => `deserialisation with ${s}`,
    find: matches(/\b((?:c?[Pp]ickle|dill|marshal|jsonpickle|shelve)\.(?:loads?|decode|open)|Unpickler)\s*\(/g, 1),
  },
  {
    id: 'py-sql-format',
    cwe: 'CWE-89',
    severity: 'high',
    languages: PY,
    describe: () => 'SQL text built by string formatting',
    find: matches(
      /(?:["'][^"'\n]*\b(?:SELECT|INSERT|UPDATE|DELETE|WHERE|FROM|VALUES|ORDER BY)\b[^"'\n]*["']\s*(?:%|\.format\s*\(|\+)|\bf["'][^"'\n]*\b(?:SELECT|INSERT|UPDATE|DELETE|WHERE|FROM|VALUES)\b[^"'\n]*\{|\.(?:execute|executemany|raw)\s*\(\s*[A-Za-z_][\w.]*\s*(?:%|\+))/gi,
    ),
  },
  {
    id: 'py-path-unchecked',
    cwe: 'CWE-22',
    severity: 'medium',
    languages: PY,
    describe: (s) => `file path used in ${s.replace(/\s*\($/, '')} without normalisation`,
    find: unlessAny(
      /\b(?:open|send_file|send_from_directory|os\.path\.join|os\.remove|os\.unlink|os\.makedirs|shutil\.\w+|tarfile\.open|zipfile\.ZipFile|extractall)\s*\(/g,
      /realpath|abspath|normpath|secure_filename|safe_join|commonpath|commonprefix|\.startswith\s*\(|["']\.\.["']|os\.sep|is_relative_to|resolve\s*\(/,
    ),
  },
  {
    id: 'py-html-format',
    cwe: 'CWE-79',
    severity: 'medium',
    languages: PY,
    describe: () => 'HTML built by string formatting without escaping',
    find: unlessAny(
      /["'][^"'\n]*<[a-zA-Z/][^"'\n]*["']\s*(?:%|\.format\s*\(|\+)|\bf["'][^"'\n]*<[a-zA-Z/][^"'\n]*\{|\bmark_safe\s*\(|\bMarkup\s*\(|\|\s*safe\b|render_template_string\s*\(/g,
      /\bescape\s*\(|\bbleach\.|\bsanitize|\bquote\s*\(|conditional_escape|format_html|xml\.sax\.saxutils/,
    ),
  },
  {
    id: 'py-eval',
    cwe: 'CWE-95',
    severity: 'high',
    languages: PY,
    describe: (s) => `dynamic evaluation with ${s}()`,
    find: matches(/(?<![\w.])(eval|exec|execfile)\s*\(/g, 1),
  },
  {
    id: 'py-insecure-temp',
    cwe: 'CWE-377',
    severity: 'medium',
    languages: PY,
    describe: () => 'predictable temporary file name',
    find: matches(/\btempfile\.mktemp\s*\(|["']\/tmp\/[^"']*["']/g),
  },
  {
    id: 'weak-hash',
    cwe: 'CWE-327',
    severity: 'low',
    languages: [...PY, ...JS, 'ruby', 'go', 'java'],
    describe: (s) => `weak hash or cipher ${s}`,
    find: matches(/\b(md5|MD5|sha1|SHA1|DES|RC4|ECB)\b/g, 1),
  },
  {
    id: 'js-insecure-random',
    cwe: 'CWE-338',
    severity: 'medium',
    languages: JS,
    describe: () => 'Math.random used for a value',
    find: matches(/\bMath\.random\s*\(/g),
  },
  {
    id: 'js-html-sink',
    cwe: 'CWE-79',
    severity: 'medium',
    languages: JS,
    describe: (s) => `unescaped HTML sink ${s}`,
    find: matches(/\b(innerHTML|outerHTML|document\.write|insertAdjacentHTML|dangerouslySetInnerHTML|v-html|\$\(\s*[^)'"]+\)\.html)\b/g, 1),
  },
  {
    id: 'js-command',
    cwe: 'CWE-78',
    severity: 'high',
    languages: JS,
    describe: (s) => `shell command through ${s}()`,
    find: matches(/\b(exec|execSync)\s*\(\s*(?:`[^`]*\$\{|[^,)]*\+)/g, 1),
  },
  {
    id: 'dynamic-eval',
    cwe: 'CWE-95',
    severity: 'high',
    languages: [...JS, 'ruby'],
    describe: (s) => `dynamic evaluation with ${s}`,
    find: matches(/(?<![\w.])(eval|new Function|instance_eval|class_eval)\s*[( ]/g, 1),
  },
  {
    id: 'rb-command',
    cwe: 'CWE-78',
    severity: 'high',
    languages: ['ruby'],
    describe: () => 'shell command with interpolation',
    find: matches(/`[^`]*#\{|\b(?:system|exec|spawn|IO\.popen|Open3\.\w+)\s*\(?\s*"[^"]*#\{/g),
  },
  {
    id: 'rb-html-safe',
    cwe: 'CWE-79',
    severity: 'medium',
    languages: ['ruby'],
    describe: (s) => `output marked safe with ${s}`,
    find: matches(/\.(html_safe)\b|\b(raw)\s*\(/g, 1),
  },
  {
    id: 'deserialise',
    cwe: 'CWE-502',
    severity: 'medium',
    languages: ['ruby', 'java'],
    describe: (s) => `unsafe deserialisation with ${s}`,
    find: matches(/\b(YAML\.load|Marshal\.load|ObjectInputStream|XMLDecoder|readObject)\b(?!_)/g, 1),
  },
  {
    id: 'sql-concat',
    cwe: 'CWE-89',
    severity: 'high',
    languages: ['java', 'go', 'ruby', ...JS],
    describe: () => 'SQL text built by concatenation or formatting',
    find: matches(/["'`][^"'`\n]*\b(?:SELECT|INSERT|UPDATE|DELETE|WHERE)\b[^"'`\n]*(?:["'`]\s*\+|\$\{|#\{|%[sdv])/gi),
  },
  {
    id: 'go-command',
    cwe: 'CWE-78',
    severity: 'high',
    languages: ['go', 'java'],
    describe: (s) => `command execution through ${s}`,
    find: matches(/\b(exec\.Command|Runtime\.getRuntime\(\)\.exec|ProcessBuilder)\s*\(/g, 1),
  },
  {
    id: 'path-unchecked',
    cwe: 'CWE-22',
    severity: 'medium',
    languages: ['go', 'java', ...JS, 'ruby'],
    describe: (s) => `file path built with ${s} without normalisation`,
    find: unlessAny(
      /\b(filepath\.Join|path\.Join|path\.join|Paths\.get|new File|File\.join|File\.open|fs\.\w+File\w*)\s*\(/g,
      /Clean|normalize|realpath|resolve|startsWith|HasPrefix|start_with|\.\./,
    ),
  },
];
