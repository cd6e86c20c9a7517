import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadHfTokenizer } from '../src/hf.js';
import { createRewardServer, type RewardServer } from '../src/index.js';
import { QWEN_DIR } from './qwen.js';
import { badC, copyPair, goodC, post } from './server-helpers.js';

/** What OpenRLHF sends: the prompt after the chat template, the query decoded with its special tokens. */
const prompt = '<|im_start|>user\nCopy the string into a 16-byte buffer.<|im_end|>\n<|im_start|>assistant\n';
const query = (response: string, pad = 3) => `${'<|endoftext|>'.repeat(pad)}${prompt}${response}<|im_end|>`;
const unrelated = 'int add(int a, int b) {\n  return a + b;\n}\n';

describe.each([
  ['tokenizing on the main thread', 'main'],
  ['tokenizing in the workers (worker setup)', 'workers'],
])('POST /v1/openrlhf, %s', (_name, where) => {
  let service: RewardServer;
  let port: number;

  beforeAll(async () => {
    const tokenizer = await loadHfTokenizer(QWEN_DIR);
    service = createRewardServer({
      pairs: new Map([[copyPair.id, copyPair]]),
      tokenizer,
      workers: 2,
      ...(where === 'workers'
        ? { workerSetup: { module: new URL('../src/cli-worker.ts', import.meta.url), data: { tokenizer: QWEN_DIR } } }
        : {}),
    });
    ({ port } = await service.listen(0));
  });
  afterAll(async () => {
    await service.close();
  });

  it('answers one reward per sample: the sum of its token rewards', async () => {
    const r = await post(port, '/v1/openrlhf', {
      query: [query(goodC), query(badC, 0), query(unrelated)],
      prompts: [prompt, prompt, prompt],
      labels: [copyPair.id, copyPair.id, copyPair.id],
    });
    expect(r.status, JSON.stringify(r.json)).toBe(200);
    const [good = 0, bad = 0, none = 1] = r.json.rewards;
    expect(good).toBeGreaterThan(0);
    expect(bad).toBeLessThan(0);
    expect(none).toBe(0);
    expect(r.json.scores).toEqual(r.json.rewards);
    expect(r.json.extra_logs).toMatchObject({ secure_spans: [1, 0, 0], vulnerable_spans: [0, 1, 0], truncated: [0, 0, 0] });
    // the same responses scored token by token through /v1/rewards sum to the same rewards
    const tokens = await post(port, '/v1/rewards', { pairId: copyPair.id, completions: [{ text: goodC }, { text: badC }] });
    const sums = tokens.json.results.map((x) => x.rewards.reduce((a, b) => a + b, 0));
    expect(good).toBeCloseTo(sums[0] ?? Number.NaN, 5);
    expect(bad).toBeCloseTo(sums[1] ?? Number.NaN, 5);
  });

  it('takes a label object with options: the instance reward is added once', async () => {
    const plain = await post(port, '/v1/openrlhf', { query: [query(badC)], prompts: [prompt], labels: [copyPair.id] });
    const label = JSON.stringify({ pairId: copyPair.id, options: { instanceReward: 1.5 } });
    const extra = await post(port, '/v1/openrlhf', { query: [query(badC)], prompts: [prompt], labels: [label] });
    expect(extra.status).toBe(200);
    expect((extra.json.rewards[0] ?? 0) - (plain.json.rewards[0] ?? 0)).toBeCloseTo(1.5, 5);
  });

  it.each([
    [
      'a query without its prompt',
      { query: [goodC], prompts: [prompt], labels: [copyPair.id] },
      400,
      /query\[0\] does not contain prompts\[0\]/,
    ],
    ['an unknown pair', { query: [query(goodC)], prompts: [prompt], labels: ['nope'] }, 404, /no pair with id "nope"/],
    ['lists of different lengths', { query: [query(goodC)], prompts: [prompt, prompt], labels: [] }, 400, /one entry per sample/],
    ['a query that is not a string', { query: [1], prompts: [prompt] }, 400, /"query" must be an array of strings/],
  ])('answers %s with a clear error', async (_n, body, status, message) => {
    const r = await post(port, '/v1/openrlhf', body);
    expect(r.status).toBe(status);
    expect(r.json.error.message).toMatch(message);
  });
});

describe('POST /v1/openrlhf without a tokenizer', () => {
  it('says the server needs one', async () => {
    const service = createRewardServer({ workers: 0 });
    const { port } = await service.listen(0);
    const r = await post(port, '/v1/openrlhf', { query: [query(goodC)], prompts: [prompt] });
    expect(r.status).toBe(400);
    expect(r.json.error.message).toMatch(/start the server with a tokenizer \(--tokenizer\)/);
    await service.close();
  });
});
