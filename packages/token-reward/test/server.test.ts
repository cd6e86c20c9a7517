import { Agent, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RewardSpan } from '@srcode/dataset';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadHfTokenizer } from '../src/hf.js';
import { byteTokenizer, createRewardServer, type RewardServer } from '../src/index.js';
import { markedPair } from './helpers.js';
import { QWEN_DIR } from './qwen.js';

const pair = markedPair(
  'srv-copy',
  'c',
  'void f(const char *s) {\n  char buf[16];\n  [-strcpy(buf, s)-]{+strncpy(buf, s, sizeof buf)+};\n}\n',
);
const good = 'void g(const char *in) {\n  char out[16];\n  strncpy(out, in, sizeof out);\n}\n';
const bad = 'void g(const char *in) {\n  char out[16];\n  strcpy(out, in);\n}\n';

const JSON_TYPE = { 'content-type': 'application/json' };

interface Scored {
  id: string;
  rewards: number[];
  spans: RewardSpan[];
  tokenIds: number[];
  offsets: number[][];
  truncated: boolean;
}

interface Answer {
  /** At least one result in a 200 answer (typed as a tuple so tests index it directly). */
  results: [Scored, Scored, ...Scored[]];
  error: { code: string; message: string };
}

/** Offsets of whitespace-separated words and the gaps between them. */
function words(text: string): number[][] {
  return [...text.matchAll(/\s+|\S+/g)].map((m) => [m.index, m.index + m[0].length]);
}

describe('reward server', () => {
  let service: RewardServer;
  let base: string;

  async function post(body: unknown, init: RequestInit = {}): Promise<{ status: number; json: Answer }> {
    const res = await fetch(`${base}/v1/rewards`, {
      method: 'POST',
      body: typeof body === 'string' ? body : JSON.stringify(body),
      ...init,
      headers: { 'content-type': 'application/json', ...(init.headers as Record<string, string> | undefined) },
    });
    return { status: res.status, json: (await res.json()) as Answer };
  }

  beforeAll(async () => {
    const tokenizer = await loadHfTokenizer(QWEN_DIR, { name: 'qwen3' });
    service = createRewardServer({ pairs: new Map([[pair.id, pair]]), tokenizer, maxBodyBytes: 8 * 1024 * 1024 });
    const address: AddressInfo = await service.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${address.port}`;
  });
  afterAll(async () => {
    await service.close();
  });

  it('answers health checks', async () => {
    const res = await fetch(`${base}/healthz`);
    const health = (await res.json()) as { limits: Record<string, number> };
    expect(health).toMatchObject({ ok: true, languages: ['c', 'python', 'cpp'], pairs: 1 });
    expect(Object.keys(health.limits).sort()).toEqual(['maxBodyBytes', 'maxCompletions', 'maxTextLength', 'maxWorkChars']);
    for (const v of Object.values(health.limits)) expect(v).toBeGreaterThan(0);
  });

  it('scores a batch of completions sent with caller offsets', async () => {
    const { status, json } = await post({
      pairId: pair.id,
      completions: [good, bad].map((text, i) => ({ id: `c${i}`, text, offsets: words(text) })),
    });
    expect(status).toBe(200);
    const [g, b] = json.results;
    expect(g.rewards).toHaveLength(words(good).length);
    expect(Math.max(...g.rewards)).toBeGreaterThan(0);
    expect(Math.min(...b.rewards)).toBeLessThan(0);
    expect(g.spans[0]).toMatchObject({ polarity: 'secure', source: 'match', nodeType: 'call_expression' });
  });

  it('converts code-point offsets from Python and honours an offset base', async () => {
    const prompt = '// 😀 write g\n';
    const text = prompt + bad;
    const cp = (i: number) => [...text.slice(0, i)].length;
    const offsets = words(text).map(([s = 0, e = 0]) => [cp(s), cp(e)]);
    const { status, json } = await post({
      pair,
      completions: [{ text: bad, offsets, offsetUnit: 'codepoint', offsetBase: [...prompt].length }],
    });
    expect(status, JSON.stringify(json)).toBe(200);
    const rewards: number[] = json.results[0].rewards;
    const promptTokens = words(prompt).length;
    expect(rewards.slice(0, promptTokens).every((r) => r === 0)).toBe(true);
    const strcpyToken = words(text).findIndex(([s = 0, e = 0]) => text.slice(s, e).startsWith('strcpy'));
    expect(rewards[strcpyToken]).toBeLessThan(0);
    // span-mean (the default): the tokens of each span share its weight
    const spanTotal = json.results[0].spans.reduce((a: number, s: { weight: number }) => a + s.weight, 0);
    expect(rewards.reduce((a, b) => a + b, 0)).toBeCloseTo(spanTotal, 4);
  });

  it('tokenizes text itself, or computes offsets for token ids alone, with its tokenizer', async () => {
    const { json } = await post({ pair, completions: [{ text: 'int x = 1; /* é 世界 */' }] });
    const r = json.results[0];
    expect(r.tokenIds.length).toBe(r.rewards.length);
    expect(r.offsets.map(([s, e]: number[]) => 'int x = 1; /* é 世界 */'.slice(s, e)).join('')).toBe('int x = 1; /* é 世界 */');
    const again = await post({ pair, completions: [{ text: 'int x = 1; /* é 世界 */', tokenIds: r.tokenIds }] });
    expect(again.json.results[0].rewards).toEqual(r.rewards);
  });

  it.each([
    ['invalid JSON', '{"completions": [', 400, 'json'],
    ['no completions', { pair }, 400, 'invalid-request'],
    ['offsets out of range', { pair, completions: [{ text: 'ab', offsets: [[0, 5]] }] }, 400, 'invalid-offsets'],
    [
      'offsets out of order',
      {
        pair,
        completions: [
          {
            text: 'abcd',
            offsets: [
              [2, 4],
              [0, 2],
            ],
          },
        ],
      },
      400,
      'invalid-offsets',
    ],
    ['a lone surrogate', '{"pair": null, "completions": [{"text": "a\\ud800b", "offsets": [[0, 3]]}]}', 400, 'invalid-pair'],
    ['a lone surrogate in text', '{"completions": [{"text": "a\\ud800b", "offsets": [[0, 3]]}]}', 400, 'invalid-text'],
    [
      'an unknown language',
      { pair: { ...pair, language: 'rust' }, completions: [{ text: 'fn main() {}', offsets: [[0, 12]] }] },
      400,
      'unknown-language',
    ],
    ['an unknown option', { pair, completions: [{ text: 'x', offsets: [[0, 1]] }], options: { magic: 1 } }, 400, 'invalid-option'],
    ['a bad option value', { pair, completions: [{ text: 'x', offsets: [[0, 1]] }], options: { overlap: 'some' } }, 400, 'invalid-option'],
    ['an unknown pair id', { pairId: 'nope', completions: [{ text: 'x', offsets: [[0, 1]] }] }, 404, 'unknown-pair'],
    ['ids that are not the text', { pair, completions: [{ text: 'int x;', tokenIds: [1, 2, 3] }] }, 400, 'offsets-mismatch'],
  ])('answers %s with a clear 4xx', async (_name, body, status, code) => {
    const res = await post(body);
    expect(res.status).toBe(status);
    expect(res.json.error.code).toBe(code);
    expect(res.json.error.message.length).toBeGreaterThan(10);
  });

  it('scores token ids that end with an EOS the text leaves out, giving it no reward', async () => {
    const tokenizer = await loadHfTokenizer(QWEN_DIR, { name: 'qwen3' });
    const tokenIds = [...Array.from(tokenizer.encode(bad).ids), 151645];
    const { status, json } = await post({ pairId: pair.id, completions: [{ text: bad, tokenIds }] });
    expect(status).toBe(200);
    const [r] = json.results;
    expect(r.rewards).toHaveLength(tokenIds.length);
    expect(r.rewards.at(-1)).toBe(0);
    expect(Math.min(...r.rewards)).toBeLessThan(0);
  });

  it('answers unknown routes and methods', async () => {
    expect((await fetch(`${base}/nope`)).status).toBe(404);
    expect((await fetch(`${base}/v1/rewards`)).status).toBe(405);
  });

  it('refuses a 100 MB request with 413 and stays up', async () => {
    const huge = Buffer.alloc(100 * 1024 * 1024, 0x20);
    const res = await fetch(`${base}/v1/rewards`, { method: 'POST', body: huge, headers: JSON_TYPE });
    expect(res.status).toBe(413);
    expect(((await res.json()) as Answer).error.code).toBe('too-large');
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
  });

  it('scores a 100k-line completion within bounds', async () => {
    const text = `void g(char *in) {\n  char out[16];\n${'  strcpy(out, in);\n'.repeat(100_000)}}\n`;
    const offsets = [...text.matchAll(/[^\n]*\n/g)].map((m) => [m.index, m.index + m[0].length]);
    const { status, json } = await post({ pair, completions: [{ text, offsets }] });
    expect(status).toBe(200);
    expect(json.results[0].rewards).toHaveLength(offsets.length);
    expect(json.results[0].rewards.filter((r: number) => r < 0).length).toBeGreaterThan(1000);
  });

  it('serves concurrent requests', async () => {
    const all = await Promise.all(
      Array.from({ length: 24 }, (_, i) =>
        post({ pairId: pair.id, completions: [{ id: `p${i}`, text: i % 2 ? good : bad, offsets: words(i % 2 ? good : bad) }] }),
      ),
    );
    all.forEach((r, i) => {
      expect(r.status).toBe(200);
      expect(r.json.results[0].id).toBe(`p${i}`);
      expect(Math.max(...r.json.results[0].rewards.map(Math.abs))).toBeGreaterThan(0);
    });
  });

  it('frees the slot of a body past the hard cap, so later requests are not refused as busy', async () => {
    const small = createRewardServer({ pairs: new Map([[pair.id, pair]]), maxBodyBytes: 1024, maxInFlight: 1 });
    const { port } = await small.listen(0);
    // 70 MiB is past 8 x 1 KiB + 64 MiB: the server drops the connection mid-body
    await new Promise<void>((resolve) => {
      const req = request({ port, host: '127.0.0.1', method: 'POST', path: '/v1/rewards', headers: JSON_TYPE }, (res) => {
        res.resume();
        res.on('end', resolve);
        res.on('error', () => resolve());
      });
      req.on('error', () => resolve());
      const chunk = Buffer.alloc(1 << 20, 0x61);
      let n = 0;
      const write = () => {
        while (n < 70) {
          n++;
          if (!req.write(chunk)) return void req.once('drain', write);
        }
        req.end();
      };
      write();
    });
    const body = JSON.stringify({ pairId: pair.id, completions: [{ text: 'x', offsets: [[0, 1]] }] });
    let status = 503;
    // the server may see the dropped connection a moment after the client does
    for (let i = 0; i < 50 && status === 503; i++) {
      status = (await fetch(`http://127.0.0.1:${port}/v1/rewards`, { method: 'POST', body, headers: JSON_TYPE })).status;
      if (status === 503) await new Promise((r) => setTimeout(r, 20));
    }
    expect(status).toBe(200);
    await small.close();
  });

  it('reports its load on health checks, which no queue holds back', async () => {
    const res = await fetch(`${base}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ ok: true, workers: expect.any(Number), admitted: 0, queuedChars: 0 });
  });

  it('closes keep-alive connections on shutdown even while a client keeps sending', async () => {
    const other = createRewardServer({ pairs: new Map([[pair.id, pair]]) });
    const { port } = await other.listen(0);
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const body = JSON.stringify({ pairId: pair.id, completions: [{ text: 'x', offsets: [[0, 1]] }] });
    const send = (hold?: Promise<unknown>) =>
      new Promise<{ status: number | string; connection: string | undefined }>((resolve) => {
        const req = request(
          { agent, port, host: '127.0.0.1', method: 'POST', path: '/v1/rewards', headers: { 'content-length': body.length, ...JSON_TYPE } },
          (res) => {
            res.resume();
            res.on('end', () => resolve({ status: res.statusCode ?? 0, connection: res.headers.connection }));
          },
        );
        req.on('error', (e: NodeJS.ErrnoException) => resolve({ status: e.code ?? 'error', connection: undefined }));
        req.write(body.slice(0, 5));
        if (hold) void hold.then(() => req.end(body.slice(5)));
        else req.end(body.slice(5));
      });
    expect((await send()).connection).toBe('keep-alive');
    let release = () => {};
    const hold = new Promise<void>((r) => {
      release = r;
    });
    const arrived = new Promise((resolve) => other.server.once('request', resolve));
    const inFlight = send(hold);
    await arrived;
    let closed = false;
    const closing = other.close().then(() => {
      closed = true;
    });
    release();
    const first = await inFlight;
    expect(first).toEqual({ status: 200, connection: 'close' });
    // a busy client: without the close it would be served on the same connection forever
    let last: number | string = 200;
    for (let i = 0; i < 100 && last === 200; i++) last = (await send()).status;
    expect(last).not.toBe(200);
    await closing;
    expect(closed).toBe(true);
    agent.destroy();
  });

  it('finishes requests in flight on shutdown, then refuses new connections', async () => {
    const other = createRewardServer({ tokenizer: byteTokenizer });
    const { port } = await other.listen(0);
    const arrived = new Promise((resolve) => other.server.once('request', resolve));
    const inFlight = fetch(`http://127.0.0.1:${port}/v1/rewards`, {
      method: 'POST',
      headers: JSON_TYPE,
      body: JSON.stringify({ pair, completions: [{ text: bad.repeat(2000) }] }),
    });
    await arrived;
    const closed = other.close();
    const res = await inFlight;
    expect(res.status).toBe(200);
    await closed;
    await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
  });
});
