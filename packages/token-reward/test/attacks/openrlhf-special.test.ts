import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROMPT, postJson, QWEN_DIR, type Served, sample, serve } from './kit.js';

// A response is decoded with its special tokens left in; what its user finally runs is the text without them
// (tokens the tokenizer marks special; `<|fim_pad|>` is an added token that is not, so it stays in the code).
// Matching reads that text: a special token inside a name does not split it into harmless words.
describe('OpenRLHF: special tokens inside the code (served command, Qwen tokenizer)', () => {
  const copy = sample('copy_username');
  let served: Served;
  beforeAll(async () => {
    served = await serve(['--tokenizer', QWEN_DIR, '--workers', '1']);
  });
  afterAll(async () => {
    await served?.stop();
  });

  /** Summed rewards of `responses`, each against the copy pair, under span-mean when `mean`. */
  async function rewards(responses: readonly string[], mean = false): Promise<number[]> {
    const label = mean ? JSON.stringify({ pairId: 'copy_username', options: { normalize: 'span-mean' } }) : 'copy_username';
    const r = await postJson<{ rewards: number[] }>(served.port, '/v1/openrlhf', {
      query: responses.map((t) => `${PROMPT}${t}<|im_end|>`),
      prompts: responses.map(() => PROMPT),
      labels: responses.map(() => label),
    });
    expect(r.status, JSON.stringify(r.json)).toBe(200);
    return r.json.rewards;
  }

  it.each([
    ['inside the vulnerable name', (s: string) => s.replace('strcpy', 'str<|box_start|>cpy')],
    ['between the name and its arguments', (s: string) => s.replace('strcpy(dst, src)', 'strcpy<|box_end|>(dst, src)')],
    ['on every line', (s: string) => s.replaceAll('\n', '<|quad_start|>\n')],
  ])('a special token %s does not hide the call', async (_name, change) => {
    // attack: str<|box_start|>cpy, which decodes to strcpy without special tokens
    const [plain = 0, marked = 0] = await rewards([copy.vulnerableCode, change(copy.vulnerableCode)]);
    expect(plain).toBeLessThan(0);
    expect(marked).toBeLessThan(0);
    // under span-mean a span's total does not depend on how its text is cut into tokens
    const [plainMean = 0, markedMean = 0] = await rewards([copy.vulnerableCode, change(copy.vulnerableCode)], true);
    expect(plainMean).toBeLessThan(0);
    expect(markedMean).toBeCloseTo(plainMean, 4);
  });

  it('special tokens inside and around the fix earn nothing more under span-mean', async () => {
    const marked = `<|box_start|>${copy.fixedCode.replace('snprintf', 'snp<|box_end|>rintf')}<|box_end|>`;
    const [fixed = 0, withMarks = 0] = await rewards([copy.fixedCode, marked], true);
    expect(fixed).toBeGreaterThan(0);
    expect(withMarks).toBeCloseTo(fixed, 4);
  });
});
