import { type Finding, LANGUAGES, type Language, lineIndex } from '@srcode/dataset';
import { blankComments } from '@srcode/syntax';
import type { SyncAnalyzer } from './analyzer.js';
import { LEXICAL_RULES, type LexicalRule } from './rules/lexical.js';

/** Options of `LexicalAnalyzer`. */
export interface LexicalAnalyzerOptions {
  /**
   * The checks to run.
   * @default LEXICAL_RULES
   */
  rules?: readonly LexicalRule[];
}

/**
 * Lexical checks over comment-free code, for every language of the fix-commit data (comments are
 * blanked by @srcode/syntax's `blankComments`, so offsets and lines are the original's). Much weaker
 * than `BuiltinAnalyzer` (no parse, no data flow): it gives reflect's offline judge evidence in
 * languages that have no grammar. Its findings carry the analyser name `srcode-heuristic`.
 */
export class LexicalAnalyzer implements SyncAnalyzer {
  /** `srcode-heuristic`, written into every finding (records made with it keep this name). */
  readonly name = 'srcode-heuristic';
  /** The languages at least one rule runs on. */
  readonly languages: readonly Language[];
  /** The rules of each language, in rule order (found once, not per call). */
  readonly #rules = new Map<Language, LexicalRule[]>();

  constructor(options: LexicalAnalyzerOptions = {}) {
    for (const language of LANGUAGES) {
      const mine = (options.rules ?? LEXICAL_RULES).filter((r) => r.languages.includes(language));
      if (mine.length) this.#rules.set(language, mine);
    }
    this.languages = [...this.#rules.keys()];
  }

  /** The findings in `code`, sorted by offset and then rule id. */
  async analyze(code: string, language: Language): Promise<Finding[]> {
    return this.analyzeSync(code, language);
  }

  /** `analyze`, answered synchronously. */
  analyzeSync(code: string, language: Language): Finding[] {
    const rules = this.#rules.get(language);
    if (!rules) return [];
    const clean = blankComments(code, language);
    const lineOf = lineIndex(code);
    const findings: Finding[] = [];
    for (const rule of rules) {
      for (const m of rule.find(clean)) {
        const range = { start: m.index, end: m.index + m.length };
        findings.push({
          schemaVersion: 1,
          analyzer: this.name,
          ruleId: rule.id,
          cwe: rule.cwe,
          severity: rule.severity,
          range,
          lines: { start: lineOf(range.start), end: lineOf(Math.max(range.start, range.end - 1)) },
          message: rule.describe(m.subject),
        });
      }
    }
    return findings.sort((a, b) => a.range.start - b.range.start || a.ruleId.localeCompare(b.ruleId));
  }
}
