import { LANGUAGES, type Finding, type Language } from '@srcode/dataset';
import { HEURISTIC_RULES, type HeuristicRule } from './heuristic-rules.js';
import { stripComments } from './prefilter.js';
import { lineAt, lineStarts } from './text.js';

/**
 * The built-in evidence source: lexical checks over comment-free code for the weaknesses in the
 * fix-commit data. Much weaker than a real analyser (no data flow, no types); it exists so the offline
 * judge has evidence without external tools, and any eval analyser can replace or join it.
 */
export class HeuristicAnalyzer {
  readonly name = 'srcode-heuristic';
  readonly languages: readonly Language[];
  private readonly rules: readonly HeuristicRule[];

  constructor(rules: readonly HeuristicRule[] = HEURISTIC_RULES) {
    this.rules = rules;
    this.languages = LANGUAGES.filter((l) => rules.some((r) => r.languages.includes(l)));
  }

  analyze(code: string, language: Language): Finding[] {
    const clean = stripComments(code, language);
    const starts = lineStarts(code);
    const findings: Finding[] = [];
    for (const rule of this.rules) {
      if (!rule.languages.includes(language)) continue;
      for (const m of rule.find(clean)) {
        const range = { start: m.index, end: m.index + m.length };
        findings.push({
          schemaVersion: 1,
          analyzer: this.name,
          ruleId: rule.id,
          cwe: rule.cwe,
          severity: rule.severity,
          range,
          lines: { start: lineAt(starts, range.start), end: lineAt(starts, Math.max(range.start, range.end - 1)) },
          message: rule.describe(m.subject),
        });
      }
    }
    return findings.sort((a, b) => a.range.start - b.range.start || a.ruleId.localeCompare(b.ruleId));
  }
}
