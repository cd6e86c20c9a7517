import { createRequire } from 'node:module';
import type { Ajv2020, ErrorObject, ValidateFunction } from 'ajv/dist/2020.js';
import { DatasetError, type Issue, type Result } from './errors.js';
import { SCHEMA_NAMES, toPublishedSchema } from './schemas.js';
import type { SchemaName, SchemaTypes, TextRange } from './types.js';

let ajv: Ajv2020 | undefined;
const compiled = new Map<SchemaName, ValidateFunction>();

/**
 * ajv, loaded on the first validation rather than when the package is imported: most importers
 * (a parser, an analyser run) never validate, and loading ajv costs tens of milliseconds at start-up.
 */
function newAjv(): Ajv2020 {
  const { Ajv2020: AjvClass } = createRequire(import.meta.url)('ajv/dist/2020.js') as typeof import('ajv/dist/2020.js');
  return new AjvClass({ allErrors: true, strict: true });
}

function validator(name: SchemaName): ValidateFunction {
  let fn = compiled.get(name);
  if (!fn) {
    assertSchemaName(name);
    ajv ??= newAjv();
    fn = ajv.compile(toPublishedSchema(name));
    compiled.set(name, fn);
  }
  return fn;
}

function isSchemaName(name: string): name is SchemaName {
  return (SCHEMA_NAMES as string[]).includes(name);
}

/** Throws an `unknown-schema` DatasetError naming the known schemas unless `name` is one. */
export function assertSchemaName(name: string): asserts name is SchemaName {
  if (!isSchemaName(name)) {
    throw new DatasetError('unknown-schema', `unknown schema "${name}"; expected one of ${SCHEMA_NAMES.join(', ')}`);
  }
}

function toIssue(e: ErrorObject): Issue {
  let message = e.message ?? 'is invalid';
  if (e.keyword === 'additionalProperties') message = `unknown field "${String(e.params.additionalProperty)}"`;
  if (e.keyword === 'required') message = `missing required field "${String(e.params.missingProperty)}"`;
  if (e.keyword === 'enum') message = `must be one of ${(e.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
  return { code: 'schema', path: e.instancePath, message };
}

function rangeIssues(ranges: TextRange[], textLength: number, path: string): Issue[] {
  const issues: Issue[] = [];
  ranges.forEach((r, i) => {
    if (r.end < r.start) issues.push({ code: 'range', path: `${path}/${i}`, message: `end ${r.end} is before start ${r.start}` });
    else if (r.end > textLength)
      issues.push({ code: 'range', path: `${path}/${i}/end`, message: `end ${r.end} is past the code's length ${textLength}` });
  });
  return issues;
}

/** Invariants JSON Schema cannot express, per record kind. */
const semanticChecks: { [N in SchemaName]?: (value: SchemaTypes[N]) => Issue[] } = {
  RepairPair: (p) => [
    ...rangeIssues(p.changes.deleted, p.vulnerableCode.length, '/changes/deleted'),
    ...rangeIssues(p.changes.added, p.fixedCode.length, '/changes/added'),
  ],
  TokenRewardMap: (m) => {
    const n = m.tokenIds.length;
    const issues: Issue[] = [];
    if (m.offsets.length !== n)
      issues.push({ code: 'length', path: '/offsets', message: `has ${m.offsets.length} entries for ${n} tokens` });
    if (m.rewards.length !== n)
      issues.push({ code: 'length', path: '/rewards', message: `has ${m.rewards.length} entries for ${n} tokens` });
    return issues;
  },
  Finding: (f) => (f.range.end < f.range.start ? [{ code: 'range', path: '/range', message: 'end is before start' }] : []),
};

/** Validates a value against a named schema and its invariants; problems come back as data. */
export function validate<N extends SchemaName>(name: N, value: unknown): Result<SchemaTypes[N]> {
  const fn = validator(name);
  if (!fn(value)) return { ok: false, issues: (fn.errors ?? []).map(toIssue) };
  const check = semanticChecks[name] as ((v: SchemaTypes[N]) => Issue[]) | undefined;
  const issues = check ? check(value as SchemaTypes[N]) : [];
  return issues.length ? { ok: false, issues } : { ok: true, value: value as SchemaTypes[N] };
}

/** Like `validate`, but throws a DatasetError listing every issue. */
export function assertValid<N extends SchemaName>(name: N, value: unknown): SchemaTypes[N] {
  const r = validate(name, value);
  if (r.ok) return r.value;
  const detail = r.issues.map((i) => `${i.path || '/'}: ${i.message}`).join('; ');
  throw new DatasetError('invalid-record', `invalid ${name}: ${detail}`, { issues: r.issues });
}
