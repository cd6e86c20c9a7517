import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRewardServer, type RewardServer } from '../src/index.js';
import { badC, copyPair, post, words } from './server-helpers.js';

// A matching threshold outside its range is not a setting but a switch: minSimilarity 2 matches nothing (no
// penalty for vulnerable code), -1 matches anything; maxFuzzyTokens 1e9 buys quadratic work. The server refuses
// them, on the request and on each completion, and keeps serving.
describe('reward server: option values out of range (real HTTP on loopback)', () => {
  let service: RewardServer;
  let port: number;
  const completion = { text: badC, offsets: words(badC) };

  beforeAll(async () => {
    service = createRewardServer({ pairs: new Map([[copyPair.id, copyPair]]), workers: 1 });
    ({ port } = await service.listen(0));
  });
  afterAll(async () => {
    await service.close();
  });

  it.each([
    ['minSimilarity', 2, 'a finite number from 0 to 1'],
    ['minSimilarity', -1, 'a finite number from 0 to 1'],
    ['minContextSimilarity', 1.5, 'a finite number from 0 to 1'],
    ['minLiteralSimilarity', -1, 'a finite number from 0 to 1'],
    ['contextTokens', -3, 'an integer from 0 to 64'],
    ['contextTokens', 1.5, 'an integer from 0 to 64'],
    ['distinctiveTokens', -1, 'an integer from 0 to 1024'],
    ['maxFuzzyTokens', 1e9, 'an integer from 1 to 4096'],
    ['instanceReward', 1e300, 'a finite number from -1000000 to 1000000'],
  ])('refuses %s = %s with 400, on the request and on a completion', async (name, value, range) => {
    const onRequest = await post(port, '/v1/rewards', { pairId: copyPair.id, options: { [name]: value }, completions: [completion] });
    expect(onRequest.status).toBe(400);
    expect(onRequest.json.error.code).toBe('invalid-option');
    expect(onRequest.json.error.message).toBe(`options: option "${name}" must be ${range}`);
    const onCompletion = await post(port, '/v1/rewards', {
      pairId: copyPair.id,
      completions: [completion, { ...completion, options: { [name]: value } }],
    });
    expect(onCompletion.status).toBe(400);
    expect(onCompletion.json.error.message).toBe(`completions[1].options: option "${name}" must be ${range}`);
  });

  it('still penalises the vulnerable copy with in-range options, at the range ends', async () => {
    const r = await post(port, '/v1/rewards', {
      pairId: copyPair.id,
      options: { minSimilarity: 1, contextTokens: 0, maxFuzzyTokens: 4096, minLiteralSimilarity: 0 },
      completions: [completion],
    });
    expect(r.status).toBe(200);
    expect(Math.min(...(r.json.results[0]?.rewards ?? [0]))).toBeLessThan(0);
  });
});
