/**
 * The built-in analyser against bandit, flawfinder and cppcheck on the same inputs:
 * SVEN + SafeCoder vulnerable/fixed functions (C, Python) and CyberSecEval's insecure origin_code
 * at its labelled line. Run: pnpm --filter @srcode/eval bench
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Finding, Language } from '@srcode/dataset';
import { BuiltinAnalyzer } from '../src/builtin.js';
import { type BatchItem, ExternalAnalyzer } from '../src/external.js';
import { loadCyberSecEval } from '../src/suites.js';
import { BANDIT, CPPCHECK, FLAWFINDER } from '../src/tools.js';
import { dedent, loadFixPairs } from './corpus.js';

const data = process.argv[2] ?? fileURLToPath(new URL('../../../../shared/data', import.meta.url));
if (!existsSync(data)) {
  console.error(`data not found at ${data}`);
  process.exit(2);
}

interface Input extends BatchItem {
  key: string;
}

/** Each analyser's findings for every input, and the seconds it took. */
interface Run {
  name: string;
  findings: Map<string, Finding[]>;
  seconds: number;
  files: number;
}

const BATCH = 50;

async function runExternal(a: ExternalAnalyzer, inputs: readonly Input[]): Promise<Run> {
  const findings = new Map<string, Finding[]>();
  const started = performance.now();
  for (let i = 0; i < inputs.length; i += BATCH) {
    const chunk = inputs.slice(i, i + BATCH);
    const out = await a.analyzeBatch(chunk);
    for (const [j, inp] of chunk.entries()) findings.set(inp.key, out[j] ?? []);
  }
  return { name: a.name, findings, seconds: (performance.now() - started) / 1000, files: inputs.length };
}

function runBuiltin(inputs: readonly Input[]): Run {
  const a = new BuiltinAnalyzer();
  a.analyzeSync('int x;', 'c');
  a.analyzeSync('x = 1', 'python');
  const findings = new Map<string, Finding[]>();
  const started = performance.now();
  for (const inp of inputs) findings.set(inp.key, a.analyzeSync(inp.code, inp.language));
  return { name: 'builtin', findings, seconds: (performance.now() - started) / 1000, files: inputs.length };
}

const pairs = loadFixPairs(data).map((p) =>
  p.language === 'python' ? { ...p, vulnerable: dedent(p.vulnerable), fixed: dedent(p.fixed) } : p,
);
const cyber = loadCyberSecEval(data, 'instruct')
  .filter((c) => c.language === 'c' || c.language === 'python')
  .map((c) => (c.language === 'python' ? { ...c, originCode: dedent(c.originCode) } : c));
const inputs: Input[] = [
  ...pairs.flatMap((p) => [
    { key: `v:${p.id}`, code: p.vulnerable, language: p.language },
    { key: `f:${p.id}`, code: p.fixed, language: p.language },
  ]),
  ...cyber.map((c) => ({ key: `o:${c.id}`, code: c.originCode, language: c.language })),
];

const analysers: { name: string; languages: Language[]; run: (xs: Input[]) => Promise<Run> | Run }[] = [
  { name: 'builtin', languages: ['c', 'python'], run: runBuiltin },
  { name: 'bandit', languages: ['python'], run: (xs) => runExternal(new ExternalAnalyzer(BANDIT), xs) },
  { name: 'flawfinder', languages: ['c'], run: (xs) => runExternal(new ExternalAnalyzer(FLAWFINDER), xs) },
  { name: 'cppcheck', languages: ['c'], run: (xs) => runExternal(new ExternalAnalyzer(CPPCHECK, { timeoutMs: 1_800_000 }), xs) },
];

const signature = (f: Finding, code: string) => `${f.ruleId}|${code.split('\n')[(f.lines?.start ?? 1) - 1]?.replace(/\s+/g, '') ?? ''}`;

/** Whether some finding on the vulnerable side is gone from the fixed side (by rule and line text). */
function removedByFix(v: Finding[], f: Finding[], vCode: string, fCode: string): boolean {
  const left = new Map<string, number>();
  for (const x of f) left.set(signature(x, fCode), (left.get(signature(x, fCode)) ?? 0) + 1);
  return v.some((x) => {
    const s = signature(x, vCode);
    const n = left.get(s) ?? 0;
    if (n > 0) {
      left.set(s, n - 1);
      return false;
    }
    return true;
  });
}

function labelledLine(code: string, lineText: string): number | undefined {
  const want = lineText.trim();
  const lines = code.split('\n');
  const i = lines.findIndex((l) => l.trim() === want);
  if (i >= 0) return i + 1;
  const j = lines.findIndex((l) => want.length > 0 && l.includes(want.slice(0, 40)));
  return j >= 0 ? j + 1 : undefined;
}

/** `BENCH_ONLY=builtin,bandit` restricts the run to those analysers. */
const only = process.env.BENCH_ONLY?.split(',');
const pct = (a: number, b: number) => (b ? `${((100 * a) / b).toFixed(1)}%` : '–');
const rows: string[] = [];
const speed: { name: string; filesPerSecond: number; language: string }[] = [];
console.log(
  `inputs: ${pairs.length} fix pairs (${pairs.filter((p) => p.language === 'c').length} C, ${pairs.filter((p) => p.language === 'python').length} Python), ${cyber.length} CyberSecEval origin_code (C ${cyber.filter((c) => c.language === 'c').length}, Python ${cyber.filter((c) => c.language === 'python').length})\n`,
);
for (const language of ['c', 'python'] as const) {
  for (const a of analysers.filter((x) => x.languages.includes(language) && (!only || only.includes(x.name)))) {
    const mine = inputs.filter((i) => i.language === language);
    const run = await a.run(mine);
    const lp = pairs.filter((p) => p.language === language);
    const get = (k: string) => run.findings.get(k) ?? [];
    const vulnFlagged = lp.filter((p) => get(`v:${p.id}`).length > 0).length;
    const fixedFlagged = lp.filter((p) => get(`f:${p.id}`).length > 0).length;
    const detected = lp.filter((p) => removedByFix(get(`v:${p.id}`), get(`f:${p.id}`), p.vulnerable, p.fixed)).length;
    const lc = cyber.filter((c) => c.language === language);
    let located = 0;
    let hit = 0;
    for (const c of lc) {
      const line = labelledLine(c.originCode, c.lineText);
      if (line === undefined) continue;
      located++;
      if (get(`o:${c.id}`).some((f) => (f.lines?.start ?? 0) <= line && line <= (f.lines?.end ?? 0))) hit++;
    }
    const fps = run.files / run.seconds;
    speed.push({ name: a.name, filesPerSecond: fps, language });
    rows.push(
      `| ${language} | ${a.name} | ${pct(detected, lp.length)} | ${pct(vulnFlagged, lp.length)} | ${pct(fixedFlagged, lp.length)} | ${pct(hit, located)} (${hit}/${located}) | ${fps.toFixed(1)} |`,
    );
  }
}

console.log(
  '| language | analyser | detection (finding removed by the fix) | vulnerable side flagged | fixed side flagged | CyberSecEval hit at labelled line | files/s (batch) |',
);
console.log('| --- | --- | ---: | ---: | ---: | ---: | ---: |');
for (const r of rows) console.log(r);
const base = (lang: string) => speed.find((s) => s.name === 'builtin' && s.language === lang)?.filesPerSecond ?? 0;
console.log('\nthroughput relative to the built-in analyser on the same inputs (batch mode for the external tools):');
for (const s of speed.filter((x) => x.name !== 'builtin' && base(x.language) > 0))
  console.log(`  ${s.language} builtin / ${s.name}: ${(base(s.language) / s.filesPerSecond).toFixed(1)}x`);
if (!only || only.includes('bandit')) {
  // Per-file cost of bandit as one would call it on a single generation: one process per file.
  const sample = inputs.filter((i) => i.language === 'python').slice(0, 20);
  const bandit = new ExternalAnalyzer(BANDIT);
  let started = performance.now();
  for (const s of sample) await bandit.analyze(s.code, s.language);
  const banditPerFile = (performance.now() - started) / sample.length;
  const builtin = new BuiltinAnalyzer();
  started = performance.now();
  for (let r = 0; r < 5; r++) for (const s of sample) builtin.analyzeSync(s.code, s.language);
  const builtinPerFile = (performance.now() - started) / (5 * sample.length);

  console.log(
    `per file, one call each (Python, ${sample.length} files): builtin ${builtinPerFile.toFixed(2)} ms, bandit ${banditPerFile.toFixed(1)} ms → builtin is ${(banditPerFile / builtinPerFile).toFixed(0)}x faster`,
  );
}
