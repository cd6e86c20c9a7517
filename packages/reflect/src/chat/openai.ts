import { ReflectError } from '../errors.js';
import { type BackoffOptions, backoffDelay, parseRetryAfter, sleep as realSleep } from './backoff.js';
import { type CachedAnswer, ChatCache } from './cache.js';
import { ConcurrencyLimit } from './limit.js';
import { type ChatModel, type ChatRequest, type ChatResult, type ChatStats, emptyStats } from './model.js';

/** Options of `OpenAIChatClient`; the backoff options tune the waits between retries. */
export interface OpenAIChatOptions extends BackoffOptions {
  /** Base URL of an OpenAI-compatible server, e.g. `http://127.0.0.1:8000/v1`; `/chat/completions` is appended. */
  endpoint: string;
  /** Model name sent with every request (and recorded in verdicts and prompts). */
  model: string;
  /** Name of the environment variable that holds the API key; the key itself is never stored or logged. */
  apiKeyEnv?: string;
  /** Environment to read the key from. @default process.env */
  env?: Record<string, string | undefined>;
  /** Per-attempt limit covering connect, headers and body. @default 60000 */
  timeoutMs?: number;
  /** Retries after the first attempt, for 429, 5xx, network errors, timeouts and unreadable bodies. @default 5 */
  maxRetries?: number;
  /** Requests in flight at once. @default 4 */
  concurrency?: number;
  /** Folder of the content-addressed answer cache; no cache when absent. */
  cacheDir?: string;
  /** Called for retries and failures; messages never contain the key. */
  onEvent?: (event: ChatEvent) => void;
  /** Waits between retries; tests pass a recorder. @default a real timer */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** What `OpenAIChatOptions.onEvent` hears: a retry about to wait, or a request given up on. */
export type ChatEvent =
  | {
      /** A failed attempt will be retried. */
      type: 'retry';
      /** 1 for the first retry. */
      attempt: number;
      /** Wait before the retry. */
      delayMs: number;
      /** What failed (status, timeout, network error), never containing the key. */
      reason: string;
    }
  | {
      /** The request is given up on (not retryable, or out of retries). */
      type: 'failure';
      /** What failed last, never containing the key. */
      reason: string;
    };

interface Attempt {
  ok: boolean;
  retryable: boolean;
  error?: ReflectError;
  retryAfterMs?: number;
  answer?: CachedAnswer;
}

/** Chat completions over HTTP(S) with retries, a concurrency limit, token accounting and a disk cache. */
export class OpenAIChatClient implements ChatModel {
  /** The model name of the options. */
  readonly name: string;
  /** Running totals of requests, retries, cache hits and tokens. */
  readonly stats: ChatStats = emptyStats();
  private readonly url: string;
  private readonly limit: ConcurrencyLimit;
  private readonly cache: ChatCache | undefined;
  private readonly apiKey: string | undefined;

  constructor(private readonly options: OpenAIChatOptions) {
    this.name = options.model;
    this.url = `${options.endpoint.replace(/\/+$/, '')}/chat/completions`;
    this.limit = new ConcurrencyLimit(options.concurrency ?? 4);
    this.cache = options.cacheDir ? new ChatCache(options.cacheDir) : undefined;
    if (options.apiKeyEnv) {
      const key = (options.env ?? process.env)[options.apiKeyEnv];
      if (!key)
        throw new ReflectError('missing-api-key', `environment variable ${options.apiKeyEnv} is empty or unset; expected an API key`);
      this.apiKey = key;
    }
  }

  /** The request body sent to the server; also what the cache key is computed from. */
  body(request: ChatRequest): Record<string, unknown> {
    return {
      model: this.options.model,
      messages: request.messages,
      temperature: request.temperature,
      max_tokens: request.maxTokens,
      seed: request.seed,
      response_format: request.responseFormat,
    };
  }

  /** Answers one request: from the cache when it has the body, else from the server with retries. */
  async complete(request: ChatRequest, options: { signal?: AbortSignal } = {}): Promise<ChatResult> {
    const body = this.body(request);
    const key = this.cache ? ChatCache.key(body) : '';
    const hit = this.cache?.get(key);
    if (hit) {
      this.stats.cacheHits++;
      this.stats.cachedTokens += hit.usage.promptTokens + hit.usage.completionTokens;
      return { ...hit, cached: true };
    }
    const answer = await this.limit.run(() => this.send(body, options.signal));
    this.cache?.set(key, body, answer);
    return { ...answer, cached: false };
  }

  private async send(body: Record<string, unknown>, signal: AbortSignal | undefined): Promise<CachedAnswer> {
    const maxRetries = this.options.maxRetries ?? 5;
    const wait = this.options.sleep ?? realSleep;
    const text = JSON.stringify(body);
    for (let attempt = 0; ; attempt++) {
      signal?.throwIfAborted();
      this.stats.requests++;
      const result = await this.attempt(text, signal);
      if (result.ok && result.answer) {
        this.stats.promptTokens += result.answer.usage.promptTokens;
        this.stats.completionTokens += result.answer.usage.completionTokens;
        return result.answer;
      }
      const error = result.error ?? new ReflectError('bad-response', 'no answer');
      if (!result.retryable || attempt >= maxRetries) {
        this.stats.failures++;
        this.options.onEvent?.({ type: 'failure', reason: error.message });
        throw error;
      }
      const computed = backoffDelay(attempt, this.options);
      const retryAfter =
        result.retryAfterMs === undefined ? undefined : Math.min(result.retryAfterMs, this.options.maxRetryAfterMs ?? 120_000);
      const delayMs = Math.max(computed, retryAfter ?? 0);
      this.stats.retries++;
      this.options.onEvent?.({ type: 'retry', attempt: attempt + 1, delayMs, reason: error.message });
      await wait(delayMs, signal);
    }
  }

  private async attempt(body: string, outer: AbortSignal | undefined): Promise<Attempt> {
    const timeoutMs = this.options.timeoutMs ?? 60_000;
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new ReflectError('timeout', `no complete answer within ${timeoutMs} ms`)), timeoutMs);
    const onOuter = () => controller.abort(outer?.reason);
    outer?.addEventListener('abort', onOuter, { once: true });
    const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
    if (this.apiKey) headers.authorization = `Bearer ${this.apiKey}`;
    try {
      const response = await fetch(this.url, { method: 'POST', headers, body, signal: controller.signal });
      const raw = await response.text();
      if (response.status === 429 || response.status >= 500) {
        const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'));
        const error = new ReflectError('http', `HTTP ${response.status} from ${this.url}`, { status: response.status });
        return { ok: false, retryable: true, error, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) };
      }
      if (!response.ok) {
        const error = new ReflectError('http', `HTTP ${response.status} from ${this.url}: ${raw.slice(0, 200)}`, {
          status: response.status,
        });
        return { ok: false, retryable: false, error };
      }
      return parseAnswer(raw, this.options.model);
    } catch (cause) {
      if (outer?.aborted) throw cause;
      if (controller.signal.aborted) return { ok: false, retryable: true, error: controller.signal.reason as ReflectError };
      const error = new ReflectError('network', `request to ${this.url} failed: ${(cause as Error).message}`, { cause });
      return { ok: false, retryable: true, error };
    } finally {
      clearTimeout(timer);
      outer?.removeEventListener('abort', onOuter);
    }
  }
}

function parseAnswer(raw: string, requestedModel: string): Attempt {
  const bad = (why: string): Attempt => ({
    ok: false,
    retryable: true,
    error: new ReflectError('bad-response', `expected a chat-completions JSON body, ${why}`),
  });
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return bad(`got ${raw.length} bytes that are not JSON: ${JSON.stringify(raw.slice(0, 80))}`);
  }
  const body = json as {
    model?: unknown;
    choices?: { message?: { content?: unknown }; finish_reason?: unknown }[];
    usage?: { prompt_tokens?: unknown; completion_tokens?: unknown };
  };
  const choice = Array.isArray(body.choices) ? body.choices[0] : undefined;
  const content = choice?.message?.content;
  if (typeof content !== 'string') return bad('found no choices[0].message.content string');
  const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
  return {
    ok: true,
    retryable: false,
    answer: {
      content,
      model: typeof body.model === 'string' ? body.model : requestedModel,
      usage: { promptTokens: num(body.usage?.prompt_tokens), completionTokens: num(body.usage?.completion_tokens) },
      finishReason: typeof choice?.finish_reason === 'string' ? choice.finish_reason : undefined,
    },
  };
}
