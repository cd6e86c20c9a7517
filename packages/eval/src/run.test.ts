import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Generation } from '@srcode/dataset';
import { validate } from '@srcode/dataset';
import { afterAll, describe, expect, expectTypeOf, it } from 'vitest';
import { BuiltinAnalyzer } from './builtin.js';
import { loadProProblems } from './codeeval-pro.js';
import { summarise } from './metrics.js';
import { barChartSvg, toHtml, toMarkdown } from './report.js';
import { type ChatModelLike, type CodeGenerator, chatGenerator, runSuite } from './run.js';
import { cyberSecEvalSuite, loadCyberSecEval, proSuite } from './suites.js';

const DATA = fileURLToPath(new URL('../../../../shared/data', import.meta.url));
const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});
async function outDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'srcode-run-'));
  dirs.push(d);
  return d;
}

describe.skipIf(!existsSync(DATA))('runSuite (needs ../shared/data)', () => {
  it('asks a generator for each sample, scores pass@k and resumes without asking again', async () => {
    const problems = loadProProblems(join(DATA, 'codeeval-pro/humaneval_pro.json'));
    let calls = 0;
    const generator: CodeGenerator = {
      model: 'canonical-or-wrong',
      async generate(_prompt, options) {
        calls++;
        const p = problems.find((q) => q.id === options?.taskId);
        // Sample 0 is right, sample 1 is wrong: pass@1 = 0.5, pass@2 = 1.
        return options?.sampleIndex === 0 ? (p?.newSolution ?? '') : { text: '    return None\n' };
      },
    };
    const suite = proSuite(DATA, 'humaneval-pro');
    const out = await outDir();
    const progress: number[] = [];
    const first = await runSuite({
      suite,
      generator,
      samples: 2,
      limit: 2,
      outDir: out,
      ks: [1, 2],
      onProgress: (p) => progress.push(p.done),
    });
    expect(calls).toBe(4);
    expect(progress).toEqual([1, 2, 3, 4]);
    expect(first.summary.metrics).toEqual({ 'pass@1': 0.5, 'pass@2': 1 });
    for (const r of first.results) expect(validate('EvalResult', r).ok).toBe(true);

    const again = await runSuite({ suite, generator, samples: 2, limit: 2, outDir: out, ks: [1, 2] });
    expect(calls).toBe(4);
    expect(again.resumed).toBe(4);
    expect(again.summary.metrics).toEqual(first.summary.metrics);
    expect(JSON.parse(await readFile(join(out, 'summary.json'), 'utf8')).metrics).toEqual(first.summary.metrics);
  });

  it('judges several generations at once with jobs, keeping their order, outcomes and resume', async () => {
    const base = proSuite(DATA, 'mbpp-pro');
    let running = 0;
    let most = 0;
    const suite = {
      ...base,
      async evaluate(task: Parameters<typeof base.evaluate>[0], g: Generation) {
        running++;
        most = Math.max(most, running);
        try {
          return await base.evaluate(task, g);
        } finally {
          running--;
        }
      },
    };
    const problems = loadProProblems(join(DATA, 'codeeval-pro/mbpp_pro.json')).slice(0, 6);
    const gens: Generation[] = problems.map((p, i) => ({
      schemaVersion: 1,
      id: `j${i}`,
      taskId: p.id,
      model: 'file',
      prompt: '',
      // Odd ones leave before the asserts: never a pass.
      completion: i % 2 ? '    import os\n    os._exit(0)\n' : p.newSolution,
      sampleIndex: 0,
    }));
    const out = await outDir();
    const r = await runSuite({ suite, generations: gens, outDir: out, jobs: 3 });
    expect(most).toBe(3);
    expect(r.results.map((x) => x.generationId)).toEqual(gens.map((g) => g.id));
    expect(r.results.map((x) => x.outcome)).toEqual(['passed', 'failed', 'passed', 'failed', 'passed', 'failed']);
    expect(r.summary.outcomes).toEqual({ passed: 3, failed: 3 });
    const again = await runSuite({ suite, generations: gens, outDir: out, jobs: 3 });
    expect(again.resumed).toBe(6);
    await expect(runSuite({ suite, generations: gens, outDir: out, jobs: 0 })).rejects.toThrow(/jobs must be a positive integer/);
  });

  it('reads generations from a JSONL file and resumes after an interruption', async () => {
    const suite = proSuite(DATA, 'mbpp-pro');
    const problems = loadProProblems(join(DATA, 'codeeval-pro/mbpp_pro.json')).slice(0, 3);
    const out = await outDir();
    const file = join(out, 'in.jsonl');
    const gens: Generation[] = problems.map((p, i) => ({
      schemaVersion: 1,
      id: `g${i}`,
      taskId: p.id,
      model: 'file',
      prompt: '',
      completion: p.newSolution,
      sampleIndex: 0,
    }));
    await writeFile(file, gens.map((g) => JSON.stringify(g)).join('\n'));
    // An earlier run judged g0 and died mid-write of the next line.
    const first = await runSuite({ suite, generations: [gens[0] as Generation], outDir: out });
    await writeFile(join(out, 'results.jsonl'), `${await readFile(join(out, 'results.jsonl'), 'utf8')}{"torn":`);
    const run = await runSuite({ suite, generations: file, outDir: out, ks: [1] });
    expect(first.results).toHaveLength(1);
    expect(run.resumed).toBe(1);
    expect(run.results).toHaveLength(3);
    expect(run.summary.metrics['pass@1']).toBe(1);
  });

  it('measures the CyberSecEval vulnerable rate per analyser, by language and CWE', async () => {
    const cases = loadCyberSecEval(DATA, 'instruct').filter((c) => c.language === 'python' || c.language === 'c');
    const pick = [...cases.filter((c) => c.language === 'c').slice(0, 4), ...cases.filter((c) => c.language === 'python').slice(0, 4)];
    const gens: Generation[] = pick.map((c) => ({
      schemaVersion: 1,
      id: `o-${c.id}`,
      taskId: c.id,
      model: 'origin',
      prompt: c.prompt,
      completion: c.originCode,
      sampleIndex: 0,
    }));
    const suite = cyberSecEvalSuite(DATA, 'instruct', [new BuiltinAnalyzer()]);
    const run = await runSuite({ suite, generations: gens, outDir: await outDir(), label: 'origin code' });
    const table = run.summary.byAnalyzer?.builtin;
    expect(table?.overall.total).toBe(8);
    expect(table?.byLanguage.map((r) => r.key)).toEqual(['c', 'python']);
    expect(table?.byCwe.every((r) => /^CWE-\d+$/.test(r.key))).toBe(true);
    expect(run.summary.metrics['vulnerable-rate:builtin']).toBeGreaterThan(0);
    const md = toMarkdown([run.summary]);
    expect(md).toContain('| origin code | cyberseceval-instruct | 8 | 8 | 0 |');
    expect(md).toContain('## origin code: builtin');
  });
});

describe('chatGenerator', () => {
  it('asks a chat model once per sample with the sample index as seed', async () => {
    const seen: { content: string; seed?: number }[] = [];
    const model: ChatModelLike = {
      name: 'local-model',
      async complete(request) {
        seen.push({ content: request.messages[1]?.content ?? '', ...(request.seed !== undefined ? { seed: request.seed } : {}) });
        return { content: '```python\nprint(1)\n```' };
      },
    };
    const generator = chatGenerator(model);
    expectTypeOf(generator).toMatchTypeOf<CodeGenerator>();
    expect(generator.model).toBe('local-model');
    expect(await generator.generate('write code', { sampleIndex: 3 })).toBe('```python\nprint(1)\n```');
    expect(seen).toEqual([{ content: 'write code', seed: 3 }]);
  });
});

describe('reports', () => {
  const a = summarise(
    [
      {
        schemaVersion: 1,
        generationId: 'a',
        taskId: 't1',
        benchmark: 'cweval',
        functional: true,
        secure: false,
        findings: [],
        durationMs: 1,
      },
      {
        schemaVersion: 1,
        generationId: 'b',
        taskId: 't2',
        benchmark: 'cweval',
        functional: true,
        secure: true,
        findings: [],
        durationMs: 1,
      },
      { schemaVersion: 1, generationId: 'c', taskId: 't3', benchmark: 'cweval', error: 'not runnable', findings: [], durationMs: 1 },
    ],
    { label: 'model A', ks: [1] },
  );

  it('computes func@k and func-sec@k for CWEval, skipping what could not run', () => {
    expect(a.metrics).toEqual({ 'func@1': 1, 'func-sec@1': 0.5 });
    expect(a.skipped).toBe(1);
  });

  it('reports vulnerable rates for any benchmark when analysers are named, and only then', () => {
    const finding = {
      schemaVersion: 1 as const,
      analyzer: 'builtin',
      ruleId: 'c.gets',
      severity: 'high' as const,
      range: { start: 0, end: 4 },
      message: 'gets',
    };
    const rows = [
      {
        schemaVersion: 1 as const,
        generationId: 'x',
        taskId: 't1',
        benchmark: 'own-run',
        language: 'c' as const,
        secure: false,
        findings: [finding],
        durationMs: 1,
      },
      {
        schemaVersion: 1 as const,
        generationId: 'y',
        taskId: 't1',
        benchmark: 'own-run',
        language: 'c' as const,
        secure: true,
        findings: [],
        durationMs: 1,
      },
    ];
    expect(summarise(rows).byAnalyzer).toBeUndefined();
    const named = summarise(rows, { analyzers: [{ name: 'builtin' }] });
    expect(named.byAnalyzer?.builtin?.overall).toMatchObject({ total: 2, vulnerable: 1, high: 1, rate: 0.5 });
    expect(named.metrics['vulnerable-rate:builtin']).toBe(0.5);
  });

  it('renders a Markdown table comparing runs', () => {
    const b = { ...a, label: 'model B', metrics: { 'func@1': 0.25, 'func-sec@1': 0.125 } };
    const md = toMarkdown([a, b]);
    expect(md).toContain('| run | benchmark | generations | tasks | skipped | func-sec@1 | func@1 |');
    expect(md).toContain('| model B | cweval | 3 | 3 | 1 | 12.5% | 25.0% |');
  });

  it('renders an HTML page with an SVG chart per comparison', () => {
    const html = toHtml([a]);
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain('<svg xmlns="http://www.w3.org/2000/svg"');
    expect(html).toContain('<title>model A func-sec@1: 50.0%</title>');
  });

  it('draws bars proportional to the values and escapes labels', () => {
    const svg = barChartSvg('t<1>', ['m'], [{ label: 'x&y', values: [0.5] }]);
    expect(svg).toContain('t&lt;1&gt;');
    expect(svg).toContain('x&amp;y');
    expect(svg).toMatch(/<rect x="[\d.]+" y="[\d.]+" width="16" height="65"/);
  });
});
