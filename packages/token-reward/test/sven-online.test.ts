import type { RepairPair } from '@srcode/dataset';
import { beforeAll, describe, expect, it } from 'vitest';
import { languageNames } from '@srcode/syntax';
import { byteTokenizer, onlineRewardMap, SpanCache } from '../src/index.js';
import { hasSven, loadSvenVal } from './sven.js';

describe.skipIf(!hasSven)('online maps on SVEN val (needs ../shared/data/sven/val)', () => {
  let pairs: RepairPair[];
  const cache = new SpanCache();
  const score = (pair: RepairPair, completion: string) =>
    onlineRewardMap({ pair, cache, completion, encoding: byteTokenizer.encode(completion), id: 'c', tokenizer: 'bytes' }).map;

  beforeAll(() => {
    pairs = loadSvenVal().filter((p) => languageNames().includes(p.language));
  });

  it('credits every fix written out as a completion, and penalises every vulnerable version', () => {
    let credited = 0;
    let penalised = 0;
    for (const pair of pairs) {
      const units = cache.get(pair).units.filter((u) => !u.generic);
      if (units.some((u) => u.span.polarity === 'secure')) {
        expect(
          score(pair, pair.fixedCode).rewards.some((r) => r > 0),
          pair.id,
        ).toBe(true);
        credited++;
      }
      if (units.some((u) => u.span.polarity === 'vulnerable')) {
        expect(
          score(pair, pair.vulnerableCode).rewards.some((r) => r < 0),
          pair.id,
        ).toBe(true);
        penalised++;
      }
    }
    expect(credited).toBeGreaterThan(60);
    expect(penalised).toBeGreaterThan(50);
  });

  it('leaves code of other pairs (other CWEs) neutral almost always', () => {
    let tried = 0;
    let touched = 0;
    pairs.forEach((pair, i) => {
      const other = pairs.find((q, j) => j > i && q.language === pair.language && q.cwes[0] !== pair.cwes[0]);
      if (!other) return;
      tried++;
      if (score(pair, other.fixedCode).rewards.some((r) => r !== 0)) touched++;
    });
    expect(tried).toBeGreaterThan(40);
    expect(touched / tried).toBeLessThan(0.1);
  });
});
