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
 */
import { getLanguage, languageNames, parse } from '@srcode/syntax';
import { loadHfTokenizer } from '../src/hf.js';
import { buildRewardMap, matchCompletion, onlineRewardMap, SpanCache, type TokenEncoding } from '../src/index.js';
import { lexTokens } from '../src/lexer.js';
import { QWEN_DIR } from '../test/qwen.js';
import { hasSven, loadSvenVal } from '../test/sven.js';

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
