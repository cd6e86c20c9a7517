/**
 * Precision, recall and F1 of the built-in analyser, bandit, flawfinder, cppcheck and their union on the
 * labelled corpus (bench/corpus.ts), per language and per CWE, side by side in one run.
 *
 * A file counts as flagged when the analyser reports a finding of medium or high severity on it. The second
 * criterion ("at CWE") also asks that the finding's CWE be the file's labelled CWE or a relative of it in the
 * CWE hierarchy (one an ancestor of the other); a file without a labelled CWE is flagged by any such finding.
 *
 * Run: pnpm --filter @srcode/eval bench:corpus [-- --out figures.json --data DIR --only builtin,bandit --origin handwritten
 * --misses builtin]. The JSON holds the tables and, per language and analyser, the ids of the files it flagged.
 * Where bench/corpus-review/*.tsv relabels items (labels a pattern detector made, reviewed by reading
 * the code), the any-finding figures are printed a second time with the reviewed labels.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Finding } from '@srcode/dataset';
import { BuiltinAnalyzer } from '../src/builtin.js';
import { cweRelated } from '../src/cwe.js';
import { ExternalAnalyzer } from '../src/external.js';
import { BANDIT, CPPCHECK, FLAWFINDER } from '../src/tools.js';
import { type CorpusItem, type CorpusLanguage, loadCorpus } from './corpus.js';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const data = arg('data') ?? fileURLToPath(new URL('../../../../shared/data', import.meta.url));
const out = arg('out') ?? join(mkdtempSync(join(tmpdir(), 'srcode-corpus-bench-')), 'figures.json');
const only = (arg('only') ?? process.env.BENCH_ONLY)?.split(',');
const origins = arg('origin')?.split(',');
/** `--misses builtin` lists, per language, the ids that analyser misses (FN) and wrongly flags (FP). */
const misses = arg('misses');
if (!existsSync(data)) console.error(`data not found at ${data}: the hand-written files only`);

const corpus = loadCorpus(data).filter((i) => !origins || origins.includes(i.origin));

/**
 * Labels reviewed by reading the code (bench/corpus-review/*.tsv: id, label, reason), for data sets whose
 * labels a pattern detector made. The figures are printed with the original labels first and again with
 * these; the corpus itself keeps the original ones.
 */
function loadReview(): Map<string, boolean> {
  const out = new Map<string, boolean>();
  const dir = fileURLToPath(new URL('./corpus-review', import.meta.url));
  if (!existsSync(dir)) return out;
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.tsv'))) {
    for (const line of readFileSync(join(dir, f), 'utf8').split('\n')) {
      const [id, label] = line.split('\t');
      if (!id || line.startsWith('#') || (label !== 'clean' && label !== 'vulnerable')) continue;
      out.set(id, label === 'vulnerable');
    }
  }
  return out;
}
const review = loadReview();
const unknownReviewed = [...review.keys()].filter((id) => !corpus.some((i) => i.id === id));
if (existsSync(data) && !origins && unknownReviewed.length > 0)
  console.error(`reviewed labels for ids not in the corpus: ${unknownReviewed.join(', ')}`);
const LANGUAGES: readonly CorpusLanguage[] = ['python', 'c'];

/** Findings of one analyser for every item it ran on, and the seconds it took. */
interface Run {
  name: string;
  language: CorpusLanguage;
  findings: Map<string, Finding[]>;
  seconds: number;
}

const CHUNK = 50;

async function runExternal(a: ExternalAnalyzer, items: readonly CorpusItem[], language: CorpusLanguage): Promise<Run | undefined> {
  if (!(await a.available())) {
    console.error(`${a.name} is not installed here: left out`);
    return undefined;
  }
  const findings = new Map<string, Finding[]>();
  const started = performance.now();
  for (let i = 0; i < items.length; i += CHUNK) {
    const chunk = items.slice(i, i + CHUNK);
    const res = await a.analyzeBatch(chunk.map((c) => ({ code: c.code, language: c.language })));
    for (const [j, c] of chunk.entries()) findings.set(c.id, res[j] ?? []);
  }
  return { name: a.name, language, findings, seconds: (performance.now() - started) / 1000 };
}

function runBuiltin(items: readonly CorpusItem[], language: CorpusLanguage): Run {
  const a = new BuiltinAnalyzer();
  a.analyzeSync(language === 'c' ? 'int x;' : 'x = 1', language);
  const findings = new Map<string, Finding[]>();
  const started = performance.now();
  for (const c of items) findings.set(c.id, a.analyzeSync(c.code, c.language));
  return { name: 'builtin', language, findings, seconds: (performance.now() - started) / 1000 };
}

const EXTERNAL: Record<CorpusLanguage, { name: string; make: () => ExternalAnalyzer }[]> = {
  python: [{ name: 'bandit', make: () => new ExternalAnalyzer(BANDIT) }],
  c: [
    { name: 'flawfinder', make: () => new ExternalAnalyzer(FLAWFINDER) },
    { name: 'cppcheck', make: () => new ExternalAnalyzer(CPPCHECK, { timeoutMs: 1_800_000 }) },
  ],
};

const serious = (f: Finding) => f.severity === 'high' || f.severity === 'medium';

/** Whether an analyser's findings flag an item under one of the two criteria. */
function flags(findings: readonly Finding[], item: CorpusItem, atCwe: boolean): boolean {
  return findings.some((f) => serious(f) && (!atCwe || !item.cwe || cweRelated(f.cwe, item.cwe)));
}

/** Confusion counts and the rates derived from them. */
interface Score {
  tp: number;
  fp: number;
  fn: number;
  tn: number;
  precision: number;
  recall: number;
  f1: number;
  /** Share of the clean files flagged. */
  cleanFlagged: number;
}

function score(items: readonly CorpusItem[], flagged: (i: CorpusItem) => boolean): Score {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  let tn = 0;
  for (const i of items) {
    const f = flagged(i);
    if (i.vulnerable) f ? tp++ : fn++;
    else f ? fp++ : tn++;
  }
  const precision = tp + fp ? tp / (tp + fp) : 0;
  const recall = tp + fn ? tp / (tp + fn) : 0;
  const f1 = precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
  return { tp, fp, fn, tn, precision, recall, f1, cleanFlagged: fp + tn ? fp / (fp + tn) : 0 };
}

const f3 = (x: number) => x.toFixed(3);
/** `precision / recall / F1`, a dash where a rate is undefined (nothing flagged, nothing vulnerable). */
const cell = (s: Score) => {
  const p = s.tp + s.fp ? f3(s.precision) : '–';
  const r = s.tp + s.fn ? f3(s.recall) : '–';
  const f = s.tp + s.fn && s.tp + s.fp ? f3(s.f1) : '–';
  return s.tp + s.fn ? `${p} / ${r} / ${f}` : `clean flagged ${s.fp}/${s.fp + s.tn}`;
};
const cweKey = (i: CorpusItem) => i.cwe ?? '(none)';
const byNumber = (a: string, b: string) => (Number(a.slice(4)) || 1e9) - (Number(b.slice(4)) || 1e9);

/** The commit measured, and whether the analyser's sources differ from it. */
function revision(): string {
  try {
    const git = (...args: string[]) => execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const dirty = git('status', '--porcelain', '--', 'src').length > 0;
    return `${git('rev-parse', '--short', 'HEAD')}${dirty ? ' (src/ changed since)' : ''}`;
  } catch {
    return 'unknown';
  }
}

const rev = revision();
const figures: Record<string, unknown> = { revision: rev, data, files: corpus.length, languages: {} };
console.log(`corpus: ${corpus.length} labelled files from ${data}; tree ${rev}`);
for (const language of LANGUAGES) {
  const mine = corpus.filter((i) => i.language === language);
  const perOrigin = new Map<string, { v: number; c: number }>();
  for (const i of mine) {
    const e = perOrigin.get(i.origin) ?? { v: 0, c: 0 };
    i.vulnerable ? e.v++ : e.c++;
    perOrigin.set(i.origin, e);
  }
  console.log(
    `  ${language}: ${mine.length} (${mine.filter((i) => i.vulnerable).length} vulnerable) — ${[...perOrigin]
      .map(([o, e]) => `${o} ${e.v}+${e.c}`)
      .join(', ')} (vulnerable+clean)`,
  );
}

for (const language of LANGUAGES) {
  const items = corpus.filter((i) => i.language === language);
  if (!items.length) continue;
  const runs: Run[] = [];
  if (!only || only.includes('builtin')) runs.push(runBuiltin(items, language));
  for (const e of EXTERNAL[language]) {
    if (only && !only.includes(e.name)) continue;
    const r = await runExternal(e.make(), items, language);
    if (r) runs.push(r);
  }
  const members = runs.map((r) => r.name);
  const columns: { name: string; flagged: (i: CorpusItem, atCwe: boolean) => boolean; seconds: number }[] = runs.map((r) => ({
    name: r.name,
    flagged: (i, atCwe) => flags(r.findings.get(i.id) ?? [], i, atCwe),
    seconds: r.seconds,
  }));
  if (runs.length > 1) {
    columns.push({
      name: `union(${members.join('+')})`,
      flagged: (i, atCwe) => runs.some((r) => flags(r.findings.get(i.id) ?? [], i, atCwe)),
      seconds: runs.reduce((s, r) => s + r.seconds, 0),
    });
  }

  const langFigures: Record<string, unknown> = { files: items.length, vulnerable: items.filter((i) => i.vulnerable).length };
  for (const atCwe of [false, true]) {
    const title = atCwe ? 'flagged at the labelled CWE or a relative' : 'flagged: any medium/high finding';
    console.log(`\n## ${language}, ${title}\n`);
    console.log('| analyser | TP | FP | FN | TN | precision | recall | F1 | clean flagged | wall s |');
    console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
    const overall: Record<string, Score & { seconds: number }> = {};
    for (const c of columns) {
      const s = score(items, (i) => c.flagged(i, atCwe));
      overall[c.name] = { ...s, seconds: c.seconds };
      console.log(
        `| ${c.name} | ${s.tp} | ${s.fp} | ${s.fn} | ${s.tn} | ${f3(s.precision)} | ${f3(s.recall)} | ${f3(s.f1)} | ${(100 * s.cleanFlagged).toFixed(1)}% | ${c.seconds.toFixed(1)} |`,
      );
    }

    const originRows: Record<string, Record<string, Score>> = {};
    const groups: [string, CorpusItem[]][] = [...new Set(items.map((i) => i.origin))].map((o) => [o, items.filter((i) => i.origin === o)]);
    const own = items.filter((i) => i.origin === 'handwritten' || i.origin === 'c-programs');
    if (new Set(own.map((i) => i.origin)).size > 1) groups.push(['written like a model (handwritten, c-programs)', own]);
    console.log(`\nby origin (precision / recall / F1; for clean-only rows, clean files flagged):\n`);
    console.log(`| origin | files (vuln) | ${columns.map((c) => c.name).join(' | ')} |`);
    console.log(`| --- | ---: | ${columns.map(() => '---:').join(' | ')} |`);
    for (const [o, sub] of groups) {
      const row: Record<string, Score> = {};
      originRows[o] = row;
      const cells = columns.map((c) => {
        const s = score(sub, (i) => c.flagged(i, atCwe));
        row[c.name] = s;
        return cell(s);
      });
      console.log(`| ${o} | ${sub.length} (${sub.filter((i) => i.vulnerable).length}) | ${cells.join(' | ')} |`);
    }

    const cweRows: Record<string, Record<string, Score>> = {};
    console.log(
      `\nby CWE (precision / recall / F1, or clean files flagged; a clean file counts under the CWE it was fixed of or is the safe form of):\n`,
    );
    console.log(`| CWE | files (vuln) | ${columns.map((c) => c.name).join(' | ')} |`);
    console.log(`| --- | ---: | ${columns.map(() => '---:').join(' | ')} |`);
    for (const cwe of [...new Set(items.map(cweKey))].sort(byNumber)) {
      const sub = items.filter((i) => cweKey(i) === cwe);
      cweRows[cwe] = {};
      const cells = columns.map((c) => {
        const s = score(sub, (i) => c.flagged(i, atCwe));
        (cweRows[cwe] as Record<string, Score>)[c.name] = s;
        return cell(s);
      });
      console.log(`| ${cwe} | ${sub.length} (${sub.filter((i) => i.vulnerable).length}) | ${cells.join(' | ')} |`);
    }
    langFigures[atCwe ? 'atCwe' : 'any'] = { overall, byOrigin: originRows, byCwe: cweRows };
    if (!atCwe) {
      langFigures.flagged = Object.fromEntries(columns.map((c) => [c.name, items.filter((i) => c.flagged(i, false)).map((i) => i.id)]));
      const m = columns.find((c) => c.name === misses);
      if (m) {
        const fn = items.filter((i) => i.vulnerable && !m.flagged(i, false));
        const fp = items.filter((i) => !i.vulnerable && m.flagged(i, false));
        console.log(`\n${m.name} misses on ${language} (${fn.length}):\n${fn.map((i) => `  FN ${i.id} ${i.cwe ?? ''}`).join('\n')}`);
        console.log(`${m.name} wrongly flags on ${language} (${fp.length}):\n${fp.map((i) => `  FP ${i.id} ${i.cwe ?? ''}`).join('\n')}`);
      }
    }
  }
  const relabelled = items.filter((i) => review.has(i.id) && review.get(i.id) !== i.vulnerable);
  if (relabelled.length > 0) {
    const reviewed = items.map((i) => (review.has(i.id) ? { ...i, vulnerable: review.get(i.id) as boolean } : i));
    console.log(
      `\n## ${language}, flagged: any medium/high finding, with reviewed labels (${relabelled.length} items relabelled, bench/corpus-review/*.tsv)\n`,
    );
    console.log('| analyser | TP | FP | FN | TN | precision | recall | F1 | clean flagged |');
    console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
    const overall: Record<string, Score> = {};
    for (const c of columns) {
      const s = score(reviewed, (i) => c.flagged(i, false));
      overall[c.name] = s;
      console.log(
        `| ${c.name} | ${s.tp} | ${s.fp} | ${s.fn} | ${s.tn} | ${f3(s.precision)} | ${f3(s.recall)} | ${f3(s.f1)} | ${(100 * s.cleanFlagged).toFixed(1)}% |`,
      );
    }
    const byOrigin: Record<string, Record<string, Score>> = {};
    console.log(`\nby origin, reviewed labels (precision / recall / F1):\n`);
    console.log(`| origin | files (vuln) | ${columns.map((c) => c.name).join(' | ')} |`);
    console.log(`| --- | ---: | ${columns.map(() => '---:').join(' | ')} |`);
    for (const o of [...new Set(reviewed.map((i) => i.origin))]) {
      const sub = reviewed.filter((i) => i.origin === o);
      byOrigin[o] = {};
      const cells = columns.map((c) => {
        const s = score(sub, (i) => c.flagged(i, false));
        (byOrigin[o] as Record<string, Score>)[c.name] = s;
        return cell(s);
      });
      console.log(`| ${o} | ${sub.length} (${sub.filter((i) => i.vulnerable).length}) | ${cells.join(' | ')} |`);
    }
    langFigures.reviewed = { relabelled: relabelled.map((i) => i.id), overall, byOrigin };
  }
  (figures.languages as Record<string, unknown>)[language] = langFigures;
}

writeFileSync(out, `${JSON.stringify(figures, null, 2)}\n`);
console.log(`\nfigures written to ${out}`);
