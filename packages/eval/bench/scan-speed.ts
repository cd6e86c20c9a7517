/**
 * Whole-process scan speed: `srcode-eval scan` (the built dist/cli.js) against bandit over the same
 * 1,411 small Python files, side by side in one run, plus one file for each.
 *
 * The files come from ../shared/data: SVEN and SafeCoder Python functions before and after their fix
 * (dedented, as they are cut out of classes), CWEval's Python tasks and CyberSecEval's Python
 * origin_code; identical texts count once, and when fewer than 1,411 remain the set is topped up
 * deterministically with copies that differ by a trailing comment.
 *
 * Each command is timed as a whole process (wall clock, and CPU through /usr/bin/time when present),
 * interleaved and repeated; the scan runs as users run it (many files over the cores) and on one thread. Then, in this process, where the built-in analyser's time goes: parsing,
 * and each rule's predicates (the rules' own code), over the same files.
 *
 * `--baseline PATH`: another build of the bin (an earlier commit's, say) timed in the same rounds on the file list
 * and on one file, its findings checked equal to this build's, so that a change is measured against the same load.
 *
 * Run: pnpm --filter @srcode/eval build && pnpm --filter @srcode/eval bench:scan [DATA_DIR] [--runs N] [--cli PATH] [--baseline PATH]
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const FILES = 1411;
const args = process.argv.slice(2);
const flag = (name: string) => {
  const at = args.indexOf(name);
  return at >= 0 ? args[at + 1] : undefined;
};
const RUNS = Number(flag('--runs') ?? 5);
const positional = args.filter((a, i) => !a.startsWith('--') && !['--runs', '--cli', '--baseline'].includes(args[i - 1] ?? ''));
const data = positional[0] ?? fileURLToPath(new URL('../../../../shared/data', import.meta.url));
const cli = flag('--cli') ?? fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const baseline = flag('--baseline');
if (!existsSync(data)) {
  console.error(`data not found at ${data}`);
  process.exit(2);
}
if (!existsSync(cli)) {
  console.error(`${cli} not found: run pnpm --filter @srcode/eval build first`);
  process.exit(2);
}
if (baseline !== undefined && !existsSync(baseline)) {
  console.error(`--baseline ${baseline} not found`);
  process.exit(2);
}
if (!Number.isInteger(RUNS) || RUNS < 1) {
  console.error('--runs expects a whole number from 1');
  process.exit(2);
}

/** Remove the indentation every non-blank line shares (methods cut out of their class). */
function dedent(code: string): string {
  const lines = code.split('\n');
  const indents = lines.filter((l) => l.trim()).map((l) => /^[ \t]*/.exec(l)?.[0].length ?? 0);
  const cut = indents.length ? Math.min(...indents) : 0;
  return cut ? lines.map((l) => l.slice(Math.min(cut, /^[ \t]*/.exec(l)?.[0].length ?? 0))).join('\n') : code;
}

function jsonl(file: string): Record<string, unknown>[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** The Python sources, in a fixed order, each text once. */
function pythonSources(dir: string): string[] {
  const texts: string[] = [];
  for (const source of ['sven', 'safecoder']) {
    for (const split of ['train', 'val']) {
      const d = join(dir, source, split);
      if (!existsSync(d)) continue;
      for (const file of readdirSync(d).sort()) {
        if (!file.endsWith('.jsonl')) continue;
        for (const r of jsonl(join(d, file))) {
          if (!String(r.file_name ?? '').endsWith('.py')) continue;
          texts.push(dedent(String(r.func_src_before)), dedent(String(r.func_src_after)));
        }
      }
    }
  }
  const cweval = join(dir, 'cweval', 'core', 'py');
  if (existsSync(cweval)) {
    for (const f of readdirSync(cweval).sort()) if (f.endsWith('_task.py')) texts.push(readFileSync(join(cweval, f), 'utf8'));
  }
  for (const variant of ['instruct', 'autocomplete']) {
    const f = join(dir, 'cyberseceval', `${variant}.json`);
    if (!existsSync(f)) continue;
    const rows = JSON.parse(readFileSync(f, 'utf8')) as { language: string; origin_code: string }[];
    for (const r of rows) if (r.language === 'python') texts.push(dedent(r.origin_code));
  }
  return [...new Set(texts)];
}

const unique = pythonSources(data);
const texts = unique.slice(0, FILES);
for (let i = 0; texts.length < FILES && unique.length > 0; i++) texts.push(`${unique[i % unique.length]}\n# copy ${i}\n`);

const root = mkdtempSync(join(tmpdir(), 'srcode-scan-speed-'));
const dir = join(root, 'py');
mkdirSync(dir);
const files = texts.map((t, i) => {
  const f = join(dir, `f${String(i).padStart(4, '0')}.py`);
  writeFileSync(f, t);
  return f;
});
const lines = texts.reduce((n, t) => n + t.split('\n').length, 0);

interface Timing {
  label: string;
  seconds: number[];
  cpu: number[];
  out: string;
}

const TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;

interface Command {
  label: string;
  command: string;
  argv: readonly string[];
  ok: readonly number[];
}

/** One run of a command: wall seconds, CPU seconds (user + system, through /usr/bin/time) and stdout. */
function once(c: Command): { seconds: number; cpu?: number; out: string } {
  const started = process.hrtime.bigint();
  const p = TIME
    ? spawnSync(TIME, ['-f', 'CPU %U %S', c.command, ...c.argv], { encoding: 'utf8', maxBuffer: 1 << 30 })
    : spawnSync(c.command, c.argv, { encoding: 'utf8', maxBuffer: 1 << 30 });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (p.error || !c.ok.includes(p.status ?? -1)) {
    console.error(`${c.label}: exit ${p.status} ${p.error?.message ?? ''}\n${p.stderr.slice(0, 2000)}`);
    process.exit(1);
  }
  const used = /CPU ([\d.]+) ([\d.]+)\s*$/.exec(p.stderr);
  return { seconds, ...(used ? { cpu: Number(used[1]) + Number(used[2]) } : {}), out: p.stdout };
}

/** Every command once as a warm-up, then RUNS rounds of each in turn (a busy moment of the machine falls on all alike). */
function timeAll(commands: readonly Command[]): Timing[] {
  const timings = commands.map((c) => ({ label: c.label, seconds: [] as number[], cpu: [] as number[], out: once(c).out }));
  for (let r = 0; r < RUNS; r++) {
    commands.forEach((c, i) => {
      const run = once(c);
      const t = timings[i] as Timing;
      t.seconds.push(run.seconds);
      if (run.cpu !== undefined) t.cpu.push(run.cpu);
      t.out = run.out;
    });
  }
  return timings;
}

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const sd = (xs: readonly number[]) => Math.sqrt(mean(xs.map((x) => (x - mean(xs)) ** 2)));
const fmt = (t: Timing) =>
  `${t.label.padEnd(40)} ${mean(t.seconds).toFixed(3)} s ± ${sd(t.seconds).toFixed(3)} (min ${Math.min(...t.seconds).toFixed(3)}, max ${Math.max(...t.seconds).toFixed(3)})${t.cpu.length ? `  cpu ${mean(t.cpu).toFixed(2)} s` : ''}`;

/** In this process: parse time, and each rule's predicate time, over the files (the built-in analyser from source). */
async function breakdown(texts: readonly string[]): Promise<void> {
  const { BuiltinAnalyzer } = await import('../src/builtin.js');
  const { PYTHON_LANGUAGE } = await import('../src/rules/python.js');
  const { parse } = await import('@srcode/syntax');
  const spent = new Map<string, number>();
  const rules = PYTHON_LANGUAGE.rules.map((rule) => {
    const predicate = rule.predicate;
    if (!predicate) return rule;
    return {
      ...rule,
      predicate: (m: Parameters<typeof predicate>[0]) => {
        const t = performance.now();
        try {
          return predicate(m);
        } finally {
          spent.set(rule.id, (spent.get(rule.id) ?? 0) + performance.now() - t);
        }
      },
    };
  });
  // the language as registered (plain nodes and all), so that the rules run as the CLI runs them
  const analyzer = new BuiltinAnalyzer({ languages: [{ ...PYTHON_LANGUAGE, rules }] });
  analyzer.check('python');
  let t = performance.now();
  for (const text of texts) parse(`${text}\n`, 'python');
  const parseMs = performance.now() - t;
  t = performance.now();
  for (const text of texts) analyzer.analyzeSync(text, 'python');
  const totalMs = performance.now() - t;
  const predicates = [...spent.values()].reduce((a, b) => a + b, 0);
  console.log(
    `\nthe rules in src/, in one process, ${texts.length} files: analyse ${totalMs.toFixed(0)} ms, of which predicates ${predicates.toFixed(0)} ms;`,
  );
  console.log(`parsing every file alone ${parseMs.toFixed(0)} ms (the analyser parses only files some rule applies to)`);
  console.log('slowest predicates (ms):');
  for (const [id, ms] of [...spent].sort((a, b) => b[1] - a[1]).slice(0, 8)) console.log(`  ${id.padEnd(36)} ${ms.toFixed(0)}`);
}

const node = process.execPath;
const one = files[0] as string;
try {
  console.log(`${files.length} Python files (${unique.length} distinct texts in the data), ${lines} lines, in ${dir}`);
  console.log(`${RUNS} rounds of every command after one warm-up; whole processes, stdout read in full\n`);
  const [scanFiles, banditFiles, scanDir, banditDir, scanOne, banditOne, nodeBare, scanOneThread, ...rest] = timeAll([
    { label: 'srcode-eval scan <1,411 files>', command: node, argv: [cli, 'scan', ...files], ok: [0] },
    { label: 'bandit -q -f json <1,411 files>', command: 'bandit', argv: ['-q', '-f', 'json', ...files], ok: [0, 1] },
    { label: 'srcode-eval scan DIR', command: node, argv: [cli, 'scan', dir], ok: [0] },
    { label: 'bandit -q -f json -r DIR', command: 'bandit', argv: ['-q', '-f', 'json', '-r', dir], ok: [0, 1] },
    { label: 'srcode-eval scan <one file>', command: node, argv: [cli, 'scan', one], ok: [0] },
    { label: 'bandit -q -f json <one file>', command: 'bandit', argv: ['-q', '-f', 'json', one], ok: [0, 1] },
    { label: 'node -e 0 (the runtime alone)', command: node, argv: ['-e', '0'], ok: [0] },
    { label: 'srcode-eval scan --jobs 1 <1,411 files>', command: node, argv: [cli, 'scan', '--jobs', '1', ...files], ok: [0] },
    ...(baseline
      ? [
          { label: 'baseline scan <1,411 files>', command: node, argv: [baseline, 'scan', ...files], ok: [0] },
          { label: 'baseline scan <one file>', command: node, argv: [baseline, 'scan', one], ok: [0] },
        ]
      : []),
  ]) as [Timing, Timing, Timing, Timing, Timing, Timing, Timing, Timing, ...Timing[]];
  const [baseFiles, baseOne] = rest as [Timing?, Timing?];

  for (const t of [scanFiles, banditFiles, scanDir, banditDir, scanOne, banditOne, nodeBare, scanOneThread, ...rest]) console.log(fmt(t));
  if (scanOneThread.out !== scanFiles.out) {
    console.error('the findings of --jobs 1 differ from those of the default scan');
    process.exit(1);
  }
  if (baseFiles && baseFiles.out !== scanFiles.out) {
    console.error('the findings of the baseline build differ from those of this one');
    process.exit(1);
  }
  const builtinFindings = (JSON.parse(scanFiles.out) as unknown[]).length;
  const banditFindings = (JSON.parse(banditFiles.out) as { results: unknown[] }).results.length;
  console.log(`\nfindings: builtin ${builtinFindings}, bandit ${banditFindings}`);
  const ratio = (a: Timing, b: Timing) => (mean(b.seconds) / mean(a.seconds)).toFixed(1);
  console.log(`bandit / srcode-eval, file list: ${ratio(scanFiles, banditFiles)}x`);
  console.log(`bandit / srcode-eval, DIR:       ${ratio(scanDir, banditDir)}x`);
  console.log(`bandit / srcode-eval, one file:  ${ratio(scanOne, banditOne)}x`);
  console.log(`bandit / srcode-eval --jobs 1, file list: ${ratio(scanOneThread, banditFiles)}x (one thread)`);
  console.log(`srcode-eval one file: ${(mean(scanOne.seconds) * 1000).toFixed(0)} ms (target under 120 ms)`);
  if (baseFiles && baseOne) {
    console.log(`baseline / srcode-eval, file list: ${ratio(scanFiles, baseFiles)}x; one file: ${ratio(scanOne, baseOne)}x`);
    console.log(`bandit / baseline, file list: ${ratio(baseFiles, banditFiles)}x`);
    if (baseFiles.cpu.length && scanFiles.cpu.length)
      console.log(`CPU, baseline / srcode-eval, file list: ${(mean(baseFiles.cpu) / mean(scanFiles.cpu)).toFixed(2)}x`);
  }
  if (scanFiles.cpu.length && banditFiles.cpu.length) {
    console.log(`CPU, bandit / srcode-eval, file list: ${(mean(banditFiles.cpu) / mean(scanFiles.cpu)).toFixed(1)}x`);
  }
  await breakdown(texts);
} finally {
  rmSync(root, { recursive: true, force: true });
}
