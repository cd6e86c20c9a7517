/**
 * Findings snapshot: every finding of the built-in analyser over the labelled corpus (read from
 * ../shared/data) and the C programs of test/fixtures/c-programs, one JSON line per file, written to
 * the path given; then the analysis CPU time per file for each language (after one warm-up pass),
 * so that a change meant only to make the analyser faster can be checked to leave every finding as it was.
 *
 * `--lang LANG` keeps the files of one language only (`python`, `c`), for a change that concerns one language's rules.
 *
 * Run: pnpm --filter @srcode/eval exec tsx bench/findings-snapshot.ts OUT.jsonl [DATA_DIR] [--runs N] [--lang LANG]
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BuiltinAnalyzer } from '../src/builtin.js';
import { C_PROGRAMS_DIR, type CorpusItem, loadCorpus } from './corpus.js';

const args = process.argv.slice(2);
const runsAt = args.indexOf('--runs');
const RUNS = runsAt >= 0 ? Number(args[runsAt + 1]) : 3;
const langAt = args.indexOf('--lang');
const LANG = langAt >= 0 ? args[langAt + 1] : undefined;
const positional = args.filter((a, i) => !a.startsWith('--') && args[i - 1] !== '--runs' && args[i - 1] !== '--lang');
const out = positional[0];
const data = positional[1] ?? fileURLToPath(new URL('../../../../shared/data', import.meta.url));
if (!out || !Number.isInteger(RUNS) || RUNS < 1) {
  console.error('usage: findings-snapshot.ts OUT.jsonl [DATA_DIR] [--runs N] [--lang LANG]');
  process.exit(2);
}

const all: Pick<CorpusItem, 'id' | 'language' | 'code' | 'origin'>[] = loadCorpus(data);
for (const file of readdirSync(C_PROGRAMS_DIR).sort()) {
  if (!file.endsWith('.c')) continue;
  all.push({ id: `fixture/${file}`, language: 'c', code: readFileSync(join(C_PROGRAMS_DIR, file), 'utf8'), origin: 'c-programs' });
}
const items = LANG === undefined ? all : all.filter((i) => i.language === LANG);
if (!items.length) {
  console.error(`no files of language '${LANG}'`);
  process.exit(2);
}

const analyzer = new BuiltinAnalyzer();
const lines = items.map((i) => JSON.stringify({ id: i.id, findings: analyzer.analyzeSync(i.code, i.language) }));
writeFileSync(out, `${lines.join('\n')}\n`);
console.log(
  `${items.length} files, ${lines.reduce((n, l) => n + (JSON.parse(l) as { findings: unknown[] }).findings.length, 0)} findings -> ${out}`,
);

/** CPU milliseconds (user + system) of `f`. */
function cpu(f: () => void): number {
  const t = process.cpuUsage();
  f();
  const d = process.cpuUsage(t);
  return (d.user + d.system) / 1000;
}

const groups = new Map<string, typeof items>();
for (const i of items) {
  for (const g of [
    i.language,
    `${i.language} ${i.origin === 'c-programs' || i.origin === 'handwritten' ? i.origin : 'sven/safecoder/cweval/cyberseceval'}`,
  ]) {
    groups.set(g, [...(groups.get(g) ?? []), i]);
  }
}
for (const [name, group] of [...groups].sort(([a], [b]) => a.localeCompare(b))) {
  const times: number[] = [];
  for (let r = 0; r < RUNS; r++)
    times.push(
      cpu(() => {
        for (const i of group) analyzer.analyzeSync(i.code, i.language);
      }),
    );
  const best = Math.min(...times);
  console.log(
    `${name}: ${group.length} files, CPU ${(best / group.length).toFixed(3)} ms/file (best of ${RUNS}; all ${times.map((t) => (t / group.length).toFixed(3)).join(' ')})`,
  );
}
