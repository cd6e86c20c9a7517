import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ProtocolServer, recordingSleep } from '../../test/protocol-server.js';
import { ReflectError } from '../errors.js';
import { parseRetryAfter } from './backoff.js';
import { OpenAIChatClient, type OpenAIChatOptions } from './openai.js';
import { completeStructured } from './structured.js';

const SECRET = 'sk-test-0123456789-secret';
let server: ProtocolServer;
let endpoint: string;

beforeEach(async () => {
  server = new ProtocolServer();
  endpoint = await server.start();
});
afterEach(() => server.stop());

function client(extra: Partial<OpenAIChatOptions> = {}) {
  const { delays, sleep } = recordingSleep();
  const c = new OpenAIChatClient({
    endpoint,
    model: 'test-model',
    baseDelayMs: 1,
    maxRetries: 3,
    timeoutMs: 2000,
    sleep,
    random: () => 0.5,
    ...extra,
  });
  return { c, delays };
}
const ask = { messages: [{ role: 'user' as const, content: 'hello' }] };

describe('OpenAIChatClient', () => {
  it('sends the chat-completions protocol and counts tokens', async () => {
    server.script.push({ kind: 'answer', content: 'hi there', promptTokens: 7, completionTokens: 3 });
    const { c } = client();
    const r = await c.complete({ ...ask, temperature: 0.2, seed: 4 });
    expect(r).toMatchObject({ content: 'hi there', cached: false, usage: { promptTokens: 7, completionTokens: 3 } });
    expect(server.requests[0]?.body).toMatchObject({ model: 'test-model', messages: ask.messages, temperature: 0.2, seed: 4 });
    expect(c.stats).toMatchObject({ requests: 1, promptTokens: 7, completionTokens: 3, retries: 0 });
  });

  it('honours Retry-After on 429 and retries until an answer arrives', async () => {
    server.script.push({ kind: 'status', status: 429, retryAfter: '3' }, { kind: 'answer', content: 'ok' });
    const { c, delays } = client();
    expect((await c.complete(ask)).content).toBe('ok');
    expect(server.requests).toHaveLength(2);
    expect(delays).toHaveLength(1);
    expect(delays[0]).toBeGreaterThanOrEqual(3000);
  });

  it('clips a Retry-After longer than maxRetryAfterMs', async () => {
    server.script.push({ kind: 'status', status: 429, retryAfter: '3600' }, { kind: 'answer', content: 'ok' });
    const { c, delays } = client({ maxRetryAfterMs: 50 });
    await c.complete(ask);
    expect(delays).toEqual([50]);
  });

  it('retries 5xx with growing backoff and gives up after maxRetries', async () => {
    for (let i = 0; i < 4; i++) server.script.push({ kind: 'status', status: 500 });
    const { c, delays } = client({ baseDelayMs: 10 });
    const err = await c.complete(ask).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ReflectError);
    expect(err).toMatchObject({ code: 'http', status: 500 });
    expect(server.requests).toHaveLength(4);
    expect(delays).toEqual([8, 15, 30]); // jitter fixed at 0.5: base*2^n * 0.75
    expect(c.stats).toMatchObject({ retries: 3, failures: 1 });
  });

  it('does not retry a 400', async () => {
    server.script.push({ kind: 'status', status: 400, body: 'bad request' });
    const { c } = client();
    await expect(c.complete(ask)).rejects.toMatchObject({ code: 'http', status: 400 });
    expect(server.requests).toHaveLength(1);
  });

  it('times out a stalled response and retries it', async () => {
    server.script.push({ kind: 'stall' }, { kind: 'answer', content: 'after stall' });
    const { c } = client({ timeoutMs: 1500 });
    expect((await c.complete(ask)).content).toBe('after stall');
    expect(c.stats.retries).toBe(1);
  });

  it('fails with a timeout error when every attempt stalls', async () => {
    server.script.push({ kind: 'stall' }, { kind: 'stall' });
    const { c } = client({ timeoutMs: 100, maxRetries: 1 });
    await expect(c.complete(ask)).rejects.toMatchObject({ code: 'timeout' });
  });

  it('retries a truncated body and a non-JSON body', async () => {
    server.script.push({ kind: 'truncate' }, { kind: 'raw', body: '<html>502 Bad Gateway</html>' }, { kind: 'answer', content: 'whole' });
    const { c } = client();
    expect((await c.complete(ask)).content).toBe('whole');
    expect(server.requests).toHaveLength(3);
  });

  it('retries a refused connection as a network error', async () => {
    await server.stop();
    const { c, delays } = client({ maxRetries: 2 });
    await expect(c.complete(ask)).rejects.toMatchObject({ code: 'network' });
    expect(delays).toHaveLength(2);
  });

  it('keeps at most `concurrency` requests in flight', async () => {
    server.answer = () => ({ kind: 'answer', content: 'x', delayMs: 30 });
    const { c } = client({ concurrency: 2 });
    await Promise.all(Array.from({ length: 8 }, (_, i) => c.complete({ ...ask, seed: i })));
    expect(server.requests).toHaveLength(8);
    expect(server.maxInFlight).toBeLessThanOrEqual(2);
  });

  it('answers a repeated request from the disk cache without a request, across clients', async () => {
    const cacheDir = mkdtempSync(join(tmpdir(), 'reflect-cache-'));
    server.answer = () => ({ kind: 'answer', content: 'cached?', promptTokens: 4, completionTokens: 2 });
    const first = client({ cacheDir }).c;
    await first.complete({ ...ask, seed: 1 });
    await first.complete({ ...ask, seed: 1 });
    expect(server.requests).toHaveLength(1);
    expect(first.stats).toMatchObject({ requests: 1, cacheHits: 1, cachedTokens: 6 });
    const second = client({ cacheDir }).c;
    expect(await second.complete({ ...ask, seed: 1 })).toMatchObject({ content: 'cached?', cached: true });
    await second.complete({ ...ask, seed: 2 }); // another sample is another request
    expect(server.requests).toHaveLength(2);
  });

  it('sends the key only in the Authorization header, never to the cache or events', async () => {
    const cacheDir = mkdtempSync(join(tmpdir(), 'reflect-cache-'));
    server.script.push({ kind: 'status', status: 503 }, { kind: 'answer', content: 'ok' });
    const events: string[] = [];
    const { c } = client({ cacheDir, apiKeyEnv: 'TEST_KEY', env: { TEST_KEY: SECRET }, onEvent: (e) => events.push(JSON.stringify(e)) });
    await c.complete(ask);
    expect(server.requests[1]?.headers.authorization).toBe(`Bearer ${SECRET}`);
    expect(JSON.stringify(server.requests[1]?.body)).not.toContain(SECRET);
    const files = readdirSync(cacheDir, { recursive: true, withFileTypes: true }).filter((d) => d.isFile());
    expect(files).toHaveLength(1);
    for (const f of files) expect(readFileSync(join(f.parentPath, f.name), 'utf8')).not.toContain(SECRET);
    expect(events.join('\n')).not.toContain(SECRET);
    expect(events).toHaveLength(1);
  });

  it('refuses to start when the named key variable is unset', () => {
    expect(() => client({ apiKeyEnv: 'NOPE_KEY', env: {} })).toThrow(/NOPE_KEY/);
  });
});

describe('OpenAIChatClient answers and bodies', () => {
  it('always sends max_tokens: the client default, or the request own', async () => {
    const { c } = client({ maxTokens: 300 });
    await c.complete(ask);
    await c.complete({ ...ask, maxTokens: 7 });
    expect(server.requests.map((r) => r.body.max_tokens)).toEqual([300, 7]);
    await client().c.complete(ask);
    expect(server.requests[2]?.body.max_tokens).toBe(2048);
  });

  it('caches only usable answers, and asks again for a cached answer that is not usable', async () => {
    const cacheDir = mkdtempSync(join(tmpdir(), 'reflect-cache-'));
    server.script.push({ kind: 'answer', content: 'not json' }, { kind: 'answer', content: '{"ok":true}' });
    const usable = (content: string) => content.startsWith('{');
    const { c } = client({ cacheDir });
    expect((await c.complete(ask, { usable })).content).toBe('not json');
    expect(readdirSync(cacheDir)).toEqual([]); // nothing cached, not even a folder
    expect((await c.complete(ask, { usable })).content).toBe('{"ok":true}');
    expect((await c.complete(ask, { usable })).cached).toBe(true);
    expect(server.requests).toHaveLength(2);
    // an entry an older version cached without the check is a miss
    const old = mkdtempSync(join(tmpdir(), 'reflect-cache-'));
    server.script.push({ kind: 'answer', content: 'not json' }, { kind: 'answer', content: '{"ok":1}' });
    await client({ cacheDir: old }).c.complete(ask);
    expect((await client({ cacheDir: old }).c.complete(ask, { usable })).content).toBe('{"ok":1}');
  });

  it('cuts off an endless body at maxResponseBytes, hangs up, and does not retry it', async () => {
    server.script.push({ kind: 'endless' });
    const { c } = client({ maxResponseBytes: 256 * 1024, timeoutMs: 5000 });
    const err = await c.complete(ask).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'bad-response', message: expect.stringContaining('longer than 262144 bytes') });
    expect(server.requests).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 50));
    const written = server.endlessBytes;
    await new Promise((r) => setTimeout(r, 100));
    expect(server.endlessBytes).toBe(written); // the connection is closed: the server writes no more
    expect(written).toBeLessThan(16 * 1024 * 1024);
  });

  it('refuses a body whose Content-Length is over the cap without reading it', async () => {
    server.script.push({ kind: 'huge', bytes: 3 * 1024 * 1024 });
    const { c } = client();
    await expect(c.complete(ask)).rejects.toMatchObject({ code: 'bad-response' });
  });
});

describe('OpenAIChatClient keeps the key out of every error', () => {
  const keyed = (extra: Partial<OpenAIChatOptions> = {}) => client({ apiKeyEnv: 'TEST_KEY', env: { TEST_KEY: SECRET }, ...extra });
  const textOf = (e: unknown): string => {
    const parts: string[] = [];
    for (let x = e as { message?: string; stack?: string; cause?: unknown } | undefined, d = 0; x && d < 10; x = x.cause as typeof x, d++)
      parts.push(String(x.message), String(x.stack), JSON.stringify(x));
    return parts.join('\n');
  };

  it('redacts a key echoed in an error body', async () => {
    server.script.push({ kind: 'echo-auth', status: 401 });
    const err = await keyed()
      .c.complete(ask)
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'http', status: 401 });
    expect(textOf(err)).not.toContain(SECRET);
    expect((err as Error).message).toContain('Bearer [redacted]');
  });

  it('redacts a key echoed inside an answer, so neither the result nor the cache holds it', async () => {
    const cacheDir = mkdtempSync(join(tmpdir(), 'reflect-cache-'));
    server.script.push({ kind: 'echo-auth', status: 200 });
    const r = await keyed({ cacheDir }).c.complete(ask);
    expect(r.content).toContain('[redacted]');
    expect(r.content).not.toContain(SECRET);
    const files = readdirSync(cacheDir, { recursive: true, withFileTypes: true }).filter((d) => d.isFile());
    for (const f of files) expect(readFileSync(join(f.parentPath, f.name), 'utf8')).not.toContain(SECRET);
  });

  it('redacts the key from a network failure, its cause and its stack', async () => {
    const key = `${SECRET}\nX-Injected: 1`; // an invalid header value: fetch's own error quotes it
    const { c } = client({ apiKeyEnv: 'TEST_KEY', env: { TEST_KEY: key }, maxRetries: 0 });
    const err = await c.complete(ask).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'network' });
    expect(textOf(err)).not.toContain(SECRET);
    expect(textOf(err)).toContain('[redacted]');
  });

  it('never shows credentials or a query string of the endpoint URL', async () => {
    const url = endpoint.replace('http://', 'http://user:hunter2-password@');
    const err = await client({ endpoint: `${url}?api-key=hunter3-query`, maxRetries: 0 })
      .c.complete(ask)
      .catch((e: unknown) => e);
    expect(textOf(err)).not.toMatch(/hunter2|hunter3/);
  });
});

describe('OpenAIChatClient.probe', () => {
  it('finds a live endpoint through its model list', async () => {
    server.models = ['test-model', 'other'];
    const r = await client().c.probe();
    expect(r).toMatchObject({ via: 'models', models: ['test-model', 'other'] });
    expect(server.requests).toHaveLength(0);
  });

  it('falls back to a one-token chat request on a server without a model list', async () => {
    server.models = undefined;
    const r = await client().c.probe();
    expect(r.via).toBe('chat');
    expect(server.requests[0]?.body).toMatchObject({ model: 'test-model', max_tokens: 1 });
  });

  it('gives a server that answers 503 another try', async () => {
    server.modelsScript.push({ kind: 'status', status: 503 });
    expect((await client().c.probe()).via).toBe('models');
    expect(server.modelRequests).toBe(2);
  });

  it('fails at once, redacted, when the server refuses the key', async () => {
    server.modelsScript.push({ kind: 'echo-auth', status: 401 });
    const err = await client({ apiKeyEnv: 'TEST_KEY', env: { TEST_KEY: SECRET } })
      .c.probe()
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'http', status: 401, message: expect.stringContaining('refused the key in TEST_KEY') });
    expect(JSON.stringify(err) + String((err as Error).message)).not.toContain(SECRET);
    expect(server.modelRequests).toBe(1);
  });

  it('fails in well under a second on a refused connection', async () => {
    await server.stop();
    const started = Date.now();
    const err = await client({ sleep: undefined })
      .c.probe()
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'network', message: expect.stringMatching(/is not answering .*ECONNREFUSED/) });
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('gives up on a server that never answers within its time budget', async () => {
    for (let i = 0; i < 3; i++) server.modelsScript.push({ kind: 'stall' });
    const started = Date.now();
    const err = await client({ sleep: undefined })
      .c.probe({ timeoutMs: 900 })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'timeout' });
    expect(Date.now() - started).toBeLessThan(3000);
  });
});

describe('completeStructured', () => {
  const schema = {
    type: 'object',
    properties: { answer: { type: 'integer' } },
    required: ['answer'],
    additionalProperties: false,
  };

  it('re-asks when the JSON breaks the schema, then when the reply is not JSON', async () => {
    server.script.push(
      { kind: 'answer', content: '{"answer":"forty-two"}' },
      { kind: 'answer', content: 'Sure! The answer is 42.' },
      { kind: 'answer', content: '```json\n{"answer": 42}\n```' },
    );
    const { c } = client();
    const r = await completeStructured<{ answer: number }>(c, ask, { schema, name: 'answer' });
    expect(r.value).toEqual({ answer: 42 });
    expect(r.results).toHaveLength(3);
    const third = server.requests[2]?.body;
    expect(third?.messages).toHaveLength(5);
    expect(third?.messages[2]?.content).toMatch(/\/answer must be integer/);
    expect(third?.response_format).toMatchObject({ type: 'json_schema', json_schema: { name: 'answer', schema } });
  });

  it('caches no off-schema answer: a later run asks that turn again', async () => {
    const cacheDir = mkdtempSync(join(tmpdir(), 'reflect-cache-'));
    server.script.push({ kind: 'answer', content: '{"answer":"x"}' }, { kind: 'answer', content: '{"answer":1}' });
    await completeStructured(client({ cacheDir }).c, ask, { schema, name: 'answer' });
    server.answer = () => ({ kind: 'answer', content: '{"answer":2}' });
    const again = await completeStructured<{ answer: number }>(client({ cacheDir }).c, ask, { schema, name: 'answer' });
    expect(again.value).toEqual({ answer: 2 });
    expect(again.results[0]?.cached).toBe(false);
  });

  it('throws invalid-output after maxReasks', async () => {
    server.answer = () => ({ kind: 'answer', content: '{"nope":1}' });
    const { c } = client();
    await expect(completeStructured(c, ask, { schema, name: 'answer', maxReasks: 1 })).rejects.toMatchObject({ code: 'invalid-output' });
    expect(server.requests).toHaveLength(2);
  });
});

describe('parseRetryAfter', () => {
  it('reads seconds and HTTP dates', () => {
    expect(parseRetryAfter('2')).toBe(2000);
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:28:10 GMT', Date.parse('Wed, 21 Oct 2015 07:28:00 GMT'))).toBe(10_000);
    expect(parseRetryAfter('soon')).toBeUndefined();
  });
});
