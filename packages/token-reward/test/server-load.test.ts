import { request } from 'node:http';
import { describe, expect, it } from 'vitest';
import { byteTokenizer, createRewardServer, type ServerOptions } from '../src/index.js';
import { badC, batch, copyPair, goodC, health, post, rawStart, words } from './server-helpers.js';

/** A long C completion: many functions, each with the vulnerable call. */
const heavyText = Array.from({ length: 1500 }, (_, i) => `void g${i}(const char *in) {\n  char out[16];\n  strcpy(out, in);\n}\n`).join('');
const heavy = batch(heavyText, 6);
const light = { pair: copyPair, completions: [{ id: 'light', text: badC, offsets: words(badC) }] };

async function start(options: ServerOptions) {
  const service = createRewardServer({ maxWorkChars: 4_000_000, ...options });
  const { port } = await service.listen(0);
  return { service, port };
}

/** Waits until the server has admitted `n` requests (their bodies arrived). */
async function admitted(port: number, n: number) {
  for (let i = 0; i < 500; i++) {
    if (((await health(port)).json.admitted as number) >= n) return;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`never saw ${n} admitted requests`);
}

describe('reward server under load (real HTTP on loopback)', () => {
  it.each([
    ['a pool of 2 workers', 2],
    ['one worker', 1],
    ['the main thread', 0],
  ])('answers a light request while a heavy one runs, on %s', async (_name, workers) => {
    const { service, port } = await start({ workers });
    const order: string[] = [];
    const big = post(port, '/v1/rewards', heavy).then((r) => {
      order.push('heavy');
      return r;
    });
    await admitted(port, 1);
    const small = await post(port, '/v1/rewards', light);
    order.push('light');
    expect(small.status).toBe(200);
    // span-mean (the default): the penalty's tokens share its weight
    const lightRewards: number[] = small.json.results[0]?.rewards ?? [];
    expect(Math.min(...lightRewards)).toBeLessThan(0);
    expect(lightRewards.reduce((a, b) => a + b, 0)).toBeCloseTo(-1, 4);
    const done = await big;
    expect(done.status).toBe(200);
    expect(done.json.results).toHaveLength(6);
    // the light request did not wait for the heavy batch
    expect(order).toEqual(['light', 'heavy']);
    await service.close();
  });

  it.each([
    ['a pool of 2 workers', 2],
    ['one worker', 1],
    ['the main thread', 0],
  ])('gives each of many concurrent requests its own results in order, light completions batched, on %s', async (_name, workers) => {
    const { service, port } = await start({ workers });
    // 16 requests of 6 completions each, alternately fixed and vulnerable, every text its own
    const replies = await Promise.all(
      Array.from({ length: 16 }, (_, r) => {
        const completions = Array.from({ length: 6 }, (_, k) => {
          const text = `${k % 2 ? goodC : badC}// request ${r} sample ${k}\n`;
          return { id: `r${r}-c${k}`, text, offsets: words(text) };
        });
        return post(port, '/v1/rewards', { pair: copyPair, completions });
      }),
    );
    replies.forEach((reply, r) => {
      expect(reply.status).toBe(200);
      expect(reply.json.results.map((x) => x.id)).toEqual(Array.from({ length: 6 }, (_, k) => `r${r}-c${k}`));
      reply.json.results.forEach((x, k) => {
        const rewards = x.rewards.filter((v) => v !== 0);
        expect(rewards.length, x.id).toBeGreaterThan(0);
        expect(
          rewards.every((v) => (k % 2 ? v > 0 : v < 0)),
          x.id,
        ).toBe(true);
      });
    });
    await service.close();
  });

  it('refuses work past its queue with an early 503 and Retry-After, and serves again once it drains', async () => {
    const { service, port } = await start({ workers: 1, maxInFlight: 2 });
    const running = [post(port, '/v1/rewards', heavy), post(port, '/v1/rewards', heavy)];
    await admitted(port, 2);
    const refused = await post(port, '/v1/rewards', light);
    expect(refused.status).toBe(503);
    expect(refused.json.error.code).toBe('busy');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    // refused from its headers alone: the body is never sent
    const { received } = await rawStart(
      port,
      `POST /v1/rewards HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100000`,
    );
    expect(await received).toMatch(/^HTTP\/1\.1 503 [\s\S]*retry-after: \d+/i);
    for (const r of await Promise.all(running)) expect(r.status).toBe(200);
    expect((await post(port, '/v1/rewards', light)).status).toBe(200);
    await service.close();
  });

  it('refuses a request whose work would overflow the queued work, with 503', async () => {
    const { service, port } = await start({ workers: 1, maxQueuedChars: heavyText.length * 8 });
    const first = post(port, '/v1/rewards', heavy);
    await admitted(port, 1);
    const second = await post(port, '/v1/rewards', heavy);
    expect(second.status).toBe(503);
    expect((await first).status).toBe(200);
    await service.close();
  });

  it('completes a large reply in flight when closed, though the client reads it slowly', async () => {
    const { service, port } = await start({ workers: 2, tokenizer: byteTokenizer });
    const text = badC.repeat(8000);
    const body = JSON.stringify({ pair: copyPair, completions: [{ text }] });
    const reply = new Promise<{ length: number; declared: number; text: string }>((resolve, reject) => {
      const req = request(
        { host: '127.0.0.1', port, method: 'POST', path: '/v1/rewards', headers: { 'content-type': 'application/json' } },
        (res) => {
          res.pause();
          // the server is told to close while most of the reply is still unread
          void service.close().then(() => undefined);
          setTimeout(() => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () => {
              const all = Buffer.concat(chunks);
              resolve({ length: all.length, declared: Number(res.headers['content-length']), text: all.toString('utf8') });
            });
            res.on('error', reject);
            res.resume();
          }, 500);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
    const { length, declared, text: got } = await reply;
    expect(declared).toBeGreaterThan(4_000_000);
    expect(length).toBe(declared);
    const parsed = JSON.parse(got) as { results: Array<{ rewards: number[] }> };
    expect(parsed.results[0]?.rewards).toHaveLength(Buffer.byteLength(text));
  });
});
