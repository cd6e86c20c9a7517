/**
 * The reward server under load on loopback: completions per second and latency at 1, 8 and 64
 * connections (autocannon), and a light request's latency while a heavy one runs, for the worker
 * pool (one worker per core) beside the single-threaded path (`--workers 0`), measured in one run.
 *
 *   pnpm --filter @srcode/token-reward bench
 *
 * Each server is `srcode-reward serve` in its own process, serving SVEN val's pairs. A request is
 * what a GRPO trainer sends for one prompt: 8 different completions (the pair's vulnerable and fixed
 * functions, each sample with its own last line, so no two texts of a request are the same and no
 * parse is answered from a cache) with their Qwen token offsets, naming the pair by id. The
 * server's CPU time (all its threads, from /proc) over the wall time shows how many cores it used;
 * the load generator's own CPU time (this process) shows how much of the machine it took.
 * A pool of one worker is measured too: beside the single thread, it shows what handing a
 * completion to a worker costs.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RepairPair } from '@srcode/dataset';
import { languageNames } from '@srcode/syntax';
import autocannon from 'autocannon';
import { loadHfTokenizer } from '../src/hf.js';
import { QWEN_DIR } from '../test/qwen.js';
import { hasSven, loadSvenVal } from '../test/sven.js';

if (!hasSven) {
  console.error('bench needs ../shared/data/sven/val');
  process.exit(1);
}

const SECONDS = Number(process.env.BENCH_SECONDS ?? 6);
const GROUP = 8;
const CLI = fileURLToPath(new URL('../src/cli.ts', import.meta.url));
const TSCONFIG = fileURLToPath(new URL('../test/tsconfig.cli.json', import.meta.url));

const pairs = loadSvenVal().filter((p) => languageNames().includes(p.language));
const pairsFile = join(tmpdir(), `srcode-bench-pairs-${process.pid}.jsonl`);
writeFileSync(pairsFile, pairs.map((p) => JSON.stringify(p)).join('\n'));
const qwen = await loadHfTokenizer(QWEN_DIR, { name: 'qwen3' });

const completion = (id: string, text: string) => {
  const { ids, offsets } = qwen.encode(text);
  const pairsOf: number[][] = [];
  for (let i = 0; i < ids.length; i++) pairsOf.push([offsets[2 * i] as number, offsets[2 * i + 1] as number]);
  return { id, text, tokenIds: Array.from(ids), offsets: pairsOf };
};
const headers = { 'content-type': 'application/json' };
// samples of one prompt differ: each ends with its own comment line
const sample = (p: RepairPair, k: number) =>
  `${k % 2 ? p.fixedCode : p.vulnerableCode}\n${p.language === 'python' ? '#' : '//'} sample ${k}\n`;
const bodies = pairs.map((p: RepairPair, i) =>
  JSON.stringify({
    pairId: p.id,
    completions: Array.from({ length: GROUP }, (_, k) => completion(`${i}-${k}`, sample(p, k))),
  }),
);
const chars = pairs.reduce((n, p) => n + p.vulnerableCode.length + p.fixedCode.length, 0) / pairs.length / 2;
// a heavy request: 48 completions of about 40 KB each (long files), against one pair
const longText = pairs
  .map((p) => p.vulnerableCode)
  .join('\n')
  .slice(0, 40_000);
const heavy = JSON.stringify({
  pairId: pairs[0]?.id,
  completions: Array.from({ length: 48 }, (_, k) => completion(`h${k}`, `${longText}\n// part ${k}\n`)),
});
const light = bodies[1] as string;

function post(port: number, body: string): Promise<{ status: number; ms: number }> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/v1/rewards', method: 'POST', headers }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - t0 }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** CPU seconds of a process (all threads) so far, from /proc. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

async function serve(workers: number): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, 'serve', '--pairs', pairsFile, '--workers', String(workers)], {
    env: { ...process.env, TSX_TSCONFIG_PATH: TSCONFIG },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(out);
      if (m?.[1]) resolve(Number(m[1]));
    });
    child.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
  return { child, port };
}

const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))] ?? 0;

interface Row {
  connections: number;
  completionsPerSec: number;
  p50: number;
  p99: number;
  refused: number;
  cores: number;
  /** Cores the load generator (this process) used meanwhile. */
  clientCores: number;
}

// one shared turn over the bodies: connections do not send the same request at the same time (that
// would let a server answer parses from its tree cache instead of parsing)
let turn = 0;
const requests = [
  {
    method: 'POST' as const,
    path: '/v1/rewards',
    headers,
    setupRequest: (req: Record<string, unknown>) => ({ ...req, body: bodies[turn++ % bodies.length] }),
  },
];

async function level(port: number, pid: number, connections: number): Promise<Row> {
  const cpu0 = cpuSeconds(pid);
  const own0 = cpuSeconds(process.pid);
  const t0 = performance.now();
  const r = await autocannon({ url: `http://127.0.0.1:${port}`, connections, duration: SECONDS, requests });
  const wall = (performance.now() - t0) / 1000;
  const clientCores = (cpuSeconds(process.pid) - own0) / wall;
  return {
    connections,
    completionsPerSec: (r['2xx'] * GROUP) / r.duration,
    p50: r.latency.p50,
    p99: r.latency.p99,
    refused: r.non2xx,
    cores: (cpuSeconds(pid) - cpu0) / wall,
    clientCores,
  };
}

/** A light request's latency alone, then while a heavy request runs; the server's cores during the heavy one. */
async function lightDuringHeavy(port: number, pid: number) {
  const alone: number[] = [];
  for (let i = 0; i < 20; i++) alone.push((await post(port, light)).ms);
  const cpu0 = cpuSeconds(pid);
  const heavyRun = post(port, heavy);
  await new Promise((r) => setTimeout(r, 100));
  const during: number[] = [];
  let heavyDone = false;
  void heavyRun.then(() => {
    heavyDone = true;
  });
  while (!heavyDone && during.length < 500) during.push((await post(port, light)).ms);
  const heavyResult = await heavyRun;
  return { alone, during, heavy: heavyResult, cores: (cpuSeconds(pid) - cpu0) / (heavyResult.ms / 1000) };
}

const cores = availableParallelism();
const load0 = loadavg()[0] ?? 0;
// both servers run side by side and the levels alternate between them, so drift in the machine's load hits both
const servers = [await serve(0), await serve(cores), await serve(1)];
for (const { port } of servers) await autocannon({ url: `http://127.0.0.1:${port}`, connections: 8, duration: 2, requests });
const rows: Row[][] = [[], [], []];
for (const connections of [1, 8, 64]) {
  for (const [k, { child, port }] of servers.entries()) rows[k]?.push(await level(port, child.pid as number, connections));
}
const fairness = [];
for (const { child, port } of servers.slice(0, 2)) fairness.push(await lightDuringHeavy(port, child.pid as number));
for (const { child } of servers) {
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
}
const single = { rows: rows[0] ?? [], ...(fairness[0] as Awaited<ReturnType<typeof lightDuringHeavy>>) };
const pool = { rows: rows[1] ?? [], ...(fairness[1] as Awaited<ReturnType<typeof lightDuringHeavy>>) };
const one = { rows: rows[2] ?? [] };

const ms = (x: number) => `${x.toFixed(0).padStart(6)} ms`;
console.log(
  `reward server on loopback: ${pairs.length} SVEN val pairs; a request holds ${GROUP} completions (mean ${chars.toFixed(0)} chars, Qwen offsets); autocannon, ${SECONDS} s per level; ${cores} cores, load average ${load0.toFixed(1)} at the start and ${(loadavg()[0] ?? 0).toFixed(1)} at the end (other work on the machine)`,
);
console.log('path                connections  completions/s    p50        p99      non-2xx  server cores  load generator cores');
for (const [name, run] of [
  ['single thread', single],
  [`pool of ${cores} workers`, pool],
  ['pool of 1 worker', one],
] as const) {
  for (const r of run.rows) {
    console.log(
      `${name.padEnd(20)}${String(r.connections).padStart(11)}  ${r.completionsPerSec.toFixed(0).padStart(13)}  ${ms(r.p50)}  ${ms(r.p99)}  ${String(r.refused).padStart(7)}  ${r.cores.toFixed(2).padStart(12)}  ${r.clientCores.toFixed(2).padStart(20)}`,
    );
  }
}
for (const [k, c] of [1, 8, 64].entries()) {
  const s = single.rows[k];
  const p = pool.rows[k];
  if (s && p)
    console.log(
      `pool / single at ${c} connections: ${(p.completionsPerSec / s.completionsPerSec).toFixed(2)}x completions/s, p99 ${(p.p99 / s.p99).toFixed(2)}x; one worker / single ${((one.rows[k]?.completionsPerSec ?? 0) / s.completionsPerSec).toFixed(2)}x completions/s`,
    );
}
const heavyChars = 48 * longText.length;
for (const [name, run] of [
  ['single thread', single],
  [`pool of ${cores} workers`, pool],
] as const) {
  console.log(
    `${name}: light request alone p50 ${quantile(run.alone, 0.5).toFixed(0)} ms; while a heavy one (48 x ${(longText.length / 1000).toFixed(0)} KB = ${(heavyChars / 1e6).toFixed(1)} M chars, ${run.heavy.ms.toFixed(0)} ms, status ${run.heavy.status}, server ${run.cores.toFixed(2)} cores) runs: p50 ${quantile(run.during, 0.5).toFixed(0)} ms, p99 ${quantile(run.during, 0.99).toFixed(0)} ms, max ${Math.max(...run.during).toFixed(0)} ms over ${run.during.length} requests`,
  );
}
