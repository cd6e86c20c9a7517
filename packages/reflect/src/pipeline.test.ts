import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validate } from '@srcode/dataset';
import { LexicalAnalyzer } from '@srcode/eval';
import { describe, expect, it } from 'vitest';
import { C_AFTER, C_BEFORE, PY_AFTER, PY_BEFORE, makePair } from '../test/make-pair.js';
import { HeuristicJudge } from './heuristic-judge.js';
import { type RejectedPair, type RunOptions, runReflection } from './pipeline.js';
import { leakCheck } from './prompts/leak.js';
import { TemplatePromptWriter } from './prompts/template-writer.js';

const lines = (file: string) =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));

function fixture() {
  const dir = mkdtempSync(join(tmpdir(), 'reflect-run-'));
  const pairs = [
    makePair(C_BEFORE, C_AFTER, 'c', ['CWE-476'], 'good-c'),
    makePair(PY_BEFORE, PY_AFTER, 'python', ['CWE-89'], 'good-py'),
    makePair(C_BEFORE, `${C_BEFORE}\n`, 'c', ['CWE-476'], 'whitespace'),
    makePair(C_BEFORE, C_BEFORE.replaceAll('buf', 'buffer'), 'c', ['CWE-787'], 'rename'),
    makePair(C_BEFORE, C_BEFORE.replace('return 0;', 'return 1;'), 'c', ['CWE-787'], 'unrelated'),
  ];
  const input = join(dir, 'pairs.jsonl');
  writeFileSync(input, `${pairs.map((p) => JSON.stringify(p)).join('\n')}\n{"not":"a pair"}\n`);
  return { dir, input, output: join(dir, 'records.jsonl') };
}

const analyzers = [new LexicalAnalyzer()];
const run = (input: string, output: string, extra: Partial<RunOptions> = {}) =>
  runReflection({
    input,
    output,
    judge: new HeuristicJudge(),
    writer: new TemplatePromptWriter(),
    analyzers,
    prompts: { candidates: 4, keep: 2 },
    ...extra,
  });

describe('runReflection', () => {
  it('writes accepted pairs as PrimeVul+ records and rejected ones with reasons to the side file', async () => {
    const { input, output } = fixture();
    const progress: number[] = [];
    const summary = await run(input, output, { onProgress: (p) => progress.push(p.done) });
    const records = lines(output);
    expect(records.map((r) => r.pair.id).sort()).toEqual(['good-c', 'good-py']);
    for (const r of records) {
      expect(validate('PrimeVulPlusRecord', r)).toMatchObject({ ok: true });
      expect(r.prompts).toHaveLength(2);
      for (const p of r.prompts) expect(leakCheck(p.text).passed).toBe(true);
    }
    const rejected = lines(`${output}.rejected.jsonl`) as RejectedPair[];
    expect(Object.fromEntries(rejected.map((r) => [r.pairId, r.reasons[0]]))).toEqual({
      whitespace: 'prefilter:whitespace-only',
      rename: 'prefilter:rename-only',
      unrelated: 'judge:no-guard-added',
    });
    expect(summary).toMatchObject({ accepted: 2, rejected: 3, errors: 0, invalidInput: 1, resumed: 0 });
    expect(summary.byLanguage).toEqual({ c: { accepted: 1, rejected: 3 }, python: { accepted: 1, rejected: 0 } });
    expect(summary.reasons).toMatchObject({ 'prefilter:whitespace-only': 1, 'low-confidence': 1 });
    expect(summary.prompts.meanSimilarityAfter).toBeLessThanOrEqual(summary.prompts.meanSimilarityBefore);
    expect(progress.at(-1)).toBe(5);
  });

  it('refuses an input with no valid pair, naming it, before any output exists', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'reflect-none-'));
    const input = join(dir, 'not-pairs.jsonl');
    writeFileSync(input, 'id,code\n1,int a;\n');
    const output = join(dir, 'records.jsonl');
    await expect(run(input, output)).rejects.toThrow(/not-pairs\.jsonl: no valid RepairPair record \(2 lines rejected; first: /);
    const empty = join(dir, 'empty.jsonl');
    writeFileSync(empty, '');
    await expect(run(empty, output)).rejects.toThrow(/empty\.jsonl: no valid RepairPair record \(the file is empty\)/);
    expect(readdirSync(dir).sort()).toEqual(['empty.jsonl', 'not-pairs.jsonl']);
  });

  it('skips finished pairs on a rerun and redoes a pair whose line was torn', async () => {
    const { input, output } = fixture();
    await run(input, output);
    const first = readFileSync(output, 'utf8');
    const again = await run(input, output);
    expect(again).toMatchObject({ resumed: 5, accepted: 2, rejected: 3 });
    expect(readFileSync(output, 'utf8')).toBe(first);
    // a crash in the middle of writing the last record leaves a torn line
    const kept = first.split('\n').filter(Boolean);
    writeFileSync(output, `${kept[0]}\n${(kept[1] ?? '').slice(0, 50)}`);
    const repaired = await run(input, output);
    expect(repaired).toMatchObject({ resumed: 4, accepted: 2 });
    expect(
      lines(output)
        .map((r) => r.pair.id)
        .sort(),
    ).toEqual(['good-c', 'good-py']);
  });

  it('leaves a pair whose judge fails for the next run and reports it', async () => {
    const { input, output } = fixture();
    const heuristic = new HeuristicJudge();
    const flaky = {
      kind: heuristic.kind,
      model: heuristic.model,
      promptHash: heuristic.promptHash,
      judge: async (j: Parameters<HeuristicJudge['judge']>[0]) => {
        if (j.pair.id === 'good-py') throw new Error('model unreachable');
        return heuristic.judge(j);
      },
    };
    const failed: string[] = [];
    const first = await runReflection({
      input,
      output,
      judge: flaky,
      writer: new TemplatePromptWriter(),
      analyzers,
      onError: (id) => failed.push(id),
    });
    expect(first).toMatchObject({ errors: 1, accepted: 1 });
    expect(failed).toEqual(['good-py']);
    const second = await run(input, output);
    expect(second).toMatchObject({ errors: 0, resumed: 4, accepted: 2, rejected: 3 });
  });
});
