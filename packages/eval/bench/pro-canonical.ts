/**
 * HumanEval Pro / MBPP Pro canonical solutions through the real runner (should pass 100%), at
 * `--jobs 1` and at the default (one per core), with the wall time of each.
 * Run: pnpm --filter @srcode/eval bench:pro [DATA_DIR]
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Generation } from '@srcode/dataset';
import { canonicalCompletion, loadProProblems } from '../src/codeeval-pro.js';
import { runSuite } from '../src/run.js';
import { proSuite } from '../src/suites.js';

const data = process.argv[2] ?? fileURLToPath(new URL('../../../../shared/data', import.meta.url));
if (!existsSync(join(data, 'codeeval-pro'))) {
  console.error(`HumanEval Pro / MBPP Pro data not found under ${data}`);
  process.exit(2);
}
const lanes = [...new Set([1, availableParallelism()])];
const times = new Map<number, number>();
for (const jobs of lanes) {
  let total = 0;
  for (const [which, file] of [
    ['humaneval-pro', 'humaneval_pro.json'],
    ['mbpp-pro', 'mbpp_pro.json'],
  ] as const) {
    const problems = loadProProblems(join(data, 'codeeval-pro', file));
    const generations: Generation[] = problems.map((p) => ({
      schemaVersion: 1,
      id: `${which}/${p.id}`,
      taskId: p.id,
      model: 'canonical',
      prompt: '',
      completion: canonicalCompletion(p),
      sampleIndex: 0,
    }));
    const out = await mkdtemp(join(tmpdir(), 'srcode-bench-pro-'));
    const started = performance.now();
    try {
      const r = await runSuite({ suite: proSuite(data, which), generations, outDir: out, jobs });
      const secs = (performance.now() - started) / 1000;
      total += secs;
      const passed = r.results.filter((x) => x.outcome === 'passed').length;
      console.log(
        `${which} --jobs ${jobs}: ${passed}/${problems.length} passed in ${secs.toFixed(1)} s; outcomes ${JSON.stringify(r.summary.outcomes)}`,
      );
      for (const x of r.results) if (x.outcome !== 'passed') console.log(`  ${x.taskId}: ${x.outcome} ${x.error ?? ''}`);
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  }
  times.set(jobs, total);
}
const one = times.get(1) ?? Number.NaN;
for (const [jobs, secs] of times)
  console.log(`--jobs ${jobs}: ${secs.toFixed(1)} s for both suites (${(one / secs).toFixed(2)}x --jobs 1)`);
