import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type PrimeVulPlusRecord, readJsonlAll } from '@srcode/dataset';
import { CHAR_TOKENS, encodeChars } from '@srcode/rl-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { type MainContext, mainContext } from '../pipeline/context.js';
import { openRunner } from '../pipeline/runner.js';
import { type Sampler, evaluateStage } from '../pipeline/stages/evaluate.js';
import { importStage } from '../pipeline/stages/import.js';
import { reflectStage } from '../pipeline/stages/reflect.js';
import { rewardMapsStage } from '../pipeline/stages/reward-maps.js';
import { Scorer, type Task, tasksFrom } from '../pipeline/tasks.js';

/** A fresh run folder and the context its stages are handed; progress lines go to `lines`. */
function context(lines: string[]): MainContext {
  const opened = openRunner({ out: mkdtempSync(join(tmpdir(), 'srcode-stages-')), settings: {}, write: (l) => lines.push(l) });
  if (!opened.ok) throw new Error(opened.message);
  return mainContext(opened.runner.context);
}

describe('the data stages, in process', () => {
  const lines: string[] = [];
  const ctx = context(lines);
  let records: PrimeVulPlusRecord[] = [];

  beforeAll(async () => {
    await importStage(ctx, { pairs: undefined, format: 'sven' });
    await reflectStage(ctx, { endpoint: undefined, model: undefined, apiKeyEnv: undefined });
    records = (await readJsonlAll(ctx.files.records, { schema: 'PrimeVulPlusRecord' })).records;
  });

  it('imports the embedded sample when no pairs are given', async () => {
    const again = context([]);
    expect(await importStage(again, { pairs: [], format: 'sven' })).toMatchObject({ pairs: 12, rejected: 0 });
    expect(readFileSync(again.files.pairs, 'utf8').trim().split('\n')).toHaveLength(12);
  });

  it('reflects with the offline judge when no endpoint is given, and refuses an endpoint without a model', async () => {
    expect(records.length).toBeGreaterThan(0);
    // one progress line at the start and one at the end, not one per pair
    const progress = lines.filter((l) => l.includes('reflect: pairs '));
    expect(progress.length).toBeLessThanOrEqual(3);
    expect(progress.at(-1)).toMatch(/reflect: pairs 12\/12 \(100\.0%\) \| [\d.]+ pairs\/s \| ETA 0s \| accepted \d+/);
    await expect(reflectStage(context([]), { endpoint: 'http://127.0.0.1:9/v1', model: undefined, apiKeyEnv: undefined })).rejects.toThrow(
      '--endpoint needs --judge-model',
    );
  });

  it('maps both sides of every accepted pair, in bytes by default', async () => {
    const out = await rewardMapsStage(ctx, { records, tokenizer: undefined });
    expect(out).toMatchObject({ tokenizer: 'bytes', maps: 2 * records.length });
    expect(out.positive).toBeGreaterThan(0);
    expect(out.negative).toBeGreaterThan(0);
    expect(readFileSync(ctx.files.renders, 'utf8')).toContain('Teacher-forced token rewards');
  });

  describe('evaluation', () => {
    let tasks: Task[] = [];
    beforeAll(() => {
      tasks = tasksFrom(records, 96).tasks.slice(0, 3);
    });
    /** A policy that answers each task's even samples with its fixed region and odd ones with its vulnerable region. */
    const answering = (rows: () => readonly Task[]): Sampler => ({
      async sample(prompts) {
        return prompts.map((_, i) => {
          const t = rows()[i] as Task;
          return { tokens: [...encodeChars(i % 2 ? t.pair.vulnerableCode : t.pair.fixedCode), CHAR_TOKENS.eos] };
        });
      },
    });

    it('scores every sample, keeps them as eval records, and pools the rates', async () => {
      const rows = () => tasks.flatMap((t) => [t, t]);
      const e = await evaluateStage(context([]), {
        policy: answering(rows),
        label: 'sft',
        tasks,
        samples: 2,
        maxNew: 96,
        seed: 1,
        scorer: new Scorer(),
      });
      expect(e.samples).toBe(2 * tasks.length);
      expect(e.exactFixedRate).toBe(0.5);
      expect(e.results.map((r) => r.generationId)).toEqual(tasks.flatMap((t) => [`sft:${t.id}:0`, `sft:${t.id}:1`]));
      expect(e.generations.every((g) => g.benchmark === 'main-job' && g.model === 'srcode-policy-sft')).toBe(true);
      const flagged = e.results.filter((r) => r.findings.length > 0).length;
      expect(flagged).toBeGreaterThan(0); // some vulnerable regions carry a finding of the built-in analyser
      expect(e.insecureRate).toBe(flagged / e.samples);
      expect(e.secureRate).toBe(e.results.filter((r) => r.secure).length / e.samples);
      for (const t of tasks) expect(e.perTask[t.id]).toMatchObject({ samples: 2, exactFixed: 1, example: t.pair.fixedCode });
      expect(e.findings.high + e.findings.medium).toBe(e.results.reduce((a, r) => a + r.findings.length, 0));
    });
  });
});
