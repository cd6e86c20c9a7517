/** Shapes of well-known secrets: private keys and the token formats of large providers. */
export const SECRET_LITERAL =
  /-----BEGIN (RSA |EC |DSA |OPENSSH |ENCRYPTED |PGP )?PRIVATE KEY( BLOCK)?-----|\bAIza[0-9A-Za-z_-]{35}\b|\bya29\.[0-9A-Za-z_-]{20,}|\bAKIA[0-9A-Z]{16}\b|\bgh[pousr]_[0-9A-Za-z]{36}\b|\bxox[baprs]-[0-9A-Za-z-]{10,}|\bsk_live_[0-9a-zA-Z]{24,}/;

/** The text shared by each language's embedded-secret rule. */
export const SECRET_RULE_TEXT = {
  cwe: 'CWE-798',
  severity: 'high',
  message: 'A private key or a provider access token is embedded in the source.',
  remediation: 'Revoke it, then load secrets from the environment or a secret store at run time.',
  trigger: SECRET_LITERAL,
} as const;

/** The text shared by each language's hard-coded credential rule (a secret-looking name assigned a literal). */
export const CREDENTIAL_RULE_TEXT = {
  trigger: /pass|pwd|secret|key|token|credential/i,
  cwe: 'CWE-798',
  severity: 'medium',
  message: 'A credential is hard-coded in the source.',
  remediation: 'Read secrets from the environment or a secret store at run time.',
} as const;

/** Names that say a value is a credential on their own (`password`, `api_key`, `client_secret`). */
export const SECRET_NAME =
  /(pass(wd|word)?|pwd|secret|api_?key|access_?key|auth_?token|private_?key|credential|access_?token|secret_?key)/i;

/**
 * Plain names that hold a credential only when the value looks generated (`key`, `token`, `passwd`):
 * `key = "name"` in a loop is not one, `token = "a8f5f167f44f4964e6c998dee827110c"` is.
 */
export const PLAIN_SECRET_NAME = /^_?(key|token|tok|passwd|pass|pw|auth|bearer|[a-z]+_token|[a-z]+_key|signing_key|jwt_key)$/i;

/** Values that stand in for a credential rather than being one: placeholders, examples, templates. */
export function isPlaceholderSecret(value: string): boolean {
  return (
    /^(x+|\*+|\.+|-+|_+|0+|changeme|change_me|change-me|example|sample|dummy|none|null|todo|tbd|fixme|placeholder|your[\w-]*|insert[\w-]*|enter[\w-]*|replace[\w-]*|fake[\w-]*)$/i.test(
      value,
    ) ||
    /^<.*>$|^\$\{.*\}$|^\{\{.*\}\}$|^%\(.*\)s$|^\$[A-Z_]+$|^%[A-Z_]+%$/.test(value) ||
    /your[_-]?(api[_-]?)?(key|secret|token|password)|replace[_-]?me|xxxx|example\.com/i.test(value) ||
    /(^|[-_.\s])(test|tests|testing|unittest|dummy|example|sample|fake|placeholder|changeme)([-_.\s]|$)/i.test(value)
  );
}
