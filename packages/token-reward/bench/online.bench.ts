/**
 * Online maps against tree-sitter parsing the same completions, on wall and CPU time, with the
 * share of each step, so the ratio can be read on a machine other work also loads.
 *
 *   TSX_TSCONFIG_PATH=test/tsconfig.cli.json node --expose-gc --import tsx bench/online.bench.ts
 *
 * The completions are SVEN val's functions (both sides of each pair) with Qwen token offsets
 * computed up front, pair profiles come from a warm SpanCache: a map costs the parse of the
 * completion, lexing, matching and the projection onto tokens. Each round runs every step once,
 * in turn, so load from elsewhere falls on all of them alike; the medians are compared.
 *
 * Then recall on realistic completions, built from every SVEN and SafeCoder pair in a registered
 * language (SVEN val alone when the rest of ../shared/data is absent): each pair's function as a
 * model writes it in a whole file, after includes or imports and a logger, between functions of
 * pairs of other CWEs; once the fixed version, once the vulnerable one, once both. It prints how
 * many fixed instances get a positive reward and how many vulnerable ones a penalty (and the wrong
 * signs), how often the surrounding code is touched, and the share of span characters on the lines
 * the pair's fix touched (the line of an insertion and the one after it, on the vulnerable side).
 */
import { getLanguage, languageNames, parse } from '@srcode/syntax';
import { loadHfTokenizer } from '../src/hf.js';
import { buildRewardMap, matchCompletion, onlineRewardMap, SpanCache, type TokenEncoding } from '../src/index.js';
import { lexTokens } from '../src/lexer.js';
import type { RepairPair, RewardSpan } from '@srcode/dataset';
import { byteTokenizer } from '../src/index.js';
import { QWEN_DIR } from '../test/qwen.js';
import { measureSpans } from '../test/spans-metric.js';
import { hasAllPairs, hasSven, loadAllPairs, loadSvenVal } from '../test/sven.js';

if (!hasSven) {
  console.error('bench needs ../shared/data/sven/val');
  process.exit(1);
}

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 15);
const pairs = loadSvenVal().filter((p) => languageNames().includes(p.language));
const qwen = await loadHfTokenizer(QWEN_DIR, { name: 'qwen3' });
const cache = new SpanCache();
const jobs = pairs.flatMap((pair) =>
  [pair.vulnerableCode, pair.fixedCode].map((text) => ({ pair, text, encoding: qwen.encode(text) as TokenEncoding })),
);
for (const pair of pairs) cache.get(pair);
const spans = jobs.map((j) => matchCompletion(cache.get(j.pair), j.text).spans);

// parse's own cache holds 16 trees: with 166 texts parsed in turn, every parse below is a real one
const steps = {
  parse: () => {
    for (const j of jobs) parse(j.text, j.pair.language);
  },
  online: () => {
    for (const j of jobs) onlineRewardMap({ pair: j.pair, cache, completion: j.text, encoding: j.encoding, id: 'b', tokenizer: 'qwen3' });
  },
  lex: () => {
    for (const j of jobs) lexTokens(getLanguage(j.pair.language), j.text);
  },
  match: () => {
    for (const j of jobs) matchCompletion(cache.get(j.pair), j.text);
  },
  project: () => {
    jobs.forEach((j, i) => {
      buildRewardMap({
        id: 'b',
        mode: 'online',
        side: 'completion',
        tokenizer: 'qwen3',
        text: j.text,
        encoding: j.encoding,
        spans: spans[i] ?? [],
      });
    });
  },
};
type Step = keyof typeof steps;
const wall: Record<string, number[]> = Object.fromEntries(Object.keys(steps).map((k) => [k, []]));
const cpu: Record<string, number[]> = Object.fromEntries(Object.keys(steps).map((k) => [k, []]));
for (const f of Object.values(steps)) f();
for (let r = 0; r < ROUNDS; r++) {
  for (const [name, f] of Object.entries(steps)) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    f();
    const t = performance.now() - t0;
    const c = process.cpuUsage(c0);
    wall[name]?.push(t);
    cpu[name]?.push((c.user + c.system) / 1000);
  }
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const w = (s: Step) => median(wall[s] ?? []);
const c = (s: Step) => median(cpu[s] ?? []);
console.log(`SVEN val: ${jobs.length} completions, ${jobs.reduce((n, j) => n + j.text.length, 0)} chars; median of ${ROUNDS} rounds`);
console.log('step      wall ms   cpu ms');
for (const s of Object.keys(steps) as Step[]) console.log(`${s.padEnd(8)} ${w(s).toFixed(1).padStart(8)} ${c(s).toFixed(1).padStart(8)}`);
console.log(
  `online maps / parse alone: ${(w('online') / w('parse')).toFixed(2)}x wall, ${(c('online') / c('parse')).toFixed(2)}x cpu (target <= 1.5x)`,
);

// recall on realistic completions
const all = hasAllPairs ? loadAllPairs(languageNames()) : pairs;
const recallCache = new SpanCache({ maxEntries: all.length + 1 });
const header = (p: RepairPair) =>
  p.language === 'python'
    ? 'import logging\nimport os\n\nlogger = logging.getLogger(__name__)\n\n'
    : '#include <stdio.h>\n#include <stdlib.h>\n#include <string.h>\n\n';
/** Two functions of other pairs in the same language and of other CWEs (their fixed versions). */
const neighbours = (i: number): RepairPair[] => {
  const p = all[i] as RepairPair;
  const out: RepairPair[] = [];
  for (let k = 1; k < all.length && out.length < 2; k++) {
    const q = all[(i + k * 37) % all.length] as RepairPair;
    if (q.language === p.language && !q.cwes.some((c) => p.cwes.includes(c))) out.push(q);
  }
  return out;
};
interface Region {
  side: 'vulnerable' | 'fixed';
  start: number;
  text: string;
}
const tally = {
  fixedTried: 0,
  fixedCredited: 0,
  fixedPenalised: 0,
  vulnTried: 0,
  vulnPenalised: 0,
  vulnCredited: 0,
  bothTried: 0,
  bothRewarded: 0,
  completions: 0,
  surroundTouched: 0,
  surroundChars: 0,
  onLines: 0,
  spanChars: 0,
};
const rewardIn = (rewards: number[], r: Region, sign: 1 | -1) => {
  for (let i = r.start; i < r.start + r.text.length; i++)
    if (Math.sign(rewards[i] ?? 0) === sign && /\S/.test(r.text[i - r.start] ?? '')) return true;
  return false;
};
const tr0 = performance.now();
all.forEach((pair, i) => {
  const units = recallCache.get(pair).units.filter((u) => !u.generic);
  const hasSecure = units.some((u) => u.span.polarity === 'secure');
  const hasVulnerable = units.some((u) => u.span.polarity === 'vulnerable');
  const [a, b] = neighbours(i);
  const compose = (sides: Array<'vulnerable' | 'fixed'>) => {
    let text = header(pair);
    const regions: Region[] = [];
    const add = (code: string) => {
      text += `${code}\n\n`;
    };
    if (a) add(a.fixedCode);
    sides.forEach((side, k) => {
      if (k > 0 && b) add(b.fixedCode);
      const code = side === 'fixed' ? pair.fixedCode : pair.vulnerableCode;
      regions.push({ side, start: text.length, text: code });
      add(code);
    });
    if (sides.length === 1 && b) add(b.fixedCode);
    return { text, regions };
  };
  for (const sides of [['fixed'], ['vulnerable'], ['fixed', 'vulnerable']] as Array<Array<'vulnerable' | 'fixed'>>) {
    const { text, regions } = compose(sides);
    const { map } = onlineRewardMap({
      pair,
      cache: recallCache,
      completion: text,
      encoding: byteTokenizer.encode(text),
      id: 'r',
      tokenizer: byteTokenizer.name,
    });
    tally.completions++;
    const fixed = regions.find((r) => r.side === 'fixed');
    const vuln = regions.find((r) => r.side === 'vulnerable');
    if (sides.length === 2) {
      if (hasSecure && hasVulnerable && fixed && vuln) {
        tally.bothTried++;
        if (rewardIn(map.rewards, fixed, 1) && rewardIn(map.rewards, vuln, -1)) tally.bothRewarded++;
      }
    } else if (fixed && hasSecure) {
      tally.fixedTried++;
      if (rewardIn(map.rewards, fixed, 1)) tally.fixedCredited++;
      if (rewardIn(map.rewards, fixed, -1)) tally.fixedPenalised++;
    } else if (vuln && hasVulnerable) {
      tally.vulnTried++;
      if (rewardIn(map.rewards, vuln, -1)) tally.vulnPenalised++;
      if (rewardIn(map.rewards, vuln, 1)) tally.vulnCredited++;
    }
    // span characters: on the pair's touched lines (inside its functions), or elsewhere
    const inside = new Uint8Array(text.length);
    for (const r of regions) inside.fill(1, r.start, r.start + r.text.length);
    let outside = 0;
    for (const s of map.spans) for (let c = s.start; c < s.end; c++) if (!inside[c]) outside++;
    if (outside > 0) tally.surroundTouched++;
    tally.surroundChars += outside;
    tally.spanChars += outside;
    for (const r of regions) {
      const own: RewardSpan[] = map.spans
        .filter((s) => s.end > r.start && s.start < r.start + r.text.length)
        .map((s) => ({ ...s, start: Math.max(0, s.start - r.start), end: Math.min(r.text.length, s.end - r.start) }));
      const m = measureSpans(pair, r.side === 'fixed' ? { vulnerable: [], fixed: own } : { vulnerable: own, fixed: [] })[r.side];
      tally.onLines += m.onLines;
      tally.spanChars += m.total;
    }
  }
});
const pct = (x: number, n: number) => `${((100 * x) / Math.max(1, n)).toFixed(1)}%`;
console.log(
  `realistic completions from ${hasAllPairs ? 'SVEN + SafeCoder' : 'SVEN val only (the rest of ../shared/data is absent)'}: ${all.length} pairs, ${tally.completions} completions (${((performance.now() - tr0) / 1000).toFixed(1)} s)`,
);
console.log(
  `fixed instances credited ${tally.fixedCredited} / ${tally.fixedTried} (${pct(tally.fixedCredited, tally.fixedTried)}), also penalised ${tally.fixedPenalised}`,
);
console.log(
  `vulnerable instances penalised ${tally.vulnPenalised} / ${tally.vulnTried} (${pct(tally.vulnPenalised, tally.vulnTried)}), also credited ${tally.vulnCredited}`,
);
console.log(
  `both in one completion, each rewarded its way ${tally.bothRewarded} / ${tally.bothTried} (${pct(tally.bothRewarded, tally.bothTried)})`,
);
console.log(
  `surrounding code (includes/imports, logger, other CWEs' functions) touched in ${tally.surroundTouched} / ${tally.completions} completions (${tally.surroundChars} span characters)`,
);
console.log(
  `span precision: ${pct(tally.onLines, tally.spanChars)} of ${tally.spanChars} span characters on the lines the pair's fix touched`,
);
