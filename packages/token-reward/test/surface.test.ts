import { describe, expect, it } from 'vitest';

// The values each entry exports: a name added here is a public promise, so it is added on purpose.
describe('public surface', () => {
  it('the main entry exports the span, projection, online, server and render functions', async () => {
    const names = Object.keys(await import('../src/index.js')).sort();
    expect(names).toEqual([
      'SpanCache',
      'TokenRewardError',
      'buildRewardMap',
      'byteTokenizer',
      'callerEncoding',
      'callerOffsetsTokenizer',
      'createRewardServer',
      'findingSpans',
      'matchCompletion',
      'onlineRewardMap',
      'pairSpans',
      'profilePair',
      'projectRewards',
      'renderHtml',
      'teacherForcedMaps',
    ]);
  });

  it('the /hf entry exports the Hugging Face tokenizer adapter', async () => {
    expect(Object.keys(await import('../src/hf.js')).sort()).toEqual(['fromPreTrainedTokenizer', 'loadHfTokenizer']);
  });
});
