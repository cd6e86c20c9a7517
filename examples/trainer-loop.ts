// A trainer loop that imports the libraries directly: @srcode/token-reward scores each sampled
// completion token by token, @srcode/rl-core turns those rewards into per-token advantages and updates.
//
//   node --import tsx examples/trainer-loop.ts [--sft-steps 150] [--rl-steps 12] [--backend wasm]
import { parseArgs } from 'node:util';
import { type RepairPair, computeChanges, importPairs, samplePairsPath } from '@srcode/dataset';
import { CHAR_TOKENS, decodeChars, encodeChars, tokenRewards, train } from '@srcode/rl-core';
import { TransformerPolicy, useBackend } from '@srcode/rl-core/tfjs';
import { SpanCache, onlineRewardMap, pairSpans } from '@srcode/token-reward';

const { values } = parseArgs({
  options: {
    'sft-steps': { type: 'string', default: '150' },
    'rl-steps': { type: 'string', default: '12' },
    backend: { type: 'string', default: 'wasm' },
  },
});

// 1. A repair pair from the embedded sample: yaml.load → yaml.safe_load.
let pair: RepairPair | undefined;
for await (const p of importPairs({ format: 'sven', dataset: 'sample', inputs: [samplePairsPath()] })) {
  if (p.provenance.functionName === 'load_config') pair = p;
}
if (!pair) throw new Error('the sample has no load_config pair');

// 2. The policy's two possible answers: the call the fix changed, on each side (token-reward's AST units).
const spans = pairSpans(pair);
const unit = (code: string, s: { start: number; end: number } | undefined) => (s ? code.slice(s.start, s.end) : '');
const insecure = unit(pair.vulnerableCode, spans.vulnerable[0]);
const secure = unit(pair.fixedCode, spans.fixed[0]);
const unitPair: RepairPair = {
  ...pair,
  id: `${pair.id}:unit`,
  vulnerableCode: insecure,
  fixedCode: secure,
  changes: computeChanges(insecure, secure),
};
console.error(`answers: insecure ${JSON.stringify(insecure)}, secure ${JSON.stringify(secure)}`);

// 3. SFT on both answers equally, so the policy starts half insecure.
await useBackend(values.backend as 'wasm' | 'cpu' | 'webgpu' | 'auto');
const prompt = [CHAR_TOKENS.bos, ...encodeChars('py:load_config>')];
const maxLength = Math.ceil((prompt.length + Math.max(insecure.length, secure.length) + 2) / 8) * 8;
const policy = new TransformerPolicy(
  { vocabSize: CHAR_TOKENS.vocabSize, maxLength, layers: 1, width: 32, heads: 4, seed: 3 },
  { learningRate: 3e-3 },
);
await train({
  policy,
  steps: Number(values['sft-steps']),
  random: 3,
  sft: {
    examples: ({ random }) => Array.from({ length: 8 }, () => (random() < 0.5 ? insecure : secure)),
    prompt: () => prompt,
    target: (answer) => [...encodeChars(answer), CHAR_TOKENS.eos],
  },
});
const reference = new TransformerPolicy(policy.config);
reference.setWeights(await policy.getWeights());

// 4. RL: every character is a token; its reward comes from the online token reward map.
const cache = new SpanCache();
const rate = async () => {
  const samples = await policy.sample(
    Array.from({ length: 16 }, () => prompt),
    { maxNewTokens: maxLength - prompt.length, stopToken: CHAR_TOKENS.eos, seed: 99 },
  );
  return samples.filter((c) => decodeChars(c.tokens).includes('yaml.load(')).length / samples.length;
};
const before = await rate();
await train({
  policy,
  steps: Number(values['rl-steps']),
  rl: {
    reference,
    tasks: () => [prompt],
    prompt: (p) => p,
    reward: (_p, completion) => {
      const text = decodeChars(completion.tokens);
      const offsets = Array.from({ length: text.length }, (_, k) => [k, k + 1]).flat();
      const { map } = onlineRewardMap(
        {
          pair: unitPair,
          cache,
          completion: text,
          encoding: { ids: completion.tokens.slice(0, text.length), offsets },
          id: 'online',
          tokenizer: 'chars',
        },
        { normalize: 'span-mean' },
      );
      // the map scores the text's characters; the end token after them gets 0
      return { rewards: tokenRewards({ length: completion.tokens.length, map }) };
    },
    algo: 'grpo',
    estimator: 'token-grpo',
    groupSize: 8,
    maxNewTokens: maxLength - prompt.length,
    stopToken: CHAR_TOKENS.eos,
  },
  onStep: (m) => console.error(`rl step ${m.step}: mean reward ${m.reward.toFixed(3)}, KL ${m.refKl.toFixed(4)}`),
});
const after = await rate();
console.log(JSON.stringify({ insecure, secure, insecureRateBefore: before, insecureRateAfter: after }));
policy.dispose();
reference.dispose();
