/**
 * HumanEval Pro / MBPP Pro canonical-solution pass rates in the sandbox (should be 100%).
 * Run: pnpm --filter @srcode/eval bench:pro
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { canonicalCompletion, loadProProblems, runProProblem } from '../src/codeeval-pro.js';

const dir = process.argv[2] ?? fileURLToPath(new URL('../../../../shared/data/codeeval-pro', import.meta.url));
if (!existsSync(dir)) {
  console.error(`HumanEval Pro / MBPP Pro data not found at ${dir}`);
  process.exit(2);
}
const concurrency = 2;
for (const [name, file] of [
  ['HumanEval Pro', 'humaneval_pro.json'],
  ['MBPP Pro', 'mbpp_pro.json'],
] as const) {
  const problems = loadProProblems(join(dir, file));
  const started = performance.now();
  const failures: string[] = [];
  let passed = 0;
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < problems.length) {
        const p = problems[next++];
        if (!p) break;
        const out = await runProProblem(p, canonicalCompletion(p));
        if (out.passed) passed++;
        else failures.push(`${p.id}: ${out.error ?? ''}`);
      }
    }),
  );
  const secs = (performance.now() - started) / 1000;
  console.log(
    `${name}: canonical solutions passing ${passed}/${problems.length} (${((100 * passed) / problems.length).toFixed(1)}%) in ${secs.toFixed(1)} s`,
  );
  for (const f of failures) console.log(`  failed ${f}`);
}
