import { type Finding, type Issue, type Language, type RepairPair, validate } from '@srcode/dataset';
import { languageNames } from '@srcode/syntax';
import { clip, HttpError } from './server-http.js';
import type { ScoreTask } from './server-score.js';
import type { OnlineOptions } from './online.js';
import type { ServerLimits } from './server-options.js';
import { callerEncoding, type OffsetUnit, type TokenEncoding } from './tokenizer.js';

/** A numeric option's admissible values: a finite number in `[min, max]`, an integer when `integer`. */
interface NumberRange {
  min: number;
  max: number;
  integer?: boolean;
}

/**
 * The options a request may set, each with its values. Numbers are bounded because matching's cost and
 * meaning depend on them: a similarity outside [0, 1] turns a threshold into "match anything" or "match
 * nothing", and an unbounded `maxFuzzyTokens` lets one request buy quadratic work.
 */
const OPTION_TYPES: Record<string, NumberRange | string[]> = {
  overlap: ['any', 'majority', 'proportional'],
  combine: ['strongest', 'sum'],
  normalize: ['none', 'span-mean', 'max-abs'],
  emptyTokens: ['inherit', 'zero'],
  instanceReward: { min: -1e6, max: 1e6 },
  minSimilarity: { min: 0, max: 1 },
  contextTokens: { min: 0, max: 64, integer: true },
  distinctiveTokens: { min: 0, max: 1024, integer: true },
  minContextSimilarity: { min: 0, max: 1 },
  minLiteralSimilarity: { min: 0, max: 1 },
  maxFuzzyTokens: { min: 1, max: 4096, integer: true },
};

const describeKind = (kind: NumberRange | string[]) =>
  Array.isArray(kind) ? `one of ${kind.join(', ')}` : `${kind.integer ? 'an integer' : 'a finite number'} from ${kind.min} to ${kind.max}`;

const admits = (kind: NumberRange | string[], v: unknown) =>
  Array.isArray(kind)
    ? kind.includes(v as string)
    : typeof v === 'number' && Number.isFinite(v) && v >= kind.min && v <= kind.max && (!kind.integer || Number.isInteger(v));

/** Nodes a completion's matching may visit before it stops and says `truncated`. */
const MAX_NODES = 200_000;

/** Checks an `options` object (of a request, a completion or an OpenRLHF label) against the known options. */
export function parseOptions(raw: unknown, at = 'options'): OnlineOptions {
  if (raw === undefined) return {};
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new HttpError(400, 'invalid-option', `"${at}" must be an object`);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(raw)) {
    const kind = OPTION_TYPES[k];
    if (!kind)
      throw new HttpError(400, 'invalid-option', `${at}: unknown option ${clip(k)}; known: ${Object.keys(OPTION_TYPES).join(', ')}`);
    if (!admits(kind, v)) throw new HttpError(400, 'invalid-option', `${at}: option "${k}" must be ${describeKind(kind)}`);
    out[k] = v;
  }
  return out as OnlineOptions;
}

/** Validation issues as one line of an error message. */
const issueText = (issues: readonly Issue[]) =>
  issues
    .slice(0, 3)
    .map((x) => `${x.path} ${x.message}`)
    .join('; ');

const isIntArray = (v: unknown): v is number[] => Array.isArray(v) && v.every((x) => Number.isInteger(x) && x >= 0);

/** Where a request's pairs come from: the ones loaded at start, or sent inline. */
export interface PairSource {
  pairs: ReadonlyMap<string, RepairPair>;
}

/** A pair named by id (404 when unknown) or sent inline (validated). `undefined`: none given. */
export function resolvePair(
  src: PairSource,
  raw: { pair?: unknown; pairId?: unknown },
  at: string,
): { pairId: string } | { pair: RepairPair } | undefined {
  if (raw.pair !== undefined) {
    const r = validate('RepairPair', raw.pair);
    if (!r.ok) throw new HttpError(400, 'invalid-pair', `${at}pair: ${issueText(r.issues)}`);
    return { pair: r.value };
  }
  if (raw.pairId === undefined) return undefined;
  if (typeof raw.pairId !== 'string' && typeof raw.pairId !== 'number')
    throw new HttpError(400, 'invalid-request', `${at}pairId must be a string`);
  const id = String(raw.pairId);
  if (!src.pairs.has(id)) throw new HttpError(404, 'unknown-pair', `no pair with id ${clip(id)} was loaded`);
  return { pairId: id };
}

/** The UTF-16 units a request's inline pair costs to profile. */
export const pairChars = (p: RepairPair) => p.vulnerableCode.length + p.fixedCode.length;

/** Defaults a completion inherits from its request. */
export interface CompletionDefaults {
  pair: { pairId: string } | { pair: RepairPair } | undefined;
  options: OnlineOptions;
}

/** One completion of a `/v1/rewards` request as a task; `tokenize` says the server must tokenize it. */
export function parseCompletion(
  raw: unknown,
  i: number,
  src: PairSource,
  defaults: CompletionDefaults,
  limits: Pick<ServerLimits, 'maxTextLength'>,
  canTokenize: boolean,
): { task: ScoreTask; inlinePair?: RepairPair } {
  const at = `completions[${i}]`;
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new HttpError(400, 'invalid-request', `${at} must be an object`);
  const c = raw as Record<string, unknown>;
  if (typeof c.text !== 'string') throw new HttpError(400, 'invalid-request', `${at}.text must be a string`);
  if (c.text.length > limits.maxTextLength) {
    throw new HttpError(413, 'too-large', `${at}.text has ${c.text.length} UTF-16 units; the limit is ${limits.maxTextLength}`);
  }
  if (/\p{Cs}/u.test(c.text)) throw new HttpError(400, 'invalid-text', `${at}.text holds a lone surrogate: it is not well-formed UTF-16`);
  const unit = (c.offsetUnit ?? 'utf16') as OffsetUnit;
  if (!['utf16', 'codepoint', 'byte'].includes(unit))
    throw new HttpError(400, 'invalid-request', `${at}.offsetUnit must be utf16, codepoint or byte`);
  const offsetBase = c.offsetBase ?? 0;
  if (!Number.isInteger(offsetBase) || (offsetBase as number) < 0)
    throw new HttpError(400, 'invalid-request', `${at}.offsetBase must be a non-negative integer`);
  const findings = (c.findings ?? []) as Finding[];
  if (!Array.isArray(findings)) throw new HttpError(400, 'invalid-request', `${at}.findings must be an array`);
  findings.forEach((f, k) => {
    const r = validate('Finding', f);
    if (!r.ok) throw new HttpError(400, 'invalid-request', `${at}.findings[${k}]: ${issueText(r.issues)}`);
  });
  if (c.language !== undefined && !languageNames().includes(c.language as Language))
    throw new HttpError(400, 'invalid-request', `${at}.language must be one of ${languageNames().join(', ')}`);
  if (c.id !== undefined && typeof c.id !== 'string') throw new HttpError(400, 'invalid-request', `${at}.id must be a string`);
  const own = resolvePair(src, c, `${at}.`);
  const pair = own ?? defaults.pair;
  const options = c.options === undefined ? defaults.options : { ...defaults.options, ...parseOptions(c.options, `${at}.options`) };
  let encoding: TokenEncoding | undefined;
  let tokenIds: number[] | undefined;
  if (c.offsets !== undefined) {
    if (!Array.isArray(c.offsets) || !c.offsets.every((p) => isIntArray(p) && p.length === 2)) {
      throw new HttpError(400, 'invalid-request', `${at}.offsets must be [start, end] pairs of non-negative integers`);
    }
    const ids = c.tokenIds ?? c.offsets.map(() => 0);
    if (!isIntArray(ids) || ids.length !== c.offsets.length) {
      throw new HttpError(400, 'invalid-request', `${at}.tokenIds must hold one non-negative integer per offset pair`);
    }
    encoding = callerEncoding(c.text, { ids, offsets: c.offsets as number[][], offsetUnit: unit, offsetBase: offsetBase as number });
  } else if (c.tokenIds !== undefined) {
    if (!isIntArray(c.tokenIds)) throw new HttpError(400, 'invalid-request', `${at}.tokenIds must be non-negative integers`);
    if (!canTokenize)
      throw new HttpError(
        400,
        'invalid-request',
        `${at} has tokenIds but no offsets, and the server has no tokenizer to compute them (start it with --tokenizer)`,
      );
    tokenIds = c.tokenIds;
  } else if (!canTokenize) {
    throw new HttpError(400, 'invalid-request', `${at} needs offsets (or tokenIds), since the server has no tokenizer`);
  }
  const language =
    (c.language as Language | undefined) ?? (pair && 'pair' in pair ? pair.pair.language : src.pairs.get(pair?.pairId ?? '')?.language);
  const task: ScoreTask = {
    id: typeof c.id === 'string' ? c.id : `completion-${i}`,
    index: i,
    ...(pair ?? {}),
    ...(language ? { language } : {}),
    text: c.text,
    ...(encoding ? { encoding } : {}),
    ...(tokenIds ? { tokenIds } : {}),
    findings,
    options: { ...options, maxNodes: MAX_NODES },
    unit,
    stripSpecial: false,
    returnTokens: encoding === undefined && tokenIds === undefined,
    cost: c.text.length,
    asJson: true,
  };
  return own && 'pair' in own ? { task, inlinePair: own.pair } : { task };
}

/** A `/v1/rewards` body as tasks, with the request's total work in the units of `maxWorkChars`. */
export function parseRewardsRequest(
  request: Record<string, unknown>,
  src: PairSource,
  limits: ServerLimits,
  canTokenize: boolean,
): { tasks: ScoreTask[]; work: number } {
  const list = request.completions;
  if (!Array.isArray(list) || list.length === 0) throw new HttpError(400, 'invalid-request', '"completions" must be a non-empty array');
  if (list.length > limits.maxCompletions)
    throw new HttpError(413, 'too-large', `${list.length} completions; the limit is ${limits.maxCompletions} (--max-completions)`);
  const pair = resolvePair(src, request, '');
  const defaults: CompletionDefaults = { pair, options: parseOptions(request.options) };
  let work = pair && 'pair' in pair ? pairChars(pair.pair) : 0;
  const tasks: ScoreTask[] = [];
  for (const [i, raw] of list.entries()) {
    // counted before parsing the next one, so an oversized request is refused early
    const { task, inlinePair } = parseCompletion(raw, i, src, defaults, limits, canTokenize);
    work += task.cost + (inlinePair ? pairChars(inlinePair) : 0);
    if (work > limits.maxWorkChars) throw budgetError(work, limits.maxWorkChars, i);
    tasks.push(task);
  }
  return { tasks, work };
}

/** The 413 of a request past its work budget. */
export function budgetError(work: number, budget: number, i: number): HttpError {
  return new HttpError(
    413,
    'too-large',
    `the request is over its work budget: ${work} characters of completions and inline pairs by completions[${i}], the budget is ${budget} (--max-work-chars); split it into several requests`,
  );
}
