/**
 * Reward maps per second over SVEN val, against tree-sitter parsing the same completions alone.
 *
 *   pnpm --filter @srcode/token-reward bench
 *
 * Each pair's two functions stand in for sampled completions. Their token offsets are computed once
 * up front with the Qwen tokenizer (what a trainer supplies), pair profiles come from a warm
 * SpanCache (what repeated completions for one prompt see), so a map costs: parse the completion,
 * match units, project onto tokens. The baseline parses the same texts and nothing else, in the
 * same process, interleaved round by round.
 */
import { languageNames, parse } from '@srcode/syntax';
import { loadHfTokenizer } from '../src/hf.js';
import { onlineRewardMap, SpanCache, type TokenEncoding, teacherForcedMaps } from '../src/index.js';
import { QWEN_DIR } from '../test/qwen.js';
import { hasSven, loadSvenVal } from '../test/sven.js';

if (!hasSven) {
  console.error('bench needs ../shared/data/sven/val');
  process.exit(1);
}

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const pairs = loadSvenVal().filter((p) => languageNames().includes(p.language));
const qwen = await loadHfTokenizer(QWEN_DIR, { name: 'qwen3' });
const cache = new SpanCache();
const jobs = pairs.flatMap((pair) =>
  [pair.vulnerableCode, pair.fixedCode].map((text) => ({ pair, text, encoding: qwen.encode(text) as TokenEncoding })),
);
const chars = jobs.reduce((n, j) => n + j.text.length, 0);
const tokens = jobs.reduce((n, j) => n + j.encoding.ids.length, 0);

// cold: profiling each pair once (two parses + lifting), what the cache saves later
const t = performance.now();
for (const pair of pairs) cache.get(pair);
const coldMs = performance.now() - t;

const parseOnly = () => {
  const t0 = performance.now();
  for (const j of jobs) parse(j.text, j.pair.language);
  return performance.now() - t0;
};
const online = () => {
  const t0 = performance.now();
  for (const j of jobs) onlineRewardMap({ pair: j.pair, cache, completion: j.text, encoding: j.encoding, id: 'b', tokenizer: 'qwen3' });
  return performance.now() - t0;
};
const spansOf = new Map(pairs.map((p) => [p.id, cache.get(p).spans]));
const teacher = () => {
  const t0 = performance.now();
  for (const p of pairs)
    teacherForcedMaps(
      p,
      { name: 'qwen3', encode: (text) => jobs.find((j) => j.text === text)?.encoding ?? qwen.encode(text) },
      { spans: spansOf.get(p.id) },
    );
  return performance.now() - t0;
};

// warm up JIT and caches
parseOnly();
online();
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const parseMs: number[] = [];
const onlineMs: number[] = [];
const teacherMs: number[] = [];
for (let r = 0; r < ROUNDS; r++) {
  parseMs.push(parseOnly());
  onlineMs.push(online());
  teacherMs.push(teacher());
}

// memory per map: heap growth while holding the maps of one pass, after full collections
const gc = (globalThis as { gc?: () => void }).gc;
let memory = 'n/a (run with node --expose-gc)';
if (gc) {
  gc();
  const before = process.memoryUsage().heapUsed;
  const held = jobs.map(
    (j) => onlineRewardMap({ pair: j.pair, cache, completion: j.text, encoding: j.encoding, id: 'm', tokenizer: 'qwen3' }).map,
  );
  gc();
  const after = process.memoryUsage().heapUsed;
  const perMap = (after - before) / held.length;
  const perToken = (after - before) / tokens;
  memory = `${(perMap / 1024).toFixed(1)} KiB per map (${perToken.toFixed(0)} B per token, ${held.length} maps held)`;
}

const p = median(parseMs);
const o = median(onlineMs);
const tf = median(teacherMs);
console.log(
  `SVEN val: ${pairs.length} pairs (${[...new Set(pairs.map((p) => p.language))].join(', ')}), ${jobs.length} completions, ${chars} chars, ${tokens} Qwen tokens; median of ${ROUNDS} rounds`,
);
console.log(`tree-sitter parse alone      ${p.toFixed(1)} ms  (${((jobs.length / p) * 1000).toFixed(0)} completions/s)`);
console.log(
  `online maps (caller offsets) ${o.toFixed(1)} ms  (${((jobs.length / o) * 1000).toFixed(0)} maps/s)   ratio to parse ${(o / p).toFixed(2)}x (target <= 2x)`,
);
console.log(
  `teacher-forced maps (cached) ${tf.toFixed(1)} ms  (${((jobs.length / tf) * 1000).toFixed(0)} maps/s)   ratio to parse ${(tf / p).toFixed(2)}x`,
);
console.log(`cold pair profiling          ${coldMs.toFixed(1)} ms for ${pairs.length} pairs (once per pair, then cached)`);
console.log(`memory                       ${memory}`);
