/**
 * Forward pass of a 0.5B-class Hugging Face shape (Qwen2.5-0.5B's: 24 layers, width 896, 14 query and 2
 * key/value heads, SwiGLU 4864, 151,936 tied embeddings) with random weights made in-process: tokens/s and
 * bytes per parameter on wasm (and webgpu with --webgpu), beside PyTorch on the CPU running the reference
 * forward (reference/bench_forward.py) on the same shape in the same run, as a ratio. With --lora, one
 * LoRA training step (r 8, alpha 16 on q/k/v/o; mean next-token NLL; Adam) instead of a forward pass.
 *
 *   node --import tsx bench/hf-forward.ts [--layers N] [--tokens T] [--webgpu] [--lora]
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import type { HfCheckpoint } from '../src/hf/checkpoint.js';
import { parseHfConfig } from '../src/hf/config.js';
import { HfModel, type LoraModule } from '../src/hf/model.js';
import { HfPolicy } from '../src/hf/policy.js';
import { type BackendName, useBackend, webgpuAvailable } from '../src/tfjs/backend.js';

const { values: args } = parseArgs({
  options: { layers: { type: 'string' }, tokens: { type: 'string' }, webgpu: { type: 'boolean' }, lora: { type: 'boolean' } },
});
const LORA = { r: 8, alpha: 16, targets: ['q_proj', 'k_proj', 'v_proj', 'o_proj'] as LoraModule[] };
const RAW = {
  model_type: 'qwen2',
  hidden_size: 896,
  intermediate_size: 4864,
  num_hidden_layers: Number(args.layers ?? 24),
  num_attention_heads: 14,
  num_key_value_heads: 2,
  vocab_size: 151936,
  max_position_embeddings: 32768,
  rms_norm_eps: 1e-6,
  rope_theta: 1000000,
  tie_word_embeddings: true,
  hidden_act: 'silu',
};
const TOKENS = Number(args.tokens ?? 128);
const REPEATS = 3;
const config = parseHfConfig(RAW, 'bench shape');

/** A checkpoint whose tensors are drawn on demand (uniform, small), so nothing is read from disk. */
function randomCheckpoint(): HfCheckpoint {
  let state = 12345;
  return {
    dir: '(in memory)',
    config,
    raw: RAW,
    names: () => [],
    read(_name, shape) {
      const n = shape.reduce((a, b) => a * b, 1);
      const data = new Float32Array(n);
      for (let i = 0; i < n; i++) {
        state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
        data[i] = (state / 2 ** 32 - 0.5) * 0.04;
      }
      return { shape: shape.slice(), data };
    },
  };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1] as number;

async function tfjsForward(name: BackendName) {
  await useBackend(name);
  const rss0 = process.memoryUsage().rss;
  const t0 = performance.now();
  const model = HfModel.fromCheckpoint(randomCheckpoint());
  const loadMs = performance.now() - t0;
  const params = model.baseParameters;
  const bytes = tf.memory().numBytes;
  const ids = tf.tensor2d(
    Array.from({ length: TOKENS }, (_, i) => (i * 7919) % config.vocabSize),
    [1, TOKENS],
    'int32',
  );
  const policy = args.lora
    ? new HfPolicy(model, { maxLength: TOKENS, lora: { r: LORA.r, alpha: LORA.alpha, targetModules: LORA.targets } })
    : undefined;
  const batch = { batch: 1, tokens: (await ids.data()) as Int32Array, mask: new Float32Array(TOKENS - 1).fill(1) };
  const run = async () => {
    if (policy) {
      await policy.sftStep(batch);
      return;
    }
    const r = tf.tidy(() => model.score(ids));
    await r.logp.data();
    tf.dispose([r.logp, r.entropy, r.values]);
  };
  await run(); // warm-up
  const times: number[] = [];
  for (let i = 0; i < REPEATS; i++) {
    const s = performance.now();
    await run();
    times.push(performance.now() - s);
  }
  const rss = process.memoryUsage().rss - rss0;
  ids.dispose();
  if (policy) policy.dispose();
  else model.dispose();
  const ms = median(times);
  return { name, ms, tokensPerSecond: TOKENS / (ms / 1000), params, bytesPerParam: bytes / params, rssPerParam: rss / params, loadMs };
}

/** Folders of the BLAS libraries Debian can put behind torch (the fastest installed one is the baseline). */
function blasFolders(): { name: string; dir: string }[] {
  const root = '/usr/lib/x86_64-linux-gnu';
  const kinds = ['blas', 'openblas-pthread', 'openblas-openmp', 'blis-pthread', 'blis-openmp'];
  return kinds
    .filter((k) => existsSync(`${root}/${k}/libblas.so.3`))
    .map((k) => ({ name: k === 'blas' ? 'reference BLAS' : k, dir: `${root}/${k}` }));
}

type TorchResult = { ms: number; tokens_per_s: number; rss_bytes: number; params: number; torch: string; threads: number; blas: string };

/** PyTorch's forward once per installed BLAS; the fastest, or the reason none ran. */
function torchForward(): TorchResult | { why: string } {
  let best: TorchResult | undefined;
  let why = 'no BLAS folder found';
  for (const { name, dir } of blasFolders().length ? blasFolders() : [{ name: 'system', dir: '' }]) {
    const r = torchOnce(dir);
    if ('why' in r) why = `${name}: ${r.why}`;
    else {
      console.log(`  pytorch on ${name}: ${r.ms.toFixed(0)} ms`);
      if (!best || r.ms < best.ms) best = { ...r, blas: name };
    }
  }
  return best ?? { why };
}

function torchOnce(dir: string): Omit<TorchResult, 'blas'> | { why: string } {
  const script = fileURLToPath(new URL('../reference/bench_forward.py', import.meta.url));
  const env: NodeJS.ProcessEnv = { ...process.env, OMP_WAIT_POLICY: process.env.OMP_WAIT_POLICY ?? 'PASSIVE' };
  if (dir) env.LD_LIBRARY_PATH = [dir, process.env.LD_LIBRARY_PATH].filter(Boolean).join(':');
  const r = spawnSync('/usr/bin/python3', [script], {
    input: JSON.stringify({ config: RAW, tokens: TOKENS, repeats: REPEATS, threads: 2, ...(args.lora ? { lora: LORA } : {}) }),
    env,
    encoding: 'utf8',
    maxBuffer: 1 << 20,
  });
  if (r.status !== 0) return { why: (r.stderr || r.error?.message || 'failed').trim().split('\n').pop() as string };
  return JSON.parse(r.stdout) as Omit<TorchResult, 'blas'>;
}

console.log(
  `${args.lora ? 'LoRA step (r 8 on q/k/v/o, Adam)' : 'forward'} of a ${RAW.num_hidden_layers}-layer Qwen2 shape (${((config.hiddenSize * config.vocabSize + RAW.num_hidden_layers * 14.9e6) / 1e6) | 0}M parameters), 1 x ${TOKENS} tokens, median of ${REPEATS}`,
);
const torch = torchForward();
if ('why' in torch) console.log(`pytorch: not run (${torch.why})`);
else
  console.log(
    `pytorch ${torch.torch} cpu (${torch.threads} threads, ${torch.blas}): ${torch.ms.toFixed(0)} ms, ${torch.tokens_per_s.toFixed(1)} tokens/s, peak RSS ${(torch.rss_bytes / torch.params).toFixed(2)} bytes/parameter`,
  );
const backends: BackendName[] = ['wasm'];
if (args.webgpu && (await webgpuAvailable())) backends.push('webgpu');
for (const b of backends) {
  let r: Awaited<ReturnType<typeof tfjsForward>>;
  try {
    r = await tfjsForward(b);
  } catch (e) {
    // the full 24-layer shape does not fit the wasm backend's heap (2 GB of float32 weights, then a fault)
    console.log(`tfjs ${b}: did not run (${(e as Error).message}); try fewer --layers`);
    break;
  }
  const ratio = 'why' in torch ? '' : `, ${(r.tokensPerSecond / torch.tokens_per_s).toFixed(2)}x pytorch's tokens/s`;
  console.log(
    `tfjs ${r.name}: ${r.ms.toFixed(0)} ms, ${r.tokensPerSecond.toFixed(1)} tokens/s${ratio}; tensors ${r.bytesPerParam.toFixed(2)} bytes/parameter, RSS growth ${r.rssPerParam.toFixed(2)} bytes/parameter (${r.params} parameters, built in ${(r.loadMs / 1000).toFixed(1)} s)`,
  );
}
process.exit(0);
