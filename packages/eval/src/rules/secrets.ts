/** Shapes of well-known secrets: private keys and the token formats of large providers. */
export const SECRET_LITERAL =
  /-----BEGIN (RSA |EC |DSA |OPENSSH |ENCRYPTED |PGP )?PRIVATE KEY( BLOCK)?-----|\bAIza[0-9A-Za-z_-]{35}\b|\bya29\.[0-9A-Za-z_-]{20,}|\bAKIA[0-9A-Z]{16}\b|\bgh[pousr]_[0-9A-Za-z]{36}\b|\bxox[baprs]-[0-9A-Za-z-]{10,}|\bsk_live_[0-9a-zA-Z]{24,}/;

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
