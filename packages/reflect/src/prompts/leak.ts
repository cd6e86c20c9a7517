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

/** Forbidden terms plus every known CWE name. */
export function defaultTerms(): readonly string[] {
  defaults ??= [...new Set([...FORBIDDEN_TERMS, ...Object.values(CWE_NAMES).map((n) => n.toLowerCase())])];
  return defaults;
}

let compiled: { terms: readonly string[]; res: RegExp[] } | undefined;

/** The terms of `terms` that `text` contains. */
export function leakCheck(text: string, terms: readonly string[] = defaultTerms()): { passed: boolean; matchedTerms: string[] } {
  if (compiled?.terms !== terms) {
    compiled = {
      terms,
      res: terms.map((t) => new RegExp(`(?<![A-Za-z0-9])${t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/[ -]/g, '[\\s_-]?')}`, 'i')),
    };
  }
  const matchedTerms = terms.filter((_, i) => compiled?.res[i]?.test(text));
  return { passed: matchedTerms.length === 0, matchedTerms };
}
