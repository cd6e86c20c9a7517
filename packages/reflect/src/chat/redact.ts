/** What stands in for a secret in every text the client passes on. */
export const REDACTED = '[redacted]';

/** The forms a secret takes when a server echoes it: as sent, JSON- or URL-escaped, or base64 as in a Basic header. */
function variants(secret: string): string[] {
  const forms = new Set([secret, JSON.stringify(secret).slice(1, -1), encodeURIComponent(secret), Buffer.from(secret).toString('base64')]);
  return [...forms].filter((f) => f.length >= 4).sort((a, b) => b.length - a.length);
}

/**
 * Removes secrets from text: every form of each secret is replaced by `[redacted]`. Secrets shorter than
 * four characters are left alone (they would blank out ordinary words).
 */
export function redactText(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) for (const form of variants(secret)) out = out.split(form).join(REDACTED);
  return out;
}

/**
 * A copy of an error (and of its `cause` chain) with secrets removed from every message and stack, so an
 * error kept as a cause cannot carry the key into a log. The copy keeps the name and a string `code`.
 */
export function redactError(error: unknown, secrets: readonly string[], depth = 0): unknown {
  if (!secrets.length) return error;
  if (!(error instanceof Error)) return typeof error === 'string' ? redactText(error, secrets) : error;
  const cause = depth < 8 && error.cause !== undefined ? redactError(error.cause, secrets, depth + 1) : undefined;
  const copy = new Error(redactText(error.message, secrets), cause === undefined ? undefined : { cause });
  copy.name = error.name;
  copy.stack = redactText(error.stack ?? '', secrets);
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') Object.assign(copy, { code });
  return copy;
}

/** A URL as messages show it: no user name, password, query or fragment (where keys are sometimes put). */
export function displayUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return '(an unparsable URL)';
  }
}
