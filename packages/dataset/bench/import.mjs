// Import + validate throughput on the SVEN data beside the raw cost of JSON.parse over the same lines,
// all measured in this run; then the reader's memory on a large file. Run: pnpm --filter @srcode/dataset bench
import { createWriteStream, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { importPairs, readJsonl, writeJsonlAtomic } from '../dist/index.js';

const SVEN = fileURLToPath(new URL('../../../../shared/data/sven', import.meta.url));
if (!existsSync(SVEN)) {
  console.error(`bench: ${SVEN} is absent; nothing to measure`);
  process.exit(0);
}
const files = readdirSync(SVEN)
  .filter((d) => statSync(join(SVEN, d)).isDirectory())
  .flatMap((d) => readdirSync(join(SVEN, d)).map((f) => join(SVEN, d, f)));
const bytes = files.reduce((s, f) => s + statSync(f).size, 0);
const REPEATS = 7;

async function time(fn) {
  const runs = [];
  for (let i = 0; i < REPEATS; i++) {
    const t = process.hrtime.bigint();
    await fn();
    runs.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  runs.sort((a, b) => a - b);
  return runs[runs.length >> 1];
}

let records = 0;
const parseMs = await time(() => {
  records = 0;
  for (const f of files)
    for (const line of readFileSync(f, 'utf8').split('\n')) {
      if (line) {
        JSON.parse(line);
        records++;
      }
    }
});
let imported = 0;
const importMs = await time(async () => {
  imported = 0;
  for await (const _ of importPairs({ format: 'sven', inputs: [SVEN] })) imported++;
});
const dir = mkdtempSync(join(tmpdir(), 'srcode-bench-'));
const pairsFile = join(dir, 'pairs.jsonl');
await writeJsonlAtomic(pairsFile, importPairs({ format: 'sven', inputs: [SVEN] }));
const pairsBytes = statSync(pairsFile).size;
const pairsParseMs = await time(() => {
  for (const line of readFileSync(pairsFile, 'utf8').split('\n')) if (line) JSON.parse(line);
});
const validateMs = await time(async () => {
  for await (const _ of readJsonl(pairsFile, { schema: 'RepairPair' }));
});

const row = (name, n, b, ms, base) =>
  `${name.padEnd(42)} ${String(Math.round((n / ms) * 1000)).padStart(8)} rec/s ${((b / 1e6 / ms) * 1000).toFixed(1).padStart(7)} MB/s ${(ms / base).toFixed(2).padStart(6)}x`;
console.log(`SVEN: ${files.length} files, ${records} records, ${(bytes / 1e6).toFixed(2)} MB; median of ${REPEATS} runs`);
console.log(row('baseline: read + JSON.parse (SVEN lines)', records, bytes, parseMs, parseMs));
console.log(row('import sven (stream, convert, validate)', imported, bytes, importMs, parseMs));
console.log(row('baseline: read + JSON.parse (RepairPair)', imported, pairsBytes, pairsParseMs, pairsParseMs));
console.log(row('readJsonl + RepairPair schema validation', imported, pairsBytes, validateMs, pairsParseMs));

// Constant memory: stream a file of ~300 MB and watch the heap.
const big = join(dir, 'big.jsonl');
const lines = readFileSync(pairsFile, 'utf8');
const out = createWriteStream(big);
let written = 0;
while (written < 300e6) {
  if (!out.write(lines)) await new Promise((r) => out.once('drain', r));
  written += Buffer.byteLength(lines);
}
await new Promise((r) => out.end(r));
global.gc?.();
const heapBefore = process.memoryUsage().heapUsed;
let peak = 0;
let n = 0;
const t = process.hrtime.bigint();
for await (const _ of readJsonl(big, { schema: 'RepairPair' })) {
  if (++n % 2000 === 0) peak = Math.max(peak, process.memoryUsage().heapUsed);
}
const bigMs = Number(process.hrtime.bigint() - t) / 1e6;
console.log(
  `large file: ${(written / 1e6).toFixed(0)} MB, ${n} records in ${(bigMs / 1000).toFixed(1)} s (${((written / 1e6 / bigMs) * 1000).toFixed(1)} MB/s); ` +
    `peak heap growth ${((peak - heapBefore) / 1e6).toFixed(1)} MB = ${((100 * (peak - heapBefore)) / written).toFixed(2)}% of the file`,
);
rmSync(dir, { recursive: true, force: true });
