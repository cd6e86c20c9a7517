import type { Issue } from '../errors.js';

/**
 * The first checks every importer makes on a source line: it must be a JSON object (else the one issue
 * says so), and each of `fields` a string. `record` is the object when it is one.
 */
export function checkSourceFields(raw: unknown, fields: readonly string[]): { record?: Record<string, unknown>; issues: Issue[] } {
  if (!raw || typeof raw !== 'object') return { issues: [{ code: 'source', path: '', message: 'expected a JSON object' }] };
  const record = raw as Record<string, unknown>;
  const issues: Issue[] = [];
  for (const f of fields)
    if (typeof record[f] !== 'string') issues.push({ code: 'source', path: `/${f}`, message: `expected a string field "${f}"` });
  return { record, issues };
}
