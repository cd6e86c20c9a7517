/**
 * One training step of a 2-layer, 128-wide decoder (batch 8 x 64 tokens, Adam) on each backend, in one run,
 * beside PyTorch on the CPU when Debian's python3-torch is importable.
 */
import { spawnSync } from 'node:child_process';
import { type BackendName, TransformerPolicy, useBackend, webgpuAvailable } from '../src/tfjs/index.js';

const CONFIG = { vocabSize: 128, maxLength: 64, layers: 2, width: 128, heads: 4, seed: 1 };
const B = 8;

function batch() {
  const tokens = new Int32Array(B * CONFIG.maxLength).map((_, i) => 3 + ((i * 7) % 120));
  const mask = new Float32Array(B * (CONFIG.maxLength - 1)).fill(1);
  return { batch: B, tokens, mask };
}

async function stepTime(name: BackendName, steps: number): Promise<{ ms: number; losses: number[] }> {
  await useBackend(name);
  const p = new TransformerPolicy(CONFIG, { learningRate: 1e-3 });
  const b = batch();
  const losses: number[] = [];
  for (let i = 0; i < 2; i++) losses.push(await p.sftStep(b));
  const t0 = performance.now();
  for (let i = 0; i < steps; i++) losses.push(await p.sftStep(b));
  const ms = (performance.now() - t0) / steps;
  p.dispose();
  return { ms, losses };
}

const TORCH = `
import time, torch, torch.nn as nn
torch.manual_seed(1); torch.set_num_threads(2)
V,T,D,L,H,B=128,64,128,2,4,8
class Block(nn.Module):
    def __init__(s):
        super().__init__(); s.l1=nn.LayerNorm(D); s.a=nn.MultiheadAttention(D,H,batch_first=True); s.l2=nn.LayerNorm(D); s.f=nn.Sequential(nn.Linear(D,4*D),nn.GELU(),nn.Linear(4*D,D))
    def forward(s,x,m):
        h=s.l1(x); x=x+s.a(h,h,h,attn_mask=m,need_weights=False)[0]; return x+s.f(s.l2(x))
class M(nn.Module):
    def __init__(s):
        super().__init__(); s.e=nn.Embedding(V,D); s.p=nn.Parameter(torch.zeros(T,D)); s.b=nn.ModuleList([Block() for _ in range(L)]); s.n=nn.LayerNorm(D); s.h=nn.Linear(D,V); s.v=nn.Linear(D,1)
    def forward(s,t):
        m=torch.triu(torch.full((T,T),float('-inf')),1); x=s.e(t)+s.p
        for b in s.b: x=b(x,m)
        x=s.n(x); return s.h(x), s.v(x)
m=M(); o=torch.optim.Adam(m.parameters(),1e-3)
t=torch.tensor([[3+((i*7)%120) for i in range(r*T,(r+1)*T)] for r in range(B)])
def step():
    lg,_=m(t[:,:-1]); loss=nn.functional.cross_entropy(lg.reshape(-1,V),t[:,1:].reshape(-1)); o.zero_grad(); loss.backward(); o.step()
for _ in range(2): step()
t0=time.time()
for _ in range(5): step()
print((time.time()-t0)/5*1000)
`;

export async function benchTrainStep(): Promise<Record<string, number | null>> {
  console.log(`training step, ${CONFIG.layers} layers x ${CONFIG.width} wide, batch ${B} x ${CONFIG.maxLength}, Adam:`);
  const out: Record<string, number | null> = {};
  const probe = spawnSync('/usr/bin/python3', ['-c', 'import torch'], { encoding: 'utf8' });
  let torchMs: number | null = null;
  if (probe.status === 0) {
    const r = spawnSync('/usr/bin/python3', ['-c', TORCH], { encoding: 'utf8' });
    torchMs = r.status === 0 ? Number(r.stdout.trim()) : null;
    console.log(
      torchMs === null ? `  pytorch cpu: failed (${r.stderr.trim().split('\n').pop()})` : `  pytorch cpu: ${torchMs.toFixed(0)} ms/step`,
    );
  } else {
    console.log('  pytorch cpu: baseline missing (/usr/bin/python3 cannot import torch; Debian package python3-torch is not installed)');
  }
  out.pytorch = torchMs;
  const backends: BackendName[] = ['cpu', 'wasm'];
  if (await webgpuAvailable()) backends.unshift('webgpu');
  else console.log('  webgpu: no adapter');
  for (const name of backends) {
    const r = await stepTime(name, name === 'cpu' ? 2 : 5);
    out[name] = r.ms;
    const vs = torchMs ? `, ${(r.ms / torchMs).toFixed(2)}x pytorch` : '';
    console.log(`  ${name.padEnd(6)} ${r.ms.toFixed(0)} ms/step${vs} (loss ${r.losses[0]!.toFixed(3)} -> ${r.losses.at(-1)!.toFixed(3)})`);
  }
  const fastest = backends.reduce((a, b) => ((out[a] as number) <= (out[b] as number) ? a : b));
  for (const name of backends)
    if (name !== fastest) console.log(`  ${name} / ${fastest}: ${((out[name] as number) / (out[fastest] as number)).toFixed(2)}x`);
  return out;
}
