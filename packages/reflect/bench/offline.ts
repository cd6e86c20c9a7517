/**
 * The whole SVEN + SafeCoder data through the offline default (heuristic judge, template prompts,
 * @srcode/eval's lexical analyser for evidence).
 * Pairs are imported with the dataset CLI; the pipeline time is reported against a floor measured in
 * the same run (reading and validating the JSONL, tree-sitter parsing both sides of every pair with a grammar), and the diversity
 * filter against a random choice of the same number of candidates.
 *
 *   pnpm --filter @srcode/reflect bench            (needs ../shared/data)
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type PrimeVulPlusRecord, type RepairPair, readJsonl } from '@srcode/dataset';
import { LexicalAnalyzer } from '@srcode/eval';
import { languageNames, parse } from '@srcode/syntax';
import { HeuristicJudge } from '../src/heuristic-judge.js';
import { runReflection } from '../src/pipeline.js';
import { meanPairwiseSimilarity, selectDiverse } from '../src/prompts/diversity.js';
import { leakCheck } from '../src/prompts/leak.js';
import { TemplatePromptWriter } from '../src/prompts/template-writer.js';

const ROOT = join(import.meta.dirname, '../../..');
const DATA = join(ROOT, '../shared/data');
if (!existsSync(DATA)) {
  console.error(`no data at ${DATA}: this benchmark needs the shared SVEN and SafeCoder data`);
  process.exit(1);
}
const dir = mkdtempSync(join(tmpdir(), 'reflect-bench-'));
const pairsFile = join(dir, 'pairs.jsonl');

// 1. import with the dataset CLI
const datasetCli = join(ROOT, 'packages/dataset/src/cli.ts');
let pairsText = '';
for (const format of ['sven', 'safecoder']) {
  const out = join(dir, `${format}.jsonl`);
  execFileSync(process.execPath, ['--import', 'tsx', datasetCli, 'import', '--format', format, join(DATA, format), '--out', out], {
    cwd: ROOT,
    env: { ...process.env, TSX_TSCONFIG_PATH: '' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  pairsText += readFileSync(out, 'utf8');
}
writeFileSync(pairsFile, pairsText);

// 2. the floor: read + JSON.parse + tree-sitter parse of both sides
let t0 = performance.now();
const pairs: RepairPair[] = [];
for await (const { value } of readJsonl(pairsFile, { schema: 'RepairPair' })) pairs.push(value);
for (const p of pairs) {
  if (!languageNames().includes(p.language)) continue;
  parse(p.vulnerableCode, p.language);
  parse(p.fixedCode, p.language);
}
const floorMs = performance.now() - t0;

// 3. the offline pipeline
const output = join(dir, 'records.jsonl');
t0 = performance.now();
const summary = await runReflection({
  input: pairsFile,
  output,
  judge: new HeuristicJudge(),
  writer: new TemplatePromptWriter(),
  analyzers: [new LexicalAnalyzer()],
});
const runMs = performance.now() - t0;

// 4. check the output: valid records (fail-fast reader), no forbidden term in any prompt
let records = 0;
let prompts = 0;
let leaks = 0;
for await (const { value } of readJsonl<PrimeVulPlusRecord>(output, { schema: 'PrimeVulPlusRecord' })) {
  records++;
  for (const p of value.prompts) {
    prompts++;
    if (!leakCheck(p.text).passed) leaks++;
  }
}

// 5. diversity: the filter against a seeded random choice of the same size from the same candidates
const writer = new TemplatePromptWriter();
let seed = 42;
const random = () => {
  seed = (seed * 1103515245 + 12345) % 2 ** 31;
  return seed / 2 ** 31;
};
const accepted = new Set<string>();
for await (const { value } of readJsonl<PrimeVulPlusRecord>(output)) accepted.add(value.pair.id);
const byDataset: Record<string, { accepted: number; rejected: number }> = {};
for (const p of pairs) {
  const key = `${p.provenance.dataset}/${p.provenance.split ?? '-'}`;
  byDataset[key] ??= { accepted: 0, rejected: 0 };
  if (accepted.has(p.id)) byDataset[key].accepted++;
  else byDataset[key].rejected++;
}
let before = 0;
let filtered = 0;
let randomPick = 0;
let n = 0;
for (const pair of pairs.filter((p) => accepted.has(p.id))) {
  const texts = (await writer.write(pair, 6)).map((c) => c.text).filter((t) => leakCheck(t).passed);
  if (texts.length < 2) continue;
  const shuffled = [...texts].sort(() => random() - 0.5).slice(0, 3);
  before += meanPairwiseSimilarity(texts);
  filtered += meanPairwiseSimilarity(selectDiverse(texts, 3).map((i) => texts[i] as string));
  randomPick += meanPairwiseSimilarity(shuffled);
  n++;
}
before /= n;
filtered /= n;
randomPick /= n;

const table = (t: Record<string, { accepted: number; rejected: number }>) =>
  Object.entries(t)
    .sort((a, b) => b[1].accepted + b[1].rejected - (a[1].accepted + a[1].rejected))
    .map(([k, v]) => `| ${k} | ${v.accepted} | ${v.rejected} | ${((100 * v.accepted) / (v.accepted + v.rejected)).toFixed(0)}% |`)
    .join('\n');
const f = (x: number) => x.toFixed(3);
console.log(`# Offline reflection over SVEN + SafeCoder (${pairs.length} pairs)

pairs ${summary.done}, accepted ${summary.accepted}, rejected ${summary.rejected}, errors ${summary.errors}, invalid input ${summary.invalidInput}
records ${records} (all valid PrimeVulPlusRecord), prompts ${prompts}, prompts with a forbidden term ${leaks}, candidates dropped by the term check ${summary.prompts.leakedCandidates}

## By data set and split
| data set | accepted | rejected | rate |
| --- | --- | --- | --- |
${table(byDataset)}

## By CWE
| CWE | accepted | rejected | rate |
| --- | --- | --- | --- |
${table(summary.byCwe)}

## By language
| language | accepted | rejected | rate |
| --- | --- | --- | --- |
${table(summary.byLanguage)}

## Rejection reasons (pairs; one pair can have several)
| reason | pairs |
| --- | --- |
${Object.entries(summary.reasons)
  .sort((a, b) => b[1] - a[1])
  .map(([k, v]) => `| ${k} | ${v} |`)
  .join('\n')}

## Diversity (mean pairwise word 1+2-gram Jaccard, mean over ${n} accepted pairs, 6 candidates -> 3 kept)
all candidates ${f(before)}, kept by the filter ${f(filtered)}, random 3 of the same candidates ${f(randomPick)}
filter / all = ${f(filtered / before)}, filter / random = ${f(filtered / randomPick)}

## Time
floor (read + JSON.parse + validate + tree-sitter parse of both sides with a grammar): ${floorMs.toFixed(0)} ms
offline pipeline: ${runMs.toFixed(0)} ms (${(runMs / pairs.length).toFixed(1)} ms/pair), ${f(runMs / floorMs)} x the floor
output in ${dir}`);
