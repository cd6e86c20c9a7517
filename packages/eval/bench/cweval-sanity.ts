/**
 * CWEval reference sanity sweep: every `_task` reference must pass its functionality and security
 * tests, every `_unsafe` reference must fail security. Run: pnpm --filter @srcode/eval bench:cweval
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { fillSolution, loadCwevalTasks, runCwevalTask } from '../src/cweval.js';

const dir = process.argv[2] ?? fileURLToPath(new URL('../../../../shared/data/cweval', import.meta.url));
if (!existsSync(dir)) {
  console.error(`CWEval data not found at ${dir}`);
  process.exit(2);
}
const tasks = loadCwevalTasks(dir);
const started = performance.now();
const counts = { tasks: tasks.length, runnable: 0, taskBoth: 0, unsafe: 0, unsafeFailSecurity: 0 };
const notRunnable: string[] = [];
const problems: string[] = [];
for (const task of tasks) {
  const ref = await runCwevalTask(task, fillSolution(task, task.solution));
  if (!ref.runnable) {
    notRunnable.push(`${task.id} (missing ${ref.missing.join(', ')})`);
    console.log(`${task.id.padEnd(14)} not runnable: missing ${ref.missing.join(', ')}`);
    continue;
  }
  counts.runnable++;
  const ok = ref.functional && ref.secure;
  if (ok) counts.taskBoth++;
  else problems.push(`${task.id}: reference ${JSON.stringify({ f: ref.functionality, s: ref.security, log: ref.compileLog })}`);
  let line = `${task.id.padEnd(14)} task: func ${ref.functionality.passed}/${ref.functionality.passed + ref.functionality.failed + ref.functionality.errors} sec ${ref.security.passed}/${ref.security.passed + ref.security.failed + ref.security.errors}`;
  if (task.unsafe !== undefined) {
    counts.unsafe++;
    const bad = await runCwevalTask(task, task.unsafe);
    if (!bad.secure) counts.unsafeFailSecurity++;
    else problems.push(`${task.id}: unsafe reference passed security ${JSON.stringify(bad.security)}`);
    line += ` | unsafe: compiled ${bad.compiled} func ${bad.functional} sec-fail ${!bad.secure}`;
  }
  console.log(line);
}
console.log('\nCWEval reference sanity');
console.log(
  `tasks: ${counts.tasks} (C ${tasks.filter((t) => t.language === 'c').length}, Python ${tasks.filter((t) => t.language === 'python').length})`,
);
console.log(`runnable here: ${counts.runnable}; not runnable: ${notRunnable.length} ${notRunnable.join('; ')}`);
console.log(`_task references passing functionality and security: ${counts.taskBoth}/${counts.runnable}`);
console.log(`_unsafe references failing security: ${counts.unsafeFailSecurity}/${counts.unsafe} (runnable ones with an _unsafe file)`);
if (problems.length) console.log(`problems:\n  ${problems.join('\n  ')}`);
console.log(`wall time ${((performance.now() - started) / 1000).toFixed(1)} s`);
