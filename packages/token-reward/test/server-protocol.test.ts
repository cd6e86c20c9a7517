import { BuiltinAnalyzer } from '@srcode/eval';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { byteTokenizer, createRewardServer, type RewardServer } from '../src/index.js';
import { badC, copyPair, goodC, post, words, yamlPair } from './server-helpers.js';

const badPy = 'import yaml\n\ndef parse(text):\n    return yaml.load(text)\n';
const goodPy = 'import yaml\n\ndef parse(text):\n    return yaml.safe_load(text)\n';

describe('reward server protocol (real HTTP on loopback)', () => {
  let service: RewardServer;
  let port: number;

  beforeAll(async () => {
    service = createRewardServer({ pairs: new Map([[copyPair.id, copyPair]]), tokenizer: byteTokenizer, workers: 2 });
    ({ port } = await service.listen(0));
  });
  afterAll(async () => {
    await service.close();
  });

  it('scores completions of several pairs in one request, each against its own pair', async () => {
    const r = await post(port, '/v1/rewards', {
      pair: yamlPair,
      completions: [
        { id: 'c-bad', pairId: copyPair.id, text: badC, offsets: words(badC) },
        { id: 'py-good', text: goodPy, offsets: words(goodPy) },
        { id: 'c-good', pairId: copyPair.id, text: goodC, offsets: words(goodC) },
        { id: 'py-bad', pair: yamlPair, text: badPy, offsets: words(badPy) },
      ],
    });
    expect(r.status, JSON.stringify(r.json)).toBe(200);
    const by = Object.fromEntries(r.json.results.map((x) => [x.id, x]));
    expect(r.json.results.map((x) => `${x.id} ${x.pairId}`)).toEqual([
      'c-bad srv-copy',
      'py-good srv-yaml',
      'c-good srv-copy',
      'py-bad srv-yaml',
    ]);
    // span-mean (the default): each completion's total is the sum of its span weights
    for (const id of ['c-bad', 'py-bad', 'c-good', 'py-good']) {
      const x = by[id];
      const sum = (x?.rewards ?? []).reduce((a: number, b: number) => a + b, 0);
      const weights = (x?.spans ?? []) as unknown as Array<{ weight: number }>;
      expect(sum, id).toBeCloseTo(
        weights.reduce((a, sp) => a + sp.weight, 0),
        4,
      );
      expect(Math.sign(sum), id).toBe(id.endsWith('bad') ? -1 : 1);
    }
  });

  it('applies options per completion over the request options', async () => {
    const completion = { pairId: copyPair.id, text: goodC, offsets: words(goodC) };
    const r = await post(port, '/v1/rewards', {
      options: { instanceReward: 0.25 },
      completions: [
        { ...completion, id: 'inherits' },
        { ...completion, id: 'own', options: { instanceReward: 2 } },
        { ...completion, id: 'plain', options: { instanceReward: 0 } },
      ],
    });
    expect(r.status).toBe(200);
    const [inherits, own, plain] = r.json.results.map((x) => x.rewards);
    expect(inherits?.slice(0, -1)).toEqual(plain?.slice(0, -1));
    expect((inherits?.at(-1) ?? 0) - (plain?.at(-1) ?? 0)).toBeCloseTo(0.25);
    expect((own?.at(-1) ?? 0) - (plain?.at(-1) ?? 0)).toBeCloseTo(2);
    const bad = await post(port, '/v1/rewards', { completions: [{ ...completion, options: { instanceReward: 'lots' } }] });
    expect(bad.status).toBe(400);
    expect(bad.json.error.message).toMatch(/^completions\[0\]\.options: option "instanceReward" must be a finite number/);
  });

  it('gives span offsets in the unit of the request: code points and bytes', async () => {
    const text = `// 😀 é 世界\n${badC}`;
    const cp = [...text];
    const cpOffsets = words(text).map(([s = 0, e = 0]) => [[...text.slice(0, s)].length, [...text.slice(0, e)].length]);
    const bytes = Buffer.from(text);
    const byteOffsets = words(text).map(([s = 0, e = 0]) => [Buffer.byteLength(text.slice(0, s)), Buffer.byteLength(text.slice(0, e))]);
    const r = await post(port, '/v1/rewards', {
      pairId: copyPair.id,
      completions: [
        { text, offsets: words(text) },
        { text, offsets: cpOffsets, offsetUnit: 'codepoint' },
        { text, offsets: byteOffsets, offsetUnit: 'byte' },
        { text, offsetUnit: 'byte' },
      ],
    });
    expect(r.status).toBe(200);
    const [utf16, codepoint, byte, tokenized] = r.json.results;
    const call = (s: { start: number; end: number } | undefined, slice: (a: number, b: number) => string) =>
      s ? slice(s.start, s.end) : undefined;
    expect(call(utf16?.spans[0], (a, b) => text.slice(a, b))).toBe('strcpy(out, in)');
    expect(call(codepoint?.spans[0], (a, b) => cp.slice(a, b).join(''))).toBe('strcpy(out, in)');
    expect(codepoint?.spans[0]?.start).not.toBe(utf16?.spans[0]?.start);
    expect(call(byte?.spans[0], (a, b) => bytes.subarray(a, b).toString())).toBe('strcpy(out, in)');
    // the server's own tokens come back in the unit asked for too: bytes; the emoji's first byte
    // token holds its 4 bytes, its continuation bytes are empty tokens at its end
    expect(tokenized?.offsets?.slice(0, 7)).toEqual([
      [0, 1],
      [1, 2],
      [2, 3],
      [3, 7],
      [7, 7],
      [7, 7],
      [7, 7],
    ]);
    expect(tokenized?.offsets?.at(-1)).toEqual([bytes.length - 1, bytes.length]);
    expect(call(tokenized?.spans[0], (a, b) => bytes.subarray(a, b).toString())).toBe('strcpy(out, in)');
  });
});

describe('reward server with analysers', () => {
  it('runs main-thread analysers on each completion and folds their findings in', async () => {
    const service = createRewardServer({ analyzers: [new BuiltinAnalyzer()], workers: 1 });
    const { port } = await service.listen(0);
    const r = await post(port, '/v1/rewards', {
      completions: [
        { id: 'no-pair', language: 'python', text: badPy, offsets: words(badPy) },
        { id: 'with-pair', pair: yamlPair, text: goodPy, offsets: words(goodPy) },
      ],
    });
    expect(r.status, JSON.stringify(r.json)).toBe(200);
    const [noPair, withPair] = r.json.results;
    const finding = noPair?.spans.find((s) => s.source === 'finding');
    expect(finding && badPy.slice(finding.start, finding.end)).toBe('yaml.load(text)');
    expect(Math.min(...(noPair?.rewards ?? []))).toBeLessThan(0);
    // the fixed code has no finding: only the pair's secure match
    expect(withPair?.spans.map((s) => s.source)).toEqual(['match']);
    await service.close();
  });
});
