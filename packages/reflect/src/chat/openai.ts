import { ReflectError } from '../errors.js';
import { type BackoffOptions, backoffDelay, parseRetryAfter, sleep as realSleep } from './backoff.js';
import { type CachedAnswer, ChatCache } from './cache.js';
import { ConcurrencyLimit } from './limit.js';
import { type ChatModel, type ChatRequest, type ChatResult, type ChatStats, type CompleteOptions, emptyStats } from './model.js';
import { displayUrl, redactError, redactText } from './redact.js';

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
  /** `max_tokens` of a request that sets no `maxTokens` of its own. @default 2048 */
  maxTokens?: number;
  /**
   * Longest response body read, in bytes: a longer one (or an endless stream) is cut off and fails the
   * request without being retried, so memory stays bounded. @default 1048576
   */
  maxResponseBytes?: number;
  /** Called for retries and failures; messages never contain the key (nor does any error the client throws). */
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

/** Options of `OpenAIChatClient.probe`. */
export interface ProbeOptions {
  /** Longest the whole check may take, retries included. @default 10000 */
  timeoutMs?: number;
  /** Tries before the endpoint counts as down (a server that is just restarting gets a second chance). @default 3 */
  attempts?: number;
  /** Aborts the check. */
  signal?: AbortSignal;
}

/** What `OpenAIChatClient.probe` found at a live endpoint. */
export interface ProbeResult {
  /** Time the check took. */
  ms: number;
  /** Which request answered: the model list, or (for servers without one) a one-token chat request. */
  via: 'models' | 'chat';
  /** The models the server lists, when it lists them. */
  models: string[] | undefined;
}

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
  private readonly base: string;
  /** The key and any credentials in the endpoint URL: redacted from every text the client passes on. */
  private readonly secrets: string[];
  private readonly shown: string;

  constructor(private readonly options: OpenAIChatOptions) {
    this.name = options.model;
    this.base = options.endpoint.replace(/\/+$/, '');
    this.url = joinPath(this.base, 'chat/completions');
    this.shown = displayUrl(this.url);
    this.secrets = urlSecrets(options.endpoint);
    for (const [name, value] of [
      ['maxTokens', options.maxTokens],
      ['maxResponseBytes', options.maxResponseBytes],
    ] as const)
      if (value !== undefined && (!Number.isInteger(value) || value < 1))
        throw new ReflectError('invalid-option', `${name} must be a positive integer, got ${value}`);
    this.limit = new ConcurrencyLimit(options.concurrency ?? 4);
    this.cache = options.cacheDir ? new ChatCache(options.cacheDir) : undefined;
    if (options.apiKeyEnv) {
      const key = (options.env ?? process.env)[options.apiKeyEnv];
      if (!key)
        throw new ReflectError('missing-api-key', `environment variable ${options.apiKeyEnv} is empty or unset; expected an API key`);
      this.apiKey = key;
      this.secrets.push(key);
    }
  }

  /** The request body sent to the server; also what the cache key is computed from. */
  body(request: ChatRequest): Record<string, unknown> {
    return {
      model: this.options.model,
      messages: request.messages,
      temperature: request.temperature,
      max_tokens: request.maxTokens ?? this.options.maxTokens ?? 2048,
      seed: request.seed,
      response_format: request.responseFormat,
    };
  }

  /**
   * Answers one request: from the cache when it has a usable answer for the body, else from the server
   * with retries. Only answers that `options.usable` accepts are cached.
   */
  async complete(request: ChatRequest, options: CompleteOptions = {}): Promise<ChatResult> {
    const body = this.body(request);
    const key = this.cache ? ChatCache.key(body) : '';
    const usable = options.usable ?? (() => true);
    const hit = this.cache?.get(key);
    if (hit && usable(hit.content)) {
      this.stats.cacheHits++;
      this.stats.cachedTokens += hit.usage.promptTokens + hit.usage.completionTokens;
      return { ...hit, cached: true };
    }
    const answer = await this.limit.run(() => this.send(body, options.signal));
    if (usable(answer.content)) this.cache?.set(key, body, answer);
    return { ...answer, cached: false };
  }

  /**
   * Checks, before a run, that the endpoint answers, within `timeoutMs` (seconds, where a run's retries
   * take minutes): `GET /models`, and a one-token chat request for servers without that route. Throws a
   * `network` or `timeout` error when nothing answers, an `http` error when the server refuses the key
   * (401, 403), has no chat completions there (another 4xx) or keeps failing (5xx). A 429 counts as alive.
   */
  async probe(options: ProbeOptions = {}): Promise<ProbeResult> {
    const started = Date.now();
    const budget = options.timeoutMs ?? 10_000;
    const attempts = Math.max(1, options.attempts ?? 3);
    const wait = this.options.sleep ?? realSleep;
    const left = () => budget - (Date.now() - started);
    let last: ReflectError | undefined;
    for (let attempt = 0; attempt < attempts && left() > 0; attempt++) {
      if (attempt > 0) await wait(Math.min(250 * 2 ** (attempt - 1), Math.max(0, left() - 1)), options.signal);
      const slice = Math.max(1, Math.min(left(), Math.ceil(budget / attempts)));
      try {
        const models = await this.exchange(joinPath(this.base, 'models'), { method: 'GET' }, slice, 1_048_576, options.signal);
        if (models.status === 401 || models.status === 403) throw this.refused(models.status, models.text);
        if (models.status >= 200 && models.status < 300) return { ms: Date.now() - started, via: 'models', models: modelIds(models.text) };
        if (models.status === 429) return { ms: Date.now() - started, via: 'models', models: undefined };
        if (models.status >= 500) {
          last = new ReflectError('http', `${displayUrl(this.base)} answers HTTP ${models.status}`, { status: models.status });
          continue;
        }
        // no model list here (404, 405): ask for one token instead
        const body = JSON.stringify({ model: this.options.model, messages: [{ role: 'user', content: 'ping' }], max_tokens: 1 });
        const chat = await this.exchange(this.url, { method: 'POST', body }, Math.max(1, left()), 65_536, options.signal);
        if ((chat.status >= 200 && chat.status < 300) || chat.status === 429)
          return { ms: Date.now() - started, via: 'chat', models: undefined };
        if (chat.status === 401 || chat.status === 403) throw this.refused(chat.status, chat.text);
        last = new ReflectError('http', `HTTP ${chat.status} from ${this.shown}: ${chat.text.slice(0, 200)}`, { status: chat.status });
        if (chat.status < 500) throw last;
      } catch (error) {
        if (options.signal?.aborted || !(error instanceof ReflectError) || error.code === 'http') throw error;
        last = error;
      }
    }
    const tried = `after ${Date.now() - started} ms`;
    const why = last?.message ?? 'no attempt finished in time';
    throw new ReflectError(last?.code ?? 'timeout', `the endpoint ${displayUrl(this.base)} is not answering (${tried}): ${why}`, {
      ...(last ? { cause: last } : {}),
      ...(last?.status === undefined ? {} : { status: last.status }),
    });
  }

  private refused(status: number, text: string): ReflectError {
    const key = this.options.apiKeyEnv ? `the key in ${this.options.apiKeyEnv}` : 'requests without a key';
    return new ReflectError('http', `${displayUrl(this.base)} refused ${key} (HTTP ${status}): ${text.slice(0, 200)}`, { status });
  }

  /** Removes the key from a text received from the server or built from what it said. */
  private redact(text: string): string {
    return redactText(text, this.secrets);
  }

  /** Headers of every request: JSON, and the key when there is one. */
  private headers(): Record<string, string> {
    const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
    if (this.apiKey) headers.authorization = `Bearer ${this.apiKey}`;
    return headers;
  }

  /**
   * One HTTP exchange under a timeout that covers the body, read up to `maxBytes`: the status, the body
   * with the key redacted, whether it was cut off, and the Retry-After header. Throws a key-free
   * `network` or `timeout` error (or the outer signal's reason).
   */
  private async exchange(
    url: string,
    init: { method: 'GET' | 'POST'; body?: string },
    timeoutMs: number,
    maxBytes: number,
    outer: AbortSignal | undefined,
  ): Promise<{ status: number; text: string; cut: boolean; retryAfter: string | null }> {
    const controller = new AbortController();
    const timer = setTimeout(
      () => controller.abort(new ReflectError('timeout', `no complete answer from ${displayUrl(url)} within ${timeoutMs} ms`)),
      timeoutMs,
    );
    const onOuter = () => controller.abort(outer?.reason);
    outer?.addEventListener('abort', onOuter, { once: true });
    try {
      const response = await fetch(url, { ...init, headers: this.headers(), signal: controller.signal });
      const { text, cut } = await readCapped(response, maxBytes);
      return { status: response.status, text: this.redact(text), cut, retryAfter: response.headers.get('retry-after') };
    } catch (cause) {
      if (outer?.aborted) throw cause;
      if (controller.signal.aborted) throw controller.signal.reason as ReflectError;
      const safeCause = redactError(cause, this.secrets);
      throw new ReflectError('network', `request to ${displayUrl(url)} failed: ${this.redact(describeCause(cause))}`, { cause: safeCause });
    } finally {
      clearTimeout(timer);
      outer?.removeEventListener('abort', onOuter);
    }
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
    const maxBytes = this.options.maxResponseBytes ?? 1_048_576;
    let reply: Awaited<ReturnType<OpenAIChatClient['exchange']>>;
    try {
      reply = await this.exchange(this.url, { method: 'POST', body }, this.options.timeoutMs ?? 60_000, maxBytes, outer);
    } catch (error) {
      if (outer?.aborted || !(error instanceof ReflectError)) throw error;
      return { ok: false, retryable: true, error };
    }
    const { status, text, cut } = reply;
    if (status === 429 || status >= 500) {
      const retryAfterMs = parseRetryAfter(reply.retryAfter);
      const error = new ReflectError('http', `HTTP ${status} from ${this.shown}`, { status });
      return { ok: false, retryable: true, error, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) };
    }
    if (status < 200 || status >= 300) {
      return {
        ok: false,
        retryable: false,
        error: new ReflectError('http', `HTTP ${status} from ${this.shown}: ${text.slice(0, 200)}`, { status }),
      };
    }
    if (cut) {
      // a server that streams past the cap would do it again: not retried
      return {
        ok: false,
        retryable: false,
        error: new ReflectError(
          'bad-response',
          `the answer from ${this.shown} is longer than ${maxBytes} bytes (maxResponseBytes); cut off`,
        ),
      };
    }
    return parseAnswer(text, this.options.model);
  }
}

/** `path` appended to the endpoint's path, its query kept (some servers take a key or version there). */
function joinPath(endpoint: string, path: string): string {
  try {
    const u = new URL(endpoint);
    u.pathname = `${u.pathname.replace(/\/+$/, '')}/${path}`;
    return u.toString();
  } catch {
    return `${endpoint}/${path}`;
  }
}

/** User name, password and query values of the endpoint URL. */
function urlSecrets(endpoint: string): string[] {
  try {
    const u = new URL(endpoint);
    return [decodeURIComponent(u.username), decodeURIComponent(u.password), u.username, u.password, ...u.searchParams.values()].filter(
      (s) => s.length >= 4,
    );
  } catch {
    return [];
  }
}

/** The `data[].id` of an OpenAI model list, when the body is one. */
function modelIds(text: string): string[] | undefined {
  try {
    const data = (JSON.parse(text) as { data?: unknown }).data;
    return Array.isArray(data)
      ? data.flatMap((m) => (typeof (m as { id?: unknown })?.id === 'string' ? [(m as { id: string }).id] : []))
      : undefined;
  } catch {
    return undefined;
  }
}

/** A node or fetch failure in words: its message and, where fetch wraps one, the cause's code and message. */
function describeCause(cause: unknown): string {
  const e = cause as { message?: unknown; cause?: { code?: unknown; message?: unknown } } | null;
  const inner = e?.cause;
  const detail = inner ? ` (${[inner.code, inner.message].filter((x) => typeof x === 'string').join(': ')})` : '';
  return `${typeof e?.message === 'string' ? e.message : String(cause)}${detail}`;
}

/** Reads a body up to `max` bytes: a longer one is cancelled (closing the connection) and reported as cut. */
export async function readCapped(response: Response, max: number): Promise<{ text: string; cut: boolean }> {
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  if (Number.isFinite(declared) && declared > max) {
    await response.body?.cancel().catch(() => {});
    return { text: '', cut: true };
  }
  const reader = response.body?.getReader();
  if (!reader) return { text: '', cut: false };
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel().catch(() => {});
      return { text: Buffer.concat(chunks).toString('utf8'), cut: true };
    }
    chunks.push(value);
  }
  return { text: Buffer.concat(chunks).toString('utf8'), cut: false };
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
