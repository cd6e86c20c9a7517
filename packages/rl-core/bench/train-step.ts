/**
 * One training step of a 2-layer, 128-wide decoder (batch 8 x 64 tokens, Adam) on each backend, in one run,
 * beside PyTorch on the CPU (bench/torch_step.py) when Debian's python3-torch is importable. PyTorch starts
 * from the tfjs initial weights and trains on the same batch, so the loss curves are comparable step by step.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { type BackendName, OPTIMIZER_DEFAULTS, TransformerPolicy, useBackend, webgpuAvailable } from '../src/tfjs/index.js';

const CONFIG = { vocabSize: 128, maxLength: 64, layers: 2, width: 128, heads: 4, ffnMultiple: 4, seed: 1 };
const OPTIMIZER = { learningRate: 1e-3, maxGradNorm: OPTIMIZER_DEFAULTS.maxGradNorm };
const B = 8;
const WARMUP = 2;
const STEPS = 5;
const PYTHON = '/usr/bin/python3';
const TORCH_SCRIPT = fileURLToPath(new URL('./torch_step.py', import.meta.url));

/** The deterministic batch: token i of the flattened batch is 3 + (7 i mod 120); every next token is scored. */
function batch() {
  const tokens = new Int32Array(B * CONFIG.maxLength).map((_, i) => 3 + ((i * 7) % 120));
  const mask = new Float32Array(B * (CONFIG.maxLength - 1)).fill(1);
  return { batch: B, tokens, mask };
}

interface StepResult {
  /** Median wall time of the timed steps, in ms. */
  ms: number;
  /** Loss of every step, warm-up included (each loss is computed before that step's update). */
  losses: number[];
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

async function stepTime(name: BackendName): Promise<StepResult> {
  await useBackend(name);
  const p = new TransformerPolicy(CONFIG, OPTIMIZER);
  const b = batch();
  const losses: number[] = [];
  for (let i = 0; i < WARMUP; i++) losses.push(await p.sftStep(b));
  const times: number[] = [];
  for (let i = 0; i < STEPS; i++) {
    const t0 = performance.now();
    losses.push(await p.sftStep(b));
    times.push(performance.now() - t0);
  }
  p.dispose();
  return { ms: median(times), losses };
}

/** The policy's initial weights (seeded, the same on every backend), as plain arrays for the PyTorch twin. */
async function initialWeights(): Promise<Record<string, { shape: number[]; data: number[] }>> {
  await useBackend('cpu');
  const p = new TransformerPolicy(CONFIG, OPTIMIZER);
  const out: Record<string, { shape: number[]; data: number[] }> = {};
  for (const [name, t] of Object.entries(await p.getWeights())) out[name] = { shape: t.shape, data: Array.from(t.data) };
  p.dispose();
  return out;
}

/** Runs bench/torch_step.py; null with a reason when /usr/bin/python3 cannot import torch or the run fails. */
async function torchStep(): Promise<
  { result: StepResult & { version: string; threads: number; blas: string }; why?: undefined } | { result?: undefined; why: string }
> {
  const probe = spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8' });
  if (probe.status !== 0) return { why: `baseline missing (${PYTHON} cannot import torch; Debian package python3-torch is not installed)` };
  const b = batch();
  const input = JSON.stringify({
    ...CONFIG,
    ...OPTIMIZER,
    adamEpsilon: 1e-7, // tfjs Adam's default epsilon on float32 backends
    batch: B,
    tokens: Array.from(b.tokens),
    mask: Array.from(b.mask),
    warmup: WARMUP,
    steps: STEPS,
    threads: 2,
    weights: await initialWeights(),
  });
  // On a machine whose cores other jobs share, OpenMP threads that spin at barriers while a sibling is
  // descheduled make a 2-thread step several times slower than a 1-thread one: let them sleep instead.
  const env = { ...process.env, OMP_WAIT_POLICY: process.env.OMP_WAIT_POLICY ?? 'PASSIVE' };
  const r = spawnSync(PYTHON, [TORCH_SCRIPT], { input, env, encoding: 'utf8', maxBuffer: 1 << 24 });
  if (r.status !== 0) return { why: `failed (${r.stderr.trim().split('\n').pop()})` };
  const o = JSON.parse(r.stdout) as { ms_per_step: number; losses: number[]; torch: string; threads: number; blas: string };
  return { result: { ms: o.ms_per_step, losses: o.losses, version: o.torch, threads: o.threads, blas: o.blas } };
}

const f3 = (x: number | undefined) => (x === undefined ? '-' : x.toFixed(3));

export async function benchTrainStep(): Promise<Record<string, number | null>> {
  console.log(
    `training step, ${CONFIG.layers} layers x ${CONFIG.width} wide, batch ${B} x ${CONFIG.maxLength}, Adam (${WARMUP} warm-up + ${STEPS} timed steps, median):`,
  );
  const out: Record<string, number | null> = {};
  const torch = await torchStep();
  const torchMs = torch.result?.ms ?? null;
  if (torch.result) {
    const t = torch.result;
    console.log(
      `  pytorch cpu ${t.ms.toFixed(0)} ms/step (torch ${t.version}, ${t.threads} threads, OMP_WAIT_POLICY ${process.env.OMP_WAIT_POLICY ?? 'PASSIVE'}, BLAS ${t.blas})`,
    );
    if (t.blas.startsWith('reference'))
      console.log(
        '    note: the reference BLAS is unoptimised and single-threaded; python3-torch recommends an optimised one (libopenblas0), not installed here',
      );
  } else console.log(`  pytorch cpu: ${torch.why}`);
  out.pytorch = torchMs;
  const backends: BackendName[] = ['cpu', 'wasm'];
  if (await webgpuAvailable()) backends.unshift('webgpu');
  else console.log('  webgpu: no adapter');
  const curves: Record<string, number[]> = {};
  for (const name of backends) {
    const r = await stepTime(name);
    out[name] = r.ms;
    curves[name] = r.losses;
    const vs = torchMs ? `, ${(r.ms / torchMs).toFixed(2)}x pytorch` : '';
    console.log(`  ${name.padEnd(11)} ${r.ms.toFixed(0)} ms/step${vs}`);
  }
  const fastest = backends.reduce((a, b) => ((out[a] as number) <= (out[b] as number) ? a : b));
  for (const name of backends)
    if (name !== fastest) console.log(`  ${name} / ${fastest}: ${((out[name] as number) / (out[fastest] as number)).toFixed(2)}x`);

  // Loss curves side by side, one column per engine, then first/last loss and the largest gap to PyTorch.
  if (torch.result) curves.pytorch = torch.result.losses;
  const cols = Object.keys(curves);
  console.log(`  loss per step (the same initial weights and batch):`);
  console.log(`    step ${cols.map((c) => c.padStart(8)).join(' ')}`);
  for (let i = 0; i < WARMUP + STEPS; i++)
    console.log(`    ${String(i + 1).padStart(4)} ${cols.map((c) => f3(curves[c]?.[i]).padStart(8)).join(' ')}`);
  for (const name of backends) {
    const l = curves[name] as number[];
    let gap = '';
    if (torch.result) {
      const t = torch.result.losses;
      const d = Math.max(...l.map((x, i) => Math.abs(x - (t[i] ?? Number.NaN))));
      gap = `, largest gap to pytorch ${d.toExponential(1)}`;
    }
    console.log(`  ${name.padEnd(6)} loss ${f3(l[0])} -> ${f3(l.at(-1))}${gap}`);
  }
  if (torch.result) console.log(`  pytorch loss ${f3(torch.result.losses[0])} -> ${f3(torch.result.losses.at(-1))}`);
  console.log(
    '  same model and math; differences in work: pytorch looks up token-embedding rows where tfjs multiplies by a one-hot matrix\n' +
      '  (same values and gradients), and tfjs also computes the per-token entropy in the forward pass, unused by this loss',
  );
  return out;
}
