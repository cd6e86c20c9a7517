import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BuiltinAnalyzer } from '../builtin.js';

const DIR = fileURLToPath(new URL('../../test/fixtures/c-programs/', import.meta.url));
const LABEL = /^\/\/ label: (clean|vulnerable (CWE-\d+))$/;
const analyzer = new BuiltinAnalyzer();

interface Program {
  file: string;
  code: string;
  /** The labelled CWE, or undefined for a clean program. */
  cwe: string | undefined;
}

const programs: Program[] = readdirSync(DIR)
  .filter((f) => f.endsWith('.c'))
  .sort()
  .map((file) => {
    const code = readFileSync(`${DIR}${file}`, 'utf8');
    const m = LABEL.exec(code.split('\n')[0] ?? '');
    if (!m) throw new Error(`${file}: the first line must be '// label: clean' or '// label: vulnerable CWE-<n>'`);
    return { file, code, cwe: m[2] };
  });

/** The medium- and high-severity findings: the ones a reward treats as a vulnerability. */
function serious(code: string) {
  return analyzer.analyzeSync(code, 'c').filter((f) => f.severity === 'medium' || f.severity === 'high');
}

describe('C programs in the style code models write (test/fixtures/c-programs)', () => {
  const clean = programs.filter((p) => !p.cwe);
  const vulnerable = programs.filter((p) => p.cwe);

  it('has enough of both kinds to measure', () => {
    expect(clean.length).toBeGreaterThanOrEqual(30);
    expect(vulnerable.length).toBeGreaterThanOrEqual(15);
  });

  it('flags at most 15% of the clean programs (which run clean under valgrind) at medium or high severity', () => {
    const flagged = clean.filter((p) => serious(p.code).length > 0).map((p) => p.file);
    expect(flagged.length / clean.length).toBeLessThanOrEqual(0.15);
  });

  it('flags most vulnerable programs, with the labelled CWE', () => {
    const hit = vulnerable.filter((p) => serious(p.code).some((f) => f.cwe === p.cwe)).map((p) => p.file);
    expect(hit.length / vulnerable.length).toBeGreaterThanOrEqual(0.8);
  });
});
