import type { Finding, Language } from '@srcode/dataset';
import { compileQuery, parse, type Query, SyntaxLayerError } from '@srcode/syntax';
import { type SyncAnalyzer, sortFindings } from './analyzer.js';
import { EvaluationError } from './errors.js';
import { BUILTIN_LANGUAGES } from './rules/registry.js';
import type { LanguageRules, Rule, RuleMatch, SyntaxNode } from './rules/rule.js';

interface CompiledRule {
  rule: Rule;
  query: Query;
}

/** Options of `BuiltinAnalyzer`. */
export interface BuiltinAnalyzerOptions {
  /**
   * Languages and their rules.
   * @default BUILTIN_LANGUAGES
   */
  languages?: readonly LanguageRules[];
  /**
   * Analyser name written into findings.
   * @default 'builtin'
   */
  name?: string;
}

/**
 * The rule engine: tree-sitter queries plus taint-light predicates, rules registered per language.
 * Grammars and parsing come from @srcode/syntax, where each language is registered once.
 */
export class BuiltinAnalyzer implements SyncAnalyzer {
  readonly name: string;
  readonly languages: readonly Language[];
  readonly #specs: Map<Language, LanguageRules>;
  readonly #compiled = new Map<Language, CompiledRule[]>();

  constructor(options: BuiltinAnalyzerOptions = {}) {
    const specs = options.languages ?? BUILTIN_LANGUAGES;
    this.name = options.name ?? 'builtin';
    this.#specs = new Map(specs.map((s) => [s.language, s]));
    this.languages = specs.map((s) => s.language);
  }

  /** The rules registered for a language. */
  rules(language: Language): readonly Rule[] {
    return this.#specs.get(language)?.rules ?? [];
  }

  async analyze(code: string, language: Language): Promise<Finding[]> {
    return this.analyzeSync(code, language);
  }

  analyzeSync(code: string, language: Language): Finding[] {
    const compiled = this.#compile(language);
    const tree = parse(code, language);
    const findings: Finding[] = [];
    const seen = new Set<string>();
    for (const { rule, query } of compiled) {
      if (rule.trigger && !rule.trigger.test(code)) continue;
      for (const m of query.matches(tree.rootNode)) {
        const captures: Record<string, SyntaxNode> = {};
        for (const c of m.captures) if (!(c.name in captures)) captures[c.name] = c.node;
        const match: RuleMatch = { code, captures };
        const verdict = rule.predicate ? rule.predicate(match) : true;
        if (!verdict) continue;
        const nodes: readonly SyntaxNode[] =
          verdict === true
            ? [captures[rule.report ?? 'finding']].filter((n) => n !== undefined)
            : Array.isArray(verdict)
              ? verdict
              : [verdict as SyntaxNode];
        for (const node of nodes) {
          const key = `${rule.id}:${node.startIndex}:${node.endIndex}`;
          if (seen.has(key)) continue;
          seen.add(key);
          findings.push(toFinding(this.name, rule, node));
        }
      }
    }
    return sortFindings(findings);
  }

  #compile(language: Language): CompiledRule[] {
    const cached = this.#compiled.get(language);
    if (cached) return cached;
    const spec = this.#specs.get(language);
    if (!spec) {
      throw new EvaluationError('unknown-language', `the built-in analyser supports ${this.languages.join(', ')}; got '${language}'`);
    }
    const compiled = spec.rules.map((rule) => {
      try {
        return { rule, query: compileQuery(language, rule.query) };
      } catch (cause) {
        if (cause instanceof SyntaxLayerError && cause.code === 'unknown-language') {
          throw new EvaluationError('unknown-language', `rules for '${language}', which has no grammar: ${cause.message}`, { cause });
        }
        throw new EvaluationError('bad-rule', `rule ${rule.id} has a query tree-sitter rejects: ${(cause as Error).message}`, { cause });
      }
    });
    this.#compiled.set(language, compiled);
    return compiled;
  }
}

function toFinding(analyzer: string, rule: Rule, node: SyntaxNode): Finding {
  const start = node.startIndex;
  const end = node.endIndex;
  return {
    schemaVersion: 1,
    analyzer,
    ruleId: rule.id,
    cwe: rule.cwe,
    severity: rule.severity,
    range: { start, end },
    lines: { start: node.startPosition.row + 1, end: node.endPosition.row + 1 },
    message: rule.message,
    remediation: rule.remediation,
  };
}
