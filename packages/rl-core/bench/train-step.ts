/**
 * One training step of a 2-layer, 128-wide decoder (batch 8 x 64 tokens, Adam) on each backend, in one run,
 * beside PyTorch on the CPU (bench/torch_step.py) when Debian's python3-torch is importable. PyTorch starts
 * from the tfjs initial weights and trains on the same batch, so the loss curves are comparable step by step.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
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

interface TorchResult extends StepResult {
  version: string;
  threads: number;
  blas: string;
}

/**
 * The BLAS libraries Debian can put behind torch's matrix products (each folder holds a libblas.so.3; the
 * system-wide choice is an alternatives link): torch runs once on each installed one, through
 * LD_LIBRARY_PATH, so the bench compares against the fastest PyTorch this machine has.
 */
function blasFolders(): { name: string; dir: string }[] {
  const multiarch = spawnSync('gcc', ['-print-multiarch'], { encoding: 'utf8' }).stdout?.trim() || 'x86_64-linux-gnu';
  const root = `/usr/lib/${multiarch}`;
  const kinds = ['blas', 'openblas-pthread', 'openblas-openmp', 'openblas-serial', 'blis-pthread', 'blis-openmp', 'blis-serial', 'atlas'];
  return kinds
    .filter((k) => existsSync(`${root}/${k}/libblas.so.3`))
    .map((k) => ({ name: k === 'blas' ? 'reference' : k, dir: `${root}/${k}` }));
}

/** Runs bench/torch_step.py once per installed BLAS; a reason instead when /usr/bin/python3 cannot import torch. */
async function torchSteps(): Promise<{ results: TorchResult[]; why?: string }> {
  const probe = spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8' });
  if (probe.status !== 0)
    return { results: [], why: `baseline missing (${PYTHON} cannot import torch; Debian package python3-torch is not installed)` };
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
  const results: TorchResult[] = [];
  const reasons: string[] = [];
  const folders = blasFolders();
  for (const { name, dir } of folders.length ? folders : [{ name: 'system', dir: '' }]) {
    // On a machine whose cores other jobs share, OpenMP threads that spin at barriers while a sibling is
    // descheduled make a 2-thread step several times slower than a 1-thread one: let them sleep instead.
    const env: NodeJS.ProcessEnv = { ...process.env, OMP_WAIT_POLICY: process.env.OMP_WAIT_POLICY ?? 'PASSIVE' };
    if (dir) env.LD_LIBRARY_PATH = [dir, process.env.LD_LIBRARY_PATH].filter(Boolean).join(':');
    const r = spawnSync(PYTHON, [TORCH_SCRIPT], { input, env, encoding: 'utf8', maxBuffer: 1 << 24 });
    if (r.status !== 0) {
      reasons.push(`${name}: failed (${r.stderr.trim().split('\n').pop()})`);
      continue;
    }
    const o = JSON.parse(r.stdout) as { ms_per_step: number; losses: number[]; torch: string; threads: number; blas: string };
    results.push({ ms: o.ms_per_step, losses: o.losses, version: o.torch, threads: o.threads, blas: o.blas });
  }
  return { results, why: reasons.join('; ') || undefined };
}

const f3 = (x: number | undefined) => (x === undefined ? '-' : x.toFixed(3));

export async function benchTrainStep(): Promise<Record<string, number | null>> {
  console.log(
    `training step, ${CONFIG.layers} layers x ${CONFIG.width} wide, batch ${B} x ${CONFIG.maxLength}, Adam (${WARMUP} warm-up + ${STEPS} timed steps, median):`,
  );
  const out: Record<string, number | null> = {};
  const torch = await torchSteps();
  for (const t of torch.results) {
    console.log(
      `  pytorch cpu ${t.ms.toFixed(0)} ms/step (torch ${t.version}, ${t.threads} threads, OMP_WAIT_POLICY ${process.env.OMP_WAIT_POLICY ?? 'PASSIVE'}, BLAS ${t.blas})`,
    );
    out[`pytorch ${t.blas}`] = t.ms;
  }
  if (torch.why) console.log(`  pytorch cpu: ${torch.why}`);
  // Ratios are against the fastest PyTorch (the best BLAS installed) and, when it differs, the slowest.
  const sorted = [...torch.results].sort((a, b) => a.ms - b.ms);
  const refs = sorted.length > 1 ? [sorted[0], sorted.at(-1)] : sorted;
  out.pytorch = sorted[0]?.ms ?? null;
  const backends: BackendName[] = ['cpu', 'wasm'];
  if (await webgpuAvailable()) backends.unshift('webgpu');
  else console.log('  webgpu: no adapter');
  const curves: Record<string, number[]> = {};
  for (const name of backends) {
    const r = await stepTime(name);
    out[name] = r.ms;
    curves[name] = r.losses;
    const vs = refs.map((t) => `, ${(r.ms / (t as TorchResult).ms).toFixed(2)}x pytorch (${(t as TorchResult).blas})`).join('');
    console.log(`  ${name.padEnd(11)} ${r.ms.toFixed(0)} ms/step${vs}`);
  }
  const fastest = backends.reduce((a, b) => ((out[a] as number) <= (out[b] as number) ? a : b));
  for (const name of backends)
    if (name !== fastest) console.log(`  ${name} / ${fastest}: ${((out[name] as number) / (out[fastest] as number)).toFixed(2)}x`);

  // Loss curves side by side, one column per engine, then first/last loss and the largest gap to PyTorch.
  for (const t of torch.results) curves[`pt-${t.blas.split(/[ -]/)[0]}`] = t.losses;
  const cols = Object.keys(curves);
  console.log(`  loss per step (the same initial weights and batch):`);
  console.log(`    step ${cols.map((c) => c.padStart(8)).join(' ')}`);
  for (let i = 0; i < WARMUP + STEPS; i++)
    console.log(`    ${String(i + 1).padStart(4)} ${cols.map((c) => f3(curves[c]?.[i]).padStart(8)).join(' ')}`);
  for (const name of backends) {
    const l = curves[name] as number[];
    let gap = '';
    if (sorted[0]) {
      const t = sorted[0].losses;
      const d = Math.max(...l.map((x, i) => Math.abs(x - (t[i] ?? Number.NaN))));
      gap = `, largest gap to pytorch ${d.toExponential(1)}`;
    }
    console.log(`  ${name.padEnd(6)} loss ${f3(l[0])} -> ${f3(l.at(-1))}${gap}`);
  }
  for (const t of torch.results) console.log(`  pytorch (${t.blas}) loss ${f3(t.losses[0])} -> ${f3(t.losses.at(-1))}`);
  console.log(
    '  same model and math; differences in work: pytorch looks up token-embedding rows where tfjs multiplies by a one-hot matrix\n' +
      '  (same values and gradients), and tfjs also computes the per-token entropy in the forward pass, unused by this loss',
  );
  return out;
}
