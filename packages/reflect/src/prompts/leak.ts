import { CWE_NAMES } from '../cwe.js';

/**
 * Words an implicit prompt must not contain: they name security, weaknesses, attacks, or the idea of
 * a fix. Matched case-insensitively at word starts, so `sanitiz` also catches `sanitize`/`sanitized`.
 */
export const FORBIDDEN_TERMS: readonly string[] = [
  'secur',
  'insecur',
  'vulnerab',
  'exploit',
  'attack',
  'malicious',
  'adversar',
  'threat',
  'cwe',
  'cve',
  'injection',
  'inject',
  'overflow',
  'underflow',
  'out-of-bounds',
  'out of bounds',
  'bounds check',
  'buffer overrun',
  'use-after-free',
  'use after free',
  'double free',
  'null pointer',
  'null dereference',
  'dangling',
  'xss',
  'cross-site',
  'csrf',
  'traversal',
  'sanitiz',
  'sanitis',
  'unsanitized',
  'escap',
  'untrusted',
  'tainted',
  'unsafe',
  'safely',
  'harden',
  'mitigat',
  'patch',
  'bugfix',
  'fix',
  'flaw',
  'weakness',
  'hardening',
  'privilege',
  'deserializ',
  'deserialis',
  'denial of service',
  'dos attack',
  'race condition',
  'toctou',
  'sql injection',
  'shell injection',
  'command injection',
  'format string',
  'memory corruption',
  'crash',
];

let defaults: readonly string[] | undefined;

/** The terms `leakCheck` and `generatePrompts` use by default: `FORBIDDEN_TERMS` plus every CWE name reflect knows. */
export function defaultTerms(): readonly string[] {
  defaults ??= [...new Set([...FORBIDDEN_TERMS, ...Object.values(CWE_NAMES).map((n) => n.toLowerCase())])];
  return defaults;
}

let compiled: { terms: readonly string[]; res: RegExp[] } | undefined;

/** What `leakCheck` found in a text. */
export interface LeakCheck {
  /** No forbidden term is in the text. */
  passed: boolean;
  /** The forbidden terms the text contains. */
  matchedTerms: string[];
}

/** The terms of `terms` that `text` contains (case-insensitive, at word starts, spaces and hyphens interchangeable). */
export function leakCheck(text: string, terms: readonly string[] = defaultTerms()): LeakCheck {
  if (compiled?.terms !== terms) {
    compiled = {
      terms,
      res: terms.map((t) => new RegExp(`(?<![A-Za-z0-9])${t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/[ -]/g, '[\\s_-]?')}`, 'i')),
    };
  }
  const matchedTerms = terms.filter((_, i) => compiled?.res[i]?.test(text));
  return { passed: matchedTerms.length === 0, matchedTerms };
}
