import type { Analyzer } from './analyzer.js';
import { BuiltinAnalyzer } from './builtin.js';
import { EvaluationError } from './errors.js';
import { ExternalAnalyzer } from './external.js';
import { TOOL_SPECS } from './tools.js';

/** Names `createAnalyzer` understands: the built-in engine and every registered tool. */
export const ANALYZER_NAMES: readonly string[] = ['builtin', ...TOOL_SPECS.map((s) => s.name)];

/** An analyser by name (the built-in one, or a registered external tool). */
export function createAnalyzer(name: string): Analyzer {
  if (name === 'builtin') return new BuiltinAnalyzer();
  const spec = TOOL_SPECS.find((s) => s.name === name);
  if (!spec) throw new EvaluationError('invalid-input', `unknown analyser '${name}'; known: ${ANALYZER_NAMES.join(', ')}`);
  return new ExternalAnalyzer(spec);
}
