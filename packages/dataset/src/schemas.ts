import type { JSONSchemaType } from 'ajv';
import {
  LANGUAGES,
  RUN_OUTCOMES,
  type EvalResult,
  type Finding,
  type Generation,
  type ImplicitPrompt,
  type PrimeVulPlusRecord,
  type ReflectionVerdict,
  type RepairPair,
  type RewardSpan,
  type SchemaName,
  type SchemaTypes,
  type TextRange,
  type TokenRewardMap,
} from './types.js';

// Each schema is typed as JSONSchemaType<T>, so `tsc` fails when a type and its schema drift apart.
// ajv's typing wants `nullable: true` on optional properties; `toPublishedSchema` strips it, so the
// published files are plain draft 2020-12 and optional fields are simply absent, never null.

const BASE = 'https://srcode.dev/schemas';
const id = (name: SchemaName) => `${BASE}/${name}.json`;

const range: JSONSchemaType<TextRange> = {
  type: 'object',
  description: 'Half-open [start, end) range of UTF-16 code-unit offsets into the JavaScript string (not bytes, not code points).',
  properties: {
    start: { type: 'integer', minimum: 0 },
    end: { type: 'integer', minimum: 0 },
  },
  required: ['start', 'end'],
  additionalProperties: false,
};

const cwe = { type: 'string', pattern: '^CWE-[0-9]+$' } as const;
const nonEmpty = { type: 'string', minLength: 1 } as const;
const version = { type: 'integer', const: 1 } as const;
const language = { type: 'string', enum: [...LANGUAGES] } as const;
const lines = { type: 'array', items: { type: 'integer', minimum: 1 } } as const;

export const repairPairSchema: JSONSchemaType<RepairPair> = {
  $id: id('RepairPair'),
  title: 'RepairPair',
  description: 'A vulnerable function and its fixed version from a real vulnerability-fixing commit.',
  type: 'object',
  properties: {
    schemaVersion: version,
    id: nonEmpty,
    language,
    cwes: { type: 'array', items: cwe },
    cve: { type: 'string', pattern: '^CVE-[0-9]{4}-[0-9]+$', nullable: true },
    description: { type: 'string', nullable: true },
    provenance: {
      type: 'object',
      properties: {
        dataset: nonEmpty,
        split: { type: 'string', nullable: true },
        project: { type: 'string', nullable: true },
        commitUrl: { type: 'string', nullable: true },
        commitMessage: { type: 'string', nullable: true },
        file: { type: 'string', nullable: true },
        functionName: { type: 'string', nullable: true },
        origin: { type: 'string', nullable: true },
      },
      required: ['dataset'],
      additionalProperties: false,
    },
    vulnerableCode: { type: 'string' },
    fixedCode: { type: 'string' },
    changes: {
      type: 'object',
      description: 'Changed ranges: `deleted` index vulnerableCode, `added` index fixedCode (UTF-16 offsets).',
      properties: {
        deleted: { type: 'array', items: range },
        added: { type: 'array', items: range },
        origin: { type: 'string', enum: ['source', 'diff'] },
      },
      required: ['deleted', 'added', 'origin'],
      additionalProperties: false,
    },
  },
  required: ['schemaVersion', 'id', 'language', 'cwes', 'provenance', 'vulnerableCode', 'fixedCode', 'changes'],
  additionalProperties: false,
};

export const reflectionVerdictSchema: JSONSchemaType<ReflectionVerdict> = {
  $id: id('ReflectionVerdict'),
  title: 'ReflectionVerdict',
  description: "A judge's decision on whether a repair pair's fix really repairs the vulnerability.",
  type: 'object',
  properties: {
    schemaVersion: version,
    pairId: nonEmpty,
    accepted: { type: 'boolean' },
    confidence: { type: 'number', minimum: 0, maximum: 1 },
    securityRelevant: { type: 'boolean' },
    fixComplete: { type: 'boolean' },
    rootCause: { type: 'string' },
    rationale: { type: 'string' },
    vulnerableLines: lines,
    fixingLines: lines,
    votes: {
      type: 'object',
      properties: {
        accept: { type: 'integer', minimum: 0 },
        reject: { type: 'integer', minimum: 0 },
        samples: { type: 'integer', minimum: 0 },
      },
      required: ['accept', 'reject', 'samples'],
      additionalProperties: false,
    },
    evidence: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          analyzer: nonEmpty,
          ruleId: nonEmpty,
          cwe: { ...cwe, nullable: true },
          removedByFix: { type: 'boolean' },
        },
        required: ['analyzer', 'ruleId', 'removedByFix'],
        additionalProperties: false,
      },
    },
    rejectReasons: { type: 'array', items: { type: 'string' } },
    judge: {
      type: 'object',
      properties: {
        kind: { type: 'string', enum: ['llm', 'heuristic'] },
        model: { type: 'string' },
        promptHash: { type: 'string' },
      },
      required: ['kind', 'model', 'promptHash'],
      additionalProperties: false,
    },
  },
  required: [
    'schemaVersion',
    'pairId',
    'accepted',
    'confidence',
    'securityRelevant',
    'fixComplete',
    'rootCause',
    'rationale',
    'vulnerableLines',
    'fixingLines',
    'votes',
    'evidence',
    'rejectReasons',
    'judge',
  ],
  additionalProperties: false,
};

export const implicitPromptSchema: JSONSchemaType<ImplicitPrompt> = {
  $id: id('ImplicitPrompt'),
  title: 'ImplicitPrompt',
  description: 'A task description for a repair pair that never mentions the vulnerability or the fix.',
  type: 'object',
  properties: {
    schemaVersion: version,
    id: nonEmpty,
    pairId: nonEmpty,
    style: { type: 'string', enum: ['user-request', 'docstring', 'specification', 'code-comment', 'other'] },
    language,
    text: nonEmpty,
    generator: {
      type: 'object',
      properties: { kind: { type: 'string', enum: ['llm', 'template'] }, model: { type: 'string' } },
      required: ['kind', 'model'],
      additionalProperties: false,
    },
    leakCheck: {
      type: 'object',
      properties: { passed: { type: 'boolean' }, matchedTerms: { type: 'array', items: { type: 'string' } } },
      required: ['passed', 'matchedTerms'],
      additionalProperties: false,
    },
  },
  required: ['schemaVersion', 'id', 'pairId', 'style', 'language', 'text', 'generator', 'leakCheck'],
  additionalProperties: false,
};

export const primeVulPlusRecordSchema: JSONSchemaType<PrimeVulPlusRecord> = {
  $id: id('PrimeVulPlusRecord'),
  title: 'PrimeVulPlusRecord',
  description: 'A validated repair pair with its reflection verdict and implicit prompts.',
  type: 'object',
  properties: {
    schemaVersion: version,
    pair: withoutId(repairPairSchema),
    verdict: withoutId(reflectionVerdictSchema),
    prompts: { type: 'array', items: withoutId(implicitPromptSchema) },
  },
  required: ['schemaVersion', 'pair', 'verdict', 'prompts'],
  additionalProperties: false,
};

/** 1-based first and last line, optional. */
const lineSpan = {
  type: 'object',
  properties: { start: { type: 'integer', minimum: 1 }, end: { type: 'integer', minimum: 1 } },
  required: ['start', 'end'],
  additionalProperties: false,
  nullable: true,
} as const;

export const findingSchema: JSONSchemaType<Finding> = {
  $id: id('Finding'),
  title: 'Finding',
  description: 'One analyser result on a piece of code.',
  type: 'object',
  properties: {
    schemaVersion: version,
    analyzer: nonEmpty,
    ruleId: nonEmpty,
    cwe: { ...cwe, nullable: true },
    severity: { type: 'string', enum: ['high', 'medium', 'low'] },
    range,
    lines: lineSpan,
    message: { type: 'string' },
    remediation: { type: 'string', nullable: true },
    file: { type: 'string', nullable: true },
    flow: {
      type: 'array',
      description: "A taint finding's way from source (first) to sink (last).",
      items: {
        type: 'object',
        properties: {
          range,
          lines: lineSpan,
          message: { type: 'string' },
        },
        required: ['range', 'message'],
        additionalProperties: false,
      },
      nullable: true,
    },
  },
  required: ['schemaVersion', 'analyzer', 'ruleId', 'severity', 'range', 'message'],
  additionalProperties: false,
};

const rewardSpan: JSONSchemaType<RewardSpan> = {
  type: 'object',
  properties: {
    start: { type: 'integer', minimum: 0 },
    end: { type: 'integer', minimum: 0 },
    polarity: { type: 'string', enum: ['secure', 'vulnerable'] },
    weight: { type: 'number' },
    source: { type: 'string', enum: ['pair', 'match', 'finding'] },
    nodeType: { type: 'string', nullable: true },
  },
  required: ['start', 'end', 'polarity', 'weight', 'source'],
  additionalProperties: false,
};

export const tokenRewardMapSchema: JSONSchemaType<TokenRewardMap> = {
  $id: id('TokenRewardMap'),
  title: 'TokenRewardMap',
  description: 'One reward per model token, with per-token UTF-16 offsets and the spans the rewards came from.',
  type: 'object',
  properties: {
    schemaVersion: version,
    id: nonEmpty,
    pairId: { type: 'string', nullable: true },
    mode: { type: 'string', enum: ['teacher-forced', 'online'] },
    side: { type: 'string', enum: ['vulnerable', 'fixed', 'completion'], nullable: true },
    tokenizer: { type: 'string' },
    tokenIds: { type: 'array', items: { type: 'integer', minimum: 0 } },
    offsets: {
      type: 'array',
      description: '[start, end) per token, UTF-16 offsets into the scored text.',
      items: { type: 'array', items: { type: 'integer', minimum: 0 }, minItems: 2, maxItems: 2 },
    },
    rewards: { type: 'array', items: { type: 'number' } },
    spans: { type: 'array', items: rewardSpan },
    text: { type: 'string', nullable: true },
  },
  required: ['schemaVersion', 'id', 'mode', 'tokenizer', 'tokenIds', 'offsets', 'rewards', 'spans'],
  additionalProperties: false,
};

export const generationSchema: JSONSchemaType<Generation> = {
  $id: id('Generation'),
  title: 'Generation',
  description: 'One model completion for a benchmark task.',
  type: 'object',
  properties: {
    schemaVersion: version,
    id: nonEmpty,
    taskId: nonEmpty,
    benchmark: { type: 'string', nullable: true },
    model: { type: 'string' },
    language: { ...language, nullable: true },
    prompt: { type: 'string' },
    completion: { type: 'string' },
    sampleIndex: { type: 'integer', minimum: 0 },
    createdAt: { type: 'string', nullable: true },
  },
  required: ['schemaVersion', 'id', 'taskId', 'model', 'prompt', 'completion', 'sampleIndex'],
  additionalProperties: false,
};

export const evalResultSchema: JSONSchemaType<EvalResult> = {
  $id: id('EvalResult'),
  title: 'EvalResult',
  description: 'The functional and security outcome of evaluating one generation.',
  type: 'object',
  properties: {
    schemaVersion: version,
    generationId: nonEmpty,
    taskId: nonEmpty,
    benchmark: nonEmpty,
    language: { ...language, nullable: true },
    functional: { type: 'boolean', nullable: true },
    secure: { type: 'boolean', nullable: true },
    tests: {
      type: 'object',
      properties: {
        passed: { type: 'integer', minimum: 0 },
        failed: { type: 'integer', minimum: 0 },
        errors: { type: 'integer', minimum: 0 },
      },
      required: ['passed', 'failed', 'errors'],
      additionalProperties: false,
      nullable: true,
    },
    findings: { type: 'array', items: withoutId(findingSchema) },
    durationMs: { type: 'number', minimum: 0 },
    error: { type: 'string', nullable: true },
    outcome: { type: 'string', enum: [...RUN_OUTCOMES], nullable: true },
  },
  required: ['schemaVersion', 'generationId', 'taskId', 'benchmark', 'findings', 'durationMs'],
  additionalProperties: false,
};

function withoutId<T>(schema: JSONSchemaType<T>): JSONSchemaType<T> {
  const { $id: _id, title: _title, ...rest } = schema as JSONSchemaType<T> & { $id?: string; title?: string };
  return rest as JSONSchemaType<T>;
}

/** The typed schemas by name (ajv's `nullable` annotations still in). */
const typedSchemas: { [N in SchemaName]: JSONSchemaType<SchemaTypes[N]> } = {
  RepairPair: repairPairSchema,
  ReflectionVerdict: reflectionVerdictSchema,
  ImplicitPrompt: implicitPromptSchema,
  PrimeVulPlusRecord: primeVulPlusRecordSchema,
  Finding: findingSchema,
  TokenRewardMap: tokenRewardMapSchema,
  Generation: generationSchema,
  EvalResult: evalResultSchema,
};

/** Every {@link SchemaName}: the schemas `validate` knows and the files under `schemas/`. */
export const SCHEMA_NAMES = Object.keys(typedSchemas) as SchemaName[];

/** The plain draft 2020-12 schema as published under `schemas/<name>.json`. */
export function toPublishedSchema(name: SchemaName): Record<string, unknown> {
  const strip = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(strip);
    if (v && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) if (k !== 'nullable') out[k] = strip(x);
      return out;
    }
    return v;
  };
  return { $schema: 'https://json-schema.org/draft/2020-12/schema', ...(strip(typedSchemas[name]) as object) };
}
