/** Short names of the weaknesses in the fix-commit data, for prompts and rationales. */
export const CWE_NAMES: Readonly<Record<string, string>> = {
  'CWE-20': 'improper input validation',
  'CWE-22': 'path traversal',
  'CWE-78': 'OS command injection',
  'CWE-79': 'cross-site scripting',
  'CWE-89': 'SQL injection',
  'CWE-116': 'improper output encoding',
  'CWE-119': 'out-of-bounds memory access',
  'CWE-120': 'classic buffer overflow',
  'CWE-125': 'out-of-bounds read',
  'CWE-134': 'externally controlled format string',
  'CWE-190': 'integer overflow',
  'CWE-200': 'information exposure',
  'CWE-295': 'improper certificate validation',
  'CWE-326': 'inadequate encryption strength',
  'CWE-327': 'broken or risky cryptography',
  'CWE-338': 'weak random number generator',
  'CWE-352': 'cross-site request forgery',
  'CWE-377': 'insecure temporary file',
  'CWE-416': 'use after free',
  'CWE-476': 'NULL pointer dereference',
  'CWE-502': 'deserialisation of untrusted data',
  'CWE-611': 'XML external entity reference',
  'CWE-676': 'dangerous function',
  'CWE-681': 'incorrect numeric conversion',
  'CWE-732': 'incorrect permission assignment',
  'CWE-787': 'out-of-bounds write',
  'CWE-915': 'mass assignment',
  'CWE-916': 'weak password hash',
};

/** `CWE-89 (SQL injection), CWE-20` for prompts and rationales; empty for no CWEs. */
export function describeCwes(cwes: readonly string[]): string {
  return cwes.map((c) => (CWE_NAMES[c] ? `${c} (${CWE_NAMES[c]})` : c)).join(', ');
}

/**
 * Tokens a fix for each weakness typically touches. The heuristic judge looks for them in the changed
 * lines; a CWE without an entry abstains from that vote.
 */
export const CWE_FIX_KEYWORDS: Readonly<Record<string, RegExp>> = {
  'CWE-22': /normpath|realpath|abspath|secure_filename|safe_join|commonpath|startswith|\.\.|os\.sep|basename|is_relative_to|Clean|resolve/,
  'CWE-78': /shell|shlex|quote|subprocess|system|popen|exec|spawn|args|escape|Popen|\[\s*["']/,
  'CWE-79': /escape|sanitiz|bleach|quote|html|Markup|safe|encode|textContent|createTextNode|strip_tags|clean/i,
  'CWE-89': /execute|params|placeholder|bind|prepare|quote|escape|%s["']\s*,|\?\s*["'`,]|cursor|sql/i,
  'CWE-116': /escape|encode|quote|sanitiz/i,
  'CWE-119': /(?<![-<>])[<>](?![<>])|len|size|sizeof|bound|limit|max|min|count|check/i,
  'CWE-120': /strn|snprintf|strlcpy|strlcat|sizeof|len|size|(?<![-<>])[<>](?![<>])/,
  'CWE-125': /(?<![-<>])[<>](?![<>])|len|size|sizeof|bound|limit|max|min|count|remaining|avail|end/i,
  'CWE-134': /"%s"|%s|printf|fputs|puts/,
  'CWE-190':
    /overflow|SIZE_MAX|INT_MAX|UINT\w*_MAX|LONG_MAX|unsigned|size_t|u?int(?:8|16|32|64)_t|(?<![-<>])[<>](?![<>])|check_|safe|\(\s*(?:size_t|uint\w*|int64_t|long)\s*\)/,
  'CWE-200': /redact|mask|hide|remove|strip|secret|password|token|private|debug/i,
  'CWE-327': /sha256|sha512|sha3|blake|AES|GCM|bcrypt|scrypt|argon|pbkdf2|hmac/i,
  'CWE-338': /crypto|secrets|SystemRandom|urandom|getRandomValues|randomBytes|SecureRandom|rand\.Read/,
  'CWE-377': /mkstemp|NamedTemporaryFile|TemporaryFile|TemporaryDirectory|mkdtemp|tempfile|O_EXCL|0o?[67]00/,
  'CWE-416': /NULL|nullptr|free|ref|unref|put|get|release|destroy|del|clear|= 0;/,
  'CWE-476': /NULL|nullptr|!\s*\w|== 0|None|nil|null|IS_ERR|if\s*\(/,
  'CWE-502': /safe_load|SafeLoader|literal_eval|json|allow_pickle|safe|whitelist|allowlist|permitted_classes/i,
  'CWE-611': /resolve_entities|no_network|XMLParser|defusedxml|DTD|external|FEATURE/i,
  'CWE-681': /int|long|size_t|cast|float|double|overflow|(?<![-<>])[<>](?![<>])/,
  'CWE-787': /(?<![-<>])[<>](?![<>])|len|size|sizeof|bound|limit|max|min|count|remaining|avail|end/i,
  'CWE-915': /permit|allow|attr_accessible|slice|pick|only|except|whitelist|allowlist/i,
  'CWE-916': /bcrypt|scrypt|argon|pbkdf2|iterations|salt|sha256|sha512/i,
};
