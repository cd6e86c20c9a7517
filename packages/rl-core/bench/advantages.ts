/**
 * Advantage + loss throughput against a single pass over the same arrays, in one run.
 * The single pass reads every input array once and writes one output: the floor any per-token method pays.
 * It is timed twice: in TypeScript (the baseline of the ratios) and, for reference, as a WebAssembly SIMD
 * loop over arrays already in the module's memory (no copies: a floor below what any call from
 * TypeScript pays, since the fused kernels copy their inputs in and their outputs out).
 */
import asc from 'assemblyscript/asc';
import { computeAdvantages, type FusedLossInput, fusedPpoLoss, ppoPolicyLoss, seededRandom, valueLoss } from '../src/index.js';

const B = 64;
const T = 512;
const n = B * T;
const shape = { batch: B, tokens: T };
const rand = seededRandom(1);
const rewards = Float32Array.from({ length: n }, () => rand() - 0.5);
const values = Float32Array.from({ length: n }, () => rand());
const logp = Float32Array.from({ length: n }, () => -rand() * 3);
const oldLogp = Float32Array.from(logp, (x) => x + (rand() - 0.5) * 0.1);
const mask = Float32Array.from({ length: n }, (_, i) => (i % T < T - (Math.floor(i / T) % 64) * 4 ? 1 : 0));
const groupIds = Array.from({ length: B }, (_, b) => b >> 3);

function singlePass(): number {
  const out = new Float32Array(n);
  let s = 0;
  for (let i = 0; i < n; i++) {
    const v = mask[i]! * (rewards[i]! + values[i]! + logp[i]! - oldLogp[i]!);
    out[i] = v;
    s += v;
  }
  return s + out[0]!;
}

const WASM_PASS = `export function pass(mask: usize, a: usize, b: usize, c: usize, d: usize, out: usize, n: i32): f64 {
  let s = f32x4.splat(0);
  for (let i = 0; i < n; i += 4) {
    const o = <usize>i << 2;
    const v = f32x4.mul(v128.load(mask + o), f32x4.sub(f32x4.add(f32x4.add(v128.load(a + o), v128.load(b + o)), v128.load(c + o)), v128.load(d + o)));
    v128.store(out + o, v);
    s = f32x4.add(s, v);
  }
  return <f64>(f32x4.extract_lane(s, 0) + f32x4.extract_lane(s, 1) + f32x4.extract_lane(s, 2) + f32x4.extract_lane(s, 3));
}`;

interface WasmApi {
  Memory: new (d: { initial: number }) => { buffer: ArrayBuffer };
  Module: new (bytes: Uint8Array) => object;
  Instance: new (m: object, imports: object) => { exports: Record<string, unknown> };
}

/** The single pass as a WebAssembly SIMD loop, its five inputs copied into its memory once, before timing. */
async function wasmSinglePass(): Promise<() => number> {
  const r = await asc.compileString(WASM_PASS, { optimizeLevel: 3, runtime: 'stub', enable: ['simd'], importMemory: true, noAssert: true });
  if (r.error || !r.binary) throw new Error(`compiling the WebAssembly single pass failed: ${r.stderr.toString()}`);
  // (the ES library typings in use do not declare the WebAssembly API)
  const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
  const memory = new wasm.Memory({ initial: Math.ceil((6 * n * 4 + 4096) / 65536) });
  const { exports } = new wasm.Instance(new wasm.Module(r.binary), { env: { memory } });
  const pass = exports.pass as (...args: number[]) => number;
  const f32 = new Float32Array(memory.buffer);
  const at = (k: number) => 1024 + k * n * 4;
  for (const [k, a] of [mask, rewards, values, logp, oldLogp].entries()) f32.set(a, at(k) >> 2);
  return () => pass(at(0), at(1), at(2), at(3), at(4), at(5), n);
}

function pipeline(estimator: 'gae' | 'grpo' | 'token-grpo'): number {
  const { advantages, returns } = computeAdvantages({ estimator, shape, rewards, values, mask, groupIds, gamma: 1, lambda: 0.95 });
  const p = ppoPolicyLoss(logp, oldLogp, advantages, shape, { mask, dualClip: 3 });
  const v = valueLoss(values, values, returns, shape, { mask });
  return p.loss + v.loss;
}

const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[xs.length >> 1] as number;

/**
 * Times every candidate and the baseline in interleaved rounds (each round: the baseline, then every
 * candidate, each the mean of `reps` calls), so that all of them see the same machine state: on a shared
 * virtual machine a sub-millisecond pass moves by 2x between minutes. Reports each candidate's median time
 * and the median of its per-round ratio to the baseline.
 */
function timeInterleaved(base: () => number, candidates: Record<string, () => number>, rounds = 25, reps = 20) {
  const fns = { base, ...candidates };
  let sink = 0;
  for (const fn of Object.values(fns)) for (let i = 0; i < 20; i++) sink += fn();
  const times: Record<string, number[]> = Object.fromEntries(Object.keys(fns).map((k) => [k, []]));
  for (let r = 0; r < rounds; r++)
    for (const [k, fn] of Object.entries(fns)) {
      const t0 = performance.now();
      for (let i = 0; i < reps; i++) sink += fn();
      (times[k] as number[]).push((performance.now() - t0) / reps);
    }
  if (Number.isNaN(sink)) console.log('');
  const b = times.base as number[];
  return {
    baseMs: median(b),
    rows: Object.keys(candidates).map((k) => {
      const t = times[k] as number[];
      return { estimator: k, ms: median(t), ratio: median(t.map((x, i) => x / (b[i] as number))) };
    }),
  };
}

export async function benchAdvantages(): Promise<{ estimator: string; ms: number; tokensPerSecond: number; ratio: number }[]> {
  const candidates: Record<string, () => number> = { 'wasm-pass': await wasmSinglePass() };
  for (const e of ['gae', 'grpo', 'token-grpo'] as const) candidates[e] = () => pipeline(e);
  const fused = (estimator: 'gae' | 'grpo' | 'token-grpo', engine: 'js' | 'wasm', out?: FusedLossInput['out']) => () =>
    fusedPpoLoss({
      estimator,
      engine,
      out,
      shape,
      rewards,
      values,
      oldValues: values,
      logp,
      oldLogp,
      mask,
      groupIds,
      gamma: 1,
      lambda: 0.95,
      dualClip: 3,
    }).policyLoss;
  for (const engine of ['js', 'wasm'] as const)
    for (const e of ['gae', 'grpo', 'token-grpo'] as const) candidates[`${e}-fused-${engine}`] = fused(e, engine);
  // a training loop's steady state: the same output arrays every step, so nothing is allocated per call
  const out = { advantages: new Float32Array(n), returns: new Float32Array(n) };
  for (const e of ['gae', 'grpo', 'token-grpo'] as const) candidates[`${e}-fused-wasm-out`] = fused(e, 'wasm', out);
  const { baseMs, rows: timed } = timeInterleaved(singlePass, candidates);
  console.log(`advantage + loss throughput, ${B} x ${T} tokens (${n}), 25 interleaved rounds, medians:`);
  console.log(`  single pass over the same arrays: ${baseMs.toFixed(2)} ms, ${(((n / baseMs) * 1000) / 1e6).toFixed(1)} M tokens/s`);
  const [floor, ...rows] = timed.map((r) => ({ ...r, tokensPerSecond: (n / r.ms) * 1000 }));
  const f = floor as { ms: number; ratio: number; tokensPerSecond: number };
  console.log(
    `  the same pass in WebAssembly SIMD, arrays already in its memory: ${f.ms.toFixed(3)} ms, ${(f.tokensPerSecond / 1e6).toFixed(1)} M tokens/s, ${f.ratio.toFixed(2)}x the single pass`,
  );
  for (const r of rows) {
    console.log(
      `  ${r.estimator.padEnd(25)} advantages + PPO loss + value loss: ${r.ms.toFixed(2)} ms, ${(r.tokensPerSecond / 1e6).toFixed(1)} M tokens/s, ${r.ratio.toFixed(2)}x the single pass (target <= 3x), ${(r.ms / f.ms).toFixed(1)}x the WebAssembly one`,
    );
  }
  return rows;
}
