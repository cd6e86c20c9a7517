import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRewardServer, type RewardServer } from '../src/index.js';
import { badC, batch, copyPair, goodC, health, post, rawStart, words } from './server-helpers.js';

const ok = { pairId: copyPair.id, completions: [{ text: badC, offsets: words(badC) }] };

describe('reward server hardening (real HTTP on loopback)', () => {
  let service: RewardServer;
  let port: number;

  /** The server still scores a plain request after each bad one. */
  async function stillServes() {
    const r = await post(port, '/v1/rewards', ok);
    expect(r.status).toBe(200);
    expect(Math.min(...(r.json.results[0]?.rewards ?? [0]))).toBeLessThan(0);
  }

  beforeAll(async () => {
    service = createRewardServer({
      pairs: new Map([[copyPair.id, copyPair]]),
      workers: 2,
      maxCompletions: 8,
      maxWorkChars: 20_000,
      bodyIdleMs: 400,
    });
    ({ port } = await service.listen(0));
  });
  afterAll(async () => {
    await service.close();
  });

  it('answers invalid UTF-8 with 400 naming the byte, instead of replacing it and shifting offsets', async () => {
    const head = Buffer.from('{"pairId": "srv-copy", "completions": [{"text": "a');
    const body = Buffer.concat([head, Buffer.from([0xc3, 0x28]), Buffer.from('", "offsets": [[0, 2]]}]}')]);
    const r = await post(port, '/v1/rewards', body);
    expect(r.status).toBe(400);
    expect(r.json.error).toEqual({
      code: 'invalid-utf8',
      message: `request body is not UTF-8: byte ${head.length} starts no valid sequence`,
    });
    // an encoded surrogate (CESU-8) is not UTF-8 either
    const cesu = Buffer.concat([Buffer.from('{"completions": [{"text": "'), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from('"}]}')]);
    expect((await post(port, '/v1/rewards', cesu)).json.error.code).toBe('invalid-utf8');
    await stillServes();
  });

  it.each([
    ['text/plain', 'text/plain;charset=UTF-8'],
    ['a form', 'application/x-www-form-urlencoded'],
    ['JSON in another charset', 'application/json; charset=latin1'],
  ])('answers %s with 415, so a web page cannot post without a preflight', async (_name, type) => {
    const r = await post(port, '/v1/rewards', ok, { 'content-type': type });
    expect(r.status).toBe(415);
    expect(r.json.error.code).toBe('unsupported-media-type');
    await stillServes();
  });

  it('answers a body without a content type with 415', async () => {
    const { received } = await rawStart(
      port,
      `POST /v1/rewards HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Length: 2\r\nConnection: close`,
      '{}',
    );
    expect(await received).toMatch(/^HTTP\/1\.1 415 /);
    await stillServes();
  });

  it('answers a Host outside the allow-list with 403 (DNS rebinding), and a page Origin too', async () => {
    for (const host of ['evil.example', 'evil.example:80', '127.0.0.1.evil.example']) {
      const r = await post(port, '/v1/rewards', ok, { host });
      expect(r.status, host).toBe(403);
      expect(r.json.error.code).toBe('host-not-allowed');
    }
    for (const host of ['localhost', `localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`]) {
      expect((await post(port, '/v1/rewards', ok, { host })).status, host).toBe(200);
    }
    const page = await post(port, '/v1/rewards', ok, { origin: 'http://evil.example' });
    expect(page.status).toBe(403);
    expect(page.json.error.code).toBe('origin-not-allowed');
    await stillServes();
  });

  it('serves the host names a deployment allows', async () => {
    const open = createRewardServer({ workers: 0, allowedHosts: ['reward.internal'] });
    const { port: p } = await open.listen(0);
    const body = { pair: copyPair, completions: [{ text: goodC, offsets: words(goodC) }] };
    expect((await post(p, '/v1/rewards', body, { host: 'reward.internal:8765' })).status).toBe(200);
    expect((await post(p, '/v1/rewards', body, { host: 'localhost' })).status).toBe(403);
    await open.close();
  });

  it('echoes a 10 MB pair id in a bounded message', async () => {
    const pairId = 'x'.repeat(10 * 1024 * 1024);
    const r = await post(port, '/v1/rewards', { pairId, completions: [{ text: 'x', offsets: [[0, 1]] }] });
    expect(r.status).toBe(404);
    expect(r.json.error.code).toBe('unknown-pair');
    expect(r.json.error.message.length).toBeLessThan(500);
    expect(r.json.error.message).toContain('(10485760 characters)');
    await stillServes();
  });

  it('bounds every error message, also those that quote the body (bad JSON)', async () => {
    const r = await post(port, '/v1/rewards', `{"completions": [${'9'.repeat(100_000)}x]}`);
    expect(r.status).toBe(400);
    expect(r.json.error.message.length).toBeLessThanOrEqual(401);
  });

  it('answers a request over its work budget with 413 before doing the work', async () => {
    const text = `${badC}${'// padding\n'.repeat(600)}`;
    const r = await post(port, '/v1/rewards', batch(text, 5));
    expect(r.status).toBe(413);
    expect(r.json.error.code).toBe('too-large');
    expect(r.json.error.message).toMatch(/work budget: .* the budget is 20000 \(--max-work-chars\)/);
    // an inline pair counts too
    const pair = { ...copyPair, id: 'big', vulnerableCode: copyPair.vulnerableCode + ' '.repeat(25_000) };
    expect((await post(port, '/v1/rewards', { pair, completions: [{ text: 'x', offsets: [[0, 1]] }] })).status).toBe(413);
    await stillServes();
  });

  it('answers more completions than --max-completions with 413 naming the flag', async () => {
    const r = await post(port, '/v1/rewards', batch('int x;', 9));
    expect(r.status).toBe(413);
    expect(r.json.error.message).toBe('9 completions; the limit is 8 (--max-completions)');
  });

  it('answers a body that stops arriving with 408, while others are served meanwhile', async () => {
    const slow = await Promise.all(
      Array.from({ length: 64 }, () =>
        rawStart(port, `POST /v1/rewards HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1000`, '{'),
      ),
    );
    // 64 stalled uploads are not in the queue: a full request is answered at once
    await stillServes();
    expect((await health(port)).json.admitted).toBe(0);
    const replies = await Promise.all(slow.map((s) => s.received));
    for (const reply of replies) {
      expect(reply).toMatch(/^HTTP\/1\.1 408 /);
      expect(reply).toContain('"code":"body-timeout"');
    }
    await stillServes();
  });
});
