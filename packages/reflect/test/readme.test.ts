import { importPairs, samplePairsPath, validate } from '@srcode/dataset';
import { LexicalAnalyzer } from '@srcode/eval';
import { describe, expect, it } from 'vitest';
import { HeuristicJudge, TemplatePromptWriter, generatePrompts, leakCheck, reflectPair } from '../src/index.js';

describe('the README example', () => {
  it('runs on the sample pairs that ship with @srcode/dataset', async () => {
    const judge = new HeuristicJudge();
    const writer = new TemplatePromptWriter();
    const analyzers = [new LexicalAnalyzer()];
    let pairs = 0;
    let accepted = 0;
    for await (const pair of importPairs({ format: 'sven', dataset: 'sample', inputs: [samplePairsPath()] })) {
      pairs++;
      const verdict = await reflectPair(pair, { judge, analyzers });
      expect(validate('ReflectionVerdict', verdict).ok).toBe(true);
      if (verdict.accepted) {
        accepted++;
        const { prompts, similarity } = await generatePrompts(pair, { writer, candidates: 6, keep: 3 });
        for (const p of prompts) expect(leakCheck(p.text).passed).toBe(true);
        expect(similarity.after).toBeLessThanOrEqual(similarity.before);
      }
    }
    expect(pairs).toBeGreaterThan(0);
    expect(accepted).toBeGreaterThan(0);
  });
});
