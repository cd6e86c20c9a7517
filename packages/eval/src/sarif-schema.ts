import { createRequire } from 'node:module';

/**
 * The part of the SARIF 2.1.0 schema this package writes, transcribed from the OASIS specification
 * (sarifLog, run, toolComponent, reportingDescriptor, result, codeFlow, threadFlow, threadFlowLocation, location,
 * physicalLocation, region, artifact), with their `additionalProperties: false` where the specification has it.
 */
export const SARIF_SCHEMA_SUBSET = {
  $id: 'srcode:sarif-2.1.0-subset',
  type: 'object',
  required: ['version', 'runs'],
  properties: {
    $schema: { type: 'string', format: 'uri' },
    version: { enum: ['2.1.0'] },
    runs: { type: ['array', 'null'], items: { $ref: '#/definitions/run' } },
  },
  definitions: {
    message: {
      type: 'object',
      anyOf: [{ required: ['text'] }, { required: ['id'] }],
      properties: { text: { type: 'string' }, id: { type: 'string' } },
    },
    multiformatMessageString: {
      type: 'object',
      required: ['text'],
      properties: { text: { type: 'string' }, markdown: { type: 'string' } },
    },
    propertyBag: {
      type: 'object',
      properties: { tags: { type: 'array', uniqueItems: true, items: { type: 'string' } } },
    },
    run: {
      type: 'object',
      required: ['tool'],
      properties: {
        tool: { $ref: '#/definitions/tool' },
        artifacts: { type: 'array', minItems: 0, uniqueItems: true, items: { $ref: '#/definitions/artifact' } },
        results: { type: ['array', 'null'], items: { $ref: '#/definitions/result' } },
        columnKind: { enum: ['utf16CodeUnits', 'unicodeCodePoints'] },
      },
    },
    tool: { type: 'object', required: ['driver'], properties: { driver: { $ref: '#/definitions/toolComponent' } } },
    toolComponent: {
      type: 'object',
      required: ['name'],
      properties: {
        name: { type: 'string' },
        version: { type: 'string' },
        informationUri: { type: 'string', format: 'uri' },
        rules: { type: 'array', uniqueItems: true, items: { $ref: '#/definitions/reportingDescriptor' } },
      },
    },
    reportingDescriptor: {
      type: 'object',
      required: ['id'],
      properties: {
        id: { type: 'string' },
        name: { type: 'string' },
        shortDescription: { $ref: '#/definitions/multiformatMessageString' },
        fullDescription: { $ref: '#/definitions/multiformatMessageString' },
        help: { $ref: '#/definitions/multiformatMessageString' },
        defaultConfiguration: { $ref: '#/definitions/reportingConfiguration' },
        properties: { $ref: '#/definitions/propertyBag' },
      },
    },
    reportingConfiguration: {
      type: 'object',
      properties: {
        enabled: { type: 'boolean' },
        level: { enum: ['none', 'note', 'warning', 'error'] },
        rank: { type: 'number', minimum: -1, maximum: 100 },
      },
    },
    artifact: {
      type: 'object',
      properties: { location: { $ref: '#/definitions/artifactLocation' }, description: { $ref: '#/definitions/message' } },
    },
    artifactLocation: {
      type: 'object',
      additionalProperties: false,
      properties: {
        uri: { type: 'string', format: 'uri-reference' },
        uriBaseId: { type: 'string' },
        index: { type: 'integer', minimum: -1 },
        description: { $ref: '#/definitions/message' },
        properties: { $ref: '#/definitions/propertyBag' },
      },
    },
    result: {
      type: 'object',
      required: ['message'],
      properties: {
        ruleId: { type: 'string' },
        ruleIndex: { type: 'integer', minimum: -1 },
        kind: { enum: ['notApplicable', 'pass', 'fail', 'review', 'open', 'informational'] },
        level: { enum: ['none', 'note', 'warning', 'error'] },
        message: { $ref: '#/definitions/message' },
        locations: { type: 'array', items: { $ref: '#/definitions/location' } },
        codeFlows: { type: 'array', items: { $ref: '#/definitions/codeFlow' } },
        properties: { $ref: '#/definitions/propertyBag' },
      },
    },
    codeFlow: {
      type: 'object',
      additionalProperties: false,
      required: ['threadFlows'],
      properties: {
        message: { $ref: '#/definitions/message' },
        threadFlows: { type: 'array', minItems: 1, items: { $ref: '#/definitions/threadFlow' } },
        properties: { $ref: '#/definitions/propertyBag' },
      },
    },
    threadFlow: {
      type: 'object',
      additionalProperties: false,
      required: ['locations'],
      properties: {
        id: { type: 'string' },
        message: { $ref: '#/definitions/message' },
        locations: { type: 'array', minItems: 1, items: { $ref: '#/definitions/threadFlowLocation' } },
        properties: { $ref: '#/definitions/propertyBag' },
      },
    },
    threadFlowLocation: {
      type: 'object',
      additionalProperties: false,
      properties: {
        index: { type: 'integer', minimum: -1 },
        location: { $ref: '#/definitions/location' },
        nestingLevel: { type: 'integer', minimum: 0 },
        executionOrder: { type: 'integer', minimum: -1 },
        importance: { enum: ['important', 'essential', 'unimportant'] },
        properties: { $ref: '#/definitions/propertyBag' },
      },
    },
    location: {
      type: 'object',
      additionalProperties: false,
      properties: {
        id: { type: 'integer', minimum: -1 },
        physicalLocation: { $ref: '#/definitions/physicalLocation' },
        message: { $ref: '#/definitions/message' },
        properties: { $ref: '#/definitions/propertyBag' },
      },
    },
    physicalLocation: {
      type: 'object',
      additionalProperties: false,
      anyOf: [{ required: ['address'] }, { required: ['artifactLocation'] }],
      properties: {
        address: { type: 'object' },
        artifactLocation: { $ref: '#/definitions/artifactLocation' },
        region: { $ref: '#/definitions/region' },
        contextRegion: { $ref: '#/definitions/region' },
        properties: { $ref: '#/definitions/propertyBag' },
      },
    },
    region: {
      type: 'object',
      additionalProperties: false,
      properties: {
        startLine: { type: 'integer', minimum: 1 },
        startColumn: { type: 'integer', minimum: 1 },
        endLine: { type: 'integer', minimum: 1 },
        endColumn: { type: 'integer', minimum: 1 },
        charOffset: { type: 'integer', minimum: -1 },
        charLength: { type: 'integer', minimum: 0 },
        byteOffset: { type: 'integer', minimum: -1 },
        byteLength: { type: 'integer', minimum: 0 },
        snippet: { type: 'object', properties: { text: { type: 'string' } } },
        message: { $ref: '#/definitions/message' },
        sourceLanguage: { type: 'string' },
        properties: { $ref: '#/definitions/propertyBag' },
      },
    },
  },
} as const;

/** One way a log breaks the SARIF schema subset. */
export interface SarifIssue {
  /** JSON pointer into the log, `/` for the whole log. */
  path: string;
  /** What the schema expected there. */
  message: string;
}

type Validator = ((data: unknown) => boolean) & { errors?: { instancePath: string; message?: string }[] | null };
let compiled: Validator | undefined;

// RFC 3986: a URI reference holds unreserved and reserved characters and %HH escapes only; a URI
// also starts with a scheme.
const URI_REFERENCE = /^(?:[A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=]|%[0-9A-Fa-f]{2})*$/;
const URI = /^[A-Za-z][A-Za-z0-9+.-]*:/;

/** ajv and the compiled subset, loaded on first use (importing this package does not load ajv). */
function validator(): Validator {
  if (compiled) return compiled;
  const { Ajv: AjvClass } = createRequire(import.meta.url)('ajv') as typeof import('ajv');
  const ajv = new AjvClass({
    allErrors: true,
    strict: false,
    formats: {
      uri: (v: string) => URI.test(v) && URI_REFERENCE.test(v),
      'uri-reference': (v: string) => URI_REFERENCE.test(v),
    },
  });
  compiled = ajv.compile(SARIF_SCHEMA_SUBSET) as Validator;
  return compiled;
}

interface RegionLike {
  startLine?: unknown;
  startColumn?: unknown;
  endLine?: unknown;
  endColumn?: unknown;
}

/** What JSON Schema cannot say about a region (§3.30): its end not before its start. */
function regionIssues(log: unknown): SarifIssue[] {
  const issues: SarifIssue[] = [];
  const visit = (value: unknown, path: string): void => {
    if (Array.isArray(value)) {
      for (const [i, v] of value.entries()) visit(v, `${path}/${i}`);
      return;
    }
    if (value === null || typeof value !== 'object') return;
    for (const [key, v] of Object.entries(value)) {
      if ((key === 'region' || key === 'contextRegion') && v && typeof v === 'object') {
        const r = v as RegionLike;
        const num = (x: unknown) => (typeof x === 'number' ? x : undefined);
        const startLine = num(r.startLine);
        const endLine = num(r.endLine) ?? startLine;
        const startColumn = num(r.startColumn) ?? 1;
        const endColumn = num(r.endColumn);
        if ((r.startColumn !== undefined || r.endLine !== undefined || r.endColumn !== undefined) && startLine === undefined)
          issues.push({ path: `${path}/${key}`, message: 'line/column properties without startLine' });
        else if (startLine !== undefined && endLine !== undefined && endLine < startLine)
          issues.push({ path: `${path}/${key}`, message: `endLine ${endLine} is before startLine ${startLine}` });
        else if (endLine === startLine && endColumn !== undefined && endColumn < startColumn)
          issues.push({ path: `${path}/${key}`, message: `endColumn ${endColumn} is before startColumn ${startColumn} on one line` });
      }
      visit(v, `${path}/${key}`);
    }
  };
  visit(log, '');
  return issues;
}

/** Check a SARIF log against the subset schema and the region rules it cannot express; issues are returned as data. */
export function validateSarif(log: unknown):
  | {
      /** The log matches the subset. */
      ok: true;
    }
  | {
      /** The log breaks the subset. */
      ok: false;
      /** Where and how. */
      issues: SarifIssue[];
    } {
  const check = validator();
  const issues = check(log) ? [] : (check.errors ?? []).map((e) => ({ path: e.instancePath || '/', message: e.message ?? 'invalid' }));
  issues.push(...regionIssues(log));
  return issues.length ? { ok: false, issues } : { ok: true };
}
