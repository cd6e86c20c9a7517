import type { Analyzer, Finding, Language, RepairPair, RewardSpan } from '@srcode/dataset';
import type { SpanCache } from './cache.js';
import { TokenRewardError } from './errors.js';
import { type OnlineOptions, onlineRewardMap } from './online.js';
import type { OffsetUnit, TokenEncoding, TokenizerLike } from './tokenizer.js';

/** One completion to score, as plain data that crosses to a worker thread. */
export interface ScoreTask {
  /** The result's id. */
  id: string;
  /** Position of the completion in its request, for messages. */
  index: number;
  /** A pair the server was started with. */
  pairId?: string;
  /** A pair sent with the request. */
  pair?: RepairPair;
  /** The language analysers read the completion in (the pair's, unless the completion names one). */
  language?: Language;
  text: string;
  /** UTF-16 encoding, when the caller sent offsets (or the main thread tokenized). */
  encoding?: TokenEncoding;
  /** Token ids whose offsets the tokenizer computes. */
  tokenIds?: number[];
  findings: Finding[];
  options: OnlineOptions;
  /** Unit of the offsets in the reply (spans, and token offsets when the server tokenized). */
  unit: OffsetUnit;
  /** Special tokens' text is removed before matching (a decoded sequence with its markers left in). */
  stripSpecial: boolean;
  /** The reply carries the token ids and offsets (the server tokenized). */
  returnTokens: boolean;
  /** Work units: the completion's length, plus its inline pair's code. */
  cost: number;
  /**
   * A worker thread answers with the result's JSON text (the reply splices it in), so the main
   * thread neither copies the result's arrays across nor serialises them.
   */
  asJson?: boolean;
}

/** A result a worker serialised itself (for a task with `asJson`). */
export interface SerialisedResult {
  json: string;
}

/** A scored completion, as an object or as its JSON text. */
export type Scored = ScoreResult | SerialisedResult;

/** The JSON text of a scored completion. */
export const scoredJson = (r: Scored): string => ('json' in r ? r.json : JSON.stringify(r));

/** A scored completion, as the reply carries it. */
export interface ScoreResult {
  id: string;
  pairId?: string;
  rewards: number[];
  spans: RewardSpan[];
  truncated: boolean;
  tokenIds?: number[];
  offsets?: number[][];
}

/** What scoring needs where it runs (a worker, or the main thread). */
export interface ScoreEnv {
  pairs: ReadonlyMap<string, RepairPair>;
  cache: SpanCache;
  tokenizer?: TokenizerLike;
  /** Analysers run here on each completion. */
  analyzers?: readonly Analyzer[];
}

/** Position of each UTF-16 index in `unit` (prefix sums over the text's code points). */
function unitIndex(text: string, unit: OffsetUnit): (i: number) => number {
  if (unit === 'utf16') return (i) => i;
  const table = new Uint32Array(text.length + 1);
  let n = 0;
  for (let i = 0; i < text.length; ) {
    const cp = text.codePointAt(i) as number;
    const w = cp > 0xffff ? 2 : 1;
    table[i] = n;
    if (w === 2) table[i + 1] = n;
    n += unit === 'codepoint' ? 1 : cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    i += w;
  }
  table[text.length] = n;
  return (i) => table[Math.min(i, text.length)] as number;
}

/**
 * `text` without its special tokens' characters, and the encoding re-based on it (a special token
 * becomes empty where it stood). Removed, not blanked: a name a special token splits (`str<|x|>cpy`)
 * is read as what the user of the decoded answer gets (`strcpy`), not as two harmless words.
 */
function stripSpecial(text: string, encoding: TokenEncoding): { text: string; encoding: TokenEncoding } {
  const special = encoding.special;
  if (!special) return { text, encoding };
  const n = encoding.ids.length;
  const offsets = new Array<number>(2 * n);
  let out = '';
  let at = 0; // characters of `text` copied or dropped so far
  let removed = 0;
  for (let i = 0; i < n; i++) {
    const s = encoding.offsets[2 * i] as number;
    const e = encoding.offsets[2 * i + 1] as number;
    if (special[i] && e > s && s >= at) {
      out += text.slice(at, s);
      removed += e - s;
      at = e;
      offsets[2 * i] = s - (removed - (e - s));
      offsets[2 * i + 1] = s - (removed - (e - s));
    } else {
      offsets[2 * i] = Math.max(0, s - removed);
      offsets[2 * i + 1] = Math.max(0, e - removed);
    }
  }
  out += text.slice(at);
  return { text: out, encoding: { ...encoding, offsets } };
}

async function analyse(env: ScoreEnv, text: string, language: Language | undefined): Promise<Finding[]> {
  if (!language || !env.analyzers?.length) return [];
  const out: Finding[] = [];
  for (const a of env.analyzers) {
    if (!a.languages.includes(language)) continue;
    const sync = (a as { analyzeSync?: (code: string, lang: Language) => Finding[] }).analyzeSync;
    out.push(...(sync ? sync.call(a, text, language) : await a.analyze(text, language)));
  }
  return out;
}

/** Scores one completion: tokenizes it if needed, runs the analysers of `env`, matches and projects. */
export async function scoreTask(task: ScoreTask, env: ScoreEnv): Promise<ScoreResult> {
  try {
    return await score(task, env);
  } catch (e) {
    // the message says which completion of the request failed
    if (e instanceof TokenRewardError) throw new TokenRewardError(e.code, `completions[${task.index}]: ${e.message}`, { cause: e });
    throw e;
  }
}

/** Tokenizes `task` on this thread (when the executor cannot), so only matching is left. */
export function encodeTask(task: ScoreTask, tokenizer: TokenizerLike): ScoreTask {
  if (task.encoding) return task;
  try {
    const encoding = task.tokenIds ? offsetsOf(tokenizer, task) : tokenizer.encode(task.text);
    return { ...task, encoding };
  } catch (e) {
    if (e instanceof TokenRewardError) throw new TokenRewardError(e.code, `completions[${task.index}]: ${e.message}`, { cause: e });
    throw e;
  }
}

function offsetsOf(tokenizer: TokenizerLike, task: ScoreTask): TokenEncoding {
  if (!tokenizer.offsetsFor)
    throw new TokenRewardError('invalid-input', "it has tokenIds but the server's tokenizer cannot compute their offsets");
  return tokenizer.offsetsFor(task.text, task.tokenIds ?? []);
}

async function score(task: ScoreTask, env: ScoreEnv): Promise<ScoreResult> {
  let encoding = task.encoding;
  if (!encoding) {
    if (!env.tokenizer) throw new TokenRewardError('invalid-input', 'it needs offsets: the server has no tokenizer');
    encoding = task.tokenIds ? offsetsOf(env.tokenizer, task) : env.tokenizer.encode(task.text);
  }
  const pair = task.pair ?? (task.pairId === undefined ? undefined : env.pairs.get(task.pairId));
  if (task.pairId !== undefined && !pair) throw new TokenRewardError('invalid-input', `pair "${task.pairId}" is not loaded here`);
  let text = task.text;
  if (task.stripSpecial) ({ text, encoding } = stripSpecial(task.text, encoding));
  const found = await analyse(env, text, task.language ?? pair?.language);
  const { map, truncated } = onlineRewardMap(
    {
      ...(pair ? { pair, cache: env.cache } : {}),
      completion: text,
      encoding,
      findings: found.length ? [...task.findings, ...found] : task.findings,
      id: task.id,
      tokenizer: env.tokenizer?.name ?? 'caller',
    },
    task.options,
  );
  const at = unitIndex(text, task.unit);
  const spans = task.unit === 'utf16' ? map.spans : map.spans.map((s) => ({ ...s, start: at(s.start), end: at(s.end) }));
  const result: ScoreResult = { id: task.id, rewards: map.rewards, spans, truncated };
  if (pair) result.pairId = pair.id;
  if (task.returnTokens) {
    result.tokenIds = map.tokenIds;
    result.offsets = task.unit === 'utf16' ? map.offsets : map.offsets.map(([s = 0, e = 0]) => [at(s), at(e)]);
  }
  return result;
}
