/**
 * The offline judge on the labelled fix-kind set (test/fixtures/fix-kinds): hand-written genuine fixes of
 * ReDoS, certificate validation, check-then-use races, injection and format strings, in C and Python, and
 * cosmetic or unrelated changes that must be rejected. Prints acceptance per kind and every miss.
 *
 *   pnpm --filter @srcode/reflect bench:fix-kinds
 */
import { LexicalAnalyzer } from '@srcode/eval';
import { HeuristicJudge } from '../src/heuristic-judge.js';
import { prefilter } from '../src/prefilter.js';
import { reflectPair } from '../src/reflect.js';
import { FIX_CASES, casePair } from '../test/fixtures/fix-kinds/index.js';

const judge = new HeuristicJudge();
const analyzers = [new LexicalAnalyzer()];
const rows = new Map<string, { total: number; unparsed: number; accepted: number }>();
const misses: string[] = [];
for (const c of FIX_CASES) {
  const pair = casePair(c);
  const pre = prefilter(pair);
  const unparsed = pre.reasons.some((r) => r.startsWith('parse-'));
  const verdict = await reflectPair(pair, { judge, analyzers });
  const key = `${c.genuine ? 'genuine' : 'negative'} ${c.kind}`;
  const row = rows.get(key) ?? { total: 0, unparsed: 0, accepted: 0 };
  row.total++;
  if (unparsed) row.unparsed++;
  if (verdict.accepted) row.accepted++;
  rows.set(key, row);
  if (verdict.accepted !== c.genuine)
    misses.push(`${c.id} (${c.language}, ${c.cwes.join('/')}): ${verdict.accepted ? 'accepted' : verdict.rejectReasons.join(', ')}`);
}
const sum = (genuine: boolean) =>
  [...rows]
    .filter(([k]) => k.startsWith(genuine ? 'genuine' : 'negative'))
    .reduce((a, [, r]) => ({ total: a.total + r.total - r.unparsed, accepted: a.accepted + r.accepted }), { total: 0, accepted: 0 });
const g = sum(true);
const n = sum(false);
const pct = (a: number, b: number) => `${((100 * a) / b).toFixed(1)}%`;
console.log(`# Offline judge on the labelled fix-kind set (${FIX_CASES.length} cases)

| kind | cases | parse fails | accepted | rate |
| --- | --- | --- | --- | --- |
${[...rows].map(([k, r]) => `| ${k} | ${r.total} | ${r.unparsed} | ${r.accepted} | ${pct(r.accepted, r.total - r.unparsed)} |`).join('\n')}

genuine fixes that parse: ${g.accepted}/${g.total} accepted (${pct(g.accepted, g.total)})
cosmetic and unrelated changes: ${n.total - n.accepted}/${n.total} rejected (${pct(n.total - n.accepted, n.total)})

## Misses
${misses.map((m) => `- ${m}`).join('\n') || '- none'}`);
