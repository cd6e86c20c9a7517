import { type AdvantageInput, computeAdvantages, ESTIMATORS, type Estimator } from './advantages.js';
import type { Issue, Result } from './errors.js';
import { type Shape, toRows } from './shape.js';

/** The JSON batch `srcode-rl advantages` reads: nested arrays, one row per sequence. */
export interface AdvantageRequest {
  estimator: Estimator;
  rewards: number[][];
  values?: number[][];
  mask?: number[][];
  groupIds?: (number | string)[];
  gamma?: number;
  lambda?: number;
  whiten?: boolean;
}

/** The JSON `srcode-rl advantages` writes. */
export interface AdvantageResponse {
  advantages: number[][];
  returns: number[][];
}

function matrix(value: unknown, name: string, issues: Issue[], shape?: Shape): Float32Array | undefined {
  if (!Array.isArray(value) || !value.every((r) => Array.isArray(r))) {
    issues.push({ code: 'type', path: `/${name}`, message: `expected ${name} as an array of number arrays` });
    return undefined;
  }
  const rows = value as unknown[][];
  const tokens = shape?.tokens ?? rows[0]?.length ?? 0;
  if (shape && rows.length !== shape.batch) {
    issues.push({ code: 'shape', path: `/${name}`, message: `expected ${shape.batch} rows like rewards, found ${rows.length}` });
    return undefined;
  }
  const out = new Float32Array(rows.length * tokens);
  for (let b = 0; b < rows.length; b++) {
    const row = rows[b] as unknown[];
    if (row.length !== tokens) {
      issues.push({ code: 'shape', path: `/${name}/${b}`, message: `expected ${tokens} values in every row, found ${row.length}` });
      return undefined;
    }
    for (let t = 0; t < tokens; t++) {
      const v = row[t];
      if (typeof v !== 'number' || !Number.isFinite(v)) {
        issues.push({ code: 'type', path: `/${name}/${b}/${t}`, message: `expected a finite number, found ${JSON.stringify(v)}` });
        return undefined;
      }
      out[b * tokens + t] = v;
    }
  }
  return out;
}

/** Validates a parsed JSON batch into an `AdvantageInput`; problems come back as data. */
export function parseAdvantageRequest(json: unknown): Result<AdvantageInput> {
  const issues: Issue[] = [];
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    return { ok: false, issues: [{ code: 'type', path: '', message: 'expected a JSON object' }] };
  }
  const o = json as Record<string, unknown>;
  if (!ESTIMATORS.includes(o.estimator as Estimator)) {
    issues.push({
      code: 'enum',
      path: '/estimator',
      message: `expected one of ${ESTIMATORS.join(', ')}, found ${JSON.stringify(o.estimator)}`,
    });
  }
  const rewards = matrix(o.rewards, 'rewards', issues);
  if (!rewards) return { ok: false, issues };
  const rows = (o.rewards as unknown[][]).length;
  const shape: Shape = { batch: rows, tokens: rows > 0 ? rewards.length / rows : 0 };
  const input: AdvantageInput = { estimator: o.estimator as Estimator, shape, rewards };
  if (o.values !== undefined) {
    const v = matrix(o.values, 'values', issues, shape);
    if (v) input.values = v;
  } else if (o.estimator === 'gae') issues.push({ code: 'missing', path: '/values', message: 'expected values for the gae estimator' });
  if (o.mask !== undefined) {
    const m = matrix(o.mask, 'mask', issues, shape);
    if (m) input.mask = m;
  }
  if (o.groupIds !== undefined) {
    const g = o.groupIds;
    if (!Array.isArray(g) || g.length !== rows || !g.every((x) => typeof x === 'number' || typeof x === 'string')) {
      issues.push({ code: 'shape', path: '/groupIds', message: `expected ${rows} group ids (numbers or strings), one per sequence` });
    } else input.groupIds = g as (number | string)[];
  }
  for (const key of ['gamma', 'lambda'] as const) {
    const v = o[key];
    if (v === undefined) continue;
    if (typeof v !== 'number' || !(v >= 0 && v <= 1))
      issues.push({ code: 'range', path: `/${key}`, message: `expected ${key} in [0, 1], found ${JSON.stringify(v)}` });
    else input[key] = v;
  }
  if (o.whiten !== undefined) {
    if (typeof o.whiten !== 'boolean')
      issues.push({ code: 'type', path: '/whiten', message: `expected a boolean, found ${JSON.stringify(o.whiten)}` });
    else input.whiten = o.whiten;
  }
  return issues.length > 0 ? { ok: false, issues } : { ok: true, value: input };
}

/** Runs a validated request and returns plain nested arrays. */
export function runAdvantageRequest(input: AdvantageInput): AdvantageResponse {
  const out = computeAdvantages(input);
  // float32 results printed to 7 significant digits: the precision they carry.
  const round = (rows: number[][]) => rows.map((r) => r.map((v) => Number(v.toPrecision(7))));
  return { advantages: round(toRows(out.advantages, input.shape)), returns: round(toRows(out.returns, input.shape)) };
}
