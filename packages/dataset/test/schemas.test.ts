import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { SCHEMA_NAMES, type RepairPair, type Result, assertValid, validate, DatasetError } from '../src/index.js';
import { toPublishedSchema } from '../src/schemas.js';

const pair: RepairPair = {
  schemaVersion: 1,
  id: 'p1',
  language: 'c',
  cwes: ['CWE-787'],
  provenance: { dataset: 'test' },
  vulnerableCode: 'strcpy(a, b);',
  fixedCode: 'strncpy(a, b, n);',
  changes: { deleted: [{ start: 0, end: 6 }], added: [{ start: 0, end: 7 }], origin: 'diff' },
};

describe('published JSON Schemas', () => {
  it.each(SCHEMA_NAMES)('schemas/%s.json is the committed copy of the typed schema', (name) => {
    const file = JSON.parse(readFileSync(new URL(`../schemas/${name}.json`, import.meta.url), 'utf8'));
    expect(file).toEqual(toPublishedSchema(name));
  });

  it.each(SCHEMA_NAMES)('%s is a strict draft 2020-12 schema without ajv-only keywords', (name) => {
    const schema = toPublishedSchema(name);
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(JSON.stringify(schema)).not.toContain('"nullable"');
    expect(() => new Ajv2020({ strict: true }).compile(schema)).not.toThrow();
  });
});

describe('validate', () => {
  it('accepts a valid record and returns it typed', () => {
    const r = validate('RepairPair', pair);
    expect(r.ok).toBe(true);
    expectTypeOf(r).toEqualTypeOf<Result<RepairPair>>();
  });

  it('names the path of a wrong type, a missing field and an unknown field', () => {
    const bad = { ...pair, cwes: 'CWE-787', extra: 1 } as unknown;
    const { provenance: _p, ...missing } = pair;
    const r1 = validate('RepairPair', bad);
    const r2 = validate('RepairPair', missing);
    expect(r1.ok).toBe(false);
    expect(r2.ok).toBe(false);
    if (!r1.ok) {
      expect(r1.issues).toContainEqual(expect.objectContaining({ path: '/cwes', message: 'must be array' }));
      expect(r1.issues).toContainEqual(expect.objectContaining({ message: 'unknown field "extra"' }));
    }
    if (!r2.ok) expect(r2.issues[0]).toMatchObject({ code: 'schema', message: 'missing required field "provenance"' });
  });

  it('rejects ranges outside the code and optional fields set to null', () => {
    const r = validate('RepairPair', { ...pair, changes: { ...pair.changes, added: [{ start: 0, end: 99 }] } });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.issues[0]).toMatchObject({ code: 'range', path: '/changes/added/0/end' });
    expect(validate('RepairPair', { ...pair, cve: null }).ok).toBe(false);
  });

  it('checks that a token reward map has one offset and one reward per token', () => {
    const map = {
      schemaVersion: 1,
      id: 'm',
      mode: 'online',
      tokenizer: 't',
      tokenIds: [1, 2],
      offsets: [[0, 1]],
      rewards: [0, 0],
      spans: [],
    };
    const r = validate('TokenRewardMap', map);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.issues[0]?.path).toBe('/offsets');
  });

  it('assertValid throws a DatasetError carrying the issues', () => {
    try {
      assertValid('Finding', { schemaVersion: 1 });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(DatasetError);
      expect((e as DatasetError).code).toBe('invalid-record');
      expect((e as DatasetError).issues.length).toBeGreaterThan(0);
    }
  });
});
