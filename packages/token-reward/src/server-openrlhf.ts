import type { Language } from '@srcode/dataset';
import { clip, HttpError } from './server-http.js';
import { budgetError, type PairSource, pairChars, parseOptions, resolvePair } from './server-request.js';
import type { ScoreResult, ScoreTask } from './server-score.js';
import type { ServerLimits } from './server-options.js';

/**
 * A label of OpenRLHF's remote reward request: a pair id, or an object (or its JSON text) with
 * `pairId` or `pair`, and `options` for that sample (say `instanceReward`).
 */
function parseLabel(raw: unknown, i: number): Record<string, unknown> {
  if (raw === null || raw === undefined || raw === '') return {};
  if (typeof raw === 'string') {
    if (!raw.trimStart().startsWith('{')) return { pairId: raw };
    try {
      return parseLabel(JSON.parse(raw) as unknown, i);
    } catch {
      throw new HttpError(400, 'invalid-request', `labels[${i}] starts like JSON but is not: ${clip(raw)}`);
    }
  }
  if (typeof raw === 'object' && !Array.isArray(raw)) return raw as Record<string, unknown>;
  throw new HttpError(400, 'invalid-request', `labels[${i}] must be a pair id or an object with pairId or pair`);
}

const stringList = (v: unknown, name: string): string[] => {
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string'))
    throw new HttpError(400, 'invalid-request', `"${name}" must be an array of strings`);
  return v;
};

/**
 * OpenRLHF's remote reward request `{ query, prompts, labels }` as tasks: each response is its query
 * after the prompt (found in the query, so left padding before it does not matter), tokenized by the
 * server with its special tokens removed before matching.
 */
export function parseOpenRlhfRequest(
  request: Record<string, unknown>,
  src: PairSource,
  limits: ServerLimits,
  canTokenize: boolean,
): { tasks: ScoreTask[]; work: number } {
  const queries = stringList(request.query, 'query');
  if (queries.length === 0) throw new HttpError(400, 'invalid-request', '"query" must hold at least one sequence');
  if (queries.length > limits.maxCompletions)
    throw new HttpError(413, 'too-large', `${queries.length} queries; the limit is ${limits.maxCompletions} (--max-completions)`);
  const prompts = request.prompts === undefined ? queries.map(() => '') : stringList(request.prompts, 'prompts');
  const labels = request.labels === undefined ? [] : request.labels;
  if (!Array.isArray(labels)) throw new HttpError(400, 'invalid-request', '"labels" must be an array');
  if (prompts.length !== queries.length || (labels.length !== 0 && labels.length !== queries.length))
    throw new HttpError(
      400,
      'invalid-request',
      `"query", "prompts" and "labels" must have one entry per sample (${queries.length} queries)`,
    );
  if (!canTokenize)
    throw new HttpError(400, 'invalid-request', 'OpenRLHF rewards are sums over tokens: start the server with a tokenizer (--tokenizer)');
  const tasks: ScoreTask[] = [];
  let work = 0;
  for (const [i, query] of queries.entries()) {
    const prompt = prompts[i] as string;
    const at = query.indexOf(prompt);
    if (at < 0) throw new HttpError(400, 'invalid-request', `query[${i}] does not contain prompts[${i}] (${clip(prompt, 40)})`);
    const text = query.slice(at + prompt.length);
    if (text.length > limits.maxTextLength)
      throw new HttpError(
        413,
        'too-large',
        `the response of query[${i}] has ${text.length} UTF-16 units; the limit is ${limits.maxTextLength}`,
      );
    if (/\p{Cs}/u.test(text)) throw new HttpError(400, 'invalid-text', `query[${i}] holds a lone surrogate: it is not well-formed UTF-16`);
    const label = parseLabel(labels[i], i);
    const pair = resolvePair(src, label, `labels[${i}].`);
    const language = pair && 'pair' in pair ? pair.pair.language : src.pairs.get(pair?.pairId ?? '')?.language;
    work += text.length + (pair && 'pair' in pair ? pairChars(pair.pair) : 0);
    if (work > limits.maxWorkChars) throw budgetError(work, limits.maxWorkChars, i);
    tasks.push({
      id: `sample-${i}`,
      index: i,
      ...(pair ?? {}),
      ...(language ? { language: language as Language } : {}),
      text,
      findings: [],
      options: { ...parseOptions(label.options, `labels[${i}].options`), maxNodes: 200_000 },
      unit: 'utf16',
      stripSpecial: true,
      returnTokens: false,
      cost: text.length,
    });
  }
  return { tasks, work };
}

/** The reply OpenRLHF reads: one reward (and score) per sample, and per-sample logs. */
export function openRlhfReply(results: readonly ScoreResult[]): {
  rewards: number[];
  scores: number[];
  extra_logs: Record<string, number[]>;
} {
  const rewards = results.map((r) => r.rewards.reduce((a, b) => a + b, 0));
  const count = (r: ScoreResult, polarity: string) => r.spans.filter((s) => s.polarity === polarity).length;
  return {
    rewards,
    scores: rewards,
    extra_logs: {
      secure_spans: results.map((r) => count(r, 'secure')),
      vulnerable_spans: results.map((r) => count(r, 'vulnerable')),
      rewarded_tokens: results.map((r) => r.rewards.filter((x) => x > 0).length),
      penalised_tokens: results.map((r) => r.rewards.filter((x) => x < 0).length),
      truncated: results.map((r) => (r.truncated ? 1 : 0)),
    },
  };
}
