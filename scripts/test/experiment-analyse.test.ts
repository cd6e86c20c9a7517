import { describe, expect, it } from 'vitest';
import { type SeedRuns, analyse, trainingSplitRuns } from '../pipeline/experiment.js';
import type { EvalSummary, TaskTally } from '../pipeline/stages/evaluate.js';
import { tInterval, tQuantile975 } from '../pipeline/stats.js';

/** An evaluation of two held-out prompts (a C one of CWE-787, a Python one of CWE-89), 10 samples each. */
function evaluation(label: string, c: { insecure: number; wellFormed: number }, py: { insecure: number; wellFormed: number }): EvalSummary {
  const tally = (prompt: string, language: string, cwe: string, x: { insecure: number; wellFormed: number }): TaskTally => ({
    prompt,
    language,
    cwe,
    samples: 10,
    insecure: x.insecure,
    wellFormed: x.wellFormed,
    secure: Math.min(x.wellFormed, 10 - x.insecure),
    exactFixed: 0,
    example: '',
  });
  const perTask = { a: tally('c:a>', 'c', 'CWE-787', c), b: tally('py:b>', 'python', 'CWE-89', py) };
  const sum = (k: 'insecure' | 'wellFormed' | 'secure') => (perTask.a[k] + perTask.b[k]) / 20;
  return {
    label,
    samples: 20,
    insecureRate: sum('insecure'),
    wellFormedRate: sum('wellFormed'),
    secureRate: sum('secure'),
    exactFixedRate: 0,
    findings: { high: 0, medium: 0 },
    perTask,
    generations: [],
    results: [],
  };
}

/** Three seeds: SFT 50% insecure, 90% well-formed; token-level GRPO at 10% by step 4; instance-level only at the end. */
function runs(): SeedRuns[] {
  return [1, 2, 3].map((seed) => {
    const sft = evaluation('sft', { insecure: 5, wellFormed: 9 }, { insecure: 5, wellFormed: 9 });
    const token = evaluation('t', { insecure: 1 + (seed % 2), wellFormed: 9 }, { insecure: 1, wellFormed: 9 });
    const instance = evaluation('i', { insecure: 4, wellFormed: 9 }, { insecure: 8, wellFormed: 7 });
    const rl = (condition: 'grpo-token+instance' | 'grpo-instance', after: EvalSummary, early: number) => ({
      condition,
      seed,
      seconds: 1,
      curve: [],
      evals: [
        { step: 4, insecureRate: early, wellFormedRate: 0.9, secureRate: 0.5 },
        { step: 8, insecureRate: after.insecureRate, wellFormedRate: after.wellFormedRate, secureRate: after.secureRate },
      ],
      after,
    });
    return {
      seed,
      sft: { seed, seconds: 1, losses: [1, 0.5], finalLoss: 0.5, before: sft },
      rl: { 'grpo-instance': rl('grpo-instance', instance, 0.5), 'grpo-token+instance': rl('grpo-token+instance', token, 0.1) },
    };
  });
}

describe('the experiment’s statistics', () => {
  it('gives Student t quantiles and a mean ± t·s/√n interval, none for one value, clipped to bounds', () => {
    expect(tQuantile975(2)).toBe(4.303);
    expect(tQuantile975(200)).toBe(1.96);
    const i = tInterval([0.1, 0.2, 0.3]);
    expect(i.mean).toBeCloseTo(0.2, 12);
    expect(i.high as number).toBeCloseTo(0.2 + (4.303 * 0.1) / Math.sqrt(3), 12);
    expect(tInterval([0.4])).toEqual({ mean: 0.4, low: null, high: null, n: 1 });
    expect(tInterval([0, 0.5, 0], [0, 1]).low).toBe(0);
    expect(tInterval([Number.NaN, 1, 1]).n).toBe(2);
  });

  it('tabulates every condition over seeds, against the same seed’s SFT', () => {
    const x = analyse(runs(), ['grpo-instance', 'grpo-token+instance'], 8);
    expect(x.conditions).toEqual(['sft', 'grpo-instance', 'grpo-token+instance']);
    const sft = x.rows[0];
    expect(sft?.insecure).toEqual({ mean: 0.5, low: 0.5, high: 0.5, n: 3 });
    const token = x.rows.find((r) => r.name === 'grpo-token+instance');
    // seeds 1 and 3: 3/20 insecure, seed 2: 2/20
    expect(token?.insecure.mean).toBeCloseTo((0.15 + 0.1 + 0.15) / 3, 12);
    expect(token?.insecureReduction?.mean).toBeCloseTo(1 - (0.15 + 0.1 + 0.15) / 3 / 0.5, 12);
    expect(token?.insecure.low).toBeLessThan(token?.insecure.mean as number);
    expect(token?.wellFormedChange?.mean).toBeCloseTo(0, 12);
    expect(token?.stepsToTarget).toBe(4);
    expect(x.rows.find((r) => r.name === 'grpo-instance')?.stepsToTarget).toBeNull();
  });

  it('splits the rates per CWE and per language, and flags a prompt that got worse than after SFT', () => {
    const x = analyse(runs(), ['grpo-instance', 'grpo-token+instance'], 8);
    expect(x.perCwe.map((g) => g.key)).toEqual(['CWE-787', 'CWE-89']);
    expect(x.perLanguage.find((g) => g.key === 'python')?.insecure['grpo-instance']?.mean).toBeCloseTo(0.8, 12);
    expect(x.regressions).toEqual([
      {
        condition: 'grpo-instance',
        taskId: 'b',
        prompt: 'py:b>',
        samples: 30,
        sft: { insecure: 15, wellFormed: 27, secure: 15 },
        rl: { insecure: 24, wellFormed: 21, secure: 6 },
        worse: ['insecure', 'well-formed'],
      },
    ]);
  });

  it('says the target is met only when every part of it is, and says it plainly when not', () => {
    const met = analyse(runs(), ['grpo-instance', 'grpo-token+instance'], 8);
    expect(met.target.met).toBe(true);
    expect(met.target.checks[0]).toMatchObject({
      algo: 'grpo',
      reductionMet: true,
      wellFormedMet: true,
      speedMet: true,
      tokenSteps: 4,
      instanceSteps: null,
    });
    expect(met.claim).toContain('reproduced under grpo-token+instance');
    // the same figures, but the token-level run loses 10 points of well-formedness: not met
    const worse = runs().map((r) => {
      const t = r.rl['grpo-token+instance'];
      if (t) t.after = evaluation('t', { insecure: 1, wellFormed: 8 }, { insecure: 1, wellFormed: 8 });
      return r;
    });
    const notMet = analyse(worse, ['grpo-instance', 'grpo-token+instance'], 8);
    expect(notMet.target.met).toBe(false);
    expect(notMet.target.sentence).toContain('NOT MET');
    expect(notMet.target.checks[0]?.sentence).toContain('well-formedness -10.0 points');
    expect(notMet.claim).toContain('not reproduced');
  });

  it('tabulates the training prompts apart, from each evaluation’s training-split rates, with no curve during RL', () => {
    const withTrain = runs().map((r) => {
      r.sft.before.trainSplit = evaluation('sft:train', { insecure: 8, wellFormed: 10 }, { insecure: 8, wellFormed: 10 });
      for (const c of Object.values(r.rl))
        c.after.trainSplit = evaluation('rl:train', { insecure: 2, wellFormed: 10 }, { insecure: 2, wellFormed: 10 });
      return r;
    });
    const train = trainingSplitRuns(withTrain);
    expect(train).toBeDefined();
    const x = analyse(train as SeedRuns[], ['grpo-instance', 'grpo-token+instance'], 8);
    expect(x.rows[0]?.insecure.mean).toBeCloseTo(0.8, 12);
    expect(x.rows.find((r) => r.name === 'grpo-instance')?.insecureReduction?.mean).toBeCloseTo(0.75, 12);
    expect(x.rows.find((r) => r.name === 'grpo-token+instance')?.curve.map((p) => p.step)).toEqual([0]);
    // the held-out tables of the same runs are untouched
    expect(analyse(withTrain, ['grpo-instance', 'grpo-token+instance'], 8).rows[0]?.insecure.mean).toBe(0.5);
    // runs kept by an earlier version, without training-split rates, give none rather than wrong ones
    expect(trainingSplitRuns(runs())).toBeUndefined();
  });

  it('judges neither the target nor the claim when after SFT too few samples are insecure or well-formed', () => {
    const rare = runs().map((r) => {
      r.sft.before = evaluation('sft', { insecure: 0, wellFormed: 0 }, { insecure: 1, wellFormed: 0 });
      for (const c of Object.values(r.rl)) c.after = evaluation('rl', { insecure: 0, wellFormed: 0 }, { insecure: 0, wellFormed: 0 });
      return r;
    });
    const x = analyse(rare, ['grpo-instance', 'grpo-token+instance'], 8);
    // 100% fewer insecure and no well-formedness lost, but out of 5% insecure and nothing well-formed: not met
    expect(x.rows.find((r) => r.name === 'grpo-token+instance')?.insecureReduction?.mean).toBe(1);
    expect(x.target.checks[0]).toMatchObject({ reductionMet: true, wellFormedMet: true, measurable: false, met: false });
    expect(x.target.checks[0]?.sentence).toContain('Not judged: after SFT 5.0% of held-out completions are insecure and 0.0% well-formed');
    expect(x.rows.every((r) => r.stepsToTarget === null)).toBe(true);
    expect(x.claim).toContain('too few');
  });
});
