import { Ajv } from 'ajv';

/**
 * The part of the SARIF 2.1.0 schema this package writes, transcribed from the OASIS specification
 * (sarifLog, run, toolComponent, reportingDescriptor, result, location, region, artifact).
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
    artifact: { type: 'object', properties: { location: { $ref: '#/definitions/artifactLocation' } } },
    artifactLocation: {
      type: 'object',
      properties: {
        uri: { type: 'string', format: 'uri-reference' },
        uriBaseId: { type: 'string' },
        index: { type: 'integer', minimum: -1 },
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
        properties: { $ref: '#/definitions/propertyBag' },
      },
    },
    location: {
      type: 'object',
      properties: { physicalLocation: { $ref: '#/definitions/physicalLocation' } },
    },
    physicalLocation: {
      type: 'object',
      anyOf: [{ required: ['address'] }, { required: ['artifactLocation'] }],
      properties: { artifactLocation: { $ref: '#/definitions/artifactLocation' }, region: { $ref: '#/definitions/region' } },
    },
    region: {
      type: 'object',
      properties: {
        startLine: { type: 'integer', minimum: 1 },
        startColumn: { type: 'integer', minimum: 1 },
        endLine: { type: 'integer', minimum: 1 },
        endColumn: { type: 'integer', minimum: 1 },
        charOffset: { type: 'integer', minimum: -1 },
        charLength: { type: 'integer', minimum: 0 },
        byteOffset: { type: 'integer', minimum: -1 },
        byteLength: { type: 'integer', minimum: 0 },
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

let compiled: ((data: unknown) => boolean) & { errors?: { instancePath: string; message?: string }[] | null } = Object.assign(() => false, {
  errors: null,
});
let ready = false;

/** Check a SARIF log against the subset schema; issues are returned as data. */
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
  if (!ready) {
    const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false });
    compiled = ajv.compile(SARIF_SCHEMA_SUBSET);
    ready = true;
  }
  if (compiled(log)) return { ok: true };
  return { ok: false, issues: (compiled.errors ?? []).map((e) => ({ path: e.instancePath || '/', message: e.message ?? 'invalid' })) };
}
